#version 450
// aten.matmul / aten.bmm: out[p, m, n] = sum_k a[p, m, k] * b[p, k, n] over broadcast batch
// dims p, accumulated in float. The host views 1-D operands as a row / a column and passes
// each operand's batch strides (0: broadcast).
// Each invocation computes a TILE_M x TILE_N output tile in registers: every a and b
// element it loads serves TILE_N (TILE_M) products.

#include "common.glslh"
#include "indexing.glslh"

#if !defined(TILE_M) || !defined(TILE_N)
#error "define TILE_M and TILE_N (the matmul_tile axis)"
#endif

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly ABuffer { T t_a[]; };
layout(set = 0, binding = 2) buffer restrict readonly BBuffer { T t_b[]; };

layout(push_constant) uniform PushConstants {
  int M;
  int N;
  int K;
  int batches;       // product of the batch sizes
  PER_DIM_MEMBERS(batch_size)     // output batch dims, padded at the front with 1
  PER_DIM_MEMBERS(a_batch_stride) // element strides of a's matrices along them (0: broadcast)
  PER_DIM_MEMBERS(b_batch_stride)
} pc;

void main() {
  int tilesN = (pc.N + TILE_N - 1) / TILE_N;
  int tilesM = (pc.M + TILE_M - 1) / TILE_M;
  int index = flatInvocationIndex();
  // Tiles of one batch are consecutive, columns fastest: neighbours share rows of a.
  int n0 = index % tilesN * TILE_N;
  int m0 = index / tilesN % tilesM * TILE_M;
  int batch = index / tilesN / tilesM;
  if (batch >= pc.batches)
    return;
  int coordinates[MAX_RANK] = coordinatesOf(batch, PER_DIM(batch_size));
  int aBase = stridedOffset(coordinates, PER_DIM(a_batch_stride), 0);
  int bBase = stridedOffset(coordinates, PER_DIM(b_batch_stride), 0);
  int outBase = batch * pc.M * pc.N;

  // Rows and columns past the edge repeat the last valid one (computed, never stored).
  int rows[TILE_M];
  int cols[TILE_N];
  for (int i = 0; i < TILE_M; ++i)
    rows[i] = min(m0 + i, pc.M - 1);
  for (int j = 0; j < TILE_N; ++j)
    cols[j] = min(n0 + j, pc.N - 1);

  float acc[TILE_M][TILE_N];
  for (int i = 0; i < TILE_M; ++i)
    for (int j = 0; j < TILE_N; ++j)
      acc[i][j] = 0.0;

  for (int k = 0; k < pc.K; ++k) {
    float a[TILE_M];
    float b[TILE_N];
    for (int i = 0; i < TILE_M; ++i)
      a[i] = float(t_a[aBase + rows[i] * pc.K + k]);
    for (int j = 0; j < TILE_N; ++j)
      b[j] = float(t_b[bBase + k * pc.N + cols[j]]);
    for (int i = 0; i < TILE_M; ++i)
      for (int j = 0; j < TILE_N; ++j)
        acc[i][j] += a[i] * b[j];
  }

  for (int i = 0; i < TILE_M; ++i)
    for (int j = 0; j < TILE_N; ++j)
      if (m0 + i < pc.M && n0 + j < pc.N)
        t_out[outBase + (m0 + i) * pc.N + n0 + j] = T(acc[i][j]);
}
