// Which elementwise kernel an aten op runs: one table for kernel selection at compile time
// and the executor's dispatch at run time.
#include "shaders/KernelVariants.h"

namespace vkqc::shaders {

std::optional<ElementwiseOp> elementwiseOpOf(OpKind op) {
  switch (op) {
  case OpKind::aten_add_Tensor:
    return ElementwiseOp::Add;
  case OpKind::aten_sub_Tensor:
    return ElementwiseOp::Sub;
  case OpKind::aten_mul_Tensor:
    return ElementwiseOp::Mul;
  case OpKind::aten_div_Tensor:
    return ElementwiseOp::Div;
  case OpKind::aten_pow_Tensor_Scalar:
    return ElementwiseOp::Pow;
  case OpKind::aten_neg_default:
    return ElementwiseOp::Neg;
  case OpKind::aten_rsqrt_default:
    return ElementwiseOp::Rsqrt;
  case OpKind::aten_sqrt_default:
    return ElementwiseOp::Sqrt;
  case OpKind::aten_silu_default:
    return ElementwiseOp::Silu;
  case OpKind::aten_sigmoid_default:
    return ElementwiseOp::Sigmoid;
  case OpKind::aten_exp_default:
    return ElementwiseOp::Exp;
  case OpKind::aten_cos_default:
    return ElementwiseOp::Cos;
  case OpKind::aten_sin_default:
    return ElementwiseOp::Sin;
  case OpKind::aten_tanh_default:
    return ElementwiseOp::Tanh;
  case OpKind::aten_gelu_default: // approximate='tanh' (partition's guard)
    return ElementwiseOp::GeluTanh;
  default:
    return std::nullopt;
  }
}

} // namespace vkqc::shaders
