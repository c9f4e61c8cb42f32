#include "serialize/PendingKeys.h"

#include "serialize/SerializeError.h"

#include <algorithm>

namespace vkqc::serialize {

namespace {
using Entries = llvm::ArrayRef<NamedDataStore::Entry>;

/// The final key of the entry a pending key names.
llvm::Expected<std::string> finalKey(llvm::StringRef pending, Entries entries,
                                     const std::vector<std::string> &keys) {
  std::optional<size_t> index = NamedDataStore::pendingEntryIndex(pending);
  if (!index || *index >= entries.size() || *index >= keys.size() ||
      entries[*index].key != pending || keys[*index].size() != NamedDataStore::kKeyLength)
    return serializeError("named data", "no key for the pending key " + pending);
  return keys[*index];
}

/// Replaces every pending key inside a delegate blob (the VkGraph names its constants).
llvm::Error resolveInBlob(std::vector<uint8_t> &blob, Entries entries,
                          const std::vector<std::string> &keys) {
  llvm::StringRef prefix = NamedDataStore::kPendingKeyPrefix;
  auto at = blob.begin();
  while ((at = std::search(at, blob.end(), prefix.begin(), prefix.end())) != blob.end()) {
    if (static_cast<size_t>(blob.end() - at) < NamedDataStore::kKeyLength)
      return serializeError("delegate blob", "a pending key is cut short");
    llvm::StringRef pending(reinterpret_cast<const char *>(&*at), NamedDataStore::kKeyLength);
    llvm::Expected<std::string> key = finalKey(pending, entries, keys);
    if (!key)
      return key.takeError();
    at = std::copy(key->begin(), key->end(), at);
  }
  return llvm::Error::success();
}
} // namespace

bool hasPendingKeys(const PteProgram &program) {
  Entries entries = program.namedData.entries();
  return std::any_of(entries.begin(), entries.end(), [](const NamedDataStore::Entry &e) {
    return NamedDataStore::pendingEntryIndex(e.key).has_value();
  });
}

llvm::Expected<PteProgram> resolvePendingKeys(const PteProgram &program,
                                              const std::vector<std::string> &keys) {
  Entries entries = program.namedData.entries();
  PteProgram resolved = program;
  resolved.namedData = NamedDataStore();
  for (const NamedDataStore::Entry &entry : entries) {
    std::string key = entry.key;
    if (NamedDataStore::pendingEntryIndex(key)) {
      llvm::Expected<std::string> final = finalKey(key, entries, keys);
      if (!final)
        return final.takeError();
      key = *final;
    }
    resolved.namedData.addStreamed(key, entry.data); // identical bytes: stored once
  }
  for (PteExecutionPlan &plan : resolved.plans)
    for (PteDelegate &delegate : plan.delegates)
      if (auto err = resolveInBlob(delegate.processedData, entries, keys))
        return err;
  return resolved;
}

} // namespace vkqc::serialize
