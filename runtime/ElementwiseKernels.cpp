// Runners of binary_{op} (broadcasting, or a push-constant scalar) and unary_{op}.
#include "runtime/FloatKernelSupport.h"
#include "runtime/FloatKernels.h"

#include "compiler/semantics/KernelSupport.h"

namespace vkqc::vk {

using detail::opError;
using detail::shapeText;
using interp::Shape;
using interp::Tensor;

namespace {
/// numpy broadcasting of a's and b's shapes (the interpreter's rule), in this op's words.
llvm::Expected<Shape> broadcastShape(llvm::StringRef op, const Shape &a, const Shape &b) {
  llvm::Expected<Shape> shape = interp::broadcastShapes(a, b, op);
  if (!shape) {
    llvm::consumeError(shape.takeError());
    return opError(op, "shapes " + shapeText(a) + " and " + shapeText(b) + " do not broadcast");
  }
  return shape;
}

/// The second operand of a binary op: a tensor, or a float scalar pushed as a constant.
struct SecondOperand {
  const Tensor *tensor = nullptr;
  float scalar = 0;
};

llvm::Expected<Tensor> runBinaryOp(VulkanContext &context, ElementwiseOp op, const Tensor &a,
                                   SecondOperand b, double alpha) {
  llvm::StringRef name = elementwiseOpName(op);
  if (!isBinary(op))
    return opError(name, "is not a binary op");
  if (llvm::Error err = detail::checkFloatOperand(name, a, "a"))
    return err;
  if (b.tensor) {
    if (llvm::Error err = detail::checkFloatOperand(name, *b.tensor, "b"))
      return err;
    if (b.tensor->dtype() != a.dtype())
      return opError(name, "operands of dtypes " + std::string(dtypeName(a.dtype())) + " and " +
                               std::string(dtypeName(b.tensor->dtype())) +
                               " (cast them to one dtype first)");
  }
  llvm::Expected<Shape> shape = b.tensor ? broadcastShape(name, a.shape(), b.tensor->shape())
                                         : llvm::Expected<Shape>(a.shape());
  if (!shape)
    return shape.takeError();
  if (llvm::Error err = detail::checkResultShape(name, *shape))
    return err;
  int64_t numel = interp::numelOf(*shape);
  if (numel == 0)
    return Tensor(a.dtype(), *shape);

  auto pipeline = detail::pipelineFor(context, shaders::elementwiseVariant(op, a.dtype()));
  if (!pipeline)
    return pipeline.takeError();
  auto aBuffer = detail::upload(context, a);
  if (!aBuffer)
    return aBuffer.takeError();
  auto bBuffer = b.tensor ? detail::upload(context, *b.tensor) : detail::placeholder(context);
  if (!bBuffer)
    return bBuffer.takeError();

  PushConstants push((*pipeline)->variant());
  push.set("numel", numel);
  detail::setPerDim(push, "out_size", *shape, 1);
  detail::setPerDim(push, "a_stride", detail::broadcastStrides(a.shape(), shape->size()), 0);
  detail::setPerDim(push, "b_stride",
                    b.tensor ? detail::broadcastStrides(b.tensor->shape(), shape->size())
                             : std::vector<int64_t>(shape->size(), 0),
                    0);
  push.set("b_is_scalar", b.tensor ? 0 : 1);
  push.setFloat("b_scalar", b.scalar);
  // PyTorch reads alpha in opmath precision (float for f32 and f16).
  push.setFloat("alpha", static_cast<float>(alpha));
  uint32_t groupSize = (*pipeline)->variant().workgroupSize[0];
  return detail::dispatchToNewTensor(context, **pipeline, {&*aBuffer, &*bBuffer}, push.bytes(),
                                     detail::flatGrid(workgroupsFor(numel, groupSize)), a.dtype(),
                                     *shape);
}
} // namespace

llvm::Expected<Tensor> runBinary(VulkanContext &context, ElementwiseOp op, const Tensor &a,
                                 const Tensor &b, double alpha) {
  return runBinaryOp(context, op, a, SecondOperand{&b, 0.0f}, alpha);
}

llvm::Expected<Tensor> runBinaryScalar(VulkanContext &context, ElementwiseOp op, const Tensor &a,
                                       double scalar, double alpha) {
  // A Python number keeps opmath (float) precision: it is not rounded to a's dtype.
  return runBinaryOp(context, op, a, SecondOperand{nullptr, static_cast<float>(scalar)}, alpha);
}

llvm::Expected<Tensor> runUnary(VulkanContext &context, ElementwiseOp op, const Tensor &x) {
  llvm::StringRef name = elementwiseOpName(op);
  if (isBinary(op))
    return opError(name, "is not a unary op");
  if (llvm::Error err = detail::checkFloatOperand(name, x, "input"))
    return err;
  if (x.numel() == 0)
    return Tensor(x.dtype(), x.shape());
  auto pipeline = detail::pipelineFor(context, shaders::elementwiseVariant(op, x.dtype()));
  if (!pipeline)
    return pipeline.takeError();
  auto input = detail::upload(context, x);
  if (!input)
    return input.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();
  return detail::dispatchToNewTensor(
      context, **pipeline, {&*input}, PushConstants(variant).set("numel", x.numel()).bytes(),
      detail::flatGrid(workgroupsFor(x.numel(), variant.workgroupSize[0])), x.dtype(), x.shape());
}

} // namespace vkqc::vk
