// rms-norm: the RMSNorm of a Llama decoder as ExecuTorch's Vulkan backend fuses it.
//
//   %p = aten.pow.Tensor_Scalar(%x, 2)
//   %v = aten.mean.dim(%p, [-1], keepdim=True)
//   %a = aten.add.Tensor(%v, eps)
//   %r = aten.rsqrt.default(%a)
//   %n = aten.mul.Tensor(%x, %r)
//   %y = aten.mul.Tensor(%w, %n)          (%w: a constant [D]; either operand order)
// =>
//   %y = et_vk.rms_norm(%x, %w, eps)
//
// Casts to the dtype a value already has (HF's `.to(float32)` / `.to(input_dtype)` once
// legalize-dtypes made everything the compute dtype) are looked through. It pays: one
// kernel reads the row once instead of six dispatches over five intermediates.
#include "patterns/QuantMatchers.h"

#include "compiler/ir/Printer.h"

#include <algorithm>

namespace vkqc {

namespace {
struct RmsNormMatch {
  Node *root;
  Value *input;
  Value *weight;
  double eps;
  std::vector<Node *> replaced; // every node of the chain below root, users first
};

// `v` itself after identity casts, each recorded in `casts` when given.
const Value *throughCasts(const Value *v, std::vector<Node *> *casts = nullptr) {
  while (v && v->definingNode && v->definingNode->is(OpKind::aten__to_copy_default) &&
         v->definingNode->tensorArg("self") &&
         v->definingNode->tensorArg("self")->dtype == v->dtype) {
    if (casts)
      casts->push_back(v->definingNode);
    v = v->definingNode->tensorArg("self");
  }
  return v;
}

// `v`'s defining node after identity casts (recorded in `casts`).
Node *producerThroughCasts(const Value *v, std::vector<Node *> &casts) {
  const Value *source = throughCasts(v, &casts);
  return source ? source->definingNode : nullptr;
}

bool isTrue(const ArgValue &v) {
  const bool *b = std::get_if<bool>(&v);
  return b && *b;
}

class RmsNormPattern : public TypedPattern<RmsNormMatch> {
public:
  std::optional<RmsNormMatch> match(const Graph &g, const Node &root, const PassOptions &options,
                                    MatchTrace &why) const override {
    Value *self = root.tensorArg("self"), *other = root.tensorArg("other");
    auto isWeight = [](const Value *v) { return v && v->isConstant() && v->shape.size() == 1; };
    // Only a mul by a constant vector can be a norm's weight: other muls are silently
    // not candidates (no report line for every mul of the program).
    if (!self || !other || isWeight(self) == isWeight(other))
      return std::nullopt;
    Value *weight = isWeight(self) ? self : other;
    Value *normed = weight == self ? other : self;

    RmsNormMatch m{const_cast<Node *>(&root), nullptr, weight, 0.0, {}};
    auto step = [&](const Value *v, OpKind kind) -> Node * {
      Node *n = producerThroughCasts(v, m.replaced);
      if (!n || !n->is(kind))
        return nullptr;
      m.replaced.push_back(n);
      return n;
    };
    Node *mulNode = step(normed, OpKind::aten_mul_Tensor);
    if (!mulNode && m.replaced.empty() && normed->definingNode &&
        normed->definingNode->is(OpKind::aten__to_copy_default))
      return why.reject("%" + normed->name + " casts to " + std::string(dtypeName(normed->dtype)) +
                        "; only casts to the dtype a value already has are looked through "
                        "(legalize-dtypes makes them so)");
    if (!mulNode)
      return why.reject("%" + normed->name + " is not x * rsqrt(...)");
    Value *a = mulNode->tensorArg("self"), *b = mulNode->tensorArg("other");
    if (!a || !b)
      return why.reject("%" + normed->name + " is a mul by a scalar");
    std::vector<Node *> casts;
    Node *rsqrtNode = producerThroughCasts(b, casts);
    Value *x = a;
    if (!rsqrtNode || !rsqrtNode->is(OpKind::aten_rsqrt_default)) {
      casts.clear();
      rsqrtNode = producerThroughCasts(a, casts);
      x = b;
    }
    if (!rsqrtNode || !rsqrtNode->is(OpKind::aten_rsqrt_default))
      return why.reject("%" + normed->name + " multiplies no rsqrt");
    m.replaced.insert(m.replaced.end(), casts.begin(), casts.end());
    m.replaced.push_back(rsqrtNode);
    Node *addNode = step(rsqrtNode->tensorArg("self"), OpKind::aten_add_Tensor);
    std::optional<double> eps = addNode ? asDouble(addNode->arg("other")) : std::nullopt;
    if (!addNode || !eps || asDouble(addNode->arg("alpha")) != 1.0)
      return why.reject("the rsqrt does not read mean + eps (a scalar)");
    m.eps = *eps;
    Node *meanNode = step(addNode->tensorArg("self"), OpKind::aten_mean_dim);
    std::optional<std::vector<int64_t>> dims =
        meanNode ? asLiteralInts(meanNode->arg("dim")) : std::nullopt;
    int64_t rank = static_cast<int64_t>(x->shape.size());
    if (!meanNode || !dims || dims->size() != 1 || ((*dims)[0] != -1 && (*dims)[0] != rank - 1) ||
        !isTrue(meanNode->arg("keepdim")) || !isNone(meanNode->arg("dtype")))
      return why.reject("the eps is not added to a mean over the last dim with keepdim");
    Node *powNode = step(meanNode->tensorArg("self"), OpKind::aten_pow_Tensor_Scalar);
    if (!powNode || asDouble(powNode->arg("exponent")) != 2.0)
      return why.reject("the mean is not of x^2");
    if (throughCasts(powNode->tensorArg("self")) != throughCasts(x))
      return why.reject("x^2 and the normalized x read different tensors");
    m.input = const_cast<Value *>(throughCasts(x));

    // Every replaced value feeds only the next step of the chain. (Metadata asserts do
    // not count: they check what the verifier guarantees, and dce drops them.)
    for (const Node *n : m.replaced) {
      const Value *r = n->results[0];
      size_t uses = r->outputUses();
      for (const Node *user : r->users())
        uses += !user->is(OpKind::aten__assert_tensor_metadata_default);
      if (uses != 1)
        return why.reject("%" + r->name + " has other users");
    }
    DType dtype = root.results[0]->dtype;
    if (m.input->dtype != dtype || weight->dtype != dtype || !isVulkanComputeDType(dtype))
      return why.reject(
          "x, weight and result dtypes differ (" + std::string(dtypeName(m.input->dtype)) + ", " +
          std::string(dtypeName(weight->dtype)) + ", " + std::string(dtypeName(dtype)) + ")");
    if (rank < 1 || !(weight->shape[0] == m.input->shape.back()))
      return why.reject("the weight is not [D] of the normalized dim");
    if (!fitsTarget(g, root, options, why))
      return std::nullopt;
    return m;
  }

  void rewrite(Rewriter &rw, const RmsNormMatch &m) const override {
    Value *out = m.root->results[0];
    Value *fused = rw.createOp(OpKind::et_vk_rms_norm_default,
                               {{"x", m.input}, {"weight", m.weight}, {"eps", m.eps}}, out->dtype,
                               out->shape, m.root->name + "_rms_norm");
    rw.replaceAllUsesWith(out, fused);
    rw.eraseNode(m.root);
    for (Node *n : m.replaced)
      rw.eraseIfUnused(n);
  }
};
} // namespace

std::unique_ptr<Pattern> createRmsNormPattern() { return std::make_unique<RmsNormPattern>(); }

} // namespace vkqc
