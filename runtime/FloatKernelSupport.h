// Helpers shared by the float-op runners (ElementwiseKernels, CopyKernels,
// ReductionKernels): operand checks, the per-dim push constants of indexing.glslh, the
// 2-D grid its flat indices assume, and the upload-dispatch-download of one kernel.
#pragma once

#include "runtime/RunnerSupport.h"

namespace vkqc::vk::detail {

/// The most dims the strided kernels index (MAX_RANK in shaders/glsl/indexing.glslh).
constexpr int64_t MaxKernelRank = 6;

/// Checks that `t` is f32 or f16, of rank <= MaxKernelRank, with an element count that
/// int32 indices reach; `what` names the operand in the error.
llvm::Error checkFloatOperand(llvm::StringRef op, const interp::Tensor &t, llvm::StringRef what);
/// Checks a result shape (rank and element count) like checkFloatOperand.
llvm::Error checkResultShape(llvm::StringRef op, const interp::Shape &shape);

/// `dim` wrapped into [0, rank) (a 0-d tensor takes 0 and -1, as in PyTorch).
llvm::Expected<int64_t> normalizeDim(llvm::StringRef op, int64_t dim, int64_t rank);

/// Strides that read a tensor of shape `in` broadcast to a rank-`outRank` shape: the
/// contiguous strides, right-aligned, with 0 on size-1 and new leading dims.
std::vector<int64_t> broadcastStrides(const interp::Shape &in, size_t outRank);

/// Sets the push constants name0 .. name5 to `values` right-aligned, the leading dims set
/// to `padding` (1 for sizes, 0 for strides). `values` has at most MaxKernelRank entries.
void setPerDim(PushConstants &push, llvm::StringRef name, llvm::ArrayRef<int64_t> values,
               int64_t padding);

/// A grid of `workgroups` 1-D workgroups, split over y beyond the 65535 that x is
/// guaranteed (the shaders flatten it back: flatWorkgroupIndex).
WorkgroupCount flatGrid(int64_t workgroups);

/// Binds a new output buffer of `dtype` `shape` at binding 0 and `inputs` after it,
/// dispatches once and downloads the output.
llvm::Expected<interp::Tensor> dispatchToNewTensor(VulkanContext &context,
                                                   const ComputePipeline &pipeline,
                                                   llvm::ArrayRef<const DeviceBuffer *> inputs,
                                                   llvm::Expected<std::vector<uint8_t>> push,
                                                   WorkgroupCount groups, DType dtype,
                                                   const interp::Shape &shape);

} // namespace vkqc::vk::detail
