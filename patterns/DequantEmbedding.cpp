// dq-embedding: a torchao int4 embedding table, dequantized whole, then gathered.
//
//   %table = torchao.dequantize_affine(%q : i8[V, D], [1, G], %s : [V, D/G], %zp = 0, int8, -8, 7)
//   %y     = aten.embedding(%table, %indices)
// =>
//   %y     = et_vk.embedding_q4gsw(vkqc.pack_q4_linear_weight(%q), %s, G, %indices,
//                                  is_linear_weight=true)
//
// The packed table uses the linear layout, so a tied lm-head linear shares the same bytes.
// When the tied linear cannot run on the GPU (its logits outgrow the --target's buffers),
// it reads the table on the CPU (cpu-linear-4bit-weight); the embedding then stays beside
// it (cpu-embedding-4bit), sharing that packed copy rather than storing a second one.
#include "patterns/QuantMatchers.h"

#include "compiler/quant/Q4gswContract.h"

namespace vkqc {

namespace {
struct DequantEmbeddingMatch {
  Node *embedding;
  Q4WeightDequant weight;
  Value *indices;
};

class DequantEmbeddingPattern : public TypedPattern<DequantEmbeddingMatch> {
public:
  std::optional<DequantEmbeddingMatch> match(const Graph &g, const Node &root,
                                             const PassOptions &options,
                                             MatchTrace &why) const override {
    std::optional<Q4WeightDequant> w = matchQ4WeightDequant(root.tensorArg("weight"), why);
    if (!w)
      return std::nullopt;
    // embedding_q4gsw reads rows in blocks of 32 values (EmbeddingQ4gsw.cpp checks it).
    if (w->cols % 32 != 0)
      return why.reject("embedding width " + std::to_string(w->cols) +
                        " is not a multiple of 32 (embedding_q4gsw needs it)");
    if (!fitsTarget(g, root, options, why, &*w))
      return std::nullopt;
    if (std::string linear = tiedLinearLeftOnCpu(g, *w, options); !linear.empty())
      return why.reject("the table is tied to the weight of " + linear +
                        ", which stays on the CPU: fusing would store the table twice");
    return DequantEmbeddingMatch{const_cast<Node *>(&root), *w, root.tensorArg("indices")};
  }

  // The name of a linear reading the same int4 table (a tied lm-head) that no linear
  // pattern could fuse for the target, or "".
  static std::string tiedLinearLeftOnCpu(const Graph &g, const Q4WeightDequant &w,
                                         const PassOptions &options) {
    for (const auto &n : g.nodes()) {
      if (!n->is(OpKind::aten_linear_default))
        continue;
      // A dequantize of the same storage is the tied weight; its values are the table's,
      // already validated, so only its shape decides whether it fits the target.
      const Value *weight = n->tensorArg("weight");
      const Node *dequant = weight ? weight->definingNode : nullptr;
      const Value *q = dequant && dequant->is(OpKind::torchao_dequantize_affine_default)
                           ? dequant->tensorArg("input")
                           : nullptr;
      if (!q || !q->isConstant() || q->constant.storage != w.qdata->constant.storage ||
          dequant == w.dequant)
        continue;
      Q4WeightDequant tied = w;
      tied.dequant = const_cast<Node *>(dequant);
      MatchTrace ignored;
      if (!fitsTarget(g, *n, options, ignored, &tied))
        return n->name;
    }
    return "";
  }

  void rewrite(Rewriter &rw, const DequantEmbeddingMatch &m) const override {
    const Q4WeightDequant &w = m.weight;
    Value *packed = rw.createOp(
        OpKind::vkqc_pack_q4_linear_weight_default, {{"weight", w.qdata}}, DType::UInt8,
        {SymExpr(w.rows), SymExpr(quant::q4gswRowBytes(w.cols))}, w.qdata->name + "_q4");
    Value *out = m.embedding->results[0];
    Value *fused = rw.createOp(OpKind::et_vk_embedding_q4gsw_default,
                               {{"weight", packed},
                                {"weight_scales", w.scales},
                                {"group_size", w.groupSize},
                                {"indices", m.indices},
                                {"is_linear_weight", true}},
                               out->dtype, out->shape, m.embedding->name + "_q4gsw");
    rw.replaceAllUsesWith(out, fused);
    rw.eraseNode(m.embedding);
    rw.eraseIfUnused(w.dequant);
  }
};
} // namespace

std::unique_ptr<Pattern> createDequantEmbeddingPattern() {
  return std::make_unique<DequantEmbeddingPattern>();
}

} // namespace vkqc
