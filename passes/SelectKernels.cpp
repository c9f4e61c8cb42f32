// select-kernels: pick the compiled shader variant(s) of every Vulkan node, then check
// every binding: the element type the SPIR-V declares (from reflection) must be what the
// tensor bound to it holds. A mismatch is a compile error naming the node, the binding
// and both types: a kernel must never read bytes as the wrong type on a phone.
//
// Variants follow from dtypes (DTYPE), the activation zero point's dtype (ZP_DTYPE_MODE),
// the rows of the linear (GEMV when the sequence can be 1 row, tiled when it can be more)
// and the target (tile set).
#include "passes/SelectKernels.h"

#include "compiler/ir/Printer.h"
#include "compiler/pass/Pass.h"
#include "compiler/target/Target.h"
#include "shaders/KernelVariants.h"
#include "shaders/Shaders.h"

#include <map>

namespace vkqc {

namespace {
using shaders::ElementType;

// The element type a shader reads for a tensor of `dtype`: packed int4 bytes are read as
// 32-bit words, and int64 indices are narrowed to int32 when they are uploaded.
std::optional<ElementType> shaderElementType(DType dtype) {
  switch (dtype) {
  case DType::Float32:
    return ElementType::Float32;
  case DType::Float16:
    return ElementType::Float16;
  case DType::Int8:
    return ElementType::Int8;
  case DType::UInt8:
  case DType::Bool: // masks: bytes read from 32-bit words
    return ElementType::UInt32;
  case DType::Int32:
  case DType::Int64:
    return ElementType::Int32;
  default:
    return std::nullopt;
  }
}

// One binding of a variant and the tensor bound to it.
struct Binding {
  unsigned binding;
  const Value *tensor;
};

struct Selection {
  std::vector<std::string> variants;
  std::map<std::string, std::vector<Binding>> bindings; // variant -> what it binds
};

// The rows a linear's input can have: 1 row only, many rows only, or both.
std::pair<bool, bool> rowCases(const Graph &g, const Value &x) {
  std::map<std::string, int64_t> low, high;
  for (const auto &[name, range] : g.symbols()) {
    low[name] = range.min.value_or(0);
    high[name] = range.max.value_or(INT64_MAX / 4);
  }
  auto rows = [&](const std::map<std::string, int64_t> &b) -> int64_t {
    int64_t r = 1;
    for (size_t i = 0; i + 1 < x.shape.size(); ++i) {
      llvm::Expected<int64_t> d = x.shape[i].evaluate(b);
      if (!d) {
        llvm::consumeError(d.takeError());
        return 2;
      }
      r *= *d;
    }
    return r;
  };
  return {rows(low) <= 1, rows(high) > 1};
}

llvm::Expected<Selection> selectLinear(const Graph &g, const Node &n, const Target &t,
                                       bool dynamicQuant) {
  const Value *x = n.tensorArg(dynamicQuant ? "input" : "self");
  const Value *out = n.results[0];
  shaders::LinearTiles tiles =
      t.name == "generic" ? shaders::LinearTiles::M2N4 : shaders::LinearTiles::Default;
  auto [single, many] = rowCases(g, *x);
  Selection s;
  std::vector<Binding> common = {{0, out}};
  auto addVariant = [&](llvm::Expected<std::string> name,
                        std::vector<Binding> bindings) -> llvm::Error {
    if (!name)
      return name.takeError();
    s.variants.push_back(*name);
    s.bindings[*name] = std::move(bindings);
    return llvm::Error::success();
  };
  const Value *bias = n.tensorArg("bias");
  for (int64_t rows : {int64_t(1), int64_t(2)}) {
    if ((rows == 1 && !single) || (rows == 2 && !many))
      continue;
    if (!dynamicQuant) {
      std::vector<Binding> b = {
          {0, out}, {1, x}, {2, n.tensorArg("weights")}, {3, n.tensorArg("weight_scales")}};
      if (bias)
        b.push_back({4, bias});
      if (auto err = addVariant(shaders::linearQ4gswVariant(rows, out->dtype, tiles), b))
        return err;
      continue;
    }
    const Value *zp = n.tensorArg("input_zp");
    std::vector<Binding> b = {{0, out},
                              {3, n.tensorArg("input_scales")},
                              {4, zp},
                              {5, n.tensorArg("weights")},
                              {6, n.tensorArg("weight_sums")},
                              {7, n.tensorArg("weight_scales")}};
    if (bias)
      b.push_back({8, bias});
    if (auto err =
            addVariant(shaders::linearDq8caQ4gswVariant(rows, out->dtype, zp->dtype, tiles), b))
      return err;
  }
  if (dynamicQuant) {
    const Value *zp = n.tensorArg("input_zp");
    if (auto err = addVariant(shaders::quantizeAndPackVariant(x->dtype, zp->dtype),
                              {{2, x}, {3, n.tensorArg("input_scales")}, {4, zp}}))
      return err;
  }
  return s;
}

// The float ops of the decoder: one variant per op (one per input for cat), chosen by
// dtypes; reshapes, clones and prepacks of contiguous tensors run no kernel in vkqc.
llvm::Expected<Selection> selectFloatOp(const Node &n) {
  Selection s;
  const Value *out = n.results.empty() ? nullptr : n.results[0];
  auto add = [&](llvm::Expected<std::string> name, std::vector<Binding> bindings) -> llvm::Error {
    if (!name)
      return name.takeError();
    if (!llvm::is_contained(s.variants, *name))
      s.variants.push_back(*name);
    auto &all = s.bindings[*name];
    all.insert(all.end(), bindings.begin(), bindings.end());
    return llvm::Error::success();
  };
  OpKind op = n.kind();
  if (std::optional<shaders::ElementwiseOp> e = shaders::elementwiseOpOf(op)) {
    const Value *self = n.tensorArg("self");
    const Value *other = n.hasArg("other") ? n.tensorArg("other") : nullptr;
    std::vector<Binding> b = {{0, out}, {1, self}};
    if (other)
      b.push_back({2, other});
    if (auto err = add(shaders::elementwiseVariant(*e, out->dtype), b))
      return err;
    return s;
  }
  if (op == OpKind::aten_slice_copy_Tensor || op == OpKind::aten_permute_copy_default ||
      op == OpKind::aten_expand_copy_default || op == OpKind::aten__to_copy_default ||
      op == OpKind::aten_select_copy_int) {
    const Value *self = n.tensorArg("self");
    if (auto err = add(shaders::stridedCopyVariant(self->dtype, out->dtype), {{0, out}, {1, self}}))
      return err;
    return s;
  }
  if (op == OpKind::aten_cat_default) {
    for (const Value *in : std::get<TensorListArg>(n.arg("tensors")).tensors)
      if (auto err = add(shaders::stridedCopyVariant(in->dtype, out->dtype), {{0, out}, {1, in}}))
        return err;
    return s;
  }
  if (op == OpKind::aten_mean_dim || op == OpKind::aten__softmax_default) {
    const Value *self = n.tensorArg("self");
    auto name = op == OpKind::aten_mean_dim ? shaders::meanDimVariant(out->dtype)
                                            : shaders::softmaxVariant(out->dtype);
    if (auto err = add(std::move(name), {{0, out}, {1, self}}))
      return err;
    return s;
  }
  if (op == OpKind::et_vk_rms_norm_default) {
    if (auto err = add(shaders::rmsNormVariant(out->dtype),
                       {{0, out}, {1, n.tensorArg("x")}, {2, n.tensorArg("weight")}}))
      return err;
    return s;
  }
  if (op == OpKind::aten_linear_default) {
    const Value *x = n.tensorArg("input"), *w = n.tensorArg("weight"), *b = n.tensorArg("bias");
    if (auto err = add(shaders::stridedCopyVariant(w->dtype, w->dtype), {{1, w}}))
      return err;
    if (auto err = add(shaders::matmulVariant(out->dtype), {{0, out}, {1, x}}))
      return err;
    if (b)
      if (auto err = add(shaders::elementwiseVariant(shaders::ElementwiseOp::Add, out->dtype),
                         {{0, out}, {2, b}}))
        return err;
    return s;
  }
  if (op == OpKind::aten_bmm_default || op == OpKind::aten_mm_default) {
    if (auto err = add(shaders::matmulVariant(out->dtype),
                       {{0, out}, {1, n.tensorArg("self")}, {2, n.tensorArg("mat2")}}))
      return err;
    return s;
  }
  if (op == OpKind::et_vk_sdpa_default) {
    const Value *mask = n.tensorArg("attn_mask");
    std::vector<Binding> b = {
        {0, out}, {1, n.tensorArg("q")}, {2, n.tensorArg("k")}, {3, n.tensorArg("v")}};
    if (mask)
      b.push_back({4, mask});
    if (auto err = add(shaders::sdpaVariant(out->dtype, mask ? std::optional<DType>(mask->dtype)
                                                             : std::nullopt),
                       b))
      return err;
    return s;
  }
  if (op == OpKind::aten_view_copy_default || op == OpKind::aten_unsqueeze_copy_default ||
      op == OpKind::aten_clone_default || op == OpKind::et_vk_prepack_default)
    return s;
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "no kernel family for " + n.target);
}

llvm::Expected<Selection> selectKernels(const Graph &g, const Node &n, const Target &t) {
  if (n.target.rfind("aten.", 0) == 0 || n.is(OpKind::et_vk_rms_norm_default) ||
      n.is(OpKind::et_vk_sdpa_default) || n.is(OpKind::et_vk_prepack_default))
    return selectFloatOp(n);
  if (n.is(OpKind::et_vk_linear_q4gsw_default))
    return selectLinear(g, n, t, false);
  if (n.is(OpKind::et_vk_linear_dq8ca_q4gsw_default))
    return selectLinear(g, n, t, true);
  Selection s;
  if (n.is(OpKind::et_vk_embedding_q4gsw_default)) {
    const Value *scales = n.tensorArg("weight_scales");
    llvm::Expected<std::string> v =
        shaders::embeddingQ4gswVariant(scales->dtype, n.results[0]->dtype);
    if (!v)
      return v.takeError();
    s.variants.push_back(*v);
    s.bindings[*v] = {
        {0, n.results[0]}, {1, n.tensorArg("indices")}, {2, n.tensorArg("weight")}, {3, scales}};
    return s;
  }
  if (n.is(OpKind::torchao_choose_qparams_affine_default)) {
    const Value *input = n.tensorArg("input");
    llvm::Expected<std::string> v =
        shaders::chooseQParamsPerRowVariant(input->dtype, n.results[1]->dtype);
    if (!v)
      return v.takeError();
    s.variants.push_back(*v);
    s.bindings[*v] = {{0, n.results[0]}, {1, n.results[1]}, {2, input}};
    return s;
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "no kernel family for " + n.target);
}
} // namespace

llvm::Error checkKernelBindings(const Node &n, const shaders::ShaderVariant &variant,
                                llvm::ArrayRef<std::pair<unsigned, const Value *>> bindings) {
  for (const auto &[binding, tensor] : bindings) {
    std::optional<ElementType> type = shaderElementType(tensor->dtype);
    if (!type)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "node '" + n.name + "': binding " + std::to_string(binding) +
                                         " of " + variant.name + " gets %" + tensor->name +
                                         " of dtype " + std::string(dtypeName(tensor->dtype)) +
                                         ", which no shader reads");
    if (auto err = shaders::checkBinding(variant, binding, *type))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "node '" + n.name + "': %" + tensor->name + " (" +
                                         std::string(dtypeName(tensor->dtype)) +
                                         ") is bound where " + llvm::toString(std::move(err)));
  }
  return llvm::Error::success();
}

namespace {
class SelectKernelsPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    llvm::Expected<const Target *> target = lookupTarget(ctx.options.target);
    if (!target)
      return target.takeError();
    bool changed = false;
    for (const auto &n : g.nodes()) {
      if (n->placement != Placement::Vulkan)
        continue;
      llvm::Expected<Selection> s = selectKernels(g, *n, **target);
      if (!s)
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "node '" + n->name + "': " + llvm::toString(s.takeError()));
      for (const std::string &name : s->variants) {
        const shaders::ShaderVariant *variant = shaders::findShader(name);
        if (!variant)
          return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                         "node '" + n->name + "': no compiled shader " + name);
        std::vector<std::pair<unsigned, const Value *>> bindings;
        for (const Binding &b : s->bindings[name])
          bindings.emplace_back(b.binding, b.tensor);
        if (auto err = checkKernelBindings(*n, *variant, bindings))
          return err;
      }
      changed = changed || n->kernels != s->variants;
      n->kernels = s->variants;
      ctx.note("select-kernels", n->name, "selected", llvm::join(s->variants, ", "));
    }
    return changed;
  }
};
} // namespace

std::unique_ptr<Pass> createSelectKernelsPass() { return std::make_unique<SelectKernelsPass>(); }

} // namespace vkqc
