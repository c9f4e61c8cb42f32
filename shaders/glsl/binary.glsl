#version 450
// binary_{op}: out = a (op) b with PyTorch broadcasting. The host passes the output sizes
// and a's and b's strides over them (0 on broadcast dims); with b_is_scalar, b is the float
// b_scalar (a Python number, not rounded to DTYPE) and t_b is a placeholder. add and sub
// compute a +- alpha * b. Arithmetic in float, one rounding to DTYPE.

#include "common.glslh"
#include "indexing.glslh"

layout(local_size_x = WORKGROUP_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly ABuffer { T t_a[]; };
layout(set = 0, binding = 2) buffer restrict readonly BBuffer { T t_b[]; };

layout(push_constant) uniform PushConstants {
  int numel;
  PER_DIM_MEMBERS(out_size)
  PER_DIM_MEMBERS(a_stride)
  PER_DIM_MEMBERS(b_stride)
  int b_is_scalar;
  float b_scalar;
  float alpha;
} pc;

#if defined(OP_POW)
/// x^n for an integer n >= 0 by binary powering: x * x for 2, like PyTorch's fast path, and
/// a few ulp for larger n.
float integerPower(float x, int n) {
  float result = 1.0;
  for (float base = x; n > 0; n >>= 1, base *= base)
    if ((n & 1) != 0)
      result *= base;
  return result;
}

bool isOddInteger(float v) {
  // Every float of magnitude >= 2^24 is even.
  return v == trunc(v) && abs(v) < 16777216.0 && (int(abs(v)) & 1) == 1;
}

// PyTorch's pow: its exact fast paths (x * x for 2, sqrt for 0.5, ...) and C's pow
// elsewhere. Integral exponents up to 64 go through integerPower, which also settles
// negative bases; GLSL pow is only as good as exp2(e * log2(x)) (3 + 2|e log2 x| ulp) and
// undefined for x < 0 and for x == 0 with e <= 0, so only |x| goes through it, with the
// sign and the zero cases settled here.
float torchPow(float x, float e) {
  if (e == 0.5)
    return sqrt(x);
  if (e == -0.5)
    return 1.0 / sqrt(x);
  if (x == 1.0)
    return 1.0; // even for a NaN e, like C
  if (e == trunc(e) && abs(e) <= 64.0) {
    float power = integerPower(x, int(abs(e))); // 1 for e == 0, even for a NaN x
    return e < 0.0 ? 1.0 / power : power;
  }
  if (x < 0.0 && e != trunc(e))
    return uintBitsToFloat(0x7fc00000u); // NaN: a negative base to a fractional power
  float magnitude = x == 0.0 ? (e > 0.0 ? 0.0 : uintBitsToFloat(0x7f800000u))
                             : pow(abs(x), e);
  bool negativeBase = floatBitsToInt(x) < 0; // -0.0 counts: pow(-0, -65) = -inf
  return negativeBase && isOddInteger(e) ? -magnitude : magnitude;
}
#endif

float applyOp(float x, float y) {
#if defined(OP_ADD)
  return x + pc.alpha * y;
#elif defined(OP_SUB)
  return x - pc.alpha * y;
#elif defined(OP_MUL)
  return x * y;
#elif defined(OP_DIV)
  return x / y;
#elif defined(OP_POW)
  return torchPow(x, y);
#else
#error "define one of OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW"
#endif
}

void main() {
  int index = flatInvocationIndex();
  if (index >= pc.numel)
    return;
  int coordinates[MAX_RANK] = coordinatesOf(index, PER_DIM(out_size));
  float x = float(t_a[stridedOffset(coordinates, PER_DIM(a_stride), 0)]);
  float y = pc.b_is_scalar != 0 ? pc.b_scalar
                                : float(t_b[stridedOffset(coordinates, PER_DIM(b_stride), 0)]);
  t_out[index] = T(applyOp(x, y));
}
