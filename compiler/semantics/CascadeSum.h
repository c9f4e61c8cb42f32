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

/// The float lanes PyTorch's sum kernel accumulates in: 8. Checked against PyTorch 2.11 on the
/// AVX-512 machine that made the corpus (every one of 576 row sums and means of 7 to 300
/// elements bit-identical with 8 lanes; 389 differ with 16).
constexpr int64_t kTorchFloatLanes = 8;

/// sum(row[0..n)) in float, in PyTorch CPU's order for a contiguous inner reduction with
/// `lanes` float lanes per vector.
float torchFloatRowSum(const float *row, int64_t n, int64_t lanes = kTorchFloatLanes);

} // namespace vkqc::interp
