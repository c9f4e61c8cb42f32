#include "serialize/PrefilledOutputBuffer.h"

#include "llvm/Support/Parallel.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <mutex>
#include <optional>
#include <system_error>
#include <unistd.h>

namespace vkqc::serialize {

namespace {
/// The size of each write(2): the folio size the kernel then uses for the file.
constexpr size_t kWriteSize = 64 * 1024;
/// The bytes one task of the parallel prefill writes.
constexpr size_t kTaskSize = 4 * 1024 * 1024;

/// Writes `size` zero bytes at the start of `fd`; the first failure (a full disk) is returned.
std::error_code writeZeros(int fd, size_t size) {
  static const std::array<uint8_t, kWriteSize> zeros{};
  std::mutex lock;
  std::error_code first;
  llvm::parallelForEachN(0, (size + kTaskSize - 1) / kTaskSize, [&](size_t task) {
    size_t end = std::min(size, (task + 1) * kTaskSize);
    for (size_t at = task * kTaskSize; at < end;) {
      ssize_t n = ::pwrite(fd, zeros.data(), std::min(kWriteSize, end - at), static_cast<off_t>(at));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        std::lock_guard<std::mutex> guard(lock);
        if (!first)
          first = n < 0 ? std::error_code(errno, std::generic_category())
                        : std::make_error_code(std::errc::io_error);
        return;
      }
      at += static_cast<size_t>(n);
    }
  });
  return first;
}
} // namespace

llvm::Expected<std::unique_ptr<llvm::FileOutputBuffer>> PrefilledOutputBuffer::create(llvm::StringRef path,
                                                                                    size_t size) {
  llvm::Expected<llvm::sys::fs::TempFile> temp = llvm::sys::fs::TempFile::create(path + ".tmp%%%%%%%");
  if (!temp)
    return temp.takeError();
  auto fail = [&](const llvm::Twine &what, std::error_code ec) -> llvm::Error {
    llvm::consumeError(temp->discard());
    return llvm::createStringError(ec, what + ": " + ec.message());
  };
  if (std::error_code ec = writeZeros(temp->FD, size))
    return fail("cannot write", ec);
  std::error_code ec;
  llvm::sys::fs::mapped_file_region mapping(llvm::sys::fs::convertFDToNativeFile(temp->FD),
                                            llvm::sys::fs::mapped_file_region::readwrite, size, 0, ec);
  if (ec)
    return fail("cannot map", ec);
  return std::unique_ptr<llvm::FileOutputBuffer>(
      new PrefilledOutputBuffer(path, std::move(*temp), std::move(mapping)));
}

PrefilledOutputBuffer::PrefilledOutputBuffer(llvm::StringRef path, llvm::sys::fs::TempFile temp,
                                             llvm::sys::fs::mapped_file_region mapping)
    : FileOutputBuffer(path), temp(std::move(temp)), mapping(std::move(mapping)) {}

PrefilledOutputBuffer::~PrefilledOutputBuffer() { discard(); }

uint8_t *PrefilledOutputBuffer::getBufferStart() const {
  return reinterpret_cast<uint8_t *>(mapping.data());
}
uint8_t *PrefilledOutputBuffer::getBufferEnd() const { return getBufferStart() + mapping.size(); }
size_t PrefilledOutputBuffer::getBufferSize() const { return mapping.size(); }

llvm::Error PrefilledOutputBuffer::commit() {
  finished = true;
  mapping.unmap();
  return temp.keep(FinalPath);
}

void PrefilledOutputBuffer::discard() {
  if (finished)
    return;
  finished = true;
  mapping.unmap();
  llvm::consumeError(temp.discard());
}

} // namespace vkqc::serialize
