#include "patterns/CpuInt4Table.h"

namespace vkqc {

std::optional<Q4WeightDequant> matchCpuInt4Table(const Value *weight, MatchTrace &why) {
  std::optional<Q4WeightDequant> w = matchQ4WeightDequant(weight, why);
  if (!w)
    return std::nullopt;
  if (w->cols % 2 != 0)
    return why.reject("table width " + std::to_string(w->cols) +
                      " is odd (embedding_4bit packs two values a byte)");
  if (w->groupSize < 2)
    return why.reject("group size 1 (embedding_4bit needs groups of two or more values)");
  return w;
}

Value *createCpuTableRows(Rewriter &rw, const Q4WeightDequant &w, Value *indices, DType outDType,
                          Dims shape, llvm::StringRef name) {
  Value *packed =
      rw.createOp(OpKind::vkqc_pack_q4_embedding_weight_default, {{"weight", w.qdata}},
                  DType::UInt8, {SymExpr(w.rows), SymExpr(w.cols / 2)}, w.qdata->name + "_q4e");
  return rw.createOp(OpKind::quantized_decomposed_embedding_4bit_dtype,
                     {{"weight", packed},
                      {"weight_scales", w.scales},
                      {"weight_zero_points", NoneArg{}},
                      {"weight_quant_min", int64_t(-8)},
                      {"weight_quant_max", int64_t(7)},
                      {"indices", indices},
                      {"dtype", outDType}},
                     outDType, std::move(shape), name);
}

} // namespace vkqc
