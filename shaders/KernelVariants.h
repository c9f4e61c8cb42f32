// Which compiled variant serves an op, from the op's shapes and dtypes: the naming rules
// of ExecuTorch's ShaderNameUtils (dtype and zero-point suffixes) applied to vkqc's
// variants. The compiler's kernel selection and the runtime's kernel runners share them.
#pragma once

#include "compiler/ir/DType.h"
#include "compiler/ir/OpKind.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace vkqc::shaders {

/// Tile set of the tiled linear kernels, selectable per target.
enum class LinearTiles {
  Default, // TILE_M = 4, TILE_N = 8
  M2N4,    // TILE_M = 2, TILE_N = 4: fewer registers per invocation
};

/// "_float" / "_half"; an error for dtypes the kernels do not have.
llvm::Expected<std::string> dtypeSuffix(DType dtype);
/// "_zpint8" for an int8 zero point, "_zpinherit" for one in the activation dtype.
llvm::Expected<std::string> zeroPointSuffix(DType zeroPointDtype, DType activationDtype);

/// linear_q4gsw_{coop (rows == 1) | tiled[_m2n4]}_buffer_buffer_{dtype}.
llvm::Expected<std::string> linearQ4gswVariant(int64_t rows, DType dtype, LinearTiles tiles);
/// linear_dq8ca_q4gsw_{coop | tiled[_m2n4]}_buffer_buffer_{dtype}_{zp}.
llvm::Expected<std::string> linearDq8caQ4gswVariant(int64_t rows, DType dtype, DType zeroPointDtype,
                                                    LinearTiles tiles);
/// choose_qparams_per_row_buffer_{dtype}_{zp}.
llvm::Expected<std::string> chooseQParamsPerRowVariant(DType dtype, DType zeroPointDtype);
/// quantize_and_pack_with_group_sums_buffer_buffer_{dtype}_{zp}.
llvm::Expected<std::string> quantizeAndPackVariant(DType dtype, DType zeroPointDtype);
/// embedding_q4gsw[_float_scales]_buffer_{output dtype}; scales are f16 or f32.
llvm::Expected<std::string> embeddingQ4gswVariant(DType scalesDtype, DType outputDtype);

// ---- Float ops of the decoder (runtime/FloatKernels.h) -------------------------------------

/// Elementwise ops: binary ones read two tensors (or a tensor and a push-constant scalar),
/// unary ones one.
enum class ElementwiseOp {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Neg,
  Rsqrt,
  Sqrt,
  Silu,
  Sigmoid,
  Exp,
  Cos,
  Sin,
  Tanh,
  GeluTanh
};
bool isBinary(ElementwiseOp op);
/// The elementwise op an aten op runs (aten_add_Tensor -> Add), if it is one.
std::optional<ElementwiseOp> elementwiseOpOf(OpKind op);
/// "add", "rsqrt", ...
llvm::StringRef elementwiseOpName(ElementwiseOp op);
/// binary_{op}_buffer_{dtype} or unary_{op}_buffer_{dtype}.
llvm::Expected<std::string> elementwiseVariant(ElementwiseOp op, DType dtype);
/// strided_copy_buffer_{input dtype}_{output dtype} (input float / half / int32 (int64
/// too: narrowed on upload), output float / half).
llvm::Expected<std::string> stridedCopyVariant(DType inputDtype, DType outputDtype);
/// mean_dim_buffer_{dtype}.
llvm::Expected<std::string> meanDimVariant(DType dtype);
/// softmax_buffer_{dtype}.
llvm::Expected<std::string> softmaxVariant(DType dtype);
/// rms_norm_buffer_{dtype}.
llvm::Expected<std::string> rmsNormVariant(DType dtype);
/// matmul_buffer_{dtype}.
llvm::Expected<std::string> matmulVariant(DType dtype);
/// sdpa_buffer_{dtype}_{nomask | boolmask | floatmask}; maskDtype is Bool, the float dtype
/// of q, or absent.
llvm::Expected<std::string> sdpaVariant(DType dtype, std::optional<DType> maskDtype);

} // namespace vkqc::shaders
