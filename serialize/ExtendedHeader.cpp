#include "serialize/ExtendedHeader.h"

#include "serialize/SerializeError.h"

#include "llvm/Support/Endian.h"

#include <cstring>

namespace vkqc::serialize {

namespace endian = llvm::support::endian;

namespace {
constexpr char kMagic[4] = {'e', 'h', '0', '0'};
// Field offsets relative to the start of the header.
constexpr size_t kLengthOffset = 4;
constexpr size_t kProgramSizeOffset = 8;
constexpr size_t kSegmentBaseOffset = 16;
constexpr size_t kSegmentDataSizeOffset = 24;
} // namespace

std::array<uint8_t, ExtendedHeader::kEncodedSize> ExtendedHeader::encode() const {
  std::array<uint8_t, kEncodedSize> bytes{};
  std::memcpy(bytes.data(), kMagic, sizeof(kMagic));
  endian::write32le(bytes.data() + kLengthOffset, length);
  endian::write64le(bytes.data() + kProgramSizeOffset, programSize);
  endian::write64le(bytes.data() + kSegmentBaseOffset, segmentBaseOffset);
  endian::write64le(bytes.data() + kSegmentDataSizeOffset, segmentDataSize);
  return bytes;
}

llvm::Expected<std::optional<ExtendedHeader>> ExtendedHeader::parse(llvm::ArrayRef<uint8_t> file) {
  if (file.size() < kFileOffset + sizeof(kMagic) ||
      std::memcmp(file.data() + kFileOffset, kMagic, sizeof(kMagic)) != 0)
    return std::nullopt;
  llvm::ArrayRef<uint8_t> header = file.drop_front(kFileOffset);
  if (header.size() < kEncodedSize)
    return serializeError("extended header",
                          "truncated: file has " + llvm::Twine(file.size()) + " bytes");
  ExtendedHeader parsed;
  parsed.length = endian::read32le(header.data() + kLengthOffset);
  if (parsed.length < kMinimumLength)
    return serializeError("extended header", "length " + llvm::Twine(parsed.length) + " is below " +
                                                 llvm::Twine(kMinimumLength));
  parsed.programSize = endian::read64le(header.data() + kProgramSizeOffset);
  parsed.segmentBaseOffset = endian::read64le(header.data() + kSegmentBaseOffset);
  // Headers shorter than 32 bytes predate segment_data_size.
  if (parsed.length >= kEncodedSize)
    parsed.segmentDataSize = endian::read64le(header.data() + kSegmentDataSizeOffset);
  return parsed;
}

} // namespace vkqc::serialize
