#version 450
// unary_{op}: out = op(in) elementwise over a contiguous tensor; arithmetic in float, one
// rounding to DTYPE (PyTorch's opmath). exp and tanh go through float_math.glslh: the
// builtins are several ulp off.

#include "common.glslh"
#include "float_math.glslh"
#include "indexing.glslh"

layout(local_size_x = WORKGROUP_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly InputBuffer { T t_in[]; };

layout(push_constant) uniform PushConstants {
  int numel;
} pc;

float applyOp(float x) {
#if defined(OP_NEG)
  return -x;
#elif defined(OP_RSQRT)
  return 1.0 / sqrt(x); // inversesqrt only promises 2 ulp
#elif defined(OP_SQRT)
  return sqrt(x);
#elif defined(OP_SILU)
  return x / (1.0 + expAccurate(-x));
#elif defined(OP_SIGMOID)
  return 1.0 / (1.0 + expAccurate(-x));
#elif defined(OP_EXP)
  return expAccurate(x);
#elif defined(OP_COS)
  return cos(x);
#elif defined(OP_SIN)
  return sin(x);
#elif defined(OP_TANH)
  return tanhAccurate(x);
#elif defined(OP_GELU_TANH)
  // gelu(approximate='tanh'): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as PyTorch.
  float inner = 0.7978845608028654 * (x + 0.044715 * (x * x * x));
  return 0.5 * x * (1.0 + tanhAccurate(inner));
#else
#error "define one of OP_NEG, OP_RSQRT, OP_SQRT, OP_SILU, OP_SIGMOID, OP_EXP, OP_COS, OP_SIN, OP_TANH, OP_GELU_TANH"
#endif
}

void main() {
  int index = flatInvocationIndex();
  if (index >= pc.numel)
    return;
  t_out[index] = T(applyOp(float(t_in[index])));
}
