// Runners of the float ops of a transformer on the GPU (issue: the whole decoder on
// Vulkan): elementwise ops with broadcasting, copies through strided views (transpose,
// permute, expand, slice, cat, dtype casts), reductions (mean over a dim, softmax),
// matmul/bmm and scaled dot-product attention.
//
// Each runner uploads its operands, dispatches one compiled variant (shaders/Shaders.def)
// and downloads a fresh contiguous tensor. The semantics are those of the reference
// interpreter's kernels (compiler/semantics/Kernels.h); tensors are f32 or f16 (the kernels
// compute in float and round once to the output dtype, like PyTorch's opmath).
#pragma once

#include "runtime/VulkanContext.h"
#include "shaders/KernelVariants.h"

#include "compiler/semantics/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace vkqc::vk {

using shaders::ElementwiseOp;

// ---- Elementwise (ElementwiseKernels.cpp) -------------------------------------------------

/// a (op) b with PyTorch broadcasting (rank <= 6); a and b have one float dtype, the
/// result has it too. Add/Sub compute a op alpha * b. op must be binary.
llvm::Expected<interp::Tensor> runBinary(VulkanContext &context, ElementwiseOp op,
                                         const interp::Tensor &a, const interp::Tensor &b,
                                         double alpha = 1.0);
/// a (op) scalar (a Python number: aten.add.Tensor(x, 1e-6), aten.pow.Tensor_Scalar(x, 2)).
/// The scalar stays a float (it does not round to a's dtype first).
llvm::Expected<interp::Tensor> runBinaryScalar(VulkanContext &context, ElementwiseOp op,
                                               const interp::Tensor &a, double scalar,
                                               double alpha = 1.0);
/// op(x) for the unary ops.
llvm::Expected<interp::Tensor> runUnary(VulkanContext &context, ElementwiseOp op,
                                        const interp::Tensor &x);

// ---- Copies through strided views (CopyKernels.cpp) ---------------------------------------

/// Elements of `src` (contiguous) read through a view: for every index i over `sizes`,
/// result[i] = src[offset + sum_d i[d] * strides[d]]. Strides may be 0 (broadcast).
struct StridedView {
  interp::Shape sizes;
  std::vector<int64_t> strides;
  int64_t offset = 0;
};
/// The view materialized as a contiguous tensor of `outputDtype` (f32/f16 in and out).
llvm::Expected<interp::Tensor> runStridedCopy(VulkanContext &context, const interp::Tensor &src,
                                              const StridedView &view, DType outputDtype);
/// aten.transpose.int / aten.permute.default / aten.expand.default / aten.slice.Tensor /
/// aten._to_copy.default (float dtypes) / aten.cat.default, each a strided copy.
llvm::Expected<interp::Tensor> runTranspose(VulkanContext &context, const interp::Tensor &x,
                                            int64_t dim0, int64_t dim1);
llvm::Expected<interp::Tensor> runPermute(VulkanContext &context, const interp::Tensor &x,
                                          llvm::ArrayRef<int64_t> dims);
llvm::Expected<interp::Tensor> runExpand(VulkanContext &context, const interp::Tensor &x,
                                         llvm::ArrayRef<int64_t> sizes);
llvm::Expected<interp::Tensor> runSlice(VulkanContext &context, const interp::Tensor &x,
                                        int64_t dim, std::optional<int64_t> start,
                                        std::optional<int64_t> end, int64_t step);
llvm::Expected<interp::Tensor> runToDType(VulkanContext &context, const interp::Tensor &x,
                                          DType dtype);
llvm::Expected<interp::Tensor> runCat(VulkanContext &context,
                                      llvm::ArrayRef<interp::Tensor> tensors, int64_t dim);

// ---- Reductions (ReductionKernels.cpp) ----------------------------------------------------

/// aten.mean.dim over one dim (negative dims count from the end).
llvm::Expected<interp::Tensor> runMeanDim(VulkanContext &context, const interp::Tensor &x,
                                          int64_t dim, bool keepdim);
/// aten._softmax / aten.softmax.int over one dim.
llvm::Expected<interp::Tensor> runSoftmax(VulkanContext &context, const interp::Tensor &x,
                                          int64_t dim);

// ---- Normalization (NormKernels.cpp) ------------------------------------------------------

/// et_vk.rms_norm(x, weight, eps): over the last dim of x, in float,
/// y = x * rsqrt(mean(x^2) + eps) * weight, rounded once to x's dtype. weight [D] has x's dtype.
llvm::Expected<interp::Tensor> runRmsNorm(VulkanContext &context, const interp::Tensor &x,
                                          const interp::Tensor &weight, double eps);

// ---- Matrix products and attention (AttentionKernels.cpp) ---------------------------------

/// torch.matmul for operands of rank >= 1 (1-D operands as in PyTorch), batch dims
/// broadcast; aten.bmm is the 3-D case.
llvm::Expected<interp::Tensor> runMatmul(VulkanContext &context, const interp::Tensor &a,
                                         const interp::Tensor &b);
/// aten.scaled_dot_product_attention: q [B, Hq, L, E], k [B, Hkv, S, E], v [B, Hkv, S, Ev];
/// Hkv may divide Hq when enableGqa; mask bool (true keeps) or float (added), broadcast to
/// [B, Hq, L, S]; isCausal masks s > l; scale defaults to 1/sqrt(E).
llvm::Expected<interp::Tensor>
runScaledDotProductAttention(VulkanContext &context, const interp::Tensor &q,
                             const interp::Tensor &k, const interp::Tensor &v,
                             const std::optional<interp::Tensor> &mask, std::optional<double> scale,
                             bool isCausal, bool enableGqa);

} // namespace vkqc::vk
