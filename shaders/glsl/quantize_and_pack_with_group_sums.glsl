#version 450
// Per-token int8 quantization of activations with torchao's quantize_affine semantics,
// plus the per-group sums of the quantized values that linear_dq8ca_q4gsw subtracts:
//   q[m, k]        = clamp(round_half_even(x[m, k] * (1 / scale[m])) + zp[m], qmin, qmax)
//   sums[m, g]     = sum_{k in group g} q[m, k]
// Output q is row-major int8 [M, K] (read as i8vec4), sums are int32 [M, K / group_size].
// One invocation handles one group of one row.

#include "common.glslh"
#include "zero_point.glslh"
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require

#include "affine_quant.glslh"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly PackedBuffer { i8vec4 t_packed_int8_input[]; };
layout(set = 0, binding = 1) buffer restrict writeonly SumsBuffer { int t_int8_input_sums[]; };
layout(set = 0, binding = 2) buffer restrict readonly InputBuffer { VEC4_T t_input[]; };
layout(set = 0, binding = 3) buffer restrict readonly ScalesBuffer { T t_int8_input_scales[]; };
layout(set = 0, binding = 4) buffer restrict readonly ZpsBuffer { ZP_T t_int8_input_zps[]; };

layout(push_constant) uniform PushConstants {
  int M;
  int K;          // a multiple of 4
  int group_size; // a multiple of 4
  int quant_min;
  int quant_max;
} pc;

void main() {
  int groups = pc.K / pc.group_size;
  int m = int(gl_GlobalInvocationID.x) / groups;
  int group = int(gl_GlobalInvocationID.x) % groups;
  if (m >= pc.M)
    return;

  float reciprocal = reciprocalOfScale(float(t_int8_input_scales[m]));
  float zeroPoint = float(t_int8_input_zps[m]);
  int sum = 0;
  int first = (m * pc.K + group * pc.group_size) / 4;
  for (int i = first; i < first + pc.group_size / 4; ++i) {
    vec4 x = vec4(t_input[i]);
    ivec4 q = ivec4(quantizeAffine(x.x, reciprocal, zeroPoint, pc.quant_min, pc.quant_max),
                    quantizeAffine(x.y, reciprocal, zeroPoint, pc.quant_min, pc.quant_max),
                    quantizeAffine(x.z, reciprocal, zeroPoint, pc.quant_min, pc.quant_max),
                    quantizeAffine(x.w, reciprocal, zeroPoint, pc.quant_min, pc.quant_max));
    t_packed_int8_input[i] = i8vec4(q);
    sum += q.x + q.y + q.z + q.w;
  }
  t_int8_input_sums[m * groups + group] = sum;
}
