#version 450
// rms_norm: x viewed as [rows, width] (width = the last dim), in float:
//   out[r, k] = x[r, k] * rsqrt(sum_j x[r, j]^2 / width + eps) * weight[k]
// rounded once to DTYPE. One workgroup per row: each invocation sums the squares of a
// strided share of the row, a shared-memory tree adds the partial sums, then each
// invocation writes its share. The products keep the reference's order (x * r, then
// * weight); only the order of the sum differs.

#include "common.glslh"
#include "indexing.glslh"

layout(local_size_x = WORKGROUP_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly InputBuffer { T t_in[]; };
layout(set = 0, binding = 2) buffer restrict readonly WeightBuffer { T t_weight[]; };

layout(push_constant) uniform PushConstants {
  int rows;
  int width;
  float eps;
} pc;

shared float partial[WORKGROUP_SIZE];

void main() {
  // Uniform per workgroup, so returning before the barriers is safe.
  int row = flatWorkgroupIndex();
  if (row >= pc.rows)
    return;
  int lane = int(gl_LocalInvocationID.x);
  int base = row * pc.width;

  float s = 0.0;
  for (int k = lane; k < pc.width; k += WORKGROUP_SIZE) {
    float v = float(t_in[base + k]);
    s += v * v;
  }
  partial[lane] = s;
  barrier();
  for (int stride = WORKGROUP_SIZE / 2; stride > 0; stride /= 2) {
    if (lane < stride)
      partial[lane] += partial[lane + stride];
    barrier();
  }
  // inversesqrt only promises 2 ulp; sqrt and / are the reference's rsqrt.
  float inverse = 1.0 / sqrt(partial[0] / float(pc.width) + pc.eps);

  for (int k = lane; k < pc.width; k += WORKGROUP_SIZE)
    t_out[base + k] = T(float(t_in[base + k]) * inverse * float(t_weight[k]));
}
