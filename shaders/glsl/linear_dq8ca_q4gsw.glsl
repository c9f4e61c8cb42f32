#version 450
// et_vk.linear_dq8ca_q4gsw: int8 per-token activations x int4 group-wise weights with
// integer accumulation. For each group g of output (m, n):
//   acc = sum_{k in g} q_x[m, k] * (q_w[n, k] + 8)              (the stored nibbles)
//   adj = acc - zp[m] * weight_sums[g, n] - 8 * input_sums[m, g]
//       = sum_{k in g} (q_x[m, k] - zp[m]) * q_w[n, k]
//   y[m, n] = scale_x[m] * sum_g scale_w[g, n] * adj + bias[n]
// The activations come quantized by quantize_and_pack_with_group_sums.
//   ALGO_COOP: GEMV (M == 1): a workgroup splits K for COOP_N columns.
//   ALGO_TILED: GEMM; each invocation computes a TILE_M x TILE_N output tile.

#include "common.glslh"
#include "zero_point.glslh"
#extension GL_EXT_shader_8bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require

#include "linear_common.glslh"
#include "q4_weights.glslh"

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_output[]; };
layout(set = 0, binding = 1) buffer restrict readonly PackedInputBuffer { i8vec4 t_packed_int8_input[]; };
layout(set = 0, binding = 2) buffer restrict readonly InputSumsBuffer { int t_int8_input_sums[]; };
layout(set = 0, binding = 3) buffer restrict readonly InputScalesBuffer { T t_int8_input_scales[]; };
layout(set = 0, binding = 4) buffer restrict readonly InputZpsBuffer { ZP_T t_int8_input_zps[]; };
layout(set = 0, binding = 5) buffer restrict readonly WeightBuffer { uint t_packed_int4_weight[]; };
layout(set = 0, binding = 6) buffer restrict readonly WeightSumsBuffer { int t_weight_sums[]; };
layout(set = 0, binding = 7) buffer restrict readonly ScalesBuffer { T t_weight_scales[]; };
layout(set = 0, binding = 8) buffer restrict readonly BiasBuffer { T t_bias[]; };

/// The integer corrections of one (row, group, column): zp * weight_sum + 8 * input_sum.
int groupCorrection(int m, int group, int n) {
  int zeroPoint = int(t_int8_input_zps[m]);
  return zeroPoint * t_weight_sums[group * weightSumsRowStride() + n] +
         8 * t_int8_input_sums[m * numGroups() + group];
}

float weightScale(int group, int n) {
  return float(t_weight_scales[group * scalesRowStride() + n]);
}

/// Eight int8 activations of row m starting at k = 8 * word.
void loadActivations(int m, int word, out ivec4 x0, out ivec4 x1) {
  x0 = ivec4(t_packed_int8_input[m * inputVec4sPerRow() + 2 * word]);
  x1 = ivec4(t_packed_int8_input[m * inputVec4sPerRow() + 2 * word + 1]);
}

void storeOutput(int m, int n, float scaledSum) {
  float value = float(t_int8_input_scales[m]) * scaledSum;
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
    bool firstWordOfGroup = word % weightWordsPerGroup() == 0;
    ivec4 x0, x1;
    loadActivations(m, word, x0, x1);
    for (int c = 0; c < COOP_N; ++c) {
      int n = min(n0 + c, pc.N - 1); // columns past N compute garbage that is never stored
      uint packed = t_packed_int4_weight[n * weightWordsPerRow() + word];
      // The invocation holding a group's first word also subtracts its corrections, so
      // summing every word's `adj` gives the group's adj.
      int adj = dotStoredQ4(x0, x1, packed);
      if (firstWordOfGroup)
        adj -= groupCorrection(m, group, n);
      sums[c] += weightScale(group, n) * float(adj);
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
    int groupAcc[TILE_M][TILE_N];
    for (int i = 0; i < TILE_M; ++i)
      for (int j = 0; j < TILE_N; ++j)
        groupAcc[i][j] = 0;

    int firstWord = group * weightWordsPerGroup();
    for (int word = firstWord; word < firstWord + weightWordsPerGroup(); ++word) {
      uint packed[TILE_N];
      for (int j = 0; j < TILE_N; ++j)
        packed[j] = t_packed_int4_weight[cols[j] * weightWordsPerRow() + word];
      for (int i = 0; i < TILE_M; ++i) {
        ivec4 x0, x1;
        loadActivations(rows[i], word, x0, x1);
        for (int j = 0; j < TILE_N; ++j)
          groupAcc[i][j] += dotStoredQ4(x0, x1, packed[j]);
      }
    }

    for (int j = 0; j < TILE_N; ++j) {
      float scale = weightScale(group, cols[j]);
      for (int i = 0; i < TILE_M; ++i)
        acc[i][j] += scale * float(groupAcc[i][j] - groupCorrection(rows[i], group, cols[j]));
    }
  }

  for (int i = 0; i < TILE_M; ++i)
    for (int j = 0; j < TILE_N; ++j)
      if (m0 + i < pc.M && n0 + j < pc.N)
        storeOutput(m0 + i, n0 + j, acc[i][j]);
}

#endif
