// dq-linear: weight-only int4 linear.
//
//   %w = torchao.dequantize_affine(%q : i8[N, K], [1, G], %s : [N, K/G], %zp = 0, int8, -8, 7)
//   %y = aten.linear(%x, %w, %bias?)
// =>
//   %y = et_vk.linear_q4gsw(%x, vkqc.pack_q4_linear_weight(%q), vkqc.transpose_pad_scales(%s),
//                           G, %bias?)
//
// With --weight-only-linear, an 8da4w linear's activation chain is dropped and %x is the
// float activation before quantization.
#include "patterns/LinearOperands.h"

namespace vkqc {

namespace {
struct DequantLinearMatch {
  Node *linear;
  Q4WeightDequant weight;
  Value *input;
  std::optional<DynamicActivationQuant> droppedActivationQuant;
};

class DequantLinearPattern : public TypedPattern<DequantLinearMatch> {
public:
  std::optional<DequantLinearMatch> match(const Graph &g, const Node &root,
                                          const PassOptions &options,
                                          MatchTrace &why) const override {
    std::optional<Q4WeightDequant> w = matchQ4WeightDequant(root.tensorArg("weight"), why);
    if (!w || !linearShapesSupported(*w, why))
      return std::nullopt;
    DequantLinearMatch m{const_cast<Node *>(&root), *w, root.tensorArg("input"), std::nullopt};
    if (options.weightOnlyLinear) {
      MatchTrace ignored; // not an 8da4w linear: nothing to drop
      m.droppedActivationQuant = matchDynamicActivationQuant(m.input, ignored);
      if (m.droppedActivationQuant)
        m.input = m.droppedActivationQuant->input;
    }
    DType out = root.results[0]->dtype;
    if (m.input->dtype != out || w->outputDType != out)
      return why.reject("input, weight and output dtypes differ");
    if (!isAcceptableBias(root.arg("bias"), w->rows, out, why) ||
        !fitsTarget(g, root, options, why, &*w))
      return std::nullopt;
    return m;
  }

  void rewrite(Rewriter &rw, const DequantLinearMatch &m) const override {
    PackedLinearWeight pw = createPackedLinearWeight(rw, m.weight);
    Value *out = m.linear->results[0];
    Value *fused = rw.createOp(OpKind::et_vk_linear_q4gsw_default,
                               {{"self", m.input},
                                {"weights", pw.packed},
                                {"weight_scales", pw.scales},
                                {"group_size", m.weight.groupSize},
                                {"bias", m.linear->arg("bias")}},
                               out->dtype, out->shape, m.linear->name + "_q4gsw");
    rw.replaceAllUsesWith(out, fused);
    rw.eraseNode(m.linear);
    rw.eraseIfUnused(m.weight.dequant);
    if (const auto &act = m.droppedActivationQuant) {
      rw.eraseIfUnused(act->dequantize);
      rw.eraseIfUnused(act->quantize);
      rw.eraseIfUnused(act->chooseQParams);
    }
  }
};
} // namespace

std::unique_ptr<Pattern> createDequantLinearPattern() {
  return std::make_unique<DequantLinearPattern>();
}

} // namespace vkqc
