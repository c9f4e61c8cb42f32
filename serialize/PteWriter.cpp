#include "serialize/PteWriter.h"

#include "serialize/Alignment.h"
#include "serialize/ExtendedHeader.h"
#include "serialize/ProgramFlatbuffer.h"
#include "serialize/PteProgramChecks.h"
#include "serialize/SegmentLayout.h"
#include "serialize/SerializeError.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileOutputBuffer.h"

#include <algorithm>

namespace vkqc::serialize {

namespace {

/// Bytes 0..7 of a flatbuffer: root table offset and file identifier.
constexpr size_t kFlatbufferPrefixSize = ExtendedHeader::kFileOffset;

/// Inserts the extended header after the flatbuffer prefix. Flatbuffer
/// offsets are relative, so only the root offset moves; the header size is a
/// multiple of 16, so every alignment inside the flatbuffer is preserved.
std::vector<uint8_t> spliceExtendedHeader(llvm::ArrayRef<uint8_t> flatbuffer,
                                          const SegmentLayout &layout) {
  ExtendedHeader header;
  header.programSize = ExtendedHeader::kEncodedSize + flatbuffer.size();
  header.segmentBaseOffset = alignUp(header.programSize, kSegmentAlignment);
  header.segmentDataSize = layout.segmentDataSize;

  std::vector<uint8_t> file(flatbuffer.begin(), flatbuffer.begin() + kFlatbufferPrefixSize);
  uint32_t rootOffset = llvm::support::endian::read32le(file.data());
  llvm::support::endian::write32le(file.data(), rootOffset + ExtendedHeader::kEncodedSize);
  auto encoded = header.encode();
  file.insert(file.end(), encoded.begin(), encoded.end());
  file.insert(file.end(), flatbuffer.begin() + kFlatbufferPrefixSize, flatbuffer.end());
  file.resize(header.segmentBaseOffset, 0);
  for (auto [data, offset] : llvm::zip(layout.segmentData, layout.segmentOffsets)) {
    file.resize(header.segmentBaseOffset + offset, 0);
    file.insert(file.end(), data.begin(), data.end());
  }
  return file;
}

} // namespace

llvm::Expected<std::vector<uint8_t>> serializePte(const PteProgram &program) {
  if (auto err = checkPteProgram(program))
    return err;
  SegmentLayout layout = layoutSegments(program);
  auto flatbuffer = encodeProgramFlatbuffer(program, layout);
  if (!flatbuffer)
    return flatbuffer.takeError();
  // Like ExecuTorch: no extended header when no segment holds any byte (the
  // empty constant segment is still listed in Program.segments).
  if (layout.segmentDataSize == 0)
    return std::move(*flatbuffer);
  return spliceExtendedHeader(*flatbuffer, layout);
}

llvm::Error writePte(const PteProgram &program, llvm::StringRef path) {
  auto bytes = serializePte(program);
  if (!bytes)
    return bytes.takeError();
  auto output = llvm::FileOutputBuffer::create(path, bytes->size());
  if (!output)
    return serializeError(path, "cannot create: " + llvm::toString(output.takeError()));
  std::copy(bytes->begin(), bytes->end(), (*output)->getBufferStart());
  if (auto err = (*output)->commit())
    return serializeError(path, "cannot write: " + llvm::toString(std::move(err)));
  return llvm::Error::success();
}

} // namespace vkqc::serialize
