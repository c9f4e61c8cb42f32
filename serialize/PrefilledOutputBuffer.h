// An output file whose file cache is built by write(2), range by range, before each range
// is written through the mapping; or an old output written over, its cached pages reused.
//
// Writing a new file only through a mapping builds its page cache one 4 KiB page per
// fault once the kernel's mmap read-around gives up, as it does on a file written in
// many places at once (the parallel segment writers): on the 16-layer benchmark model,
// 218k faults and about 1 s of kernel time for 0.85 GB. Writing zeros first, 64 KiB per
// write(2) as `cp` does, has the kernel hold the range in 64 KiB folios, and the mapping
// then faults once per folio: 23k faults and about 0.45 s, the zeros included. Each
// writer prefills the range it is about to write: one thread prefilling the whole file
// up front would hold up every writer, and several prefilling at once wait on the
// file's lock. The mapping never reads ahead (a miss would fill megabytes around it with
// 4 KiB folios before their prefill).
//
// Better still is not to need new pages: a compile that replaces its earlier output (the
// usual rerun) takes the old file over (OutputFile.h, OldOutput) and writes over its pages,
// which are mostly still cached. Only pages no longer cached are prefilled (a write through
// the mapping would first read them from disk). On the 16-layer model this takes the
// kernel's share of a rerun from about 0.55 s to 0.27 s, and it avoids fresh memory, which
// this benchmark's virtual machine hands out slowly at times (bench/README.md, "Noise").
#pragma once

#include "llvm/Support/FileOutputBuffer.h"
#include "llvm/Support/FileSystem.h"

#include <memory>

namespace vkqc::serialize {

class PrefilledOutputBuffer final : public llvm::FileOutputBuffer {
public:
  /// A temporary file beside `path` (removed on a signal, like FileOutputBuffer's) with
  /// its `size` bytes allocated on disk (a full disk is an error here, not a SIGBUS
  /// later), mapped; commit() renames it to `path`. Errors name what failed, not the path.
  static llvm::Expected<std::unique_ptr<PrefilledOutputBuffer>> create(llvm::StringRef path,
                                                                       size_t size);
  /// The same, written over `old` (a file renamed aside to a temporary name, that no other
  /// name or process holds): it is cut or grown to `size` bytes, and commit() renames it
  /// to `path`. On an error `old` is removed.
  static llvm::Expected<std::unique_ptr<PrefilledOutputBuffer>>
  takeOver(llvm::StringRef path, size_t size, llvm::sys::fs::TempFile old);
  ~PrefilledOutputBuffer() override;

  /// Builds the file cache of the whole pages inside [offset, offset + size) that are not
  /// cached yet with write(2)s of zeros; a page shared with bytes outside the range is left
  /// to the mapping, so that two threads never prefill the same page. Call it only before
  /// the range is written. (A cached page of an old file keeps its old bytes until written.)
  llvm::Error prefill(uint64_t offset, uint64_t size);

  /// Drops the mapping's page table entries for the whole pages inside [offset, offset +
  /// size), once they are written (their bytes stay in the file cache, and a later access
  /// maps them again). Unmapping 0.85 GB at commit took about 50 ms on one thread at the
  /// end of the 16-layer benchmark compile; range by range, the writers share that work
  /// while they write (MADV_DONTNEED takes the address space's lock only for reading).
  void release(uint64_t offset, uint64_t size);

  uint8_t *getBufferStart() const override;
  uint8_t *getBufferEnd() const override;
  size_t getBufferSize() const override;
  llvm::Error commit() override;
  void discard() override;

private:
  PrefilledOutputBuffer(llvm::StringRef path, llvm::sys::fs::TempFile temp,
                        llvm::sys::fs::mapped_file_region mapping);
  static llvm::Expected<std::unique_ptr<PrefilledOutputBuffer>>
  map(llvm::StringRef path, size_t size, llvm::sys::fs::TempFile temp);
  llvm::Error writeZeros(uint64_t begin, uint64_t end);

  llvm::sys::fs::TempFile temp;
  llvm::sys::fs::mapped_file_region mapping;
  bool finished = false;
};

} // namespace vkqc::serialize
