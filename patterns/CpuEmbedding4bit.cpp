// cpu-embedding-4bit: an int4 embedding table that stays on the CPU reads it packed.
//
//   %table = torchao.dequantize_affine(%q : i8[V, D], [1, G], %s : [V, D/G], %zp = 0, int8, -8, 7)
//   %y     = aten.embedding(%table, %indices)
// =>
//   %y     = quantized_decomposed.embedding_4bit(vkqc.pack_q4_embedding_weight(%q), %s, None,
//                                                -8, 7, %indices, dtype=out)
//
// Tried after dq-embedding: it takes the tables dq-embedding refuses (a tied lm-head left
// on the CPU shares this copy; see CpuInt4Table.h), and gathers only the rows it needs
// instead of dequantizing the whole table.
#include "patterns/CpuInt4Table.h"

namespace vkqc {

namespace {
struct CpuEmbeddingMatch {
  Node *embedding;
  Q4WeightDequant weight;
};

class CpuEmbedding4bitPattern : public TypedPattern<CpuEmbeddingMatch> {
public:
  std::optional<CpuEmbeddingMatch> match(const Graph &, const Node &root, const PassOptions &,
                                         MatchTrace &why) const override {
    std::optional<Q4WeightDequant> w = matchCpuInt4Table(root.tensorArg("weight"), why);
    if (!w)
      return std::nullopt;
    if (w->outputDType != root.results[0]->dtype)
      return why.reject("the table is dequantized to another dtype than the embedding's");
    return CpuEmbeddingMatch{const_cast<Node *>(&root), *w};
  }

  void rewrite(Rewriter &rw, const CpuEmbeddingMatch &m) const override {
    Value *out = m.embedding->results[0];
    Value *rows = createCpuTableRows(rw, m.weight, m.embedding->tensorArg("indices"), out->dtype,
                                     out->shape, m.embedding->name + "_4bit");
    rw.replaceAllUsesWith(out, rows);
    rw.eraseNode(m.embedding);
    rw.eraseIfUnused(m.weight.dequant);
  }
};
} // namespace

std::unique_ptr<Pattern> createCpuEmbedding4bitPattern() {
  return std::make_unique<CpuEmbedding4bitPattern>();
}

} // namespace vkqc
