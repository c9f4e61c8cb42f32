#include "serialize/OutputFile.h"

#include "llvm/Support/FileSystem.h"

#include <cstring>

namespace vkqc::serialize {

namespace {
llvm::Error outputError(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": cannot write the output: " + why);
}
} // namespace

llvm::Expected<std::unique_ptr<llvm::FileOutputBuffer>> createOutputBuffer(llvm::StringRef path,
                                                                         size_t size) {
  if (llvm::sys::fs::is_directory(path))
    return outputError(path, "it is a directory");
  llvm::sys::fs::file_status status;
  // "-" is standard output to FileOutputBuffer. Links are not followed: a symlink at
  // `path` is replaced like any name and its target kept, as FileOutputBuffer does.
  if (path != "-" && !llvm::sys::fs::status(path, status, /*follow=*/false) &&
      llvm::sys::fs::is_regular_file(status))
    if (std::error_code ec = llvm::sys::fs::remove(path))
      return outputError(path, "cannot remove the old file: " + ec.message());
  llvm::Expected<std::unique_ptr<llvm::FileOutputBuffer>> out =
      llvm::FileOutputBuffer::create(path, size);
  if (!out)
    return outputError(path, llvm::toString(out.takeError()));
  return out;
}

llvm::Error writeFileAtomically(llvm::StringRef path, size_t size,
                                const std::function<llvm::Error(uint8_t *)> &fill) {
  llvm::Expected<std::unique_ptr<llvm::FileOutputBuffer>> out = createOutputBuffer(path, size);
  if (!out)
    return out.takeError();
  if (auto err = fill((*out)->getBufferStart())) {
    (*out)->discard();
    return err;
  }
  if (auto err = (*out)->commit())
    return outputError(path, llvm::toString(std::move(err)));
  return llvm::Error::success();
}

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents) {
  return writeFileAtomically(path, contents.size(), [&](uint8_t *dst) {
    if (!contents.empty())
      std::memcpy(dst, contents.data(), contents.size());
    return llvm::Error::success();
  });
}

bool isSameFile(llvm::StringRef a, llvm::StringRef b) {
  bool same = false;
  return !llvm::sys::fs::equivalent(a, b, same) && same;
}

} // namespace vkqc::serialize
