// Runners of mean_dim and softmax: both see x as [outer, n, inner] around one dim.
#include "runtime/FloatKernelSupport.h"
#include "runtime/FloatKernels.h"

#include <limits>

namespace vkqc::vk {

using interp::Shape;
using interp::Tensor;

namespace {
/// x seen as [outer, n, inner] around `dim` (a 0-d tensor is one line of one element).
struct Lines {
  int64_t outer = 1, n = 1, inner = 1;
};

Lines linesAround(const Shape &shape, int64_t dim) {
  Lines lines;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    int64_t &factor = d < dim ? lines.outer : d == dim ? lines.n : lines.inner;
    factor *= shape[d];
  }
  return lines;
}

llvm::Expected<std::vector<uint8_t>> linePushConstants(const shaders::ShaderVariant &variant,
                                                       const Lines &lines) {
  return PushConstants(variant)
      .set("outer", lines.outer)
      .set("n", lines.n)
      .set("inner", lines.inner)
      .bytes();
}

/// Checks x and wraps dim: the common start of both reductions.
llvm::Expected<int64_t> checkedDim(llvm::StringRef op, const Tensor &x, int64_t dim) {
  if (llvm::Error err = detail::checkFloatOperand(op, x, "input"))
    return err;
  return detail::normalizeDim(op, dim, x.rank());
}
} // namespace

llvm::Expected<Tensor> runMeanDim(VulkanContext &context, const Tensor &x, int64_t dim,
                                  bool keepdim) {
  llvm::StringRef op = "mean";
  auto d = checkedDim(op, x, dim);
  if (!d)
    return d.takeError();
  Shape shape = x.shape();
  if (x.rank() > 0) {
    if (keepdim)
      shape[*d] = 1;
    else
      shape.erase(shape.begin() + *d);
  }
  Lines lines = linesAround(x.shape(), *d);
  Tensor result(x.dtype(), shape);
  if (result.numel() == 0)
    return result;
  if (lines.n == 0) { // the mean of nothing is 0/0, as in PyTorch
    for (int64_t i = 0; i < result.numel(); ++i)
      result.setDouble(i, std::numeric_limits<double>::quiet_NaN());
    return result;
  }
  auto pipeline = detail::pipelineFor(context, shaders::meanDimVariant(x.dtype()));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();
  auto input = detail::upload(context, x);
  if (!input)
    return input.takeError();
  // One invocation per output element.
  return detail::dispatchToNewTensor(
      context, **pipeline, {&*input}, linePushConstants(variant, lines),
      detail::flatGrid(workgroupsFor(result.numel(), variant.workgroupSize[0])), x.dtype(), shape);
}

llvm::Expected<Tensor> runSoftmax(VulkanContext &context, const Tensor &x, int64_t dim) {
  llvm::StringRef op = "softmax";
  auto d = checkedDim(op, x, dim);
  if (!d)
    return d.takeError();
  if (x.numel() == 0)
    return Tensor(x.dtype(), x.shape());
  auto pipeline = detail::pipelineFor(context, shaders::softmaxVariant(x.dtype()));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();
  auto input = detail::upload(context, x);
  if (!input)
    return input.takeError();
  Lines lines = linesAround(x.shape(), *d);
  // One workgroup per line.
  return detail::dispatchToNewTensor(
      context, **pipeline, {&*input}, linePushConstants(variant, lines),
      detail::flatGrid(lines.outer * lines.inner), x.dtype(), x.shape());
}

} // namespace vkqc::vk
