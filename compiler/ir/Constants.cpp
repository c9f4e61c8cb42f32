#include "compiler/ir/Constants.h"

namespace vkqc {

llvm::Expected<llvm::ArrayRef<uint8_t>> Storage::data() const {
  if (!producer_)
    return view_;
  if (!isMaterialized_) {
    std::vector<uint8_t> bytes(size_);
    if (auto err = producer_(bytes))
      return err;
    materialized_ = std::move(bytes);
    isMaterialized_ = true;
  }
  return llvm::ArrayRef<uint8_t>(materialized_);
}

bool Storage::memoizedFact(const std::string &name, const std::function<bool()> &compute) const {
  auto it = facts_.find(name);
  if (it == facts_.end())
    it = facts_.emplace(name, compute()).first;
  return it->second;
}

llvm::Error Storage::writeTo(llvm::MutableArrayRef<uint8_t> dst) const {
  if (dst.size() != size_)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   origin + ": destination size does not match the storage");
  if (producer_ && !isMaterialized_)
    return producer_(dst);
  llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = data();
  if (!bytes)
    return bytes.takeError();
  std::copy(bytes->begin(), bytes->end(), dst.begin());
  return llvm::Error::success();
}

llvm::Expected<llvm::ArrayRef<uint8_t>> ConstantTensor::data() const {
  llvm::Expected<llvm::ArrayRef<uint8_t>> all = storage->data();
  if (!all)
    return all.takeError();
  return all->slice(byteOffset, byteSize());
}

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
  s->view_ = bytes;
  s->size_ = bytes.size();
  storages_.push_back(std::move(s));
  return storages_.back().get();
}

Storage *ConstantPool::addOwned(std::string origin, std::vector<uint8_t> bytes) {
  Storage *s = addView(std::move(origin), {});
  s->materialized_ = std::move(bytes);
  s->view_ = s->materialized_;
  s->size_ = s->materialized_.size();
  s->owned_ = true;
  return s;
}

Storage *ConstantPool::findDerived(const Storage *source, llvm::StringRef layoutTag) const {
  auto it = derived_.find({source->id, layoutTag.str()});
  return it == derived_.end() ? nullptr : it->second;
}

Storage *ConstantPool::addDerived(const Storage *source, llvm::StringRef layoutTag,
                                  DerivedKind kind, uint64_t size, StorageProducer producer) {
  Storage *s = addView(source->origin + "@" + layoutTag.str(), {});
  s->size_ = size;
  s->producer_ = std::move(producer);
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
