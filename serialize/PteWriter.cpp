#include "serialize/PteWriter.h"

#include "serialize/Alignment.h"
#include "serialize/ContentKey.h"
#include "serialize/ExtendedHeader.h"
#include "serialize/OutputFile.h"
#include "serialize/PendingKeys.h"
#include "serialize/ProgramFlatbuffer.h"
#include "serialize/PteProgramChecks.h"
#include "serialize/SegmentLayout.h"
#include "serialize/SerializeError.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Parallel.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
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

/// Where the file's bytes go, how a range of them is readied just before it is written and
/// released once it is (a large file's prefill and unmapping, PrefilledOutputBuffer.h;
/// nothing in memory).
struct OutputTarget {
  llvm::MutableArrayRef<uint8_t> bytes;
  std::function<llvm::Error(uint64_t offset, uint64_t size)> prepare;
  std::function<void(uint64_t offset, uint64_t size)> release;
};

/// Gives the target for a file of `size` bytes; asked once per attempt.
using OutputBytes = std::function<llvm::Expected<OutputTarget>(uint64_t size)>;

/// Calls `fn` on every element of `items` on LLVM's parallel threads, which take them
/// strictly in order; the first error stops the rest and is returned. (parallelForEach
/// spawns a task per element, and LLVM 14's executor runs tasks last-in first-out: the
/// largest pieces, sorted first, started last, the 16-layer benchmark model's 131 MB
/// embedding table alone at the very end.)
llvm::Error forEachInOrder(llvm::ArrayRef<size_t> items,
                           llvm::function_ref<llvm::Error(size_t)> fn) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex lock;
  std::vector<llvm::Error> errors;
  unsigned threads = std::max(1u, llvm::parallel::strategy.compute_thread_count());
  llvm::parallelForEachN(0, threads, [&](size_t) {
    for (size_t k = next++; k < items.size() && !failed; k = next++)
      if (llvm::Error err = fn(items[k])) {
        failed = true;
        std::lock_guard<std::mutex> guard(lock);
        errors.push_back(std::move(err));
      }
  });
  if (errors.empty())
    return llvm::Error::success();
  for (size_t i = 1; i < errors.size(); ++i)
    llvm::consumeError(std::move(errors[i]));
  return std::move(errors.front());
}

/// Which pieces one task writes: one, or two whose keys are hashed side by side (Sha256.h).
using PieceTask = std::array<size_t, 2>;
constexpr size_t kNoPiece = SIZE_MAX;

/// Tasks for the pieces `order` lists, in that order: each piece with a pending key is
/// paired with the next one, the rest go alone.
std::vector<PieceTask> pieceTasks(const std::vector<SegmentLayout::Piece> &pieces,
                                  llvm::ArrayRef<size_t> order) {
  std::vector<PieceTask> tasks;
  size_t unpaired = kNoPiece; // the task whose pending piece waits for a partner
  for (size_t i : order) {
    if (pieces[i].pendingKeyOf < 0) {
      tasks.push_back({i, kNoPiece});
    } else if (unpaired == kNoPiece) {
      unpaired = tasks.size();
      tasks.push_back({i, kNoPiece});
    } else {
      tasks[unpaired][1] = i;
      unpaired = kNoPiece;
    }
  }
  return tasks;
}

/// Writes the pieces `selected` picks in parallel, each straight into its place with the
/// padding after it zeroed; the SHA-256 of each piece with a pending key goes to
/// `contentKeys` (by named-data entry), hashed right after the piece is written, two at a
/// time. The largest pieces start first, so that no thread is left with a big one at the end.
llvm::Error writePieces(const FilePlan &plan, const SegmentLayout &layout, const OutputTarget &out,
                        const std::function<bool(const SegmentLayout::Piece &)> &selected,
                        std::vector<std::string> &contentKeys, const WriteProgress &progress) {
  const std::vector<SegmentLayout::Piece> &pieces = layout.pieces;
  std::vector<size_t> order;
  for (size_t i = 0; i < pieces.size(); ++i)
    if (selected(pieces[i]))
      order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return pieces[a].data.size > pieces[b].data.size; });
  std::vector<PieceTask> tasks = pieceTasks(pieces, order);
  std::atomic<uint64_t> done{plan.segmentBase};
  // Where piece `i` and the padding after it go in the file: [start, next).
  auto rangeOf = [&](size_t i) {
    uint64_t start = plan.segmentBase + pieces[i].offset;
    uint64_t next = i + 1 < pieces.size() ? plan.segmentBase + pieces[i + 1].offset : plan.fileSize;
    return std::make_pair(start, next);
  };
  // Writes piece `i` and the padding after it; returns the piece's bytes.
  auto writePiece = [&](size_t i) -> llvm::Expected<llvm::ArrayRef<uint8_t>> {
    const SegmentLayout::Piece &piece = pieces[i];
    auto [start, next] = rangeOf(i);
    llvm::MutableArrayRef<uint8_t> dst = out.bytes;
    if (out.prepare)
      if (auto err = out.prepare(start, next - start))
        return serializeError("the data at offset " + llvm::Twine(start),
                              llvm::toString(std::move(err)));
    llvm::MutableArrayRef<uint8_t> bytes = dst.slice(start, piece.data.size);
    if (auto err = piece.data.write(bytes))
      return serializeError("the data at offset " + llvm::Twine(start),
                            llvm::toString(std::move(err)));
    std::fill(dst.begin() + start + piece.data.size, dst.begin() + next, 0); // alignment padding
    uint64_t now = done.fetch_add(next - start) + (next - start);
    if (progress)
      progress(now, plan.fileSize);
    return bytes;
  };
  std::vector<size_t> taskIndex(tasks.size());
  std::iota(taskIndex.begin(), taskIndex.end(), 0);
  return forEachInOrder(taskIndex, [&](size_t t) -> llvm::Error {
    llvm::ArrayRef<uint8_t> written[2];
    for (int k = 0; k < 2 && tasks[t][k] != kNoPiece; ++k) {
      llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = writePiece(tasks[t][k]);
      if (!bytes)
        return bytes.takeError();
      written[k] = *bytes;
    }
    const SegmentLayout::Piece &first = pieces[tasks[t][0]];
    if (tasks[t][1] != kNoPiece) {
      std::array<std::string, 2> keys = serialize::contentKeys(written[0], written[1]);
      contentKeys[first.pendingKeyOf] = std::move(keys[0]);
      contentKeys[pieces[tasks[t][1]].pendingKeyOf] = std::move(keys[1]);
    } else if (first.pendingKeyOf >= 0) {
      contentKeys[first.pendingKeyOf] = contentKey(written[0]);
    }
    if (out.release)
      for (size_t i : tasks[t])
        if (i != kNoPiece) {
          auto [start, next] = rangeOf(i);
          out.release(start, next - start);
        }
    return llvm::Error::success();
  });
}

/// Writes the head (with the padding up to the first segment) into `dst`.
void writeHead(const FilePlan &plan, const SegmentLayout &layout,
               llvm::MutableArrayRef<uint8_t> dst) {
  std::copy(plan.head.begin(), plan.head.end(), dst.begin());
  if (layout.segmentDataSize == 0) // no segment holds a byte: the file is the flatbuffer
    return;
  uint64_t firstPiece = plan.segmentBase + (layout.pieces.empty() ? layout.segmentDataSize
                                                                  : layout.pieces.front().offset);
  std::fill(dst.begin() + plan.head.size(), dst.begin() + firstPiece, 0);
}

llvm::Expected<std::pair<FilePlan, SegmentLayout>> planProgram(const PteProgram &program) {
  if (auto err = checkPteProgram(program))
    return err;
  SegmentLayout layout = layoutSegments(program);
  auto flatbuffer = encodeProgramFlatbuffer(program, layout);
  if (!flatbuffer)
    return flatbuffer.takeError();
  FilePlan plan = planFile(std::move(*flatbuffer), layout);
  return std::make_pair(std::move(plan), std::move(layout));
}

/// Writes `program` into the buffer `output` gives, and puts the keys in for pending
/// keys (PendingKeys.h): the head and the delegate blobs are written again, the rest of
/// the file stays; if two pending entries hold identical bytes, the program is written
/// once more with them stored once.
llvm::Error emitProgram(const PteProgram &program, const OutputBytes &output,
                        const WriteProgress &progress) {
  auto planned = planProgram(program);
  if (!planned)
    return planned.takeError();
  const auto &[plan, layout] = *planned;
  llvm::Expected<OutputTarget> dst = output(plan.fileSize);
  if (!dst)
    return dst.takeError();
  writeHead(plan, layout, dst->bytes);
  std::vector<std::string> contentKeys(program.namedData.entries().size());
  auto everyPiece = [](const SegmentLayout::Piece &) { return true; };
  if (auto err = writePieces(plan, layout, *dst, everyPiece, contentKeys, progress))
    return err;
  if (!hasPendingKeys(program))
    return llvm::Error::success();
  llvm::Expected<PteProgram> resolved = resolvePendingKeys(program, contentKeys);
  if (!resolved)
    return resolved.takeError();
  if (resolved->namedData.entries().size() != program.namedData.entries().size())
    return emitProgram(*resolved, output, progress);
  auto replanned = planProgram(*resolved);
  if (!replanned)
    return replanned.takeError();
  if (replanned->first.fileSize != plan.fileSize ||
      replanned->first.head.size() != plan.head.size())
    return serializeError("program", "putting the content keys in changed the file's layout");
  writeHead(replanned->first, replanned->second, dst->bytes);
  auto holdsKeys = [](const SegmentLayout::Piece &piece) { return piece.holdsKeys; };
  return writePieces(replanned->first, replanned->second, *dst, holdsKeys, contentKeys, nullptr);
}
} // namespace

llvm::Expected<std::vector<uint8_t>> serializePte(const PteProgram &program) {
  std::vector<uint8_t> bytes;
  auto inMemory = [&](uint64_t size) -> llvm::Expected<OutputTarget> {
    bytes.assign(size, 0);
    return OutputTarget{bytes, nullptr, nullptr};
  };
  if (auto err = emitProgram(program, inMemory, nullptr))
    return err;
  return bytes;
}

llvm::Error writePte(const PteProgram &program, llvm::StringRef path, const WriteProgress &progress,
                     OldOutput *old, const BeforeCommit &beforeCommit) {
  OutputBuffer output;
  auto inFile = [&](uint64_t size) -> llvm::Expected<OutputTarget> {
    if (output.file)
      output.file->discard();
    llvm::Expected<OutputBuffer> created = createOutputBuffer(path, size, old);
    if (!created)
      return created.takeError();
    output = std::move(*created);
    return OutputTarget{
        {output.file->getBufferStart(), size},
        [&](uint64_t offset, uint64_t length) { return output.prepare(offset, length); },
        [&](uint64_t offset, uint64_t length) { output.release(offset, length); }};
  };
  llvm::Error err = emitProgram(program, inFile, progress);
  if (!err && beforeCommit)
    err = beforeCommit();
  if (err) {
    if (output.file)
      output.file->discard();
    return err;
  }
  if (auto err = output.file->commit())
    return serializeError(path, "cannot write: " + llvm::toString(std::move(err)));
  return llvm::Error::success();
}

} // namespace vkqc::serialize
