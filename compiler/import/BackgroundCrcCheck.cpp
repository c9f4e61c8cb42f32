#include "compiler/import/BackgroundCrcCheck.h"

#include "compiler/import/Crc32.h"
#include "compiler/ir/OneLineError.h"

#include "llvm/Support/ThreadPool.h"

#include <fmt/format.h>

#include <algorithm>

namespace vkqc {

namespace {
/// One thread fewer than the cores: the importing thread, the critical path while the
/// checks run, keeps one (on the 2-core benchmark machine the checks of the 16-layer
/// model's 1.43 GB take one thread about 50 ms, done long before the write ends).
unsigned checkThreads() {
  return std::max(1u, llvm::hardware_concurrency().compute_thread_count() - 1);
}

// Large enough that a task's overhead is nothing beside its hashing (about 0.3 ms here),
// small enough that both threads share a large entry and a cancelled check stops soon.
constexpr uint64_t kChunk = 4 << 20;
} // namespace

llvm::Error crcMismatchError(llvm::StringRef entry, uint32_t stored, uint32_t computed) {
  return oneLineError(
      entry, fmt::format("CRC-32 mismatch (stored 0x{:08x}, computed 0x{:08x})", stored, computed));
}

BackgroundCrcCheck::BackgroundCrcCheck() = default;

BackgroundCrcCheck::~BackgroundCrcCheck() {
  cancelled_ = true;
  if (pool_)
    pool_->wait();
}

void BackgroundCrcCheck::add(llvm::StringRef entry, llvm::ArrayRef<uint8_t> bytes,
                             uint32_t stored) {
  if (!pool_)
    pool_ = std::make_unique<llvm::ThreadPool>(llvm::hardware_concurrency(checkThreads()));
  Entry &e = entries_.emplace_back();
  e.name = entry.str();
  e.bytes = bytes;
  e.stored = stored;
  size_t chunks = std::max<size_t>(1, (bytes.size() + kChunk - 1) / kChunk);
  e.chunkCrcs.assign(chunks, 0);
  for (size_t i = 0; i < chunks; ++i)
    pool_->async([this, &e, i] {
      if (!cancelled_)
        e.chunkCrcs[i] =
            crc32(e.bytes.slice(i * kChunk, std::min(kChunk, e.bytes.size() - i * kChunk)));
    });
}

llvm::Error BackgroundCrcCheck::wait() {
  if (pool_)
    pool_->wait();
  for (; verified_ < entries_.size() && !mismatch_; ++verified_) {
    const Entry &e = entries_[verified_];
    uint32_t crc = e.chunkCrcs.empty() ? 0 : e.chunkCrcs[0];
    for (size_t i = 1; i < e.chunkCrcs.size(); ++i)
      crc = crc32Combine(crc, e.chunkCrcs[i], std::min(kChunk, e.bytes.size() - i * kChunk));
    if (crc != e.stored)
      mismatch_ = {verified_, crc};
  }
  if (!mismatch_)
    return llvm::Error::success();
  const Entry &bad = entries_[mismatch_->first];
  return crcMismatchError(bad.name, bad.stored, mismatch_->second);
}

} // namespace vkqc
