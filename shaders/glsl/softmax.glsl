#version 450
// softmax: x viewed as [outer, n, inner], out[o, k, i] = exp(x[o, k, i] - m) / s over each
// line (o, i), with m the line's max (numerical stability) and s = sum_k exp(x - m). One
// workgroup per line; float arithmetic, one rounding to DTYPE. A NaN makes its line NaN.

#include "common.glslh"
#include "float_math.glslh"
#include "indexing.glslh"

layout(local_size_x = WORKGROUP_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly InputBuffer { T t_in[]; };

layout(push_constant) uniform PushConstants {
  int outer;
  int n;
  int inner;
} pc;

shared float partial[WORKGROUP_SIZE];

void main() {
  // Uniform per workgroup, so returning before the barriers is safe.
  int line = flatWorkgroupIndex();
  if (line >= pc.outer * pc.inner)
    return;
  int lane = int(gl_LocalInvocationID.x);
  int base = (line / pc.inner) * pc.n * pc.inner + line % pc.inner;

  float m = uintBitsToFloat(0xff800000u); // -inf
  for (int k = lane; k < pc.n; k += WORKGROUP_SIZE)
    m = max(m, float(t_in[base + k * pc.inner]));
  partial[lane] = m;
  barrier();
  for (int stride = WORKGROUP_SIZE / 2; stride > 0; stride /= 2) {
    if (lane < stride)
      partial[lane] = max(partial[lane], partial[lane + stride]);
    barrier();
  }
  m = partial[0];
  barrier(); // everyone has read the max before partial is reused

  float s = 0.0;
  for (int k = lane; k < pc.n; k += WORKGROUP_SIZE)
    s += expAccurate(float(t_in[base + k * pc.inner]) - m);
  partial[lane] = s;
  barrier();
  for (int stride = WORKGROUP_SIZE / 2; stride > 0; stride /= 2) {
    if (lane < stride)
      partial[lane] += partial[lane + stride];
    barrier();
  }
  s = partial[0];

  for (int k = lane; k < pc.n; k += WORKGROUP_SIZE) {
    int at = base + k * pc.inner;
    t_out[at] = T(expAccurate(float(t_in[at]) - m) / s);
  }
}
