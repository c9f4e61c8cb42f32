#version 450
// strided_copy_{in}_{out}: out[out_offset + sum i[d] * out_stride[d]] =
// in[in_offset + sum i[d] * in_stride[d]] for every index i over out_size, converted from
// the input dtype IN_T to the output dtype T. Serves transpose, permute, expand (stride 0),
// slice, dtype casts, and cat (each input written into its slice of one output).

#include "common.glslh"
#include "indexing.glslh"

#if defined(IN_DTYPE_HALF)
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define IN_T float16_t
#elif defined(IN_DTYPE_FLOAT)
#define IN_T float
#elif defined(IN_DTYPE_INT32)
#define IN_T int
#else
#error "define IN_DTYPE_FLOAT, IN_DTYPE_HALF or IN_DTYPE_INT32"
#endif

layout(local_size_x = WORKGROUP_SIZE, local_size_y = 1, local_size_z = 1) in;

layout(set = 0, binding = 0) buffer restrict writeonly OutputBuffer { T t_out[]; };
layout(set = 0, binding = 1) buffer restrict readonly InputBuffer { IN_T t_in[]; };

layout(push_constant) uniform PushConstants {
  int numel; // of the copied view (out_size)
  PER_DIM_MEMBERS(out_size)
  PER_DIM_MEMBERS(in_stride)
  int in_offset;
  PER_DIM_MEMBERS(out_stride)
  int out_offset;
} pc;

void main() {
  int index = flatInvocationIndex();
  if (index >= pc.numel)
    return;
  int coordinates[MAX_RANK] = coordinatesOf(index, PER_DIM(out_size));
  float value = float(t_in[stridedOffset(coordinates, PER_DIM(in_stride), pc.in_offset)]);
  t_out[stridedOffset(coordinates, PER_DIM(out_stride), pc.out_offset)] = T(value);
}
