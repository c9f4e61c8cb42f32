#include "serialize/VulkanDelegateHeader.h"

#include "serialize/SerializeError.h"

#include "llvm/Support/Endian.h"

#include <cstring>

namespace vkqc::serialize {

namespace endian = llvm::support::endian;

namespace {
constexpr char kMagic[4] = {'V', 'H', '0', '0'};
constexpr size_t kMagicOffset = 4;
constexpr size_t kHeaderSizeOffset = 8;
constexpr size_t kFlatbufferOffsetOffset = 10;
constexpr size_t kFlatbufferSizeOffset = 14;
constexpr size_t kBytesOffsetOffset = 18;
constexpr size_t kBytesSizeOffset = 22;

llvm::Error headerError(const llvm::Twine &what) { return serializeError("VH00 header", what); }
} // namespace

std::array<uint8_t, VulkanDelegateHeader::kPaddedSize> VulkanDelegateHeader::encode() const {
  std::array<uint8_t, kPaddedSize> bytes{};
  std::memcpy(bytes.data() + kMagicOffset, kMagic, sizeof(kMagic));
  endian::write16le(bytes.data() + kHeaderSizeOffset, kSize);
  endian::write32le(bytes.data() + kFlatbufferOffsetOffset, flatbufferOffset);
  endian::write32le(bytes.data() + kFlatbufferSizeOffset, flatbufferSize);
  endian::write32le(bytes.data() + kBytesOffsetOffset, bytesOffset);
  endian::write64le(bytes.data() + kBytesSizeOffset, bytesSize);
  return bytes;
}

llvm::Expected<VulkanDelegateHeader> VulkanDelegateHeader::parse(llvm::ArrayRef<uint8_t> blob) {
  if (blob.size() < kSize)
    return headerError("blob of " + llvm::Twine(blob.size()) + " bytes is too small");
  if (std::memcmp(blob.data() + kMagicOffset, kMagic, sizeof(kMagic)) != 0)
    return headerError("magic is not VH00");
  uint16_t declaredSize = endian::read16le(blob.data() + kHeaderSizeOffset);
  if (declaredSize < kSize)
    return headerError("declared size " + llvm::Twine(declaredSize) + " is below 30");

  VulkanDelegateHeader header;
  header.flatbufferOffset = endian::read32le(blob.data() + kFlatbufferOffsetOffset);
  header.flatbufferSize = endian::read32le(blob.data() + kFlatbufferSizeOffset);
  header.bytesOffset = endian::read32le(blob.data() + kBytesOffsetOffset);
  header.bytesSize = endian::read64le(blob.data() + kBytesSizeOffset);

  // 64-bit sums: the 32-bit fields cannot overflow them.
  uint64_t flatbufferEnd = uint64_t(header.flatbufferOffset) + header.flatbufferSize;
  if (header.flatbufferOffset < declaredSize)
    return headerError("flatbuffer_offset " + llvm::Twine(header.flatbufferOffset) +
                       " overlaps the header");
  if (header.flatbufferSize == 0)
    return headerError("flatbuffer_size is 0");
  if (flatbufferEnd > blob.size())
    return headerError("flatbuffer [" + llvm::Twine(header.flatbufferOffset) + ", " +
                       llvm::Twine(flatbufferEnd) + ") exceeds the blob size " +
                       llvm::Twine(blob.size()));
  if (header.bytesOffset < flatbufferEnd)
    return headerError("bytes_offset " + llvm::Twine(header.bytesOffset) +
                       " overlaps the flatbuffer");
  if (header.bytesSize > blob.size() || header.bytesOffset > blob.size() - header.bytesSize)
    return headerError("bytes region at " + llvm::Twine(header.bytesOffset) + " of size " +
                       llvm::Twine(header.bytesSize) + " exceeds the blob size " +
                       llvm::Twine(blob.size()));
  return header;
}

} // namespace vkqc::serialize
