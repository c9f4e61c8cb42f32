// The files of a torch.export program: a `.pt2` zip, or an extracted archive given by
// its `models/model.json`.
//
// Entries are named relative to the archive root (`models/model.json`,
// `data/weights/weight_0`). Weight entries are mapped in place: the returned bytes live
// in the mmapped file for as long as the archive lives, and nothing is copied.
//
// A zip entry's bytes are checked against its stored CRC-32: a metadata entry when it is
// read, a weight entry on background threads from the moment it is mapped, joined by
// verifyIntegrity(). An extracted archive has no CRCs and is read as it is.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace vkqc {

struct ArchiveOptions {
  /// Check each mapped (weight) entry's CRC-32 (`--no-verify-crc` turns it off). Metadata
  /// entries are checked whatever this says: they are small, and read whole anyway.
  bool verifyWeightCrc = true;
};

class ModelArchive {
public:
  virtual ~ModelArchive() = default;

  /// Opens `path`: a zip archive (any name), or a `model.json` inside `<root>/models/`.
  static llvm::Expected<std::unique_ptr<ModelArchive>> open(llvm::StringRef path,
                                                            const ArchiveOptions &options = {});
  /// Opens a zip archive held in memory (tests and fuzzing). `bytes` must outlive it.
  static llvm::Expected<std::unique_ptr<ModelArchive>>
  openZipBuffer(llvm::ArrayRef<uint8_t> bytes, llvm::StringRef name,
                const ArchiveOptions &options = {});

  virtual bool hasEntry(llvm::StringRef entry) const = 0;
  /// The whole entry as text (small metadata files; decompressed if needed), its CRC-32
  /// checked: "<entry>: CRC-32 mismatch (stored 0x..., computed 0x...)".
  virtual llvm::Expected<std::string> readText(llvm::StringRef entry) = 0;
  /// The entry's bytes in place. Fails for compressed entries: weights must be stored.
  /// Their CRC-32 check starts in the background (verifyIntegrity reports it).
  virtual llvm::Expected<llvm::ArrayRef<uint8_t>> mapEntry(llvm::StringRef entry) = 0;
  /// Waits for the CRC-32 checks of the entries mapped so far and returns the first
  /// mismatch, in the order they were mapped. Nothing computed from mapped bytes may leave
  /// the process before this succeeded. Success for an archive without CRCs.
  virtual llvm::Error verifyIntegrity() { return llvm::Error::success(); }
};

/// True when `name` is a plain file name (no separators, not `.`/`..`, no NUL): the only
/// form a weights-config `path_name` may take, so it cannot point outside the archive.
bool isPlainEntryName(llvm::StringRef name);

} // namespace vkqc
