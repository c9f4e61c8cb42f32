// Writing results so that a failed or interrupted run never leaves a partial file.
#pragma once

#include "serialize/PrefilledOutputBuffer.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/FileOutputBuffer.h"

#include <functional>
#include <future>
#include <memory>
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
};

/// A writable mapping of `size` bytes that becomes the file `path` only on commit();
/// discard(), destruction or an interrupting signal leave no file behind. Errors are
/// "<path>: cannot write the output: <why>".
///
/// An existing regular file at `path` is removed first, as linkers do with their output:
/// its pages in the file cache are then free to hold the new contents, instead of the new
/// file needing as many fresh pages while the old one is still cached (which costs a
/// fault per page on a virtual machine that returns free memory to its host). A run that
/// fails after this point leaves no file at `path`, never a partial one.
///
/// A large output to a regular file is a PrefilledOutputBuffer (each range written after
/// OutputBuffer::prepare); anything else, and "-" (standard output), is what
/// llvm::FileOutputBuffer::create gives.
llvm::Expected<OutputBuffer> createOutputBuffer(llvm::StringRef path, size_t size);

/// Starts removing an existing regular file at `path` on another thread; the returned
/// future (whose destructor also waits) must be waited on before `path` is written. A
/// compile starts this before it reads the model, so that dropping a large old output
/// (its cached pages, its disk blocks) overlaps the compile instead of delaying the
/// write. A compile that then fails leaves no file at `path`.
std::future<void> removeOldOutputInBackground(std::string path);

/// Writes `size` bytes produced by `fill` to `path` through createOutputBuffer.
llvm::Error writeFileAtomically(llvm::StringRef path, size_t size,
                                const std::function<llvm::Error(uint8_t *)> &fill);
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

/// Whether `a` and `b` name the same existing file (hard links and symlinks included).
bool isSameFile(llvm::StringRef a, llvm::StringRef b);

} // namespace vkqc::serialize
