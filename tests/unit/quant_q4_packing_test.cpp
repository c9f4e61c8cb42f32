#include "compiler/quant/Q4Packing.h"

#include <catch2/catch.hpp>

#include <random>

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
  CHECK(packed[3] == 0x88);                   // bytes 3 of row 0: padding only
  CHECK((packed[2] >> 4) == 0x8);             // element 5 (padding) in the high nibble
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

TEST_CASE("transposePadScales and padLastDim") {
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

  std::vector<uint8_t> padded = expectOk(padLastDim(std::vector<uint8_t>{1, 2, 3, 4, 5, 6}, 2,
                                                    3, 1, 4));
  CHECK(padded == std::vector<uint8_t>{1, 2, 3, 0, 4, 5, 6, 0});
  CHECK(failed(padLastDim(std::vector<uint8_t>{1, 2, 3}, 2, 3, 1, 4)));
  CHECK(failed(transposePadScales(scales, 4, 3, 2)));
  CHECK(alignUp(9, 8) == 16);
}
