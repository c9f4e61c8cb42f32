#include "passes/DerivedConstants.h"

#include "compiler/ir/Printer.h"
#include "compiler/semantics/Kernels.h"

#include "llvm/ADT/StringExtras.h"

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
  if (result->dtype != type.dtype || result->shape != type.shape ||
      result->byteSize() != dst.size())
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
    for (Value *in : g.inputs())
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
        [c, type, what,
         transform = std::move(transform)](llvm::MutableArrayRef<uint8_t> dst) -> llvm::Error {
          if (auto err = produce(c, type, transform, dst))
            return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                           "cannot make " + what + ": " +
                                               llvm::toString(std::move(err)));
          return llvm::Error::success();
        });
  }
  derived.storage = storage;
  Value *v = rw.createConstant(nameHint, source->stateName + "@" + layout.str(), derived);
  return DerivedConstant{v, false};
}

namespace {
// The transform of layout op `target`, its integer arguments read through `intArg`.
std::optional<ConstantTransform>
transformOf(OpKind target, llvm::function_ref<std::optional<int64_t>(llvm::StringRef)> intArg) {
  if (target == OpKind::vkqc_pack_q4_linear_weight_default)
    return ConstantTransform(interp::packQ4LinearWeight);
  if (target == OpKind::vkqc_pack_q4_embedding_weight_default)
    return ConstantTransform(interp::packQ4EmbeddingWeight);
  if (target == OpKind::vkqc_swap_nibbles_default)
    return ConstantTransform(interp::swapNibbles);
  if (target == OpKind::vkqc_int4tensor_to_q4_linear_default)
    return ConstantTransform(interp::int4TensorToQ4Linear);
  if (target == OpKind::vkqc_pad_columns_default) {
    if (std::optional<int64_t> align = intArg("align"))
      return ConstantTransform(
          [align = *align](const interp::Tensor &t) { return interp::padColumns(t, align); });
  }
  if (target == OpKind::vkqc_q4_weight_sums_default) {
    if (std::optional<int64_t> group = intArg("group_size"))
      return ConstantTransform(
          [group = *group](const interp::Tensor &t) { return interp::q4WeightSums(t, group); });
  }
  if (target == OpKind::vkqc_transpose_pad_scales_default) {
    if (std::optional<int64_t> align = intArg("align"))
      return ConstantTransform([align = *align](const interp::Tensor &t) {
        return interp::transposePadScales(t, align);
      });
  }
  return std::nullopt;
}

DerivedKind kindOf(OpKind target) {
  return target == OpKind::vkqc_q4_weight_sums_default ? DerivedKind::Summary : DerivedKind::Layout;
}

// `vkqc.transpose_pad_scales.default` -> `transpose_pad_scales`
llvm::StringRef layoutBase(llvm::StringRef target) {
  target.consume_front("vkqc.");
  target.consume_back(".default");
  return target;
}

llvm::Error layoutError(const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what);
}

// `i8[128, 64]`: a constant's type as typeToString writes it.
llvm::Expected<std::pair<DType, interp::Shape>> parseConstantType(llvm::StringRef text) {
  auto [name, dims] = text.split('[');
  std::optional<DType> dtype = dtypeFromName(name);
  if (!dtype || !dims.consume_back("]"))
    return layoutError("'" + text + "' is not a constant's type");
  interp::Shape shape;
  llvm::SmallVector<llvm::StringRef, 4> parts;
  if (!dims.empty())
    dims.split(parts, ", ");
  for (llvm::StringRef d : parts) {
    // No constant has a dim of 2^40 elements; bigger ones could overflow the layouts' sizes.
    int64_t v = 0;
    if (d.getAsInteger(10, v) || v < 0 || v > (int64_t(1) << 40))
      return layoutError("'" + text + "' is not a constant's type");
    shape.push_back(v);
  }
  return std::make_pair(*dtype, shape);
}

// The transform a layout name stands for: `cast_<dtype>`, or a layout op and its integer
// arguments as layoutOpName writes them.
llvm::Expected<std::pair<ConstantTransform, DerivedKind>>
transformOfLayout(llvm::StringRef layout) {
  if (layout.startswith("cast_")) {
    std::optional<DType> to = dtypeFromName(layout.drop_front(5));
    if (!to)
      return layoutError("unknown cast " + layout);
    return std::make_pair(
        ConstantTransform(
            [to = *to](const interp::Tensor &t) -> llvm::Expected<interp::LayoutResult> {
              llvm::Expected<interp::Tensor> cast = interp::toDType(t, to);
              if (!cast)
                return cast.takeError();
              return interp::layoutOf(std::move(*cast));
            }),
        DerivedKind::Layout);
  }
  for (const OpSchema &op : allOpSchemas()) {
    llvm::StringRef base = layoutBase(op.target);
    if (!llvm::StringRef(op.target).startswith("vkqc.") || !layout.startswith(base))
      continue;
    llvm::StringRef rest = layout.drop_front(base.size());
    std::map<std::string, int64_t> ints;
    for (const SchemaArg &a : op.args) {
      if (a.type != ArgType::Int || !rest.consume_front("_" + a.name))
        continue;
      size_t digits = rest.startswith("-") ? 1 : 0;
      while (digits < rest.size() && llvm::isDigit(rest[digits]))
        ++digits;
      int64_t v = 0;
      if (rest.take_front(digits).getAsInteger(10, v))
        break;
      ints[a.name] = v;
      rest = rest.drop_front(digits);
    }
    if (!rest.empty())
      continue;
    auto intArg = [&](llvm::StringRef name) -> std::optional<int64_t> {
      auto it = ints.find(name.str());
      return it == ints.end() ? std::nullopt : std::optional<int64_t>(it->second);
    };
    if (std::optional<ConstantTransform> t = transformOf(*op.kind, intArg))
      return std::make_pair(std::move(*t), kindOf(*op.kind));
  }
  return layoutError("no pass makes layout '" + layout + "'");
}
} // namespace

std::optional<ConstantTransform> layoutOpTransform(const Node &n) {
  return transformOf(n.kind(), [&](llvm::StringRef arg) {
    return n.hasArg(arg) ? asInt(n.arg(arg)) : std::nullopt;
  });
}

DerivedKind layoutOpKind(const Node &n) { return kindOf(n.kind()); }

std::string layoutOpName(const Node &n) {
  std::string name = layoutBase(n.target).str();
  for (const NamedArg &a : n.args())
    if (auto i = asInt(a.value))
      name += "_" + a.name + std::to_string(*i);
  return name;
}

llvm::Expected<DerivedLayout> rebuildDerivedLayout(const Storage &source, llvm::StringRef tag,
                                                   uint64_t size) {
  // <layout>(<source type>+<byte offset>), as deriveConstant writes it.
  size_t open = tag.find('(');
  size_t plus = tag.rfind('+');
  if (open == llvm::StringRef::npos || plus == llvm::StringRef::npos || plus < open ||
      !tag.endswith(")"))
    return layoutError("'" + tag + "' is not a layout tag (<layout>(<type>+<offset>))");
  llvm::StringRef layout = tag.take_front(open);
  llvm::Expected<std::pair<DType, interp::Shape>> type =
      parseConstantType(tag.slice(open + 1, plus));
  if (!type)
    return type.takeError();
  uint64_t offset = 0;
  if (tag.slice(plus + 1, tag.size() - 1).getAsInteger(10, offset))
    return layoutError("'" + tag + "' has no byte offset");
  auto [dtype, shape] = *type;
  uint64_t bytes = dtypeSize(dtype);
  for (int64_t d : shape)
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes))
      return layoutError("the source type of '" + tag + "' overflows");
  if (offset % dtypeSize(dtype) != 0)
    return layoutError("its source starts at +" + llvm::Twine(offset) +
                       ", not at a multiple of its element size");
  if (offset > source.size() || bytes > source.size() - offset)
    return layoutError("its source (" + llvm::Twine(bytes) + " B at +" + llvm::Twine(offset) +
                       ") runs past the end of storage #" + llvm::Twine(source.id));
  llvm::Expected<std::pair<ConstantTransform, DerivedKind>> transform = transformOfLayout(layout);
  if (!transform)
    return transform.takeError();

  // The source's slice as a tensor, and what the layout makes of it.
  auto apply = [&source, dtype = dtype, shape = shape, offset,
                transform = transform->first]() -> llvm::Expected<interp::LayoutResult> {
    llvm::Expected<llvm::ArrayRef<uint8_t>> all = source.data();
    if (!all)
      return all.takeError();
    return transform(interp::Tensor::view(dtype, shape, all->data() + offset));
  };
  llvm::Expected<interp::LayoutResult> made = apply();
  if (!made)
    return layoutError("layout " + layout +
                       " refuses its source: " + llvm::toString(made.takeError()));
  if (made->byteSize() != size)
    return layoutError("layout " + layout + " makes " + llvm::Twine(made->byteSize()) +
                       " B, the text says " + llvm::Twine(size) + " B");
  DerivedLayout rebuilt;
  rebuilt.kind = transform->second;
  rebuilt.producer = [apply](llvm::MutableArrayRef<uint8_t> dst) -> llvm::Error {
    llvm::Expected<interp::LayoutResult> result = apply();
    if (!result)
      return result.takeError();
    if (result->byteSize() != dst.size())
      return layoutError("the layout transform produced another size than it declared");
    return result->write(dst);
  };
  return rebuilt;
}

void reportSecondLayouts(const Graph &g, PassContext &ctx, llvm::StringRef pass) {
  std::map<const Storage *, std::set<std::string>> layouts; // source -> layouts in use
  std::map<const Storage *, const Storage *> sourceOf;
  for (const auto &s : g.constants.storages())
    for (const std::string &tag : g.constants.derivedTags(s.get(), DerivedKind::Layout))
      sourceOf[g.constants.findDerived(s.get(), tag)] = s.get();
  for (const Value *in : g.inputs()) {
    if (!in->isConstant() || !in->isUsed())
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
