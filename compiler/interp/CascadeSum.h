// PyTorch CPU's float summation order (aten/src/ATen/native/cpu/SumKernel.cpp).
//
// A float sum is not associative, so reproducing PyTorch bit for bit needs its order:
// the row is read as SIMD vectors, four interleaved vector accumulators are kept in a
// small cascade of levels, and the lanes are folded at the end. The results feed
// round-to-nearest int8 activation quantization, where one ulp can flip a value across a
// .5 boundary and move the logits by far more than an ulp.
#pragma once

#include <cstdint>

namespace vkqc::interp {

/// Float lanes of PyTorch's Vectorized<float>: 16 under AVX512, the usual capability of
/// the machines that make reference logits (AVX2 would be 8; tests/data matches with either).
constexpr int64_t kTorchFloatLanes = 16;

/// sum(row[0..n)) in float, in PyTorch CPU's order for a contiguous inner reduction with
/// `lanes` float lanes per vector.
float torchFloatRowSum(const float *row, int64_t n, int64_t lanes = kTorchFloatLanes);

} // namespace vkqc::interp
