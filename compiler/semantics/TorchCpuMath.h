// Float arithmetic in the order, and with the approximations, of PyTorch 2.11's x86 CPU
// kernels on the AVX-512 machine that made the corpus (its logits are the ground truth).
//
// Float sums are not associative, and an 8da4w program rounds activations to int8 after
// every linear: one ulp can move a value across a .5 boundary and the logits by far more
// than an ulp. So the reference interpreter computes what PyTorch computed, not merely
// something as accurate. Each fact below was checked bit for bit against PyTorch's values
// of a real export (tools/compare_with_torch.py; the 150-token group-64 Llama).
#pragma once

#include <cstdint>

namespace vkqc::interp {

/// MKL's sgemm (PyTorch's BLAS for float linear, matmul and bmm, and inside its flash
/// attention): each output is a chain of fused multiply-adds over K in blocks of 256, each
/// block's chain started from zero and added to the output in order (bit-identical on every
/// linear of K = 192 and 512; blocks of 64, 128 or one chain of 512 are not).
constexpr int64_t kMklKBlock = 256;

/// `init` plus sum over k < `depth` of a[k * aStride] * b[k * bStride], in MKL's order
/// (`init` is the bias or the earlier value of an accumulating product; the blocks are added
/// to it one by one). `hasInit` false: the first block is the result, as with beta = 0.
float mklDot(const float *a, int64_t aStride, const float *b, int64_t bStride, int64_t depth,
             float init = 0.0f, bool hasInit = false);

/// Vectorized<float>::exp_u20 on AVX-512 (aten/src/ATen/cpu/vec/vec512/vec512_float.h): the
/// fast exponential PyTorch's flash attention takes for the softmax numerators; a
/// degree-5 polynomial of x - n ln 2, times 2^n. Up to 20 ulps from exp.
float expU20(float x);

/// The float lanes of an AVX-512 vector: flash attention's softmax sums accumulate in
/// this many lanes, folded as vec_reduce_all folds them.
constexpr int64_t kAvx512FloatLanes = 16;

/// vec_reduce_all's sum of 16 lanes: lane i is added to lane i ^ 8, then i ^ 4, i ^ 2 and
/// i ^ 1 (256-, 128-, 64- and 32-bit shuffles); lane 0 is the result.
float reduceLanes16(const float lanes[kAvx512FloatLanes]);

/// vec::reduce_all's sum of `n` floats (softmax's denominator): the first 16 are the lanes,
/// each later whole vector is added lane by lane, a partial last vector only into its own
/// lanes, and the lanes are folded as reduceLanes16; under 16 floats are summed in order.
float reduceAllSum16(const float *values, int64_t n);

} // namespace vkqc::interp
