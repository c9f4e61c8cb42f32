// Run one quantized op on the GPU from interpreter tensors: upload the operands, pick the
// variant from the inputs (GEMV vs tiled, dtype, zero-point mode), dispatch, download.
// The semantics are those of the CPU reference kernels in compiler/semantics/Kernels.h, on
// the packed layouts of executorch-vulkan-facts §5 (see shaders/README.md).
#pragma once

#include "runtime/VulkanContext.h"
#include "shaders/KernelVariants.h"

#include "compiler/semantics/Kernels.h"

#include <optional>

namespace vkqc::vk {

struct LinearOptions {
  shaders::LinearTiles tiles = shaders::LinearTiles::Default;
  /// linear_dq8ca_q4gsw only: run the weight-only kernel on the float input instead of
  /// quantizing it (ExecuTorch does this on devices without int8 support; vkqc does it
  /// automatically when the device lacks the int8 variants' features).
  bool weightOnlyFallback = false;
};

/// et_vk.linear_q4gsw: x [..., K] (f32/f16), weights u8 [N, K/2], scales [K/gs, align4(N)],
/// bias [N] or [align4(N)]. K and group_size must be multiples of 8. Output [..., N].
llvm::Expected<interp::Tensor> runLinearQ4gsw(VulkanContext &context, const interp::Tensor &x,
                                              const interp::Tensor &weights,
                                              const interp::Tensor &scales, int64_t groupSize,
                                              const std::optional<interp::Tensor> &bias,
                                              const LinearOptions &options = {});

/// et_vk.linear_dq8ca_q4gsw: quantizes x per token with (inputScale, inputZeroPoint) on the
/// GPU and multiplies with integer accumulation. The zero point is int8 or x's dtype;
/// scales are used in x's dtype. weightSums: i32 [K/gs, align8(N)].
llvm::Expected<interp::Tensor>
runLinearDq8caQ4gsw(VulkanContext &context, const interp::Tensor &x,
                    const interp::Tensor &inputScale, const interp::Tensor &inputZeroPoint,
                    const interp::Tensor &weights, const interp::Tensor &weightSums,
                    const interp::Tensor &scales, int64_t groupSize,
                    const std::optional<interp::Tensor> &bias, const LinearOptions &options = {});

/// torchao.choose_qparams_affine(x, ASYMMETRIC, [1, .., 1, K], int8, quantMin, quantMax,
/// eps, scale_dtype = x.dtype, zero_point_dtype): scale in x's dtype and zero point of
/// `zeroPointDtype` (int8 or x's dtype), both shaped like x's leading dims. eps defaults to
/// the smallest normal of x's dtype.
llvm::Expected<interp::QParams>
runChooseQParamsPerRow(VulkanContext &context, const interp::Tensor &x, DType zeroPointDtype,
                       int64_t quantMin = -128, int64_t quantMax = 127,
                       std::optional<double> eps = std::nullopt);

struct QuantizedActivations {
  interp::Tensor values;    // i8, x's shape
  interp::Tensor groupSums; // i32 [rows, K / groupSize]
};

/// torchao.quantize_affine(x, [1, .., 1, K], scale, zeroPoint, int8, quantMin, quantMax)
/// plus per-group sums. scale must have x's dtype; zeroPoint int8 or x's dtype. K and
/// groupSize must be multiples of 4.
llvm::Expected<QuantizedActivations>
runQuantizeAndPack(VulkanContext &context, const interp::Tensor &x, const interp::Tensor &scale,
                   const interp::Tensor &zeroPoint, int64_t groupSize, int64_t quantMin = -128,
                   int64_t quantMax = 127);

/// et_vk.embedding_q4gsw: weight u8 [V, D/2] (D % 8 == 0), scales [V, G] or [V] (f16/f32;
/// bf16 is widened to f32), integer indices of any shape. Output [..., D] of `outputDtype`.
llvm::Expected<interp::Tensor> runEmbeddingQ4gsw(VulkanContext &context,
                                                 const interp::Tensor &weight,
                                                 const interp::Tensor &scales, int64_t groupSize,
                                                 const interp::Tensor &indices, bool isLinearWeight,
                                                 DType outputDtype = DType::Float32);

} // namespace vkqc::vk
