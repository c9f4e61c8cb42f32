#include "compiler/semantics/CascadeSum.h"

#include <algorithm>
#include <array>
#include <vector>

namespace vkqc::interp {

namespace {

constexpr int64_t kRowsInterleaved = 4; // row_sum's ilp_factor
constexpr int64_t kLevels = 4;          // multi_row_sum's num_levels

/// A SIMD accumulator: `lanes` floats added lane by lane.
using Lanes = std::vector<float>;

void addInto(Lanes &acc, const Lanes &other) {
  for (size_t l = 0; l < acc.size(); ++l)
    acc[l] += other[l];
}

/// utils::CeilLog2 (1 for x <= 2).
int64_t ceilLog2(int64_t x) {
  if (x <= 2)
    return 1;
  int64_t bits = 0;
  for (uint64_t v = static_cast<uint64_t>(x - 1); v; v >>= 1)
    ++bits;
  return bits;
}

/// Reads item `i` (one vector of `lanes` consecutive floats).
struct Items {
  const float *data;
  int64_t lanes;
  void addTo(Lanes &acc, int64_t i) const {
    for (int64_t l = 0; l < lanes; ++l)
      acc[l] += data[i * lanes + l];
  }
};

/// multi_row_sum: items i * 4 + k accumulate into row k through kLevels levels.
std::array<Lanes, kRowsInterleaved> multiRowSum(const Items &items, int64_t size) {
  const int64_t levelPower = std::max<int64_t>(4, ceilLog2(size) / kLevels);
  const int64_t levelStep = int64_t(1) << levelPower;
  const int64_t levelMask = levelStep - 1;
  std::array<std::array<Lanes, kRowsInterleaved>, kLevels> acc;
  for (auto &level : acc)
    level.fill(Lanes(static_cast<size_t>(items.lanes), 0.0f));

  int64_t i = 0;
  while (i + levelStep <= size) {
    for (int64_t j = 0; j < levelStep; ++j, ++i)
      for (int64_t k = 0; k < kRowsInterleaved; ++k)
        items.addTo(acc[0][k], i * kRowsInterleaved + k);
    for (int64_t j = 1; j < kLevels; ++j) {
      for (int64_t k = 0; k < kRowsInterleaved; ++k) {
        addInto(acc[j][k], acc[j - 1][k]);
        std::fill(acc[j - 1][k].begin(), acc[j - 1][k].end(), 0.0f);
      }
      if ((i & (levelMask << (j * levelPower))) != 0)
        break;
    }
  }
  for (; i < size; ++i)
    for (int64_t k = 0; k < kRowsInterleaved; ++k)
      items.addTo(acc[0][k], i * kRowsInterleaved + k);
  for (int64_t j = 1; j < kLevels; ++j)
    for (int64_t k = 0; k < kRowsInterleaved; ++k)
      addInto(acc[0][k], acc[j][k]);
  return acc[0];
}

/// row_sum: the sum of `size` items, as one accumulator of `lanes` floats.
Lanes rowSum(const Items &items, int64_t size) {
  const int64_t interleaved = size / kRowsInterleaved;
  std::array<Lanes, kRowsInterleaved> partial = multiRowSum(items, interleaved);
  for (int64_t i = interleaved * kRowsInterleaved; i < size; ++i)
    items.addTo(partial[0], i);
  for (int64_t k = 1; k < kRowsInterleaved; ++k)
    addInto(partial[0], partial[k]);
  return partial[0];
}

} // namespace

float torchFloatRowSum(const float *row, int64_t n, int64_t lanes) {
  if (n < lanes) // scalar_inner_sum: the same cascade over single floats
    return rowSum(Items{row, 1}, n)[0];
  // vectorized_inner_sum: whole vectors first, then the scalar tail, then the lanes.
  const int64_t vectors = n / lanes;
  Lanes vectorAcc = rowSum(Items{row, lanes}, vectors);
  float total = 0.0f;
  for (int64_t k = vectors * lanes; k < n; ++k)
    total += row[k];
  for (float lane : vectorAcc)
    total += lane;
  return total;
}

} // namespace vkqc::interp
