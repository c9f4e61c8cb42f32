// Writing results so that a failed or interrupted run never leaves a partial file.
#pragma once

#include "serialize/PrefilledOutputBuffer.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/FileOutputBuffer.h"
#include "llvm/Support/FileSystem.h"

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

namespace vkqc::serialize {

/// An output being written: the mapped buffer, and whether it is a PrefilledOutputBuffer.
struct OutputBuffer {
  std::unique_ptr<llvm::FileOutputBuffer> file;
  PrefilledOutputBuffer *prefilled = nullptr; ///< `file` itself when it is one

  /// Readies bytes [offset, offset + size), just before they are written: a
  /// PrefilledOutputBuffer prefills them, any other buffer needs nothing. May run on any
  /// thread, each on its own range.
  llvm::Error prepare(uint64_t offset, uint64_t size) const {
    return prefilled ? prefilled->prefill(offset, size) : llvm::Error::success();
  }
  /// Says bytes [offset, offset + size) are written: a PrefilledOutputBuffer unmaps their
  /// pages now (PrefilledOutputBuffer::release), any other buffer does nothing.
  void release(uint64_t offset, uint64_t size) const {
    if (prefilled)
      prefilled->release(offset, size);
  }
};

/// An earlier output, moved out of its path when a compile starts: renamed to a temporary
/// name beside it (removed on a signal), so that a compile that fails leaves no file at the
/// path, never a stale or partial one, and one that succeeds can write over the old file's
/// cached pages (PrefilledOutputBuffer::takeOver). Destroying it removes the file unless
/// createOutputBuffer took it.
class OldOutput {
public:
  OldOutput() = default;
  OldOutput(OldOutput &&) = default;
  OldOutput &operator=(OldOutput &&other);
  ~OldOutput();

private:
  friend OldOutput setAsideOldOutput(llvm::StringRef path);
  friend llvm::Expected<OutputBuffer> createOutputBuffer(llvm::StringRef, size_t, OldOutput *);
  /// The old file, open for writing, once it is set aside; nothing if there was none or it
  /// was removed instead. Waits for setAsideOldOutput's thread.
  std::optional<llvm::sys::fs::TempFile> take();
  void discard();

  std::future<std::optional<llvm::sys::fs::TempFile>> setAside;
};

/// Moves an existing regular file at `path` aside, on another thread (a new temporary name
/// may wait on the disk), to write the new output over it. One that must not be written
/// over is removed instead: a file with other names (they would see the new bytes), one
/// that another process has open or mapped (a runtime running the old program; found with
/// a write lease, which only an unopened file gets), or that is not ours to lease. A
/// symlink, a directory, "-" or a missing file is left as it is.
OldOutput setAsideOldOutput(llvm::StringRef path);

/// A writable mapping of `size` bytes that becomes the file `path` only on commit();
/// discard(), destruction or an interrupting signal leave no file behind. Errors are
/// "<path>: cannot write the output: <why>".
///
/// A large output to a regular file is a PrefilledOutputBuffer (each range written after
/// OutputBuffer::prepare): written over `old`'s file where it holds one, else a new file.
/// An existing regular file at `path` is removed first, as linkers do with their output.
/// Anything else, and "-" (standard output), is what llvm::FileOutputBuffer::create gives.
llvm::Expected<OutputBuffer> createOutputBuffer(llvm::StringRef path, size_t size,
                                                OldOutput *old = nullptr);

/// Writes `size` bytes produced by `fill` to `path` through createOutputBuffer.
llvm::Error writeFileAtomically(llvm::StringRef path, size_t size,
                                const std::function<llvm::Error(uint8_t *)> &fill,
                                OldOutput *old = nullptr);
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents,
                                OldOutput *old = nullptr);

/// Whether `a` and `b` name the same existing file (hard links and symlinks included).
bool isSameFile(llvm::StringRef a, llvm::StringRef b);

} // namespace vkqc::serialize
