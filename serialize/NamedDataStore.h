// The .pte named data store: constant blobs that delegates fetch by key.
// Keys are content hashes, so adding identical bytes twice stores them once.
//
// A large constant made while the file is written (a packed weight) can be added under a
// pending key instead: a placeholder of the key's length that the writer replaces by the
// SHA-256 of the bytes it wrote (one pass over them instead of one to hash and one to
// write; see PendingKeys.h).
#pragma once

#include "serialize/DataSource.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vkqc::serialize {

class NamedDataStore {
public:
  struct Entry {
    std::string key;
    DataSource data;
  };

  /// Stores `bytes` (unless identical bytes are already stored) and returns
  /// their key, the lowercase hex SHA-256 of the bytes.
  std::string add(llvm::ArrayRef<uint8_t> bytes);
  /// Stores `data` under `key` (the caller computed the key from the same bytes) unless
  /// the key is already stored; the bytes are written only when the file is.
  void addStreamed(const std::string &key, DataSource data);

  /// Stores `data` under a new pending key and returns it.
  std::string addPending(DataSource data);
  /// Whether `key` is a pending key; its entry's index, if so.
  static std::optional<size_t> pendingEntryIndex(llvm::StringRef key);
  /// The first bytes of every pending key.
  static constexpr llvm::StringLiteral kPendingKeyPrefix = "vkqc-pending-content-key:";
  /// The length of a key: lowercase hex SHA-256, and every pending key.
  static constexpr size_t kKeyLength = 64;

  /// The entry with `key`, or null.
  const Entry *find(llvm::StringRef key) const;

  /// Entries in the order they were first added (the order of the segments).
  llvm::ArrayRef<Entry> entries() const { return entries_; }

private:
  std::vector<Entry> entries_;
  std::map<std::string, size_t> indexByKey_;
};

} // namespace vkqc::serialize
