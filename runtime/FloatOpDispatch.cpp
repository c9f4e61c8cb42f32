#include "runtime/FloatOpDispatch.h"

#include "runtime/FloatKernels.h"

#include "compiler/semantics/KernelSupport.h"

namespace vkqc::vk::exec {

namespace {

enum class Kind {
  Elementwise,
  Copy,
  Select,
  Linear,
  Cat,
  Mean,
  Softmax,
  RmsNorm,
  Matmul,
  Attention,
  Reshape,
  Unsqueeze,
  Alias,
  None
};

Kind kindOf(OpKind op) {
  if (shaders::elementwiseOpOf(op))
    return Kind::Elementwise;
  switch (op) {
  case OpKind::aten_slice_copy_Tensor:
  case OpKind::aten_permute_copy_default:
  case OpKind::aten_expand_copy_default:
  case OpKind::aten__to_copy_default:
    return Kind::Copy;
  case OpKind::aten_select_copy_int:
    return Kind::Select;
  case OpKind::aten_linear_default:
    return Kind::Linear;
  case OpKind::aten_cat_default:
    return Kind::Cat;
  case OpKind::aten_mean_dim:
    return Kind::Mean;
  case OpKind::aten__softmax_default:
    return Kind::Softmax;
  case OpKind::et_vk_rms_norm_default:
    return Kind::RmsNorm;
  case OpKind::aten_bmm_default:
  case OpKind::aten_mm_default:
    return Kind::Matmul;
  case OpKind::et_vk_sdpa_default:
    return Kind::Attention;
  case OpKind::aten_view_copy_default:
    return Kind::Reshape;
  case OpKind::aten_unsqueeze_copy_default:
    return Kind::Unsqueeze;
  case OpKind::aten_clone_default:
  case OpKind::et_vk_prepack_default:
    return Kind::Alias;
  default:
    return Kind::None;
  }
}

llvm::Expected<Tensor> runElementwise(VulkanContext &context, const VkOpArguments &a,
                                      DType outDtype, const RequireVariant &require) {
  ElementwiseOp op = *shaders::elementwiseOpOf(a.op);
  if (llvm::Error err = require(shaders::elementwiseVariant(op, outDtype)))
    return err;
  VKQC_TRY(self, a.tensor(0));
  if (!shaders::isBinary(op))
    return runUnary(context, op, *self);
  double alpha = 1.0;
  if (op == ElementwiseOp::Add || op == ElementwiseOp::Sub) {
    VKQC_TRY(al, a.real(2));
    alpha = *al;
  }
  const VkValue *other = a.value(1);
  if (other && std::holds_alternative<VkTensorValue>(*other)) {
    VKQC_TRY(b, a.tensor(1));
    return runBinary(context, op, *self, *b, alpha);
  }
  VKQC_TRY(scalar, a.real(1));
  return runBinaryScalar(context, op, *self, *scalar, alpha);
}

llvm::Expected<Tensor> runCopy(VulkanContext &context, const VkOpArguments &a, DType outDtype,
                               const RequireVariant &require) {
  VKQC_TRY(self, a.tensor(0));
  if (llvm::Error err = require(shaders::stridedCopyVariant(self->dtype(), outDtype)))
    return err;
  if (a.op == OpKind::aten__to_copy_default)
    return runToDType(context, *self, outDtype);
  if (a.op == OpKind::aten_permute_copy_default) {
    VKQC_TRY(dims, a.integers(1));
    return runPermute(context, *self, *dims);
  }
  if (a.op == OpKind::aten_expand_copy_default) {
    VKQC_TRY(sizes, a.integers(1));
    return runExpand(context, *self, *sizes);
  }
  VKQC_TRY(dim, a.integer(1));
  VKQC_TRY(start, a.optionalInteger(2));
  VKQC_TRY(end, a.optionalInteger(3));
  VKQC_TRY(step, a.integer(4));
  return runSlice(context, *self, *dim, *start, *end, *step);
}

llvm::Expected<Tensor> runOp(VulkanContext &context, const VkOpArguments &a, Kind kind,
                             DType outDtype, const RequireVariant &require) {
  switch (kind) {
  case Kind::Elementwise:
    return runElementwise(context, a, outDtype, require);
  case Kind::Copy:
    return runCopy(context, a, outDtype, require);
  case Kind::Select: { // a one-element slice, its dim dropped
    VKQC_TRY(self, a.tensor(0));
    VKQC_TRY(dim, a.integer(1));
    VKQC_TRY(index, a.integer(2));
    if (llvm::Error err = require(shaders::stridedCopyVariant(self->dtype(), outDtype)))
      return err;
    int64_t rank = self->rank(), d = *dim < 0 ? *dim + rank : *dim;
    if (d < 0 || d >= rank)
      return execError(a.where, "select dim " + llvm::Twine(*dim) + " out of range for rank " +
                                    llvm::Twine(rank));
    int64_t i = *index < 0 ? *index + self->dim(d) : *index;
    VKQC_TRY(part, runSlice(context, *self, d, i, i + 1, 1));
    interp::Shape shape = self->shape();
    shape.erase(shape.begin() + d);
    return part->reshaped(shape);
  }
  case Kind::Linear: { // x @ weight^T (+ bias): a transposed copy of the weight, a matmul, an add
    VKQC_TRY(x, a.tensor(0));
    VKQC_TRY(weight, a.tensor(1));
    VKQC_TRY(bias, a.optionalTensor(2));
    if (llvm::Error err = require(shaders::stridedCopyVariant(weight->dtype(), weight->dtype())))
      return err;
    if (llvm::Error err = require(shaders::matmulVariant(outDtype)))
      return err;
    VKQC_TRY(transposed, runTranspose(context, *weight, 0, 1));
    VKQC_TRY(product, runMatmul(context, *x, *transposed));
    if (!*bias)
      return std::move(*product);
    if (llvm::Error err = require(shaders::elementwiseVariant(ElementwiseOp::Add, outDtype)))
      return err;
    return runBinary(context, ElementwiseOp::Add, *product, **bias, 1.0);
  }
  case Kind::Cat: {
    VKQC_TRY(inputs, a.tensors(0));
    VKQC_TRY(dim, a.integer(1));
    for (const Tensor &t : *inputs)
      if (llvm::Error err = require(shaders::stridedCopyVariant(t.dtype(), outDtype)))
        return err;
    return runCat(context, *inputs, *dim);
  }
  case Kind::Mean: {
    VKQC_TRY(self, a.tensor(0));
    VKQC_TRY(dims, a.integers(1));
    VKQC_TRY(keepdim, a.boolean(2));
    if (dims->size() != 1)
      return execError(a.where, "mean over " + shapeText(*dims) + ": the kernel reduces one dim");
    if (llvm::Error err = require(shaders::meanDimVariant(outDtype)))
      return err;
    return runMeanDim(context, *self, (*dims)[0], *keepdim);
  }
  case Kind::Softmax: {
    VKQC_TRY(self, a.tensor(0));
    VKQC_TRY(dim, a.integer(1));
    if (llvm::Error err = require(shaders::softmaxVariant(outDtype)))
      return err;
    return runSoftmax(context, *self, *dim);
  }
  case Kind::RmsNorm: {
    VKQC_TRY(x, a.tensor(0));
    VKQC_TRY(weight, a.tensor(1));
    VKQC_TRY(eps, a.real(2));
    if (llvm::Error err = require(shaders::rmsNormVariant(outDtype)))
      return err;
    return runRmsNorm(context, *x, *weight, *eps);
  }
  case Kind::Matmul: {
    VKQC_TRY(lhs, a.tensor(0));
    VKQC_TRY(rhs, a.tensor(1));
    if (llvm::Error err = require(shaders::matmulVariant(outDtype)))
      return err;
    return runMatmul(context, *lhs, *rhs);
  }
  case Kind::Attention: {
    // et_vk.sdpa(q, k, v, attn_mask, scale): [B, H, S, D], an additive float mask.
    VKQC_TRY(q, a.tensor(0));
    VKQC_TRY(k, a.tensor(1));
    VKQC_TRY(v, a.tensor(2));
    VKQC_TRY(mask, a.optionalTensor(3));
    VKQC_TRY(scale, a.optionalReal(4));
    std::optional<DType> maskDtype;
    if (*mask)
      maskDtype = (*mask)->dtype();
    if (maskDtype && !isFloatingPoint(*maskDtype))
      return execError(a.where, "the attention mask is " + dtypeText(*maskDtype) +
                                    "; et_vk.sdpa adds a float mask");
    if (llvm::Error err = require(shaders::sdpaVariant(outDtype, maskDtype)))
      return err;
    return runScaledDotProductAttention(context, *q, *k, *v, *mask, *scale, false, false);
  }
  case Kind::Reshape: {
    VKQC_TRY(self, a.tensor(0));
    VKQC_TRY(sizes, a.integers(1));
    VKQC_TRY(shape, interp::reshapeTarget(self->shape(), *sizes)); // no kernel: a view
    return self->reshaped(*shape);
  }
  case Kind::Unsqueeze: {
    VKQC_TRY(self, a.tensor(0));
    VKQC_TRY(dim, a.integer(1));
    int64_t rank = self->rank(), d = *dim < 0 ? *dim + rank + 1 : *dim;
    if (d < 0 || d > rank)
      return execError(a.where, "unsqueeze dim " + llvm::Twine(*dim) + " out of range for rank " +
                                    llvm::Twine(rank));
    interp::Shape shape = self->shape();
    shape.insert(shape.begin() + d, 1);
    return self->reshaped(shape);
  }
  case Kind::Alias: {
    VKQC_TRY(self, a.tensor(0));
    return *self;
  }
  case Kind::None:
    break;
  }
  return execError(a.where, "not a float op");
}

} // namespace

llvm::Expected<bool> runFloatOp(VulkanContext &context, const VkOpArguments &a, int32_t out,
                                const RequireVariant &require) {
  Kind kind = kindOf(a.op);
  if (kind == Kind::None)
    return false;
  VKQC_TRY(outDtype, a.outputDtype(out));
  llvm::Expected<Tensor> y = runOp(context, a, kind, *outDtype, require);
  if (!y)
    return wrap(a.where, y.takeError());
  if (llvm::Error err = a.store(out, std::move(*y)))
    return err;
  return true;
}

} // namespace vkqc::vk::exec
