#include "serialize/NamedDataStore.h"

#include "serialize/ContentKey.h"

namespace vkqc::serialize {

std::string NamedDataStore::add(llvm::ArrayRef<uint8_t> bytes) {
  std::string key = contentKey(bytes);
  auto [it, inserted] = indexByKey_.try_emplace(key, entries_.size());
  if (inserted)
    entries_.push_back(Entry{key, DataSource::fromBytes(bytes.vec())});
  return key;
}

void NamedDataStore::addStreamed(const std::string &key, DataSource data) {
  auto [it, inserted] = indexByKey_.try_emplace(key, entries_.size());
  if (inserted)
    entries_.push_back(Entry{key, std::move(data)});
}

std::string NamedDataStore::addPending(DataSource data) {
  std::string index = std::to_string(entries_.size());
  std::string key = kPendingKeyPrefix.str() +
                    std::string(kKeyLength - kPendingKeyPrefix.size() - index.size(), '0') + index;
  indexByKey_.emplace(key, entries_.size());
  entries_.push_back(Entry{key, std::move(data)});
  return key;
}

std::optional<size_t> NamedDataStore::pendingEntryIndex(llvm::StringRef key) {
  size_t index = 0;
  if (key.size() != kKeyLength || !key.consume_front(kPendingKeyPrefix) ||
      key.getAsInteger(10, index))
    return std::nullopt;
  return index;
}

const NamedDataStore::Entry *NamedDataStore::find(llvm::StringRef key) const {
  auto it = indexByKey_.find(key.str());
  return it == indexByKey_.end() ? nullptr : &entries_[it->second];
}

} // namespace vkqc::serialize
