// An output file whose file cache is built by write(2) before it is mapped for writing.
//
// Writing a new file only through a mapping builds its page cache one 4 KiB page per
// fault once the kernel's mmap read-around gives up, as it does on a file written in
// many places at once (the parallel segment writers): on the 16-layer benchmark model,
// 218k faults and about 1 s of kernel time for 0.85 GB. Writing zeros first, 64 KiB per
// write(2) as `cp` does, has the kernel hold the file in 64 KiB folios, and the mapping
// then faults once per folio: 24k faults and about 0.6 s, the zeros included.
#pragma once

#include "llvm/Support/FileOutputBuffer.h"
#include "llvm/Support/FileSystem.h"

#include <memory>

namespace vkqc::serialize {

class PrefilledOutputBuffer final : public llvm::FileOutputBuffer {
public:
  /// A temporary file beside `path` (removed on a signal, like FileOutputBuffer's),
  /// `size` zero bytes written to it in parallel, then mapped; commit() renames it to
  /// `path`. Errors name what failed, not the path.
  static llvm::Expected<std::unique_ptr<llvm::FileOutputBuffer>> create(llvm::StringRef path,
                                                                      size_t size);
  ~PrefilledOutputBuffer() override;

  uint8_t *getBufferStart() const override;
  uint8_t *getBufferEnd() const override;
  size_t getBufferSize() const override;
  llvm::Error commit() override;
  void discard() override;

private:
  PrefilledOutputBuffer(llvm::StringRef path, llvm::sys::fs::TempFile temp,
                        llvm::sys::fs::mapped_file_region mapping);

  llvm::sys::fs::TempFile temp;
  llvm::sys::fs::mapped_file_region mapping;
  bool finished = false;
};

} // namespace vkqc::serialize
