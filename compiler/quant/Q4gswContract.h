// The one shape contract of the q4gsw linear layout that et_vk.linear_q4gsw and
// et_vk.linear_dq8ca_q4gsw read: what both runtimes' kernels need, and the shapes of the
// operands the compiler packs. The patterns, the interpreter, the target-fit check and
// vkqc's kernel runners all read it here.
//
// - N % 4: ExecuTorch's kernels write output texels of 4 channels (Q4gswLinear.cpp checks).
// - K % 8 and G % 8: eight int4 values make one 32-bit weight word and vkqc's shaders never
//   let a word span two groups (linear_common.glslh); K % 8 also covers ExecuTorch's K % 4.
// - G divides K.
#pragma once

#include <cstdint>
#include <string>

namespace vkqc::quant {

struct Q4gswShape {
  int64_t n = 0;         // out features
  int64_t k = 0;         // in features
  int64_t groupSize = 0; // in features per scale
};

/// Why the q4gsw kernels cannot take `s`, or "" when they can.
std::string q4gswShapeProblem(const Q4gswShape &s);

/// Bytes of a packed weight row: K padded to 8, two values a byte.
int64_t q4gswRowBytes(int64_t k);
/// Columns of the scales [K/G, N'] and of the bias: N padded to 4.
int64_t q4gswScaleColumns(int64_t n);
/// Columns of the 8da4w weight sums [K/G, N'']: N padded to 8.
int64_t q4gswSumColumns(int64_t n);

} // namespace vkqc::quant
