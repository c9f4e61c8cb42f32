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
#include "llvm/Support/Parallel.h"

#include <algorithm>
#include <atomic>
#include <numeric>

namespace vkqc::serialize {

namespace {
/// Bytes 0..7 of a flatbuffer: root table offset and file identifier.
constexpr size_t kFlatbufferPrefixSize = ExtendedHeader::kFileOffset;

/// The file laid out: its head (flatbuffer, with the extended header spliced in after
/// the flatbuffer prefix when there are segments) and where the segments start.
struct FilePlan {
  std::vector<uint8_t> head;
  uint64_t segmentBase = 0;
  uint64_t fileSize = 0;
};

/// Inserts the extended header after the flatbuffer prefix. Flatbuffer offsets are
/// relative, so only the root offset moves; the header size is a multiple of 16, so
/// every alignment inside the flatbuffer is preserved.
FilePlan planFile(std::vector<uint8_t> flatbuffer, const SegmentLayout &layout) {
  FilePlan plan;
  // Like ExecuTorch: no extended header when no segment holds any byte (the empty
  // constant segment is still listed in Program.segments).
  if (layout.segmentDataSize == 0) {
    plan.fileSize = flatbuffer.size();
    plan.head = std::move(flatbuffer);
    return plan;
  }
  ExtendedHeader header;
  header.programSize = ExtendedHeader::kEncodedSize + flatbuffer.size();
  header.segmentBaseOffset = alignUp(header.programSize, kSegmentAlignment);
  header.segmentDataSize = layout.segmentDataSize;
  plan.head.assign(flatbuffer.begin(), flatbuffer.begin() + kFlatbufferPrefixSize);
  uint32_t rootOffset = llvm::support::endian::read32le(plan.head.data());
  llvm::support::endian::write32le(plan.head.data(), rootOffset + ExtendedHeader::kEncodedSize);
  auto encoded = header.encode();
  plan.head.insert(plan.head.end(), encoded.begin(), encoded.end());
  plan.head.insert(plan.head.end(), flatbuffer.begin() + kFlatbufferPrefixSize, flatbuffer.end());
  plan.segmentBase = header.segmentBaseOffset;
  plan.fileSize = header.segmentBaseOffset + layout.segmentDataSize;
  return plan;
}

/// Writes the whole file into `dst` (exactly plan.fileSize bytes): the head, then every
/// piece of segment data in parallel, each straight into its place, with the padding
/// after it zeroed. The largest pieces start first, so that no thread is left with a big
/// one at the end.
llvm::Error writeFile(const FilePlan &plan, const SegmentLayout &layout, llvm::MutableArrayRef<uint8_t> dst,
                      const WriteProgress &progress = nullptr) {
  std::copy(plan.head.begin(), plan.head.end(), dst.begin());
  if (layout.segmentDataSize == 0) // no segment holds a byte: the file is the flatbuffer
    return llvm::Error::success();
  const std::vector<SegmentLayout::Piece> &pieces = layout.pieces;
  uint64_t firstPiece = plan.segmentBase + (pieces.empty() ? layout.segmentDataSize : pieces.front().offset);
  std::fill(dst.begin() + plan.head.size(), dst.begin() + firstPiece, 0);
  std::vector<size_t> order(pieces.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return pieces[a].data.size > pieces[b].data.size; });
  std::atomic<uint64_t> done{firstPiece};
  return llvm::parallelForEachError(order, [&](size_t i) -> llvm::Error {
    uint64_t start = plan.segmentBase + pieces[i].offset;
    uint64_t size = pieces[i].data.size;
    uint64_t next = i + 1 < pieces.size() ? plan.segmentBase + pieces[i + 1].offset : plan.fileSize;
    if (auto err = pieces[i].data.write(dst.slice(start, size)))
      return serializeError("the data at offset " + llvm::Twine(start), llvm::toString(std::move(err)));
    std::fill(dst.begin() + start + size, dst.begin() + next, 0); // alignment padding
    uint64_t now = done.fetch_add(next - start) + (next - start);
    if (progress)
      progress(now, plan.fileSize);
    return llvm::Error::success();
  });
}

llvm::Expected<std::pair<FilePlan, SegmentLayout>> planProgram(const PteProgram &program) {
  if (auto err = checkPteProgram(program))
    return std::move(err);
  SegmentLayout layout = layoutSegments(program);
  auto flatbuffer = encodeProgramFlatbuffer(program, layout);
  if (!flatbuffer)
    return flatbuffer.takeError();
  FilePlan plan = planFile(std::move(*flatbuffer), layout);
  return std::make_pair(std::move(plan), std::move(layout));
}
} // namespace

llvm::Expected<std::vector<uint8_t>> serializePte(const PteProgram &program) {
  auto planned = planProgram(program);
  if (!planned)
    return planned.takeError();
  std::vector<uint8_t> bytes(planned->first.fileSize);
  if (auto err = writeFile(planned->first, planned->second, bytes))
    return std::move(err);
  return bytes;
}

llvm::Error writePte(const PteProgram &program, llvm::StringRef path, const WriteProgress &progress) {
  auto planned = planProgram(program);
  if (!planned)
    return planned.takeError();
  auto output = llvm::FileOutputBuffer::create(path, planned->first.fileSize);
  if (!output)
    return serializeError(path, "cannot create: " + llvm::toString(output.takeError()));
  llvm::MutableArrayRef<uint8_t> dst((*output)->getBufferStart(), planned->first.fileSize);
  if (auto err = writeFile(planned->first, planned->second, dst, progress)) {
    (*output)->discard();
    return err;
  }
  if (auto err = (*output)->commit())
    return serializeError(path, "cannot write: " + llvm::toString(std::move(err)));
  return llvm::Error::success();
}

} // namespace vkqc::serialize
