#version 450
// Per-token asymmetric int8 parameters, bit-exact with torchao's choose_qparams_affine
// (mapping ASYMMETRIC, block_size [1, K]) computed in the input dtype T:
//   min_neg = min(min(x[m, :]), 0)          max_pos = max(max(x[m, :]), 0)
//   scale   = max((max_pos - min_neg) / (quant_max - quant_min), eps)
//   zp      = clamp(quant_min - round_half_even(min_neg / scale), quant_min, quant_max)
// Every step is rounded to T like PyTorch's eager ops. One workgroup handles one row.
// Inputs must be finite.

#include "common.glslh"
#include "zero_point.glslh"
#include "exact_float.glslh"

#define WGS 64
layout(local_size_x = WGS, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly ScalesBuffer { T t_scales[]; };
layout(set = 0, binding = 1) buffer restrict writeonly ZpsBuffer { ZP_T t_zps[]; };
layout(set = 0, binding = 2) buffer restrict readonly InputBuffer { T t_input[]; };

layout(push_constant) uniform PushConstants {
  int M;
  int K;
  int quant_min;
  int quant_max;
  float eps;
} pc;

shared float rowMinNeg[WGS];
shared float rowMaxPos[WGS];

void main() {
  int m = int(gl_WorkGroupID.x);
  int lane = int(gl_LocalInvocationID.x);

  // Starting from 0 gives min(min, 0) and max(max, 0) directly.
  float minNeg = 0.0, maxPos = 0.0;
  for (int k = lane; k < pc.K; k += WGS) {
    float v = float(t_input[m * pc.K + k]);
    minNeg = min(minNeg, v);
    maxPos = max(maxPos, v);
  }
  rowMinNeg[lane] = minNeg;
  rowMaxPos[lane] = maxPos;
  barrier();
  for (int stride = WGS / 2; stride > 0; stride /= 2) {
    if (lane < stride) {
      rowMinNeg[lane] = min(rowMinNeg[lane], rowMinNeg[lane + stride]);
      rowMaxPos[lane] = max(rowMaxPos[lane], rowMaxPos[lane + stride]);
    }
    barrier();
  }
  if (lane != 0 || m >= pc.M)
    return;

  minNeg = rowMinNeg[0];
  maxPos = rowMaxPos[0];
  precise float range = roundToDtype(maxPos - minNeg);
  float scale = roundToDtype(divideRoundedToNearest(range, float(pc.quant_max - pc.quant_min)));
  if (scale < pc.eps)
    scale = roundToDtype(pc.eps);
  float shift = roundEven(roundToDtype(divideRoundedToNearest(minNeg, scale)));
  float zeroPoint = clamp(float(pc.quant_min) - shift, float(pc.quant_min), float(pc.quant_max));
  t_scales[m] = T(scale);
  t_zps[m] = ZP_T(zeroPoint);
}
