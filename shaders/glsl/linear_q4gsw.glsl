#version 450
// et_vk.linear_q4gsw: y[m, n] = sum_k x[m, k] * q[n, k] * scales[k / group_size, n] + bias[n]
// with int4 weights q and float accumulation.
//   ALGO_COOP: GEMV for M == 1 (also correct for M > 1): a workgroup reduces K for
//     COOP_N output columns of one row.
//   ALGO_TILED: GEMM; each invocation computes a TILE_M x TILE_N output tile.

#include "common.glslh"
#include "linear_common.glslh"
#include "q4_weights.glslh"

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_output[]; };
layout(set = 0, binding = 1) buffer restrict readonly InputBuffer { VEC4_T t_input[]; };
layout(set = 0, binding = 2) buffer restrict readonly WeightBuffer { uint t_packed_int4_weight[]; };
layout(set = 0, binding = 3) buffer restrict readonly ScalesBuffer { T t_weight_scales[]; };
layout(set = 0, binding = 4) buffer restrict readonly BiasBuffer { T t_bias[]; };

float weightScale(int group, int n) {
  return float(t_weight_scales[group * scalesRowStride() + n]);
}

void storeOutput(int m, int n, float value) {
  if (pc.apply_bias != 0)
    value += float(t_bias[n]);
  t_output[m * pc.N + n] = T(value);
}

#if defined(ALGO_COOP)

void main() {
  int n0 = int(gl_WorkGroupID.x) * COOP_N;
  int m = int(gl_WorkGroupID.y);
  int lane = int(gl_LocalInvocationID.x);

  vec4 sums = vec4(0.0);
  for (int word = lane; word < weightWordsPerRow(); word += COOP_WGS) {
    int group = word / weightWordsPerGroup();
    vec4 x0 = vec4(t_input[m * inputVec4sPerRow() + 2 * word]);
    vec4 x1 = vec4(t_input[m * inputVec4sPerRow() + 2 * word + 1]);
    for (int c = 0; c < COOP_N; ++c) {
      int n = min(n0 + c, pc.N - 1); // columns past N compute garbage that is never stored
      uint packed = t_packed_int4_weight[n * weightWordsPerRow() + word];
      sums[c] += weightScale(group, n) * dotQ4(x0, x1, packed);
    }
  }

  reduceAcrossWorkgroup(lane, sums);
  if (lane < COOP_N && n0 + lane < pc.N)
    storeOutput(m, n0 + lane, partialSums[0][lane]);
}

#elif defined(ALGO_TILED)

void main() {
  int n0 = int(gl_GlobalInvocationID.x) * TILE_N;
  int m0 = int(gl_GlobalInvocationID.y) * TILE_M;
  if (n0 >= pc.N || m0 >= pc.M)
    return;

  int rows[TILE_M];
  int cols[TILE_N];
  tileCoordinates(m0, n0, rows, cols);

  float acc[TILE_M][TILE_N];
  for (int i = 0; i < TILE_M; ++i)
    for (int j = 0; j < TILE_N; ++j)
      acc[i][j] = 0.0;

  for (int group = 0; group < numGroups(); ++group) {
    // Sum x * q over the group, then apply the group's scale once.
    float groupAcc[TILE_M][TILE_N];
    for (int i = 0; i < TILE_M; ++i)
      for (int j = 0; j < TILE_N; ++j)
        groupAcc[i][j] = 0.0;

    int firstWord = group * weightWordsPerGroup();
    for (int word = firstWord; word < firstWord + weightWordsPerGroup(); ++word) {
      uint packed[TILE_N];
      for (int j = 0; j < TILE_N; ++j)
        packed[j] = t_packed_int4_weight[cols[j] * weightWordsPerRow() + word];
      for (int i = 0; i < TILE_M; ++i) {
        vec4 x0 = vec4(t_input[rows[i] * inputVec4sPerRow() + 2 * word]);
        vec4 x1 = vec4(t_input[rows[i] * inputVec4sPerRow() + 2 * word + 1]);
        for (int j = 0; j < TILE_N; ++j)
          groupAcc[i][j] += dotQ4(x0, x1, packed[j]);
      }
    }

    for (int j = 0; j < TILE_N; ++j) {
      float scale = weightScale(group, cols[j]);
      for (int i = 0; i < TILE_M; ++i)
        acc[i][j] += scale * groupAcc[i][j];
    }
  }

  for (int i = 0; i < TILE_M; ++i)
    for (int j = 0; j < TILE_N; ++j)
      if (m0 + i < pc.M && n0 + j < pc.N)
        storeOutput(m0 + i, n0 + j, acc[i][j]);
}

#endif
