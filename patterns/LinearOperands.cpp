#include "patterns/LinearOperands.h"

#include "compiler/quant/Q4Packing.h"

namespace vkqc {

PackedLinearWeight createPackedLinearWeight(Rewriter &rw, const Q4WeightDequant &w) {
  Value *packed = rw.createOp("vkqc.pack_q4_linear_weight.default", {{"weight", w.qdata}},
                              DType::UInt8, {SymExpr(w.rows), SymExpr(quant::alignUp(w.cols, 8) / 2)},
                              w.qdata->name + "_q4");
  int64_t groups = w.cols / w.groupSize;
  Value *scales = rw.createOp("vkqc.transpose_pad_scales.default", {{"scales", w.scales}, {"align", int64_t(4)}},
                              w.scales->dtype, {SymExpr(groups), SymExpr(quant::alignUp(w.rows, 4))},
                              w.scales->name + "_t");
  return {packed, scales};
}

Value *createWeightSums(Rewriter &rw, const Q4WeightDequant &w) {
  return rw.createOp("vkqc.q4_weight_sums.default", {{"weight", w.qdata}, {"group_size", w.groupSize}},
                     DType::Int32, {SymExpr(w.cols / w.groupSize), SymExpr(quant::alignUp(w.rows, 8))},
                     w.qdata->name + "_sums");
}

bool linearShapesSupported(const Q4WeightDequant &w, MatchTrace &why) {
  // N % 4: output texels hold 4 channels and the runtime checks it (no AOT padding of N).
  if (w.rows % 4 != 0) {
    why.reject("out features N=" + std::to_string(w.rows) + " is not a multiple of 4 (q4gsw linears need it)");
    return false;
  }
  // K % 4: inputs are read as vec4 along K (quantized_linear.py guard).
  if (w.cols % 4 != 0) {
    why.reject("in features K=" + std::to_string(w.cols) + " is not a multiple of 4 (q4gsw linears need it)");
    return false;
  }
  // The shaders take K4_per_group = group_size / 4 as a specialization constant.
  if (w.groupSize % 4 != 0) {
    why.reject("group size " + std::to_string(w.groupSize) + " is not a multiple of 4");
    return false;
  }
  return true;
}

} // namespace vkqc
