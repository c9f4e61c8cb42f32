#include "compiler/ir/Constants.h"

namespace vkqc {

int64_t ConstantTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d; // sizes were overflow-checked when the constant was created
  return n;
}

Storage *ConstantPool::addView(std::string origin, llvm::ArrayRef<uint8_t> bytes) {
  auto s = std::make_unique<Storage>();
  s->id = static_cast<int>(storages_.size());
  s->origin = std::move(origin);
  s->bytes = bytes;
  storages_.push_back(std::move(s));
  return storages_.back().get();
}

Storage *ConstantPool::addOwned(std::string origin, std::vector<uint8_t> bytes) {
  Storage *s = addView(std::move(origin), {});
  s->owned = std::move(bytes);
  s->bytes = s->owned;
  return s;
}

llvm::Expected<bool> ConstantPool::claimLayout(const Storage *storage, llvm::StringRef layoutTag) {
  auto [it, inserted] = layoutClaims_.emplace(storage->id, layoutTag.str());
  if (inserted)
    return true;
  if (it->second == layoutTag)
    return false;
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "storage '" + storage->origin + "' is already in layout '" +
                                     it->second + "', cannot also become '" + layoutTag + "'");
}

std::string ConstantPool::claimedLayout(const Storage *storage) const {
  auto it = layoutClaims_.find(storage->id);
  return it == layoutClaims_.end() ? std::string() : it->second;
}

} // namespace vkqc
