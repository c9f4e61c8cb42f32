#version 450
// mean_dim: x viewed as [outer, n, inner], out[o, i] = sum_k x[o, k, i] / n. One invocation
// per output element; the sum is compensated (Kahan) in float, so its error does not grow
// with n, and rounds once to DTYPE. The host handles n == 0 (NaN, like PyTorch).

#include "common.glslh"
#include "indexing.glslh"

layout(local_size_x = WORKGROUP_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly InputBuffer { T t_in[]; };

layout(push_constant) uniform PushConstants {
  int outer;
  int n;
  int inner;
} pc;

void main() {
  int index = flatInvocationIndex();
  if (index >= pc.outer * pc.inner)
    return;
  int o = index / pc.inner, i = index % pc.inner;
  int base = o * pc.n * pc.inner + i;
  // precise: reassociation would cancel the compensation away.
  precise float sum = 0.0, compensation = 0.0;
  for (int k = 0; k < pc.n; ++k) {
    precise float term = float(t_in[base + k * pc.inner]) - compensation;
    precise float next = sum + term;
    compensation = (next - sum) - term;
    sum = next;
  }
  t_out[index] = T(sum / float(pc.n));
}
