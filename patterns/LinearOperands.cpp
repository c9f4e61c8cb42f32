#include "patterns/LinearOperands.h"

#include "compiler/quant/Q4gswContract.h"

namespace vkqc {

PackedLinearWeight createPackedLinearWeight(Rewriter &rw, const Q4WeightDequant &w) {
  Value *packed =
      rw.createOp(OpKind::vkqc_pack_q4_linear_weight_default, {{"weight", w.qdata}}, DType::UInt8,
                  {SymExpr(w.rows), SymExpr(quant::q4gswRowBytes(w.cols))}, w.qdata->name + "_q4");
  int64_t groups = w.cols / w.groupSize;
  Value *scales = rw.createOp(OpKind::vkqc_transpose_pad_scales_default,
                              {{"scales", w.scales}, {"align", int64_t(4)}}, w.scales->dtype,
                              {SymExpr(groups), SymExpr(quant::q4gswScaleColumns(w.rows))},
                              w.scales->name + "_t");
  return {packed, scales};
}

Value *createWeightSums(Rewriter &rw, const Q4WeightDequant &w) {
  return rw.createOp(OpKind::vkqc_q4_weight_sums_default,
                     {{"weight", w.qdata}, {"group_size", w.groupSize}}, DType::Int32,
                     {SymExpr(w.cols / w.groupSize), SymExpr(quant::q4gswSumColumns(w.rows))},
                     w.qdata->name + "_sums");
}

bool linearShapesSupported(const Q4WeightDequant &w, MatchTrace &why) {
  std::string problem = quant::q4gswShapeProblem({w.rows, w.cols, w.groupSize});
  if (!problem.empty())
    why.reject(problem);
  return problem.empty();
}

} // namespace vkqc
