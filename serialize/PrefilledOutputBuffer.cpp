#include "serialize/PrefilledOutputBuffer.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fcntl.h>
#include <sys/mman.h>
#include <system_error>
#include <unistd.h>
#include <utility>
#include <vector>

namespace vkqc::serialize {

namespace {
/// The size of each write(2), at offsets that are multiples of it: the folio size the
/// kernel then uses for the file.
constexpr uint64_t kWriteSize = 64 * 1024;
constexpr uint64_t kPageSize = 4096;

std::error_code lastError() { return std::error_code(errno, std::generic_category()); }

/// The whole pages inside [offset, offset + size) of a `limit`-byte mapping, as [begin, end):
/// the pages a range owns (one shared with a neighbouring range belongs to neither).
std::pair<uint64_t, uint64_t> wholePages(uint64_t offset, uint64_t size, uint64_t limit) {
  uint64_t begin = (offset + kPageSize - 1) / kPageSize * kPageSize;
  uint64_t end = std::min<uint64_t>(offset + size, limit) / kPageSize * kPageSize;
  return {begin, std::max(begin, end)};
}

/// Allocates `size` bytes for `fd` on disk, or only sets its size where the file system
/// cannot allocate ahead.
std::error_code allocate(int fd, uint64_t size) {
  int err = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
  if (err == 0)
    return {};
  if (err != EOPNOTSUPP && err != EINVAL)
    return std::error_code(err, std::generic_category());
  return ::ftruncate(fd, static_cast<off_t>(size)) == 0 ? std::error_code() : lastError();
}
} // namespace

llvm::Expected<std::unique_ptr<PrefilledOutputBuffer>>
PrefilledOutputBuffer::create(llvm::StringRef path, size_t size) {
  llvm::Expected<llvm::sys::fs::TempFile> temp =
      llvm::sys::fs::TempFile::create(path + ".tmp%%%%%%%");
  if (!temp)
    return temp.takeError();
  return map(path, size, std::move(*temp));
}

llvm::Expected<std::unique_ptr<PrefilledOutputBuffer>>
PrefilledOutputBuffer::takeOver(llvm::StringRef path, size_t size, llvm::sys::fs::TempFile old) {
  // Cut first: allocate() below only adds blocks.
  if (::ftruncate(old.FD, static_cast<off_t>(size)) != 0) {
    std::error_code ec = lastError();
    llvm::consumeError(old.discard());
    return llvm::createStringError(ec, "cannot resize the old file: " + ec.message());
  }
  return map(path, size, std::move(old));
}

/// Allocates `temp`'s blocks and maps it; discards it on an error.
llvm::Expected<std::unique_ptr<PrefilledOutputBuffer>>
PrefilledOutputBuffer::map(llvm::StringRef path, size_t size, llvm::sys::fs::TempFile temp) {
  auto fail = [&](const llvm::Twine &what, std::error_code ec) -> llvm::Error {
    llvm::consumeError(temp.discard());
    return llvm::createStringError(ec, what + ": " + ec.message());
  };
  if (std::error_code ec = allocate(temp.FD, size))
    return fail("cannot allocate " + llvm::Twine(size) + " bytes", ec);
  std::error_code ec;
  llvm::sys::fs::mapped_file_region mapping(llvm::sys::fs::convertFDToNativeFile(temp.FD),
                                            llvm::sys::fs::mapped_file_region::readwrite, size, 0,
                                            ec);
  if (ec)
    return fail("cannot map", ec);
  // A fault on a page no prefill covered (the head, a page two ranges share) must not read
  // around it: that would fill up to read_ahead_kb (often megabytes) of neighbouring,
  // not yet prefilled pages with 4 KiB folios.
  ::madvise(mapping.data(), size, MADV_RANDOM);
  return std::unique_ptr<PrefilledOutputBuffer>(
      new PrefilledOutputBuffer(path, std::move(temp), std::move(mapping)));
}

PrefilledOutputBuffer::PrefilledOutputBuffer(llvm::StringRef path, llvm::sys::fs::TempFile temp,
                                             llvm::sys::fs::mapped_file_region mapping)
    : FileOutputBuffer(path), temp(std::move(temp)), mapping(std::move(mapping)) {}

PrefilledOutputBuffer::~PrefilledOutputBuffer() { discard(); }

llvm::Error PrefilledOutputBuffer::prefill(uint64_t offset, uint64_t size) {
  auto [begin, end] = wholePages(offset, size, mapping.size());
  if (begin >= end)
    return llvm::Error::success();
  std::vector<unsigned char> cached((end - begin) / kPageSize);
  if (::mincore(mapping.data() + begin, end - begin, cached.data()) != 0)
    std::fill(cached.begin(), cached.end(), 0); // then prefill it all, as for a new file
  // Each run of pages that are not cached.
  for (size_t page = 0; page < cached.size();) {
    if (cached[page] & 1) {
      ++page;
      continue;
    }
    size_t last = page;
    while (last < cached.size() && !(cached[last] & 1))
      ++last;
    if (auto err = writeZeros(begin + page * kPageSize, begin + last * kPageSize))
      return err;
    page = last;
  }
  return llvm::Error::success();
}

void PrefilledOutputBuffer::release(uint64_t offset, uint64_t size) {
  auto [begin, end] = wholePages(offset, size, mapping.size());
  if (begin < end)
    ::madvise(mapping.data() + begin, end - begin,
              MADV_DONTNEED); // an error only keeps them mapped
}

llvm::Error PrefilledOutputBuffer::writeZeros(uint64_t begin, uint64_t end) {
  static const std::array<uint8_t, kWriteSize> zeros{};
  for (uint64_t at = begin; at < end;) {
    uint64_t length = std::min(end - at, kWriteSize - at % kWriteSize);
    ssize_t n = ::pwrite(temp.FD, zeros.data(), length, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::error_code ec = n < 0 ? lastError() : std::make_error_code(std::errc::io_error);
      return llvm::createStringError(ec, "cannot write: " + ec.message());
    }
    at += static_cast<uint64_t>(n);
  }
  return llvm::Error::success();
}

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
