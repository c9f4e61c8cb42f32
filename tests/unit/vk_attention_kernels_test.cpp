// matmul and scaled_dot_product_attention on lavapipe against the CPU reference
// (interp::matmul / bmm / scaledDotProductAttention), f32 and f16. Set
// VKQC_PRINT_ERRORS=1 to print the measured errors.
#include "runtime/FloatKernels.h"
#include "runtime/TensorCompare.h"

#include "TestSupport.h"
#include "TestTensors.h"
#include "VulkanTestContext.h"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <random>

using namespace vkqc;
using namespace vkqc::vk;
using interp::Shape;
using interp::Tensor;
using interp::testing::randomTensor;
using vkqc::test::errorOf;
using vkqc::test::valueOrFail;

namespace {

VulkanContext &context() { return test::vulkanContext(); }

const DType FloatDtypes[] = {DType::Float32, DType::Float16};

std::string dtypeText(DType dtype) { return std::string(dtypeName(dtype)); }

/// `t` with NaNs replaced by 0, so that the error statistics see the other elements.
Tensor withoutNaN(const Tensor &t) {
  Tensor copy(t.dtype(), t.shape());
  for (int64_t i = 0; i < t.numel(); ++i)
    copy.setDouble(i, std::isnan(t.getDouble(i)) ? 0.0 : t.getDouble(i));
  return copy;
}

/// Same dtype, shape and NaN positions; max abs error <= 1e-5 (f32) or 2e-3 (f16) times
/// max |expected|.
void checkClose(const Tensor &actual, const Tensor &expected, const std::string &what) {
  INFO(what);
  REQUIRE(actual.dtype() == expected.dtype());
  REQUIRE(actual.shape() == expected.shape());
  for (int64_t i = 0; i < expected.numel(); ++i) {
    INFO("element " << i);
    REQUIRE(std::isnan(actual.getDouble(i)) == std::isnan(expected.getDouble(i)));
  }
  ErrorStats stats = valueOrFail(compareTensors(withoutNaN(actual), withoutNaN(expected)));
  INFO(stats.describe());
  if (std::getenv("VKQC_PRINT_ERRORS"))
    std::cout << what << ": " << stats.describe() << "\n";
  double tolerance = expected.dtype() == DType::Float16 ? 2e-3 : 1e-5;
  CHECK(stats.maxAbsError <= tolerance * stats.maxAbsExpected);
}

Tensor boolTensor(Shape shape, const std::function<bool(int64_t)> &keep) {
  Tensor t(DType::Bool, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.setInt(i, keep(i) ? 1 : 0);
  return t;
}

// ---- matmul ---------------------------------------------------------------------------------

struct MatmulCase {
  const char *name;
  Shape a, b;
};

const MatmulCase MatmulCases[] = {
    {"2-D", {5, 7}, {7, 4}},
    {"2-D odd sizes past the tile", {33, 65}, {65, 17}},
    {"2-D 1x1 result", {1, 9}, {9, 1}},
    {"broadcast batch dims", {2, 1, 5, 7}, {3, 7, 4}},
    {"batch broadcast on a", {1, 6, 3}, {4, 3, 5}},
    {"4 batch dims", {2, 1, 3, 1, 4, 6}, {2, 2, 1, 2, 6, 3}},
    {"1-D x 2-D", {7}, {7, 4}},
    {"2-D x 1-D", {5, 7}, {7}},
    {"1-D x 1-D", {7}, {7}},
    {"1-D x batched", {7}, {2, 7, 3}},
    {"batched x 1-D", {2, 5, 7}, {7}},
    {"K = 0 (zeros)", {3, 0}, {0, 2}},
};

// ---- scaled_dot_product_attention -----------------------------------------------------------

struct AttentionCase {
  std::string name;
  int64_t batches, qHeads, kvHeads, queries, keys, headDim, valueDim;
  bool isCausal = false, enableGqa = false;
  std::optional<double> scale;
  /// Builds the mask for (case, dtype), or none.
  std::function<std::optional<Tensor>(DType, std::mt19937 &)> mask;
  /// Whether the mask hides every score of some row (zeros there, as PyTorch's CPU flash
  /// attention makes them).
  bool hasMaskedRow = false;
};

std::vector<AttentionCase> attentionCases() {
  auto none = [](DType, std::mt19937 &) { return std::optional<Tensor>(); };
  std::vector<AttentionCase> cases;
  cases.push_back({"no mask", 2, 3, 3, 4, 6, 8, 8, false, false, std::nullopt, none});
  cases.push_back({"is_causal L = S", 1, 2, 2, 5, 5, 8, 8, true, false, std::nullopt, none});
  cases.push_back({"is_causal L = 3, S = 7", 2, 2, 2, 3, 7, 8, 8, true, false, std::nullopt, none});
  cases.push_back({"L = 3, S = 7, Ev = 3", 1, 2, 2, 3, 7, 16, 3, false, false, std::nullopt, none});
  cases.push_back({"E = 32", 1, 2, 2, 4, 9, 32, 32, false, false, std::nullopt, none});
  cases.push_back({"odd E = 5, custom scale", 2, 1, 1, 3, 4, 5, 5, false, false, 0.37, none});
  // A causal-like tril [L, S] mask broadcast over batches and heads.
  cases.push_back({"bool tril mask [L, S]", 2, 2, 2, 4, 4, 8, 8, false, false, std::nullopt,
                   [](DType, std::mt19937 &) -> std::optional<Tensor> {
                     return boolTensor({4, 4}, [](int64_t i) { return i % 4 <= i / 4; });
                   }});
  // [B, 1, L, S]: rows partly masked, row 1 of batch 1 fully masked (zeros, as in PyTorch).
  cases.push_back({"bool mask [B, 1, L, S] with a fully masked row", 2, 3, 3, 3, 7, 8, 8, false,
                   false, std::nullopt, [](DType, std::mt19937 &rng) -> std::optional<Tensor> {
                     std::bernoulli_distribution keep(0.6);
                     return boolTensor({2, 1, 3, 7}, [&](int64_t i) {
                       if (i / 7 == 4) // batch 1, row 1
                         return false;
                       return i % 7 == 0 || keep(rng);
                     });
                   }});
  cases.back().hasMaskedRow = true;
  // An additive mask over every score, with some -inf entries and one all -inf row.
  cases.push_back({"float mask [B, H, L, S] with -inf", 2, 2, 2, 3, 5, 8, 4, false, false,
                   std::nullopt, [](DType dtype, std::mt19937 &rng) -> std::optional<Tensor> {
                     Tensor mask = randomTensor(dtype, {2, 2, 3, 5}, rng, -2.0, 2.0);
                     for (int64_t i = 0; i < mask.numel(); ++i)
                       if (i % 7 == 3 || i / 5 == 7) // scattered, and row 7 whole
                         mask.setDouble(i, -INFINITY);
                     return mask;
                   }});
  cases.back().hasMaskedRow = true;
  cases.push_back({"float mask [L, S] broadcast", 1, 2, 2, 4, 6, 8, 8, false, false, 0.5,
                   [](DType dtype, std::mt19937 &rng) -> std::optional<Tensor> {
                     return randomTensor(dtype, {4, 6}, rng, -3.0, 1.0);
                   }});
  cases.push_back({"GQA Hq = 4, Hkv = 2", 2, 4, 2, 3, 6, 8, 8, false, true, std::nullopt, none});
  cases.push_back({"GQA with is_causal", 1, 4, 2, 5, 5, 16, 16, true, true, std::nullopt, none});
  cases.push_back({"GQA with a bool mask [1, Hq, 1, S]", 1, 4, 1, 3, 5, 8, 8, false, true,
                   std::nullopt, [](DType, std::mt19937 &) -> std::optional<Tensor> {
                     return boolTensor({1, 4, 1, 5}, [](int64_t i) { return i % 3 != 1; });
                   }});
  return cases;
}

struct Qkv {
  Tensor q, k, v;
};

Qkv makeQkv(const AttentionCase &c, DType dtype, std::mt19937 &rng) {
  return {randomTensor(dtype, {c.batches, c.qHeads, c.queries, c.headDim}, rng),
          randomTensor(dtype, {c.batches, c.kvHeads, c.keys, c.headDim}, rng),
          randomTensor(dtype, {c.batches, c.kvHeads, c.keys, c.valueDim}, rng)};
}

} // namespace

TEST_CASE("matmul matches the CPU reference", "[vulkan][attention]") {
  std::mt19937 rng(7);
  for (DType dtype : FloatDtypes)
    for (const MatmulCase &c : MatmulCases) {
      Tensor a = randomTensor(dtype, c.a, rng), b = randomTensor(dtype, c.b, rng);
      Tensor expected = valueOrFail(interp::matmul(a, b));
      Tensor actual = valueOrFail(runMatmul(context(), a, b));
      checkClose(actual, expected, std::string("matmul ") + c.name + " " + dtypeText(dtype));
    }
}

TEST_CASE("bmm is matmul's 3-D case", "[vulkan][attention]") {
  std::mt19937 rng(8);
  for (DType dtype : FloatDtypes) {
    Tensor a = randomTensor(dtype, {3, 5, 6}, rng), b = randomTensor(dtype, {3, 6, 2}, rng);
    checkClose(valueOrFail(runMatmul(context(), a, b)), valueOrFail(interp::bmm(a, b)),
               "bmm " + dtypeText(dtype));
  }
}

TEST_CASE("matmul of empty tensors returns empty results", "[vulkan][attention]") {
  Tensor a(DType::Float32, {0, 7}), b(DType::Float32, {2, 7, 4});
  Tensor result = valueOrFail(runMatmul(context(), a, b));
  CHECK(result.shape() == Shape{2, 0, 4});
}

TEST_CASE("matmul rejects bad operands", "[vulkan][attention]") {
  std::mt19937 rng(9);
  Tensor a = randomTensor(DType::Float32, {2, 3}, rng);
  CHECK_THAT(errorOf(runMatmul(context(), a, randomTensor(DType::Float16, {3, 2}, rng))),
             Catch::Contains("one dtype"));
  CHECK_THAT(errorOf(runMatmul(context(), a, randomTensor(DType::Float32, {4, 2}, rng))),
             Catch::Contains("cannot be multiplied"));
  CHECK_THAT(errorOf(runMatmul(context(), randomTensor(DType::Float32, {2, 2, 3}, rng),
                               randomTensor(DType::Float32, {3, 3, 2}, rng))),
             Catch::Contains("do not broadcast"));
  Tensor ints(DType::Int32, {2, 3});
  CHECK_THAT(errorOf(runMatmul(context(), ints, ints)), Catch::Contains("f32 or f16"));
}

TEST_CASE("scaled_dot_product_attention matches the CPU reference", "[vulkan][attention]") {
  std::mt19937 rng(10);
  for (DType dtype : FloatDtypes)
    for (const AttentionCase &c : attentionCases()) {
      Qkv t = makeQkv(c, dtype, rng);
      std::optional<Tensor> mask = c.mask(dtype, rng);
      Tensor expected = valueOrFail(interp::scaledDotProductAttention(
          t.q, t.k, t.v, mask, 0.0, c.isCausal, c.scale, c.enableGqa));
      Tensor actual = valueOrFail(runScaledDotProductAttention(context(), t.q, t.k, t.v, mask,
                                                               c.scale, c.isCausal, c.enableGqa));
      checkClose(actual, expected, "sdpa " + c.name + " " + dtypeText(dtype));
      bool anyNaN = false, anyZeroRow = false;
      for (int64_t row = 0; row * c.valueDim < expected.numel(); ++row) {
        bool zero = true;
        for (int64_t e = 0; e < c.valueDim; ++e) {
          double value = expected.getDouble(row * c.valueDim + e);
          anyNaN |= std::isnan(value);
          zero &= value == 0.0;
        }
        anyZeroRow |= zero;
      }
      CHECK_FALSE(anyNaN);
      CHECK(anyZeroRow == c.hasMaskedRow);
    }
}

TEST_CASE("scaled_dot_product_attention of rank 3 and of empty tensors", "[vulkan][attention]") {
  std::mt19937 rng(11);
  Tensor q = randomTensor(DType::Float32, {2, 3, 8}, rng);
  Tensor k = randomTensor(DType::Float32, {2, 5, 8}, rng);
  Tensor v = randomTensor(DType::Float32, {2, 5, 4}, rng);
  Tensor mask = randomTensor(DType::Float32, {3, 5}, rng);
  checkClose(valueOrFail(runScaledDotProductAttention(context(), q, k, v, mask, std::nullopt, false,
                                                      false)),
             valueOrFail(
                 interp::scaledDotProductAttention(q, k, v, mask, 0.0, false, std::nullopt, false)),
             "sdpa rank 3");

  Tensor emptyQ(DType::Float16, {1, 2, 0, 8});
  Tensor k16 = randomTensor(DType::Float16, {1, 2, 5, 8}, rng);
  Tensor result = valueOrFail(runScaledDotProductAttention(
      context(), emptyQ, k16, k16, std::nullopt, std::nullopt, true, false));
  CHECK(result.shape() == Shape{1, 2, 0, 8});
}

TEST_CASE("scaled_dot_product_attention rejects bad operands", "[vulkan][attention]") {
  std::mt19937 rng(12);
  auto random = [&](DType dtype, Shape shape) { return randomTensor(dtype, shape, rng); };
  Tensor q3 = random(DType::Float32, {1, 3, 4, 8});
  Tensor kv2 = random(DType::Float32, {1, 2, 5, 8});
  CHECK_THAT(errorOf(runScaledDotProductAttention(context(), q3, kv2, kv2, std::nullopt,
                                                  std::nullopt, false, true)),
             Catch::Contains("multiple of key/value heads"));
  Tensor q4 = random(DType::Float32, {1, 4, 4, 8});
  CHECK_THAT(errorOf(runScaledDotProductAttention(context(), q4, kv2, kv2, std::nullopt,
                                                  std::nullopt, false, false)),
             Catch::Contains("batch dims differ"));
  Tensor k16 = random(DType::Float16, {1, 4, 5, 8});
  CHECK_THAT(errorOf(runScaledDotProductAttention(context(), q4, k16, k16, std::nullopt,
                                                  std::nullopt, false, false)),
             Catch::Contains("one dtype"));
  Tensor q16 = random(DType::Float16, {1, 4, 4, 8});
  Tensor mask32 = random(DType::Float32, {4, 5});
  CHECK_THAT(errorOf(runScaledDotProductAttention(context(), q16, k16, k16, mask32, std::nullopt,
                                                  false, false)),
             Catch::Contains("attn_mask must be bool or f16"));
  Tensor kv4 = random(DType::Float32, {1, 4, 5, 8});
  CHECK_THAT(
      errorOf(runScaledDotProductAttention(context(), q4, kv4, kv4, random(DType::Float32, {3, 5}),
                                           std::nullopt, false, false)),
      Catch::Contains("does not broadcast"));
  CHECK_THAT(
      errorOf(runScaledDotProductAttention(context(), q4, kv4, kv4, random(DType::Float32, {4, 5}),
                                           std::nullopt, true, false)),
      Catch::Contains("is_causal"));
}
