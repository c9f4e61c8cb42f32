#version 450
// et_vk.embedding_q4gsw: gather rows of a 4-bit table u8 [V, D/2] and dequantize them with
// per-row, per-group scales [V, D / group_size] (q is the signed int4 value):
//   out[i, d] = float(q[indices[i], d]) * float(scales[indices[i], d / group_size])
// One invocation writes the 8 values of one packed uint word of one gathered row.

#include "common.glslh"

#if defined(SCALES_HALF)
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define SCALES_T float16_t
#elif defined(SCALES_FLOAT)
#define SCALES_T float
#else
#error "define SCALES_HALF or SCALES_FLOAT"
#endif

layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly IndicesBuffer { int t_indices[]; };
layout(set = 0, binding = 2) buffer restrict readonly WeightBuffer { uint t_weight[]; };
layout(set = 0, binding = 3) buffer restrict readonly ScalesBuffer { SCALES_T t_scales[]; };

layout(push_constant) uniform PushConstants {
  int num_indices;
  int embed_dim;     // D, a multiple of 8
  int group_size;
  int is_linear_weight; // 1: even element in the low nibble; 0: legacy, high nibble
} pc;

void main() {
  int wordsPerRow = pc.embed_dim / 8;
  int word = int(gl_GlobalInvocationID.x);
  int i = int(gl_GlobalInvocationID.y);
  if (word >= wordsPerRow || i >= pc.num_indices)
    return;

  int row = t_indices[i];
  uint packed = t_weight[row * wordsPerRow + word];
  int groupsPerRow = pc.embed_dim / pc.group_size;
  for (int j = 0; j < 8; ++j) {
    int d = word * 8 + j;
    // Element j sits in byte j/2; the layout decides which nibble of the byte.
    int nibble = pc.is_linear_weight != 0 ? (j & 1) : 1 - (j & 1);
    int q = int((packed >> (8 * (j / 2) + 4 * nibble)) & 0xFu) - 8;
    float scale = float(t_scales[row * groupsPerRow + d / pc.group_size]);
    t_out[i * pc.embed_dim + d] = T(float(q) * scale);
  }
}
