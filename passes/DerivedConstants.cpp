#include "passes/DerivedConstants.h"

#include "compiler/ir/Printer.h"

#include <fmt/format.h>

#include <set>

namespace vkqc {

interp::Tensor constantView(const Value *constant) {
  return interp::Tensor::view(constant->constant.dtype, constant->constant.shape,
                              constant->constant.bytes().data());
}

llvm::Expected<DerivedConstant> deriveConstant(Rewriter &rw, const Value *source,
                                               llvm::StringRef layout, DerivedKind kind,
                                               llvm::StringRef nameHint,
                                               const ConstantTransform &transform) {
  Graph &g = rw.graph();
  const ConstantTensor &c = source->constant;
  // Two constants may view one storage at different offsets: the tag says which view.
  std::string tag = fmt::format("{}({}+{})", layout.str(), typeToString(*source), c.byteOffset);
  if (Storage *existing = g.constants.findDerived(c.storage, tag)) {
    for (Value *in : g.inputs)
      if (in->isConstant() && in->constant.storage == existing)
        return DerivedConstant{in, true};
  }
  llvm::Expected<interp::Tensor> result = transform(constantView(source));
  if (!result)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot make " + layout + " of " + source->name + ": " +
                                       llvm::toString(result.takeError()));
  Storage *storage = g.constants.findDerived(c.storage, tag);
  if (!storage) {
    const auto *bytes = static_cast<const uint8_t *>(result->raw());
    storage = g.constants.addDerived(c.storage, tag, kind,
                                     std::vector<uint8_t>(bytes, bytes + result->byteSize()));
  }
  ConstantTensor derived;
  derived.dtype = result->dtype();
  derived.shape = result->shape();
  derived.storage = storage;
  Value *v = rw.createConstant(nameHint, source->stateName + "@" + layout.str(), derived);
  return DerivedConstant{v, false};
}

void reportSecondLayouts(const Graph &g, PassContext &ctx, llvm::StringRef pass) {
  std::map<const Storage *, std::set<std::string>> layouts; // source -> layouts in use
  std::map<const Storage *, const Storage *> sourceOf;
  for (const auto &s : g.constants.storages())
    for (const std::string &tag : g.constants.derivedTags(s.get(), DerivedKind::Layout))
      sourceOf[g.constants.findDerived(s.get(), tag)] = s.get();
  std::map<const Value *, int> uses = g.useCounts();
  for (const Value *in : g.inputs) {
    if (!in->isConstant() || uses[in] == 0)
      continue;
    auto it = sourceOf.find(in->constant.storage);
    if (it != sourceOf.end())
      layouts[it->second].insert(in->constant.storage->origin);
    else if (!in->constant.storage->origin.empty() && in->constant.storage->owned.empty())
      layouts[in->constant.storage].insert("original");
  }
  for (const auto &[storage, used] : layouts) {
    if (used.size() < 2)
      continue;
    std::string list;
    for (const std::string &l : used)
      list += (list.empty() ? "" : ", ") + l;
    ctx.note(pass.str(), storage->origin, "copied",
             "read in " + std::to_string(used.size()) + " layouts (" + list +
                 "): each layout is its own copy, the source is never changed in place");
  }
}

} // namespace vkqc
