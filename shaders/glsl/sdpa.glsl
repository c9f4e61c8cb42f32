#version 450
// aten.scaled_dot_product_attention (PyTorch's math path): for q [B, Hq, L, E],
// k [B, Hkv, S, E], v [B, Hkv, S, Ev]
//   out[b, h, l, :] = softmax_s(scale * q[b, h, l] . k[b, h / (Hq / Hkv), s] + mask) @ v
// One invocation per output element (b, h, l, d) loops over s once with an online softmax
// (running max and sum), in float. Masks (the mask axis):
//   MASK_BOOL: keeps s where the bool byte is nonzero; the bytes are read as uint words.
//   MASK_FLOAT: added to the scores.
// Mask elements are found through four strides over [B, Hq, L, S] (0: broadcast).
// is_causal keeps s <= l. A row whose scores are all -inf (masked) is 0, as PyTorch's CPU flash
// attention (its kernel for these programs) makes it.

#include "common.glslh"
#include "indexing.glslh"

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly QueryBuffer { T t_q[]; };
layout(set = 0, binding = 2) buffer restrict readonly KeyBuffer { T t_k[]; };
layout(set = 0, binding = 3) buffer restrict readonly ValueBuffer { T t_v[]; };
#if defined(MASK_BOOL)
layout(set = 0, binding = 4) buffer restrict readonly MaskBuffer { uint t_mask[]; };
#elif defined(MASK_FLOAT)
layout(set = 0, binding = 4) buffer restrict readonly MaskBuffer { T t_mask[]; };
#elif !defined(MASK_NONE)
#error "define MASK_NONE, MASK_BOOL or MASK_FLOAT"
#endif

layout(push_constant) uniform PushConstants {
  int B;
  int Hq;
  int Hkv; // divides Hq
  int L;
  int S;
  int E;
  int Ev;
  int is_causal;
  float scale;
  // Element strides of the mask along b, h, l, s (unused without a mask).
  int mask_stride_b;
  int mask_stride_h;
  int mask_stride_l;
  int mask_stride_s;
} pc;

float negativeInfinity() { return uintBitsToFloat(0xff800000u); }

float maskedScore(float score, int maskRow, int s) {
#if defined(MASK_BOOL)
  int i = maskRow + s * pc.mask_stride_s;
  uint byteValue = (t_mask[i >> 2] >> (8 * (i & 3))) & 0xffu;
  return byteValue != 0u ? score : negativeInfinity();
#elif defined(MASK_FLOAT)
  return score + float(t_mask[maskRow + s * pc.mask_stride_s]);
#else
  return score;
#endif
}

void main() {
  int index = flatInvocationIndex();
  int d = index % pc.Ev;
  int row = index / pc.Ev; // (b, h, l) flattened
  if (row >= pc.B * pc.Hq * pc.L)
    return;
  int l = row % pc.L;
  int h = row / pc.L % pc.Hq;
  int b = row / pc.L / pc.Hq;
  int kvHead = b * pc.Hkv + h / (pc.Hq / pc.Hkv);
  int query = row * pc.E;
  int keys = kvHead * pc.S * pc.E;
  int values = kvHead * pc.S * pc.Ev + d;
  int maskRow = b * pc.mask_stride_b + h * pc.mask_stride_h + l * pc.mask_stride_l;
  // Causal rows end at s = l: every later score is -inf and weighs nothing.
  int end = pc.is_causal != 0 ? min(pc.S, l + 1) : pc.S;

  float runningMax = negativeInfinity();
  float sum = 0.0;
  float acc = 0.0;
  for (int s = 0; s < end; ++s) {
    float score = 0.0;
    for (int e = 0; e < pc.E; ++e)
      score += float(t_q[query + e]) * float(t_k[keys + s * pc.E + e]);
    score = maskedScore(score * pc.scale, maskRow, s);
    // A -inf score has weight 0 once any score is finite; skipping it also keeps
    // -inf - -inf out of the running max.
    if (score == negativeInfinity())
      continue;
    if (score > runningMax) {
      float rescale = exp(runningMax - score);
      sum *= rescale;
      acc *= rescale;
      runningMax = score;
    }
    float weight = exp(score - runningMax);
    sum += weight;
    acc += weight * float(t_v[values + s * pc.Ev]);
  }
  // No finite score (a fully masked row): 0, as PyTorch's CPU flash attention gives.
  float result = sum == 0.0 ? 0.0 : acc / sum;
  t_out[index] = T(result);
}
