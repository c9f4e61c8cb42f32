// The files of a torch.export program: a `.pt2` zip, or an extracted archive given by
// its `models/model.json`.
//
// Entries are named relative to the archive root (`models/model.json`,
// `data/weights/weight_0`). Weight entries are mapped in place: the returned bytes live
// in the mmapped file for as long as the archive lives, and nothing is copied.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace vkqc {

class ModelArchive {
public:
  virtual ~ModelArchive() = default;

  /// Opens `path`: a zip archive (any name), or a `model.json` inside `<root>/models/`.
  static llvm::Expected<std::unique_ptr<ModelArchive>> open(llvm::StringRef path);
  /// Opens a zip archive held in memory (tests and fuzzing). `bytes` must outlive it.
  static llvm::Expected<std::unique_ptr<ModelArchive>> openZipBuffer(llvm::ArrayRef<uint8_t> bytes,
                                                                     llvm::StringRef name);

  virtual bool hasEntry(llvm::StringRef entry) const = 0;
  /// The whole entry as text (small metadata files; decompressed if needed).
  virtual llvm::Expected<std::string> readText(llvm::StringRef entry) = 0;
  /// The entry's bytes in place. Fails for compressed entries: weights must be stored.
  virtual llvm::Expected<llvm::ArrayRef<uint8_t>> mapEntry(llvm::StringRef entry) = 0;
};

/// True when `name` is a plain file name (no separators, not `.`/`..`, no NUL): the only
/// form a weights-config `path_name` may take, so it cannot point outside the archive.
bool isPlainEntryName(llvm::StringRef name);

} // namespace vkqc
