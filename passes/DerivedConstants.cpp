#include "passes/DerivedConstants.h"

#include "compiler/ir/Printer.h"

#include <fmt/format.h>

#include <set>

namespace vkqc {

namespace {
// Runs `transform` on `source` and has it write its bytes straight into `dst`.
llvm::Error produce(const ConstantTensor &source, const DerivedType &type,
                    const ConstantTransform &transform, llvm::MutableArrayRef<uint8_t> dst) {
  llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = source.data();
  if (!bytes)
    return bytes.takeError();
  llvm::Expected<interp::LayoutResult> result =
      transform(interp::Tensor::view(source.dtype, source.shape, bytes->data()));
  if (!result)
    return result.takeError();
  if (result->dtype != type.dtype || result->shape != type.shape || result->byteSize() != dst.size())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the layout transform produced another type than it declared");
  return result->write(dst);
}
} // namespace

llvm::Expected<DerivedConstant> deriveConstant(Rewriter &rw, const Value *source,
                                               llvm::StringRef layout, DerivedKind kind,
                                               llvm::StringRef nameHint, const DerivedType &type,
                                               ConstantTransform transform) {
  Graph &g = rw.graph();
  const ConstantTensor &c = source->constant;
  // Two constants may view one storage at different offsets: the tag says which view.
  std::string tag = fmt::format("{}({}+{})", layout.str(), typeToString(*source), c.byteOffset);
  if (Storage *existing = g.constants.findDerived(c.storage, tag)) {
    for (Value *in : g.inputs)
      if (in->isConstant() && in->constant.storage == existing)
        return DerivedConstant{in, true};
  }
  ConstantTensor derived;
  derived.dtype = type.dtype;
  derived.shape = type.shape;
  uint64_t size = derived.byteSize();
  Storage *storage = g.constants.findDerived(c.storage, tag);
  if (!storage) {
    std::string what = layout.str() + " of " + source->name;
    storage = g.constants.addDerived(
        c.storage, tag, kind, size,
        [c, type, what, transform = std::move(transform)](llvm::MutableArrayRef<uint8_t> dst) -> llvm::Error {
          if (auto err = produce(c, type, transform, dst))
            return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                           "cannot make " + what + ": " + llvm::toString(std::move(err)));
          return llvm::Error::success();
        });
  }
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
    else if (!in->constant.storage->isDerived())
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
