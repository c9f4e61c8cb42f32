// et_vk.rms_norm: ExecuTorch's reference composed from the interpreter's own kernels, so
// it has PyTorch's order of every rounding (the mean sums in PyTorch's cascade order).
#include "compiler/semantics/Kernels.h"

namespace vkqc::interp {

llvm::Expected<Tensor> rmsNorm(const Tensor &x, const Tensor &weight, double eps) {
  if (x.rank() < 1 || weight.rank() != 1 || weight.dim(0) != x.dim(-1))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "rms_norm: weight must be [D] for the last dim of x");
  // x.float().pow(2).mean(-1, keepdim=True); x.float() * rsqrt(variance + eps)
  llvm::Expected<Tensor> xf = toDType(x, DType::Float32);
  if (!xf)
    return xf.takeError();
  llvm::Expected<Tensor> squares = pow(*xf, Scalar::ofInt(2));
  if (!squares)
    return squares.takeError();
  llvm::Expected<Tensor> variance = mean(*squares, {-1}, /*keepdim=*/true);
  if (!variance)
    return variance.takeError();
  llvm::Expected<Tensor> shifted = add(*variance, Scalar::ofFloat(eps));
  if (!shifted)
    return shifted.takeError();
  llvm::Expected<Tensor> inverse = rsqrt(*shifted);
  if (!inverse)
    return inverse.takeError();
  llvm::Expected<Tensor> normed = mul(*xf, *inverse);
  if (!normed)
    return normed.takeError();
  // (x_normed * weight.float()).to(input_dtype)
  llvm::Expected<Tensor> wf = toDType(weight, DType::Float32);
  if (!wf)
    return wf.takeError();
  llvm::Expected<Tensor> scaled = mul(*normed, *wf);
  if (!scaled)
    return scaled.takeError();
  return toDType(*scaled, x.dtype());
}

} // namespace vkqc::interp
