// Small helpers for the interpreter unit tests.
#pragma once

#include "compiler/semantics/Kernels.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

namespace vkqc::interp::testing {

inline Tensor makeTensor(DType dtype, Shape shape, const std::vector<double> &values) {
  Tensor t(dtype, std::move(shape));
  REQUIRE(static_cast<int64_t>(values.size()) == t.numel());
  for (size_t i = 0; i < values.size(); ++i)
    t.setDouble(static_cast<int64_t>(i), values[i]);
  return t;
}

inline std::vector<double> valuesOf(const Tensor &t) {
  std::vector<double> values;
  for (int64_t i = 0; i < t.numel(); ++i)
    values.push_back(t.getDouble(i));
  return values;
}

/// The value of a successful Expected; fails the test with the error otherwise.
template <typename T> T expectOk(llvm::Expected<T> result) {
  if (!result)
    FAIL(llvm::toString(result.takeError()));
  return std::move(*result);
}

/// The message of a failed Expected; fails the test if it succeeded.
template <typename T> std::string expectError(llvm::Expected<T> result) {
  if (result)
    FAIL("expected an error");
  return llvm::toString(result.takeError());
}

inline Tensor randomTensor(DType dtype, Shape shape, std::mt19937 &rng, double lo = -1.0,
                           double hi = 1.0) {
  Tensor t(dtype, std::move(shape));
  std::uniform_real_distribution<double> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.setDouble(i, dist(rng));
  return t;
}

inline Tensor randomInt4(Shape shape, std::mt19937 &rng) {
  Tensor t(DType::Int8, std::move(shape));
  std::uniform_int_distribution<int> dist(-8, 7);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.setInt(i, dist(rng));
  return t;
}

/// Bitwise-equal float contents (NaN equal to NaN).
inline bool sameValues(const Tensor &a, const Tensor &b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape())
    return false;
  for (int64_t i = 0; i < a.numel(); ++i) {
    double x = a.getDouble(i), y = b.getDouble(i);
    if (!(x == y || (x != x && y != y)))
      return false;
  }
  return true;
}

} // namespace vkqc::interp::testing
