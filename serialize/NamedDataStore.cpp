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

const NamedDataStore::Entry *NamedDataStore::find(llvm::StringRef key) const {
  auto it = indexByKey_.find(key.str());
  return it == indexByKey_.end() ? nullptr : &entries_[it->second];
}

} // namespace vkqc::serialize
