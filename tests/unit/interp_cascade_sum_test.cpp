// f32 mean sums in PyTorch CPU's order: a correctly rounded (double) sum differs by an ulp,
// which flipped an int8 activation rounding in llama_legacy_embedding_8da4w_fp32.
#include "compiler/semantics/CascadeSum.h"

#include "TestTensors.h"

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::interp::testing;

namespace {
// 2^24 followed by 31 ones. PyTorch (16 lanes) adds the two vectors lane by lane, so lane
// 0 holds 2^24 + 1 -> 2^24 and the other lanes hold 2 each: 2^24 + 30. The exact sum
// 2^24 + 31 rounds to 2^24 + 32 instead.
std::vector<double> bigThenOnes() {
  std::vector<double> values(32, 1.0);
  values[0] = 16777216.0;
  return values;
}
} // namespace

TEST_CASE("torchFloatRowSum follows PyTorch's vector order", "[interp]") {
  Tensor row = makeTensor(DType::Float32, {32}, bigThenOnes());
  CHECK(torchFloatRowSum(row.data<float>(), 32, 16) == 16777246.0f);
  // With 8 lanes the four vectors land in four interleaved accumulators; folding them adds
  // 1 to 2^24 three times (each rounds back to 2^24), and the 7 other lanes hold 4 each.
  CHECK(torchFloatRowSum(row.data<float>(), 32, 8) == 16777216.0f + 28.0f);
  // Shorter than a vector: the scalar cascade over 4 interleaved accumulators.
  Tensor small = makeTensor(DType::Float32, {5}, {1, 2, 3, 4, 5});
  CHECK(torchFloatRowSum(small.data<float>(), 5, 16) == 15.0f);
}

TEST_CASE("f32 mean divides PyTorch's float sum", "[interp]") {
  Tensor x = makeTensor(DType::Float32, {1, 32}, bigThenOnes());
  Tensor m = expectOk(mean(x, {-1}, true));
  CHECK(m.shape() == Shape{1, 1});
  // PyTorch's 8 lanes sum to 2^24 + 28 (above); double accumulation gave 16777248 / 32.
  CHECK(m.getDouble(0) == 16777244.0 / 32);
  // Reductions that are not contiguous runs keep the double accumulator.
  Tensor columns =
      expectOk(mean(makeTensor(DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6}), {0}, false));
  CHECK(valuesOf(columns) == std::vector<double>{2.5, 3.5, 4.5});
}
