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

Storage *ConstantPool::findDerived(const Storage *source, llvm::StringRef layoutTag) const {
  auto it = derived_.find({source->id, layoutTag.str()});
  return it == derived_.end() ? nullptr : it->second;
}

Storage *ConstantPool::addDerived(const Storage *source, llvm::StringRef layoutTag,
                                  DerivedKind kind, std::vector<uint8_t> bytes) {
  Storage *s = addOwned(source->origin + "@" + layoutTag.str(), std::move(bytes));
  derived_[{source->id, layoutTag.str()}] = s;
  tagsBySource_[source->id].emplace_back(layoutTag.str(), kind);
  return s;
}

std::vector<std::string> ConstantPool::derivedTags(const Storage *source, DerivedKind kind) const {
  std::vector<std::string> tags;
  auto it = tagsBySource_.find(source->id);
  if (it != tagsBySource_.end())
    for (const auto &[tag, k] : it->second)
      if (k == kind)
        tags.push_back(tag);
  return tags;
}

} // namespace vkqc
