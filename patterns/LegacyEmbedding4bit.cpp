// legacy-embedding-4bit: ExecuTorch's packed 4-bit embedding op.
//
//   %y = quantized_decomposed.embedding_4bit.dtype(%w : u8[V, D/2], %s : [V, G] | [V], None, -8, 7,
//                                                  %indices, dtype=f32)
// =>
//   %y = et_vk.embedding_q4gsw(vkqc.swap_nibbles(%w), %s, D/G, %indices, is_linear_weight=true)
//
// The legacy layout keeps the even element in the high nibble; swapping the nibbles of
// every byte gives the linear layout (low nibble first) that the kernel reads.
#include "patterns/QuantMatchers.h"

#include "compiler/ir/Printer.h"

namespace vkqc {

namespace {
struct LegacyEmbeddingMatch {
  Node *embedding;
  Value *weight;
  Value *scales;
  int64_t rows, packedCols, groupSize;
};

class LegacyEmbedding4bitPattern : public TypedPattern<LegacyEmbeddingMatch> {
public:
  std::optional<LegacyEmbeddingMatch> match(const Graph &g, const Node &root,
                                            const PassOptions &options,
                                            MatchTrace &why) const override {
    Value *w = root.tensorArg("weight");
    Value *s = root.tensorArg("weight_scales");
    if (!w->isConstant() || w->dtype != DType::UInt8 || w->constant.shape.size() != 2)
      return why.reject("the packed weight is not a u8 [V, D/2] constant");
    if (!s->isConstant() || !isFloatingPoint(s->dtype))
      return why.reject("the scales are not a float constant");
    if (literalInt(root.arg("weight_quant_min")) != -8 ||
        literalInt(root.arg("weight_quant_max")) != 7)
      return why.reject("quant range [" + argToString(root.arg("weight_quant_min")) + ", " +
                        argToString(root.arg("weight_quant_max")) + "] is not int4 [-8, 7]");
    if (Value *zp = root.tensorArg("weight_zero_points"))
      return why.reject("the embedding has zero points " + zp->name + " (the kernel is symmetric)");
    int64_t rows = w->constant.shape[0], width = 2 * w->constant.shape[1];
    const std::vector<int64_t> &sshape = s->constant.shape;
    int64_t groups = sshape.size() == 2 ? sshape[1] : 1;
    if (sshape.empty() || sshape.size() > 2 || sshape[0] != rows || width % groups != 0)
      return why.reject("the scales are not [V] or [V, G] with G dividing the width");
    if (width % 32 != 0)
      return why.reject("embedding width " + std::to_string(width) +
                        " is not a multiple of 32 (embedding_q4gsw needs it)");
    DType out = root.results[0]->dtype;
    if (!isVulkanComputeDType(out))
      return why.reject("the embedding produces " + std::string(dtypeName(out)) +
                        "; Vulkan kernels compute in f32 or f16 (run legalize-dtypes first)");
    if (!fitsTarget(g, root, options, why))
      return std::nullopt;
    return LegacyEmbeddingMatch{const_cast<Node *>(&root), w, s, rows, width / 2, width / groups};
  }

  void rewrite(Rewriter &rw, const LegacyEmbeddingMatch &m) const override {
    Value *linearLayout =
        rw.createOp(OpKind::vkqc_swap_nibbles_default, {{"weight", m.weight}}, DType::UInt8,
                    {SymExpr(m.rows), SymExpr(m.packedCols)}, m.weight->name + "_q4");
    Value *out = m.embedding->results[0];
    Value *fused = rw.createOp(OpKind::et_vk_embedding_q4gsw_default,
                               {{"weight", linearLayout},
                                {"weight_scales", m.scales},
                                {"group_size", m.groupSize},
                                {"indices", m.embedding->tensorArg("indices")},
                                {"is_linear_weight", true}},
                               out->dtype, out->shape, m.embedding->name + "_q4gsw");
    rw.replaceAllUsesWith(out, fused);
    rw.eraseNode(m.embedding);
  }
};
} // namespace

std::unique_ptr<Pattern> createLegacyEmbedding4bitPattern() {
  return std::make_unique<LegacyEmbedding4bitPattern>();
}

} // namespace vkqc
