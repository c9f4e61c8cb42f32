#include "compiler/driver/OutputFile.h"

#include "llvm/Support/FileOutputBuffer.h"
#include "llvm/Support/FileSystem.h"

#include <cstring>

namespace vkqc {

llvm::Error writeFileAtomically(llvm::StringRef path, size_t size,
                                const std::function<llvm::Error(uint8_t *)> &fill) {
  auto fail = [&](const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), path + ": " + what);
  };
  if (llvm::sys::fs::is_directory(path))
    return fail("cannot write the output: it is a directory");
  llvm::Expected<std::unique_ptr<llvm::FileOutputBuffer>> out =
      llvm::FileOutputBuffer::create(path, size);
  if (!out)
    return fail("cannot write the output: " + llvm::toString(out.takeError()));
  if (auto err = fill((*out)->getBufferStart())) {
    (*out)->discard();
    return err;
  }
  if (auto err = (*out)->commit())
    return fail("cannot write the output: " + llvm::toString(std::move(err)));
  return llvm::Error::success();
}

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents) {
  return writeFileAtomically(path, contents.size(), [&](uint8_t *dst) {
    if (!contents.empty())
      std::memcpy(dst, contents.data(), contents.size());
    return llvm::Error::success();
  });
}

} // namespace vkqc
