// The .pte named data store: constant blobs that delegates fetch by key.
// Keys are content hashes, so adding identical bytes twice stores them once.
#pragma once

#include "serialize/DataSource.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
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

  /// The entry with `key`, or null.
  const Entry *find(llvm::StringRef key) const;

  /// Entries in the order they were first added (the order of the segments).
  llvm::ArrayRef<Entry> entries() const { return entries_; }

private:
  std::vector<Entry> entries_;
  std::map<std::string, size_t> indexByKey_;
};

} // namespace vkqc::serialize
