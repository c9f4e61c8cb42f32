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
        {"float_scales",
         {{"SCALES_FLOAT", "1"}},
         [](TypeRoles &r) { r.scalesDtype = ElementType::Float32; }}}},
      // Linear algorithm and tile: GEMV, and GEMM with a default and a smaller tile (fewer
      // registers per invocation, for GPUs with small register files).
      {"algo",
       {{"coop", {{"ALGO_COOP", "1"}}},
        {"tiled", {{"ALGO_TILED", "1"}, {"TILE_M", "4"}, {"TILE_N", "8"}}},
        {"tiled_m2n4", {{"ALGO_TILED", "1"}, {"TILE_M", "2"}, {"TILE_N", "4"}}}}},
      // Attention mask: none, bool (true keeps; bytes read as uint words, so no 8-bit
      // storage feature is needed) or float in DTYPE (added to the scores).
      {"mask",
       {{"nomask", {{"MASK_NONE", "1"}}, [](TypeRoles &r) { r.mask = TypeRoles::Mask::Absent; }},
        {"boolmask",
         {{"MASK_BOOL", "1"}},
         [](TypeRoles &r) { r.mask = TypeRoles::Mask::BoolWords; }},
        {"floatmask",
         {{"MASK_FLOAT", "1"}},
         [](TypeRoles &r) { r.mask = TypeRoles::Mask::Dtype; }}}},
      // Output tile of one matmul invocation (no name suffix; the runner reads the macros).
      {"matmul_tile", {{"", {{"TILE_M", "4"}, {"TILE_N", "4"}}}}},
      // Input dtype of strided_copy (its output dtype is the dtype axis).
      {"in_dtype",
       {{"float",
         {{"IN_DTYPE_FLOAT", "1"}},
         [](TypeRoles &r) { r.inDtype = ElementType::Float32; }},
        {"half", {{"IN_DTYPE_HALF", "1"}}, [](TypeRoles &r) { r.inDtype = ElementType::Float16; }},
        // Integer positions (int64 narrowed to int32 on upload) cast to float for RoPE.
        {"int32",
         {{"IN_DTYPE_INT32", "1"}},
         [](TypeRoles &r) { r.inDtype = ElementType::Int32; }}}},
      // The op of the elementwise families (binary.glsl, unary.glsl).
      {"binary_op",
       {{"add", {{"OP_ADD", "1"}}},
        {"sub", {{"OP_SUB", "1"}}},
        {"mul", {{"OP_MUL", "1"}}},
        {"div", {{"OP_DIV", "1"}}},
        {"pow", {{"OP_POW", "1"}}}}},
      {"unary_op",
       {{"neg", {{"OP_NEG", "1"}}},
        {"rsqrt", {{"OP_RSQRT", "1"}}},
        {"sqrt", {{"OP_SQRT", "1"}}},
        {"silu", {{"OP_SILU", "1"}}},
        {"sigmoid", {{"OP_SIGMOID", "1"}}},
        {"exp", {{"OP_EXP", "1"}}},
        {"cos", {{"OP_COS", "1"}}},
        {"sin", {{"OP_SIN", "1"}}},
        {"tanh", {{"OP_TANH", "1"}}},
        {"gelu_tanh", {{"OP_GELU_TANH", "1"}}}}},
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
