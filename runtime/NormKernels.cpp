// Runner of rms_norm: x seen as [rows, width] around its last dim.
#include "runtime/FloatKernelSupport.h"
#include "runtime/FloatKernels.h"

namespace vkqc::vk {

using interp::Shape;
using interp::Tensor;

namespace {
/// The operand checks of rms_norm: float x of rank >= 1, weight [D] of x's dtype.
llvm::Error checkRmsNormOperands(llvm::StringRef op, const Tensor &x, const Tensor &weight) {
  if (llvm::Error err = detail::checkFloatOperand(op, x, "input"))
    return err;
  if (llvm::Error err = detail::checkFloatOperand(op, weight, "weight"))
    return err;
  if (x.rank() == 0)
    return detail::opError(op, "input must have at least one dim");
  if (weight.dtype() != x.dtype())
    return detail::opError(op, "weight dtype " + std::string(dtypeName(weight.dtype())) +
                                   " differs from the input's " +
                                   std::string(dtypeName(x.dtype())));
  if (weight.shape() != Shape{x.dim(-1)})
    return detail::opError(op, "weight must be [" + llvm::Twine(x.dim(-1)) + "] for input " +
                                   detail::shapeText(x.shape()) + ", got " +
                                   detail::shapeText(weight.shape()));
  return llvm::Error::success();
}
} // namespace

llvm::Expected<Tensor> runRmsNorm(VulkanContext &context, const Tensor &x, const Tensor &weight,
                                  double eps) {
  llvm::StringRef op = "rms_norm";
  if (llvm::Error err = checkRmsNormOperands(op, x, weight))
    return err;
  if (x.numel() == 0) // no rows, or rows of nothing: nothing to normalize
    return Tensor(x.dtype(), x.shape());
  auto pipeline = detail::pipelineFor(context, shaders::rmsNormVariant(x.dtype()));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();
  auto input = detail::upload(context, x);
  if (!input)
    return input.takeError();
  auto scale = detail::upload(context, weight);
  if (!scale)
    return scale.takeError();
  int64_t width = x.dim(-1);
  int64_t rows = x.numel() / width;
  // eps acts in float, as PyTorch adds a Python scalar to a float tensor.
  auto push = PushConstants(variant)
                  .set("rows", rows)
                  .set("width", width)
                  .setFloat("eps", static_cast<float>(eps))
                  .bytes();
  // One workgroup per row.
  return detail::dispatchToNewTensor(context, **pipeline, {&*input, &*scale}, std::move(push),
                                     detail::flatGrid(rows), x.dtype(), x.shape());
}

} // namespace vkqc::vk
