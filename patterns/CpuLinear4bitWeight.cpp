// cpu-linear-4bit-weight: the int4 weight of a linear that no pattern could fuse (it stays
// on the CPU) is read from a packed table.
//
//   %w = torchao.dequantize_affine(%q : i8[N, K], [1, G], %s : [N, K/G], %zp = 0, int8, -8, 7)
//   %y = aten.linear(%x, %w, %bias?)
// =>
//   %rows = aten.arange(N, dtype=int64)
//   %w    = quantized_decomposed.embedding_4bit(vkqc.pack_q4_embedding_weight(%q), %s, None,
//                                               -8, 7, %rows, dtype=out)
//   %y    = aten.linear(%x, %w, %bias?)
//
// Tried last on a linear: the fused linear patterns come first. The weight computes the
// same values (q * s, one rounding) and a tied embedding shares the packed copy (see
// CpuInt4Table.h).
#include "patterns/CpuInt4Table.h"

namespace vkqc {

namespace {
struct CpuLinearMatch {
  Q4WeightDequant weight;
};

class CpuLinear4bitWeightPattern : public TypedPattern<CpuLinearMatch> {
public:
  std::optional<CpuLinearMatch> match(const Graph &, const Node &root, const PassOptions &,
                                      MatchTrace &why) const override {
    std::optional<Q4WeightDequant> w = matchCpuInt4Table(root.tensorArg("weight"), why);
    if (!w)
      return std::nullopt;
    return CpuLinearMatch{*w};
  }

  void rewrite(Rewriter &rw, const CpuLinearMatch &m) const override {
    const Q4WeightDequant &w = m.weight;
    // Every user of the dequantized weight reads the new one: build it where the old one was.
    rw.setInsertionPoint(w.dequant);
    Value *old = w.dequant->results[0];
    Value *rows =
        rw.createOp(OpKind::aten_arange_default, {{"end", w.rows}, {"dtype", DType::Int64}},
                    DType::Int64, {SymExpr(w.rows)}, w.dequant->name + "_rows");
    Value *weight =
        createCpuTableRows(rw, w, rows, old->dtype, old->shape, w.dequant->name + "_4bit");
    rw.replaceAllUsesWith(old, weight);
    rw.eraseNode(w.dequant);
  }
};
} // namespace

std::unique_ptr<Pattern> createCpuLinear4bitWeightPattern() {
  return std::make_unique<CpuLinear4bitWeightPattern>();
}

} // namespace vkqc
