#include "compiler/semantics/TorchCpuMath.h"
#include "compiler/semantics/Tensor.h"

#include <algorithm>
#include <cmath>

namespace vkqc::interp {

float mklDot(const float *a, int64_t aStride, const float *b, int64_t bStride, int64_t depth,
             float init, bool hasInit) {
  float total = init;
  for (int64_t k0 = 0; k0 < depth; k0 += kMklKBlock) {
    float chain = 0.0f;
    for (int64_t k = k0, end = std::min(depth, k0 + kMklKBlock); k < end; ++k)
      chain = std::fma(a[k * aStride], b[k * bStride], chain);
    total = hasInit ? total + chain : chain;
    hasInit = true;
  }
  return total;
}

float expU20(float x) {
  // The constants as PyTorch spells them (bit patterns where it gives bits).
  const float log2e = floatFromBits(0x3fb8aa3b), ln2 = floatFromBits(0x3f317218);
  const float lnFltMin = floatFromBits(0xc2aeac50), lnFltMax = floatFromBits(0x42b17218);
  const float c1 = 0.999999701f, c2 = 0.499991506f, c3 = 0.166676521f, c4 = 0.0418978221f,
              c5 = 0.00828929059f;
  bool underflows = x < lnFltMin; // _CMP_LT_OS: false for NaN
  // _mm512_min_ps / max_ps return their second operand when either is NaN.
  float src = x < lnFltMax ? x : lnFltMax;
  src = src > lnFltMin ? src : lnFltMin;
  float fx = std::floor(std::fma(src, log2e, 0.5f)); // floor(x log2(e) + 0.5)
  float r = std::fma(-fx, ln2, src);                 // x - fx ln 2, one rounding
  float poly = std::fma(r, c5, c4);
  poly = std::fma(r, poly, c3);
  poly = std::fma(r, poly, c2);
  poly = std::fma(r, poly, c1);
  poly = std::fma(r, poly, 1.0f);
  // 2^(fx - 1) built from its exponent bits, then doubled.
  int32_t exponent = static_cast<int32_t>(std::nearbyint(fx - 1.0f)) + 127;
  float twoToN = underflows ? 0.0f : floatFromBits(static_cast<uint32_t>(exponent) << 23);
  return poly * twoToN * 2.0f;
}

float reduceLanes16(const float lanes[kAvx512FloatLanes]) {
  float v[kAvx512FloatLanes];
  std::copy(lanes, lanes + kAvx512FloatLanes, v);
  for (int64_t shift : {8, 4, 2, 1}) {
    float next[kAvx512FloatLanes];
    for (int64_t i = 0; i < kAvx512FloatLanes; ++i)
      next[i] = v[i] + v[i ^ shift];
    std::copy(next, next + kAvx512FloatLanes, v);
  }
  return v[0];
}

float reduceAllSum16(const float *values, int64_t n) {
  if (n < kAvx512FloatLanes) {
    float sum = n ? values[0] : 0.0f;
    for (int64_t i = 1; i < n; ++i)
      sum += values[i];
    return sum;
  }
  float lanes[kAvx512FloatLanes];
  std::copy(values, values + kAvx512FloatLanes, lanes);
  for (int64_t i = kAvx512FloatLanes; i < n; ++i)
    lanes[i % kAvx512FloatLanes] += values[i];
  return reduceLanes16(lanes);
}

} // namespace vkqc::interp
