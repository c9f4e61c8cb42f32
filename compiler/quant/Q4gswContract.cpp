#include "compiler/quant/Q4gswContract.h"

#include "compiler/quant/Q4Packing.h"

namespace vkqc::quant {

std::string q4gswShapeProblem(const Q4gswShape &s) {
  if (s.n <= 0 || s.n % 4 != 0)
    return "out features N=" + std::to_string(s.n) +
           " is not a multiple of 4 (q4gsw linears write 4 a texel)";
  if (s.k <= 0 || s.k % 8 != 0)
    return "in features K=" + std::to_string(s.k) +
           " is not a multiple of 8 (q4gsw linears read 8 int4 a word)";
  if (s.groupSize <= 0 || s.groupSize % 8 != 0 || s.k % s.groupSize != 0)
    return "group size " + std::to_string(s.groupSize) +
           " is not a multiple of 8 dividing K=" + std::to_string(s.k) +
           " (no weight word may span two groups)";
  return "";
}

int64_t q4gswRowBytes(int64_t k) { return alignUp(k, 8) / 2; }
int64_t q4gswScaleColumns(int64_t n) { return alignUp(n, 4); }
int64_t q4gswSumColumns(int64_t n) { return alignUp(n, 8); }

} // namespace vkqc::quant
