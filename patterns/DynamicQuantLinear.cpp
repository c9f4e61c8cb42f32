// dq8ca-linear: 8da4w linear (per-token dynamic int8 activations, int4 weights).
//
//   %s, %zp = torchao.choose_qparams_affine(%a, "ASYMMETRIC", [1, .., K], int8, -128, 127, ...)
//   %aq = torchao.quantize_affine(%a, [1, .., K], %s, %zp, int8, -128, 127)
//   %x  = torchao.dequantize_affine(%aq, [1, .., K], %s, %zp, int8, -128, 127)
//   %w  = torchao.dequantize_affine(%q : i8[N, K], [1, G], %ws, %wzp = 0, int8, -8, 7)
//   %y  = aten.linear(%x, %w, %bias?)
// =>
//   %y  = et_vk.linear_dq8ca_q4gsw(%a, %s, %zp, vkqc.pack_q4_linear_weight(%q),
//                                  vkqc.q4_weight_sums(%q, G), vkqc.transpose_pad_scales(%ws),
//                                  G, %bias?)
//
// choose_qparams_affine stays: the kernel reads its scale and zero point. The quantize and
// dequantize of the activation go: the kernel quantizes the activation itself.
#include "patterns/LinearOperands.h"

namespace vkqc {

namespace {
struct DynamicQuantLinearMatch {
  Node *linear;
  Q4WeightDequant weight;
  DynamicActivationQuant activation;
};

class DynamicQuantLinearPattern : public TypedPattern<DynamicQuantLinearMatch> {
public:
  std::optional<DynamicQuantLinearMatch> match(const Graph &g, const Node &root,
                                               const PassOptions &options,
                                               MatchTrace &why) const override {
    if (options.weightOnlyLinear)
      return why.reject("--weight-only-linear asks for the weight-only kernel");
    std::optional<DynamicActivationQuant> act =
        matchDynamicActivationQuant(root.tensorArg("input"), why);
    if (!act)
      return std::nullopt;
    std::optional<Q4WeightDequant> w = matchQ4WeightDequant(root.tensorArg("weight"), why);
    if (!w || !linearShapesSupported(*w, why))
      return std::nullopt;
    // The int8 activation path packs K in blocks of 16 (packed K % 8, QuantizedLinear.cpp).
    if (w->cols % 16 != 0)
      return why.reject("in features K=" + std::to_string(w->cols) +
                        " is not a multiple of 16 (linear_dq8ca_q4gsw packs int8 K in 16s)");
    DType out = root.results[0]->dtype;
    if (act->input->dtype != out || w->outputDType != out)
      return why.reject("activation, weight and output dtypes differ");
    if (!isAcceptableBias(root.arg("bias"), w->rows, out, why) ||
        !fitsTarget(g, root, options, why, &*w) ||
        !texturesFit(g, {act->scale, act->zeroPoint}, options, why))
      return std::nullopt;
    return DynamicQuantLinearMatch{const_cast<Node *>(&root), *w, *act};
  }

  void rewrite(Rewriter &rw, const DynamicQuantLinearMatch &m) const override {
    PackedLinearWeight pw = createPackedLinearWeight(rw, m.weight);
    Value *sums = createWeightSums(rw, m.weight);
    Value *out = m.linear->results[0];
    Value *fused = rw.createOp(OpKind::et_vk_linear_dq8ca_q4gsw_default,
                               {{"input", m.activation.input},
                                {"input_scales", m.activation.scale},
                                {"input_zp", m.activation.zeroPoint},
                                {"weights", pw.packed},
                                {"weight_sums", sums},
                                {"weight_scales", pw.scales},
                                {"group_size", m.weight.groupSize},
                                {"bias", m.linear->arg("bias")}},
                               out->dtype, out->shape, m.linear->name + "_dq8ca_q4gsw");
    rw.replaceAllUsesWith(out, fused);
    rw.eraseNode(m.linear);
    rw.eraseIfUnused(m.weight.dequant);
    rw.eraseIfUnused(m.activation.dequantize);
    rw.eraseIfUnused(m.activation.quantize);
  }
};
} // namespace

std::unique_ptr<Pattern> createDynamicQuantLinearPattern() {
  return std::make_unique<DynamicQuantLinearPattern>();
}

} // namespace vkqc
