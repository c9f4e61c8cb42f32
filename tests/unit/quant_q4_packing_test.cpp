#include "compiler/quant/Q4Packing.h"
#include "compiler/quant/Q4gswContract.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <tuple>

using namespace vkqc::quant;

namespace {
template <typename T> T expectOk(llvm::Expected<T> result) {
  if (!result)
    FAIL(llvm::toString(result.takeError()));
  return std::move(*result);
}
template <typename T> bool failed(llvm::Expected<T> result) {
  if (result)
    return false;
  llvm::consumeError(result.takeError());
  return true;
}
} // namespace

TEST_CASE("packQ4Linear puts the even element in the low nibble, stored q + 8") {
  std::vector<int8_t> q = {-8, 7, 0, -1, 1, 2, 3, 4}; // one row, K = 8
  std::vector<uint8_t> packed = expectOk(packQ4Linear(q, 1, 8));
  CHECK(packed == std::vector<uint8_t>{0xF0, 0x78, 0xA9, 0xCB});
  CHECK(unpackQ4Element(packed.data(), 0, true) == -8);
  CHECK(unpackQ4Element(packed.data(), 1, true) == 7);
  CHECK(unpackQ4Element(packed.data(), 0, false) == 7); // high nibble first
}

TEST_CASE("packQ4Linear pads K to a multiple of 8 with q = 0 and round-trips") {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> dist(-8, 7);
  std::vector<int8_t> q(3 * 5);
  for (int8_t &v : q)
    v = static_cast<int8_t>(dist(rng));
  std::vector<uint8_t> packed = expectOk(packQ4Linear(q, 3, 5));
  REQUIRE(packed.size() == 3 * 4);
  CHECK(packed[3] == 0x88);       // bytes 3 of row 0: padding only
  CHECK((packed[2] >> 4) == 0x8); // element 5 (padding) in the high nibble
  CHECK(expectOk(unpackQ4Linear(packed, 3, 5)) == q);
  CHECK(failed(unpackQ4Linear(packed, 3, 9)));
  CHECK(failed(packQ4Linear(std::vector<int8_t>{8}, 1, 1)));
  CHECK(failed(packQ4Linear(q, 4, 5)));
}

TEST_CASE("swapNibbles converts the legacy embedding layout to the linear layout") {
  // Legacy: (q0 + 8) << 4 | (q1 + 8) for q = [-8, 7].
  std::vector<uint8_t> legacy = {0x0F};
  std::vector<uint8_t> linear = swapNibbles(legacy);
  CHECK(linear == std::vector<uint8_t>{0xF0});
  CHECK(expectOk(unpackQ4Linear(std::vector<uint8_t>{0xF0, 0x88, 0x88, 0x88}, 1, 2)) ==
        std::vector<int8_t>{-8, 7});
  CHECK(swapNibbles(linear) == legacy);
}

TEST_CASE("computeWeightSums is transposed to [G, align8(N)] and zero padded") {
  // N = 2, K = 4, group 2.
  std::vector<int8_t> q = {1, 2, 3, 4, -8, 7, -1, -1};
  std::vector<int32_t> sums = expectOk(computeWeightSums(q, 2, 4, 2));
  REQUIRE(sums.size() == 2 * 8);
  CHECK(sums[0] == 3);
  CHECK(sums[1] == -1);
  CHECK(sums[8] == 7);
  CHECK(sums[9] == -2);
  for (int i : {2, 3, 7, 10, 15})
    CHECK(sums[i] == 0);
  CHECK(failed(computeWeightSums(q, 2, 4, 3)));
}

TEST_CASE("transposePadScales") {
  // [N = 3, G = 2] of 2-byte elements (values = element ids).
  std::vector<uint8_t> scales;
  for (uint8_t v : {1, 2, 3, 4, 5, 6}) {
    scales.push_back(v);
    scales.push_back(0xA0);
  }
  std::vector<uint8_t> t = expectOk(transposePadScales(scales, 2, 3, 2));
  REQUIRE(t.size() == 2 * 4 * 2);
  std::vector<uint8_t> lowBytes;
  for (size_t i = 0; i < t.size(); i += 2)
    lowBytes.push_back(t[i]);
  CHECK(lowBytes == std::vector<uint8_t>{1, 3, 5, 0, 2, 4, 6, 0});
  CHECK(t[1] == 0xA0);
  CHECK(t[7] == 0x00); // padding is zero in every byte

  CHECK(failed(transposePadScales(scales, 4, 3, 2)));
  CHECK(alignUp(9, 8) == 16);
}

TEST_CASE("transposePadScales moves whole elements of every size") {
  const int64_t n = 5, g = 3;
  for (size_t size : {1, 2, 3, 4, 8}) {
    std::vector<uint8_t> scales(n * g * size);
    for (size_t i = 0; i < scales.size(); ++i)
      scales[i] = static_cast<uint8_t>(i * 7 + 1);
    std::vector<uint8_t> t = expectOk(transposePadScales(scales, size, n, g));
    REQUIRE(t.size() == static_cast<size_t>(g * 8) * size);
    for (int64_t c = 0; c < g; ++c)
      for (int64_t r = 0; r < 8; ++r)
        for (size_t b = 0; b < size; ++b)
          CHECK(t[(c * 8 + r) * size + b] == (r < n ? scales[(r * g + c) * size + b] : 0));
  }
}

TEST_CASE("the write-into layouts fill every byte of a reused buffer and check its size") {
  // The compiler writes layouts into reused scratch and into the output file: a byte left
  // unwritten (padding) would carry the previous constant's data.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> dist(-8, 7);
  const int64_t n = 5, k = 13, group = 1;
  std::vector<int8_t> q(n * k);
  for (int8_t &v : q)
    v = static_cast<int8_t>(dist(rng));
  auto dirty = [](size_t size) { return std::vector<uint8_t>(size, 0xCD); };

  std::vector<uint8_t> packed = dirty(n * 8);
  REQUIRE(!llvm::errorToBool(packQ4LinearInto(q, n, k, packed)));
  CHECK(packed == expectOk(packQ4Linear(q, n, k)));

  std::vector<int32_t> sums = expectOk(computeWeightSums(q, n, k, group));
  std::vector<uint8_t> sumBytes = dirty(sums.size() * 4);
  REQUIRE(!llvm::errorToBool(computeWeightSumsInto(q, n, k, group, sumBytes)));
  CHECK(std::memcmp(sumBytes.data(), sums.data(), sumBytes.size()) == 0);

  std::vector<uint8_t> scales(n * 3 * 2, 0x11);
  std::vector<uint8_t> transposed = dirty(3 * 8 * 2);
  REQUIRE(!llvm::errorToBool(transposePadScalesInto(scales, 2, n, 3, 8, transposed)));
  CHECK(transposed == expectOk(transposePadScales(scales, 2, n, 3, 8)));

  std::vector<uint8_t> small = dirty(n * 8 - 1);
  CHECK(llvm::errorToBool(packQ4LinearInto(q, n, k, small)));
  CHECK(llvm::errorToBool(computeWeightSumsInto(q, n, k, group, small)));
  CHECK(llvm::errorToBool(swapNibblesInto(packed, small)));
}

TEST_CASE("packing and weight sums agree with the element-wise definition") {
  // Every int4 value at every position of 8-value words, odd and even K, long groups (the
  // word-at-a-time loops batch 32 words) and int8 values beyond int4 for the sums.
  std::mt19937 rng(11);
  for (auto [n, k, group] : {std::tuple<int64_t, int64_t, int64_t>{3, 16, 16},
                             {2, 21, 7},
                             {4, 520, 520},
                             {70, 64, 32},
                             {1, 9, 3}}) {
    std::uniform_int_distribution<int> int4(-8, 7), int8(-128, 127);
    std::vector<int8_t> q(n * k), wide(n * k);
    for (size_t i = 0; i < q.size(); ++i) {
      q[i] = static_cast<int8_t>(i < 16 ? static_cast<int>(i) - 8 : int4(rng));
      wide[i] = static_cast<int8_t>(i % 5 == 0 ? -128 : int8(rng));
    }
    std::vector<uint8_t> packed = expectOk(packQ4Linear(q, n, k));
    int64_t rowBytes = alignUp(k, 8) / 2;
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < alignUp(k, 8); ++c)
        CHECK(unpackQ4Element(packed.data() + r * rowBytes, c, true) == (c < k ? q[r * k + c] : 0));
    for (const std::vector<int8_t> *values : {&q, &wide}) {
      std::vector<int32_t> sums = expectOk(computeWeightSums(*values, n, k, group));
      int64_t paddedN = alignUp(n, 8);
      for (int64_t g = 0; g < k / group; ++g)
        for (int64_t r = 0; r < paddedN; ++r) {
          int32_t want = 0;
          for (int64_t i = 0; r < n && i < group; ++i)
            want += (*values)[r * k + g * group + i];
          CHECK(sums[g * paddedN + r] == want);
        }
    }
  }
}

TEST_CASE("packQ4EmbeddingInto is embedding_4bit's layout: even element high, no padding") {
  std::vector<int8_t> q = {-8, 7, 0, -1, 1, 2}; // one row, K = 6 (no padding to 8)
  std::vector<uint8_t> packed(3, 0xCD);
  REQUIRE(!llvm::errorToBool(packQ4EmbeddingInto(q, 1, 6, packed)));
  CHECK(packed == std::vector<uint8_t>{0x0F, 0x87, 0x9A});
  for (int64_t c = 0; c < 6; ++c)
    CHECK(unpackQ4Element(packed.data(), c, false) == q[c]);

  std::mt19937 rng(5);
  std::uniform_int_distribution<int> dist(-8, 7);
  std::vector<int8_t> wide(3 * 24);
  for (int8_t &v : wide)
    v = static_cast<int8_t>(dist(rng));
  std::vector<uint8_t> embedding(3 * 12);
  REQUIRE(!llvm::errorToBool(packQ4EmbeddingInto(wide, 3, 24, embedding)));
  CHECK(embedding == swapNibbles(expectOk(packQ4Linear(wide, 3, 24))));

  std::vector<uint8_t> odd(2);
  CHECK(llvm::errorToBool(packQ4EmbeddingInto(std::vector<int8_t>{1, 2, 3}, 1, 3, odd)));
  std::vector<int8_t> outside = {0, 9};
  std::vector<uint8_t> one(1);
  CHECK(llvm::errorToBool(packQ4EmbeddingInto(outside, 1, 2, one)));
}

TEST_CASE("a value outside int4 is found wherever it sits in a row") {
  std::vector<int8_t> all(70);
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = static_cast<int8_t>(static_cast<int>(i % 16) - 8);
  CHECK(allInt4(all));
  for (int64_t k : {32, 40, 64}) // inside the 32-value blocks and in the tail
    for (int64_t at = 0; at < k; at += 7)
      for (int8_t bad : {int8_t(8), int8_t(-9), int8_t(127), int8_t(-128)}) {
        std::vector<int8_t> q(2 * k, 3);
        q[k + at] = bad;
        CHECK(failed(packQ4Linear(q, 2, k)));
        CHECK(!allInt4(q));
        std::vector<uint8_t> packed(k);
        CHECK(llvm::errorToBool(packQ4EmbeddingInto(q, 2, k, packed)));
      }
}

// One contract for the q4gsw layout: the patterns, the interpreter, the target check and
// the runtime all read compiler/quant/Q4gswContract.h.
TEST_CASE("the q4gsw shape contract: N % 4, K % 8, G % 8 dividing K") {
  using vkqc::quant::q4gswShapeProblem;
  CHECK(q4gswShapeProblem({128, 128, 32}) == "");
  CHECK(q4gswShapeProblem({8, 40, 8}) == "");
  // K = 36 (K = 4 mod 8): a multiple of 4 that the 8-value weight words cannot take.
  CHECK_THAT(q4gswShapeProblem({8, 36, 4}), Catch::Contains("K=36 is not a multiple of 8"));
  CHECK_THAT(q4gswShapeProblem({8, 36, 12}), Catch::Contains("K=36 is not a multiple of 8"));
  CHECK_THAT(q4gswShapeProblem({250, 128, 32}), Catch::Contains("N=250 is not a multiple of 4"));
  CHECK_THAT(q4gswShapeProblem({8, 48, 12}), Catch::Contains("group size 12"));
  CHECK_THAT(q4gswShapeProblem({8, 64, 48}), Catch::Contains("group size 48"));
  // The packed operands' shapes.
  CHECK(vkqc::quant::q4gswRowBytes(128) == 64);
  CHECK(vkqc::quant::q4gswRowBytes(36) == 20); // K padded to 40 where a layout is asked of it
  CHECK(vkqc::quant::q4gswScaleColumns(250) == 252);
  CHECK(vkqc::quant::q4gswSumColumns(250) == 256);
}
