// Which elementwise kernel an aten op runs: one table for kernel selection at compile time
// and the executor's dispatch at run time.
#include "shaders/KernelVariants.h"

#include "llvm/ADT/StringSwitch.h"

namespace vkqc::shaders {

std::optional<ElementwiseOp> elementwiseOpOf(llvm::StringRef target) {
  return llvm::StringSwitch<std::optional<ElementwiseOp>>(target)
      .Case("aten.add.Tensor", ElementwiseOp::Add)
      .Case("aten.sub.Tensor", ElementwiseOp::Sub)
      .Case("aten.mul.Tensor", ElementwiseOp::Mul)
      .Case("aten.div.Tensor", ElementwiseOp::Div)
      .Case("aten.pow.Tensor_Scalar", ElementwiseOp::Pow)
      .Case("aten.neg.default", ElementwiseOp::Neg)
      .Case("aten.rsqrt.default", ElementwiseOp::Rsqrt)
      .Case("aten.sqrt.default", ElementwiseOp::Sqrt)
      .Case("aten.silu.default", ElementwiseOp::Silu)
      .Case("aten.sigmoid.default", ElementwiseOp::Sigmoid)
      .Case("aten.exp.default", ElementwiseOp::Exp)
      .Case("aten.cos.default", ElementwiseOp::Cos)
      .Case("aten.sin.default", ElementwiseOp::Sin)
      .Case("aten.tanh.default", ElementwiseOp::Tanh)
      .Case("aten.gelu.default", ElementwiseOp::GeluTanh) // approximate='tanh' (partition's guard)
      .Default(std::nullopt);
}

} // namespace vkqc::shaders
