#include "serialize/OutputFile.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"

#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace vkqc::serialize {

namespace {
/// Outputs from this size on are prefilled (PrefilledOutputBuffer.h); below it the
/// mapping's faults cost too little to matter.
constexpr size_t kPrefillFrom = 16 * 1024 * 1024;

llvm::Error outputError(llvm::StringRef path, const llvm::Twine &why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": cannot write the output: " + why);
}

/// "-" is standard output to FileOutputBuffer: never a file to remove or prefill.
bool isStandardOutput(llvm::StringRef path) { return path == "-"; }

/// The status of `path` if it is a regular file itself; a symlink is not (it is replaced
/// like any name, its target kept, as FileOutputBuffer does).
std::optional<llvm::sys::fs::file_status> regularFileStatus(llvm::StringRef path) {
  llvm::sys::fs::file_status status;
  if (isStandardOutput(path) || llvm::sys::fs::status(path, status, /*follow=*/false) ||
      !llvm::sys::fs::is_regular_file(status))
    return std::nullopt;
  return status;
}

bool isRegularFile(llvm::StringRef path) { return regularFileStatus(path).has_value(); }

/// Opens the file `temp` names for writing in place of `temp`'s own descriptor, if no other
/// process has it open: a write lease is granted only then (and only on one's own file).
bool reopenUnshared(llvm::sys::fs::TempFile &temp) {
#ifndef F_SETLEASE // leases are Linux's: elsewhere an old output is never written over
  (void)temp;
  return false;
#else
  int fd = ::open(temp.TmpName.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return false;
  if (::fcntl(fd, F_SETLEASE, F_WRLCK) != 0) {
    ::close(fd);
    return false;
  }
  ::fcntl(fd, F_SETLEASE, F_UNLCK);
  ::close(temp.FD);
  temp.FD = fd;
  return true;
#endif
}

/// setAsideOldOutput's work, on its thread.
std::optional<llvm::sys::fs::TempFile> setAsideOrRemove(const std::string &path) {
  std::optional<llvm::sys::fs::file_status> status = regularFileStatus(path);
  if (!status)
    return std::nullopt;
  auto removed = [&] {
    llvm::sys::fs::remove(path); // a failure is reported by createOutputBuffer's own try
    return std::nullopt;
  };
  if (status->getLinkCount() != 1)
    return removed();
  // The old file takes the place of a new temporary file (renamed over it): it gets that
  // file's unique name, and is removed on a signal as that file would be.
  llvm::Expected<llvm::sys::fs::TempFile> temp =
      llvm::sys::fs::TempFile::create(path + ".tmp%%%%%%%");
  if (!temp) {
    llvm::consumeError(temp.takeError());
    return removed();
  }
  if (llvm::sys::fs::rename(path, temp->TmpName)) {
    llvm::consumeError(temp->discard());
    return removed();
  }
  if (!reopenUnshared(*temp)) {
    llvm::consumeError(temp->discard());
    return std::nullopt;
  }
  return std::move(*temp);
}
} // namespace

OldOutput setAsideOldOutput(llvm::StringRef path) {
  OldOutput old;
  old.setAside =
      std::async(std::launch::async, [path = path.str()] { return setAsideOrRemove(path); });
  return old;
}

std::optional<llvm::sys::fs::TempFile> OldOutput::take() {
  if (!setAside.valid())
    return std::nullopt;
  return setAside.get();
}

void OldOutput::discard() {
  if (std::optional<llvm::sys::fs::TempFile> file = take())
    llvm::consumeError(file->discard());
}

OldOutput &OldOutput::operator=(OldOutput &&other) {
  if (this != &other) {
    discard();
    setAside = std::move(other.setAside);
  }
  return *this;
}

OldOutput::~OldOutput() { discard(); }

llvm::Expected<OutputBuffer> createOutputBuffer(llvm::StringRef path, size_t size, OldOutput *old) {
  // Waits for the old output to leave `path` (and to be removed, if it must not be reused).
  std::optional<llvm::sys::fs::TempFile> oldFile = old ? old->take() : std::nullopt;
  auto removeUnusedOldFile = llvm::make_scope_exit([&] {
    if (oldFile)
      llvm::consumeError(oldFile->discard());
  });
  if (llvm::sys::fs::is_directory(path))
    return outputError(path, "it is a directory");
  if (isRegularFile(path))
    if (std::error_code ec = llvm::sys::fs::remove(path))
      return outputError(path, "cannot remove the old file: " + ec.message());
  // What is still at the path (a device, a link) is written the way FileOutputBuffer does.
  bool prefill = size >= kPrefillFrom && !isStandardOutput(path) && !llvm::sys::fs::exists(path);
  OutputBuffer out;
  if (prefill) {
    llvm::Expected<std::unique_ptr<PrefilledOutputBuffer>> created =
        oldFile ? PrefilledOutputBuffer::takeOver(path, size, std::move(*oldFile))
                : PrefilledOutputBuffer::create(path, size);
    oldFile.reset(); // the buffer has it now
    if (!created)
      return outputError(path, llvm::toString(created.takeError()));
    out.prefilled = created->get();
    out.file = std::move(*created);
  } else {
    llvm::Expected<std::unique_ptr<llvm::FileOutputBuffer>> created =
        llvm::FileOutputBuffer::create(path, size);
    if (!created)
      return outputError(path, llvm::toString(created.takeError()));
    out.file = std::move(*created);
  }
  return out;
}

llvm::Error writeFileAtomically(llvm::StringRef path, size_t size,
                                const std::function<llvm::Error(uint8_t *)> &fill, OldOutput *old) {
  llvm::Expected<OutputBuffer> out = createOutputBuffer(path, size, old);
  if (!out)
    return out.takeError();
  if (auto err = out->prepare(0, size)) {
    out->file->discard();
    return outputError(path, llvm::toString(std::move(err)));
  }
  if (auto err = fill(out->file->getBufferStart())) {
    out->file->discard();
    return err;
  }
  if (auto err = out->file->commit())
    return outputError(path, llvm::toString(std::move(err)));
  return llvm::Error::success();
}

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents, OldOutput *old) {
  return writeFileAtomically(
      path, contents.size(),
      [&](uint8_t *dst) {
        if (!contents.empty())
          std::memcpy(dst, contents.data(), contents.size());
        return llvm::Error::success();
      },
      old);
}

bool isSameFile(llvm::StringRef a, llvm::StringRef b) {
  bool same = false;
  return !llvm::sys::fs::equivalent(a, b, same) && same;
}

} // namespace vkqc::serialize
