#include "shaders/generator/VariantAxes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"

namespace vkqc::shaders {

namespace {
const llvm::StringMap<std::vector<AxisValue>> &axes() {
  static const llvm::StringMap<std::vector<AxisValue>> table = {
      // Tensor dtype of the activations, outputs and (for linear) weight scales.
      {"dtype",
       {{"float", {{"DTYPE_FLOAT", "1"}}, [](TypeRoles &r) { r.dtype = ElementType::Float32; }},
        {"half", {{"DTYPE_HALF", "1"}}, [](TypeRoles &r) { r.dtype = ElementType::Float16; }}}},
      // Per-token zero points stored as int8 or in DTYPE (ExecuTorch's ZP_DTYPE_MODE).
      {"zp",
       {{"zpint8", {{"ZP_INT8", "1"}}, [](TypeRoles &r) { r.zpDtype = ElementType::Int8; }},
        {"zpinherit", {{"ZP_INHERIT", "1"}}, [](TypeRoles &r) { r.zpDtype = llvm::None; }}}},
      // Embedding scales: half by default (no suffix), like ExecuTorch's SCALES_DTYPE.
      {"scales",
       {{"", {{"SCALES_HALF", "1"}}, [](TypeRoles &r) { r.scalesDtype = ElementType::Float16; }},
        {"float_scales", {{"SCALES_FLOAT", "1"}},
         [](TypeRoles &r) { r.scalesDtype = ElementType::Float32; }}}},
      // Linear algorithm and tile: GEMV, and GEMM with a default and a smaller tile (fewer
      // registers per invocation, for GPUs with small register files).
      {"algo",
       {{"coop", {{"ALGO_COOP", "1"}}},
        {"tiled", {{"ALGO_TILED", "1"}, {"TILE_M", "4"}, {"TILE_N", "8"}}},
        {"tiled_m2n4", {{"ALGO_TILED", "1"}, {"TILE_M", "2"}, {"TILE_N", "4"}}}}},
      // Storage of the tensors: contiguous storage buffers only, named like ExecuTorch.
      {"storage", {{"buffer", {}}}},
      {"io_weight_storage", {{"buffer_buffer", {}}}},
      {"output_input_storage", {{"buffer_buffer", {}}}},
  };
  return table;
}
} // namespace

llvm::Expected<const std::vector<AxisValue> *> axisValues(llvm::StringRef axis) {
  auto it = axes().find(axis);
  if (it == axes().end())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "Shaders.def names an unknown variant axis '" + axis + "'");
  return &it->second;
}

} // namespace vkqc::shaders
