// Checks the CRC-32 of archive entries on background threads while the compile goes on.
//
// ModelArchive::mapEntry hands every weight entry it maps to one of these; the bytes are
// hashed in chunks on a thread pool of its own (a large entry's chunks side by side, their
// CRCs joined with crc32Combine), and wait() is the join: the compiler calls it before
// anything computed from those bytes leaves the process (ModelArchive::verifyIntegrity).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class ThreadPool;
}

namespace vkqc {

class BackgroundCrcCheck {
public:
  BackgroundCrcCheck();
  /// Chunks not started yet are skipped, the running ones finish: the bytes must stay
  /// mapped until then.
  ~BackgroundCrcCheck();
  BackgroundCrcCheck(const BackgroundCrcCheck &) = delete;
  BackgroundCrcCheck &operator=(const BackgroundCrcCheck &) = delete;

  /// Starts checking that `bytes` have the CRC-32 `stored`; `entry` names them in the error.
  void add(llvm::StringRef entry, llvm::ArrayRef<uint8_t> bytes, uint32_t stored);

  /// Waits for every check added so far. The first entry, in the order they were added,
  /// whose bytes do not have their stored CRC-32 is the error:
  /// "<entry>: CRC-32 mismatch (stored 0x%08x, computed 0x%08x)" (again on every call).
  llvm::Error wait();

private:
  struct Entry {
    std::string name;
    llvm::ArrayRef<uint8_t> bytes;
    uint32_t stored = 0;
    std::vector<uint32_t> chunkCrcs; // one per chunk, each written by one task
  };

  std::deque<Entry> entries_; // stable addresses: tasks hold pointers into it
  size_t verified_ = 0;       // entries_[0, verified_) are combined and compared
  std::optional<std::pair<size_t, uint32_t>> mismatch_; // the first bad entry, its CRC-32
  std::atomic<bool> cancelled_{false};
  std::unique_ptr<llvm::ThreadPool> pool_; // made on the first add
};

/// "<entry>: CRC-32 mismatch (stored 0x%08x, computed 0x%08x)", one line.
llvm::Error crcMismatchError(llvm::StringRef entry, uint32_t stored, uint32_t computed);

} // namespace vkqc
