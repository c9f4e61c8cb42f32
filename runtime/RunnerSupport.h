// Helpers shared by the kernel runners (not part of the runtime's API).
#pragma once

#include "runtime/DeviceBuffer.h"
#include "runtime/Dispatch.h"
#include "runtime/PushConstants.h"

#include "compiler/semantics/Tensor.h"

#include <optional>

namespace vkqc::vk::detail {

/// "vulkan <op>: <message>".
llvm::Error opError(llvm::StringRef op, const llvm::Twine &message);

/// "[2, 3]" for messages.
std::string shapeText(const interp::Shape &shape);

/// `t` converted to `dtype` with PyTorch's cast semantics (no copy when it already is).
llvm::Expected<interp::Tensor> castTo(const interp::Tensor &t, DType dtype);

/// A device buffer holding `t`'s bytes.
llvm::Expected<DeviceBuffer> upload(VulkanContext &context, const interp::Tensor &t);
/// A 16-byte placeholder for an absent optional operand (every binding needs a buffer).
llvm::Expected<DeviceBuffer> placeholder(VulkanContext &context);

/// The first `numel(shape)` elements of `buffer` as a tensor.
llvm::Expected<interp::Tensor> download(const DeviceBuffer &buffer, DType dtype,
                                        interp::Shape shape);

/// The named variant's pipeline (an error names a variant that was not compiled).
llvm::Expected<const ComputePipeline *> pipelineFor(VulkanContext &context,
                                                    llvm::Expected<std::string> variantName);

/// Whether the variant was compiled with macro `name` (e.g. ALGO_COOP).
bool hasMacro(const shaders::ShaderVariant &variant, llvm::StringRef name);
/// An integer macro of the variant (e.g. TILE_M); an error when it is missing.
llvm::Expected<int64_t> macroValue(const shaders::ShaderVariant &variant, llvm::StringRef name);

/// The leading dims of `shape` (all but the last).
interp::Shape leadingDims(const interp::Shape &shape);

/// Per-token int8 quantization on the device: x [rows, K] of `dtype` with per-row scales
/// (dtype) and zero points (zeroPointDtype) -> (int8 [rows, K], int32 sums [rows, K/gs]).
struct DeviceQuantized {
  DeviceBuffer values;
  DeviceBuffer groupSums;
};
llvm::Expected<DeviceQuantized>
quantizeOnDevice(VulkanContext &context, const DeviceBuffer &x, const DeviceBuffer &scale,
                 const DeviceBuffer &zeroPoint, int64_t rows, int64_t k, int64_t groupSize,
                 DType dtype, DType zeroPointDtype, int64_t quantMin, int64_t quantMax);

} // namespace vkqc::vk::detail
