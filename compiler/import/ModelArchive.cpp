#include "compiler/import/ModelArchive.h"

#include "compiler/import/BackgroundCrcCheck.h"
#include "compiler/import/Crc32.h"
#include "compiler/ir/OneLineError.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <minizip/unzip.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

namespace vkqc {

namespace {
// Every weight byte is read at least once: map the page tables ahead, on a thread of their
// own, instead of taking one fault per 4 KiB page (a no-op where the kernel lacks it or the
// file was read). A chunk at a time: each call holds the address space's lock for reading,
// and the importing thread's heap growth (brk) waits for it; one call over the whole file
// held that thread up for about 100 ms on the 16-layer benchmark model.
void prefaultMapping(llvm::ArrayRef<uint8_t> bytes) {
#ifdef MADV_POPULATE_READ
  constexpr uintptr_t kChunk = 16 << 20;
  uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t start = reinterpret_cast<uintptr_t>(bytes.data()) & ~(page - 1);
  uintptr_t end = reinterpret_cast<uintptr_t>(bytes.data()) + bytes.size();
  for (uintptr_t at = start; at < end; at += kChunk)
    if (madvise(reinterpret_cast<void *>(at), std::min(kChunk, end - at), MADV_POPULATE_READ) != 0)
      return;
#else
  (void)bytes;
#endif
}

// Entry names come from the zip and may hold newlines or NULs: keep the message one line.
llvm::Error archiveError(const llvm::Twine &where, const llvm::Twine &what) {
  return oneLineError(where, what);
}

// Metadata files are small; anything beyond this is not a real model.json.
constexpr uint64_t kMaxTextEntry = 1ull << 30;

// ---- minizip reading from memory ---------------------------------------------------

struct MemoryStream {
  llvm::ArrayRef<uint8_t> bytes;
  uint64_t pos = 0;
};

voidpf memOpen(voidpf opaque, const void *, int) {
  return new MemoryStream{*static_cast<llvm::ArrayRef<uint8_t> *>(opaque), 0};
}
uLong memRead(voidpf, voidpf stream, void *buf, uLong size) {
  auto *s = static_cast<MemoryStream *>(stream);
  uint64_t left = s->pos < s->bytes.size() ? s->bytes.size() - s->pos : 0;
  uLong n = static_cast<uLong>(std::min<uint64_t>(size, left));
  if (n)
    std::memcpy(buf, s->bytes.data() + s->pos, n);
  s->pos += n;
  return n;
}
uLong memWrite(voidpf, voidpf, const void *, uLong) { return 0; }
ZPOS64_T memTell(voidpf, voidpf stream) { return static_cast<MemoryStream *>(stream)->pos; }
long memSeek(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto *s = static_cast<MemoryStream *>(stream);
  uint64_t base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                  : origin == ZLIB_FILEFUNC_SEEK_CUR ? s->pos
                                                     : s->bytes.size();
  if (offset > s->bytes.size() || base > s->bytes.size() - offset)
    return -1;
  s->pos = base + offset;
  return 0;
}
int memClose(voidpf, voidpf stream) {
  delete static_cast<MemoryStream *>(stream);
  return 0;
}
int memError(voidpf, voidpf) { return 0; }

// True when the bytes end with a zip end-of-central-directory record (22 bytes and its
// comment). minizip finds the record by searching backwards and tolerates a file cut
// short inside it, so a .pt2 missing its last bytes would otherwise be read as whole.
bool endsWithEndOfCentralDirectory(llvm::ArrayRef<uint8_t> b) {
  constexpr size_t kRecord = 22;
  if (b.size() < kRecord)
    return false;
  size_t lowest = b.size() - kRecord > 0xffff ? b.size() - kRecord - 0xffff : 0;
  for (size_t pos = b.size() - kRecord + 1; pos-- > lowest;)
    if (b[pos] == 'P' && b[pos + 1] == 'K' && b[pos + 2] == 5 && b[pos + 3] == 6 &&
        pos + kRecord + (b[pos + 20] | (b[pos + 21] << 8)) == b.size())
      return true;
  return false;
}

struct ZipEntry {
  uint64_t dataOffset = 0;
  uint64_t compressedSize = 0;
  uint64_t size = 0;
  int method = 0;
  uint32_t crc = 0;          // as the central directory stores it
  bool crcQueued = false;    // mapped, its check handed to the background
  unz64_file_pos position{}; // to reopen the entry for decompression
};

// Whether the stored CRC-32 says anything. PyTorch's zip writer stores 0 for every entry
// when it is told not to compute CRCs (PyTorchStreamWriter with compute_crc32 false, as
// torch.save writes after torch.serialization.set_crc32_options(False)), and PyTorch's
// reader checks none: such an entry is read unchecked, as PyTorch reads it. (An empty
// entry's CRC-32 is 0 too, rightly.)
bool hasStoredCrc(const ZipEntry &e) { return e.crc != 0; }

/// A metadata entry's text, when its bytes have the stored CRC-32 (or none is stored).
llvm::Expected<std::string> checkedText(llvm::StringRef entry, const ZipEntry &e,
                                        llvm::ArrayRef<uint8_t> bytes) {
  if (hasStoredCrc(e))
    if (uint32_t computed = crc32(bytes); computed != e.crc)
      return crcMismatchError(entry, e.crc, computed);
  return std::string(bytes.begin(), bytes.end());
}

class ZipArchive : public ModelArchive {
public:
  static llvm::Expected<std::unique_ptr<ZipArchive>>
  create(std::unique_ptr<llvm::MemoryBuffer> owned, llvm::ArrayRef<uint8_t> bytes,
         llvm::StringRef name, const ArchiveOptions &options) {
    auto archive = std::unique_ptr<ZipArchive>(new ZipArchive());
    archive->owned_ = std::move(owned);
    archive->options_ = options;
    archive->bytes_ = bytes;
    archive->name_ = name.str();
    if (auto err = archive->index())
      return err;
    return archive;
  }
  ~ZipArchive() override {
    if (prefault_.joinable())
      prefault_.join();
    if (zip_)
      unzClose(zip_);
  }

  /// Maps the file's page tables on a background thread while the metadata is parsed
  /// (every weight byte is read later; see prefaultMapping).
  void prefaultInBackground() {
    prefault_ = std::thread([bytes = bytes_] { prefaultMapping(bytes); });
  }

  bool hasEntry(llvm::StringRef entry) const override { return entries_.count(entry); }

  llvm::Expected<std::string> readText(llvm::StringRef entry) override {
    auto it = entries_.find(entry);
    if (it == entries_.end())
      return archiveError(entry, "missing from the archive");
    const ZipEntry &e = it->second;
    if (e.size > kMaxTextEntry)
      return archiveError(entry, "entry is too large for a metadata file");
    if (e.method == 0) {
      return checkedText(entry, e, bytes_.slice(e.dataOffset, e.size));
    }
    // Deflate expands at most 1032:1: a larger declared size is a lie, refused before
    // the buffer for it is allocated.
    if (e.compressedSize > bytes_.size() || e.size > e.compressedSize * 1032 + 1024)
      return archiveError(entry, "declared size " + llvm::Twine(e.size) +
                                     " is more than its compressed bytes can hold");
    unz64_file_pos pos = e.position;
    if (unzGoToFilePos64(zip_, &pos) != UNZ_OK || unzOpenCurrentFile(zip_) != UNZ_OK)
      return archiveError(entry, "cannot open the compressed entry");
    std::string text(e.size, '\0');
    int n = unzReadCurrentFile(zip_, text.data(), static_cast<unsigned>(e.size));
    char extra;
    bool more = unzReadCurrentFile(zip_, &extra, 1) > 0;
    // minizip's own CRC verdict is not taken: a stored 0 means "not computed" here.
    int closed = unzCloseCurrentFile(zip_);
    if (n < 0 || static_cast<uint64_t>(n) != e.size || more ||
        (closed != UNZ_OK && closed != UNZ_CRCERROR))
      return archiveError(entry, "compressed entry is corrupt (its size does not match)");
    return checkedText(
        entry, e,
        llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  }

  llvm::Expected<llvm::ArrayRef<uint8_t>> mapEntry(llvm::StringRef entry) override {
    auto it = entries_.find(entry);
    if (it == entries_.end())
      return archiveError(entry, "missing from the archive");
    ZipEntry &e = it->second;
    if (e.method != 0)
      return archiveError(entry, "entry is compressed (method " + llvm::Twine(e.method) +
                                     "); torch.export.save stores weights uncompressed so they "
                                     "can be mapped in place");
    llvm::ArrayRef<uint8_t> bytes = bytes_.slice(e.dataOffset, e.size);
    if (options_.verifyWeightCrc && hasStoredCrc(e) && !e.crcQueued) {
      e.crcQueued = true;
      crcCheck_.add(entry, bytes, e.crc);
    }
    return bytes;
  }

  llvm::Error verifyIntegrity() override { return crcCheck_.wait(); }

private:
  ZipArchive() = default;

  llvm::Error index() {
    if (!endsWithEndOfCentralDirectory(bytes_))
      return archiveError("archive", "not a zip archive (it does not end with a zip directory "
                                     "record: truncated?); expected a .pt2 written by "
                                     "torch.export.save");
    zlib_filefunc64_def io{};
    io.zopen64_file = memOpen;
    io.zread_file = memRead;
    io.zwrite_file = memWrite;
    io.ztell64_file = memTell;
    io.zseek64_file = memSeek;
    io.zclose_file = memClose;
    io.zerror_file = memError;
    io.opaque = &bytes_;
    zip_ = unzOpen2_64(name_.c_str(), &io);
    if (!zip_)
      return archiveError("archive", "not a zip archive (no readable central directory); "
                                     "expected a .pt2 written by torch.export.save");
    unz_global_info64 info{};
    if (unzGetGlobalInfo64(zip_, &info) != UNZ_OK)
      return archiveError("archive", "unreadable zip directory");
    std::vector<std::pair<std::string, ZipEntry>> found;
    int rc = unzGoToFirstFile(zip_);
    for (uint64_t i = 0; rc == UNZ_OK && i < info.number_entry; ++i) {
      unz_file_info64 fi{};
      char nameBuf[1024];
      if (unzGetCurrentFileInfo64(zip_, &fi, nameBuf, sizeof(nameBuf), nullptr, 0, nullptr, 0) !=
          UNZ_OK)
        return archiveError("archive", "unreadable zip entry " + llvm::Twine(i));
      std::string entryName(nameBuf, strnlen(nameBuf, sizeof(nameBuf)));
      ZipEntry e;
      e.method = static_cast<int>(fi.compression_method);
      e.crc = static_cast<uint32_t>(fi.crc);
      e.compressedSize = fi.compressed_size;
      e.size = fi.uncompressed_size;
      if (unzGetFilePos64(zip_, &e.position) != UNZ_OK)
        return archiveError(entryName, "unreadable zip entry position");
      if (e.method == 0) {
        if (fi.flag & 1)
          return archiveError(entryName, "entry is encrypted");
        if (unzOpenCurrentFile(zip_) != UNZ_OK)
          return archiveError(entryName, "corrupt local header");
        e.dataOffset = unzGetCurrentFileZStreamPos64(zip_);
        unzCloseCurrentFile(zip_);
        if (e.compressedSize != e.size || e.dataOffset > bytes_.size() ||
            e.size > bytes_.size() - e.dataOffset)
          return archiveError(entryName, "entry runs past the end of the archive (truncated?)");
      }
      found.emplace_back(std::move(entryName), e);
      rc = unzGoToNextFile(zip_);
    }
    if (rc != UNZ_OK && rc != UNZ_END_OF_LIST_OF_FILE)
      return archiveError("archive", "corrupt zip directory");

    // torch.export.save puts everything under one root folder named after the file.
    std::string root;
    bool haveModel = false;
    for (const auto &[entryName, e] : found) {
      llvm::StringRef n(entryName);
      if (n == "models/model.json" || n.endswith("/models/model.json")) {
        root = n.drop_back(strlen("models/model.json")).str();
        haveModel = true;
        break;
      }
    }
    if (!haveModel)
      return archiveError("archive",
                          "no models/model.json entry; is this a torch.export.save archive?");
    for (auto &[entryName, e] : found)
      if (llvm::StringRef(entryName).startswith(root))
        entries_[llvm::StringRef(entryName).drop_front(root.size())] = e;
    return llvm::Error::success();
  }

  std::unique_ptr<llvm::MemoryBuffer> owned_;
  BackgroundCrcCheck crcCheck_; // after owned_: it stops hashing before the mapping goes
  ArchiveOptions options_;
  std::thread prefault_;
  llvm::ArrayRef<uint8_t> bytes_;
  std::string name_;
  unzFile zip_ = nullptr;
  llvm::StringMap<ZipEntry> entries_;
};

// An extracted archive: `<root>/models/model.json` with `<root>/data/...` beside it.
class DirectoryArchive : public ModelArchive {
public:
  explicit DirectoryArchive(std::string root) : root_(std::move(root)) {}

  bool hasEntry(llvm::StringRef entry) const override {
    return llvm::sys::fs::is_regular_file(path(entry));
  }

  llvm::Expected<std::string> readText(llvm::StringRef entry) override {
    llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = mapEntry(entry);
    if (!bytes)
      return bytes.takeError();
    if (bytes->size() > kMaxTextEntry)
      return archiveError(entry, "file is too large for a metadata file");
    return std::string(bytes->begin(), bytes->end());
  }

  llvm::Expected<llvm::ArrayRef<uint8_t>> mapEntry(llvm::StringRef entry) override {
    std::string p = path(entry);
    // The file must resolve inside the root: a symlink out of it is refused.
    llvm::SmallString<256> realRoot, realFile;
    if (llvm::sys::fs::real_path(root_, realRoot) || llvm::sys::fs::real_path(p, realFile))
      return archiveError(entry, "missing from the extracted archive");
    if (!llvm::StringRef(realFile).startswith((realRoot + "/").str()))
      return archiveError(entry, "resolves outside the archive directory (symlink?)");
    if (!llvm::sys::fs::is_regular_file(realFile))
      return archiveError(entry, "is not a regular file");
    auto buf = llvm::MemoryBuffer::getFile(realFile, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
    if (!buf)
      return archiveError(entry, "cannot read: " + buf.getError().message());
    buffers_.push_back(std::move(*buf));
    const llvm::MemoryBuffer &b = *buffers_.back();
    return llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(b.getBufferStart()),
                                   b.getBufferSize());
  }

private:
  std::string path(llvm::StringRef entry) const { return root_ + "/" + entry.str(); }
  std::string root_;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> buffers_;
};
} // namespace

bool isPlainEntryName(llvm::StringRef name) {
  return !name.empty() && name != "." && name != ".." && !name.contains('/') &&
         !name.contains('\\') && !name.contains('\0');
}

llvm::Expected<std::unique_ptr<ModelArchive>> ModelArchive::open(llvm::StringRef path,
                                                                 const ArchiveOptions &options) {
  if (llvm::sys::fs::is_directory(path))
    return archiveError("input", "is a directory; pass the .pt2 or its models/model.json");
  if (llvm::sys::path::filename(path) == "model.json") {
    llvm::StringRef modelsDir = llvm::sys::path::parent_path(path);
    if (llvm::sys::path::filename(modelsDir) != "models")
      return archiveError("input",
                          "a model.json must sit in the models/ folder of an extracted archive");
    std::string root = llvm::sys::path::parent_path(modelsDir).str();
    return std::make_unique<DirectoryArchive>(root.empty() ? "." : root);
  }
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf)
    return archiveError("input", "cannot read: " + buf.getError().message());
  llvm::ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>((*buf)->getBufferStart()),
                                (*buf)->getBufferSize());
  if (bytes.empty())
    return archiveError("archive", "file is empty");
  auto zip = ZipArchive::create(std::move(*buf), bytes, path, options);
  if (!zip)
    return zip.takeError();
  (*zip)->prefaultInBackground();
  return std::unique_ptr<ModelArchive>(std::move(*zip));
}

llvm::Expected<std::unique_ptr<ModelArchive>>
ModelArchive::openZipBuffer(llvm::ArrayRef<uint8_t> bytes, llvm::StringRef name,
                            const ArchiveOptions &options) {
  if (bytes.empty())
    return archiveError("archive", "file is empty");
  auto zip = ZipArchive::create(nullptr, bytes, name, options);
  if (!zip)
    return zip.takeError();
  return std::unique_ptr<ModelArchive>(std::move(*zip));
}

} // namespace vkqc
