#include "TestTensors.h"

#include <cmath>

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::interp::testing;

namespace {
/// Straightforward SDPA for one [B, H, L, E] problem with GQA head mapping and a bool mask
/// of shape [L, S] (true = keep).
std::vector<double> naiveAttention(const Tensor &q, const Tensor &k, const Tensor &v,
                                   const Tensor *mask) {
  int64_t heads = q.dim(1), kvHeads = k.dim(1), l = q.dim(2), s = k.dim(2), e = q.dim(3);
  std::vector<double> out;
  for (int64_t h = 0; h < heads; ++h) {
    int64_t kh = h / (heads / kvHeads);
    for (int64_t i = 0; i < l; ++i) {
      std::vector<double> w(s);
      double maxScore = -INFINITY, sum = 0;
      for (int64_t j = 0; j < s; ++j) {
        double dotProduct = 0;
        for (int64_t c = 0; c < e; ++c)
          dotProduct += q.getDouble((h * l + i) * e + c) * k.getDouble((kh * s + j) * e + c);
        w[j] = dotProduct / std::sqrt(double(e));
        if (mask && !mask->getInt(i * s + j))
          w[j] = -INFINITY;
        maxScore = std::max(maxScore, w[j]);
      }
      for (double &x : w)
        sum += (x = std::exp(x - maxScore));
      for (int64_t c = 0; c < e; ++c) {
        double acc = 0;
        for (int64_t j = 0; j < s; ++j)
          acc += w[j] / sum * v.getDouble((kh * s + j) * e + c);
        out.push_back(acc);
      }
    }
  }
  return out;
}
} // namespace

TEST_CASE("sdpa with a bool mask and GQA matches a naive loop") {
  std::mt19937 rng(5);
  Tensor q = randomTensor(DType::Float32, {1, 4, 3, 8}, rng);
  Tensor k = randomTensor(DType::Float32, {1, 2, 5, 8}, rng);
  Tensor v = randomTensor(DType::Float32, {1, 2, 5, 8}, rng);
  Tensor mask =
      makeTensor(DType::Bool, {1, 1, 3, 5}, {1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1});
  Tensor out = expectOk(scaledDotProductAttention(q, k, v, mask, 0.0, false, {}, true));
  CHECK(out.shape() == Shape{1, 4, 3, 8});
  std::vector<double> expected = naiveAttention(q, k, v, &mask);
  for (int64_t i = 0; i < out.numel(); ++i)
    CHECK(out.getDouble(i) == Approx(expected[i]).margin(1e-6));

  // Without enable_gqa the head counts must match.
  CHECK(!expectError(scaledDotProductAttention(q, k, v, mask, 0.0, false, {}, false)).empty());
  CHECK(!expectError(scaledDotProductAttention(q, k, v, mask, 0.1, false, {}, true)).empty());
}

TEST_CASE("sdpa causal equals a lower-triangular mask; a fully masked row is NaN") {
  std::mt19937 rng(6);
  Tensor q = randomTensor(DType::Float32, {1, 1, 3, 4}, rng);
  Tensor k = randomTensor(DType::Float32, {1, 1, 3, 4}, rng);
  Tensor v = randomTensor(DType::Float32, {1, 1, 3, 4}, rng);
  Tensor tril = makeTensor(DType::Bool, {3, 3}, {1, 0, 0, 1, 1, 0, 1, 1, 1});
  Tensor causal = expectOk(scaledDotProductAttention(q, k, v, std::nullopt, 0, true, {}, false));
  Tensor masked = expectOk(scaledDotProductAttention(q, k, v, tril, 0, false, {}, false));
  CHECK(sameValues(causal, masked));

  // A float mask is added; an explicit scale replaces 1/sqrt(E).
  Tensor floatMask = makeTensor(DType::Float32, {3}, {0, -INFINITY, 0});
  Tensor scaled = expectOk(scaledDotProductAttention(q, k, v, floatMask, 0, false, 0.5, false));
  CHECK(std::isfinite(scaled.getDouble(0)));

  Tensor noneKept = makeTensor(DType::Bool, {3, 3}, {0, 0, 0, 1, 1, 1, 1, 1, 1});
  Tensor nan = expectOk(scaledDotProductAttention(q, k, v, noneKept, 0, false, {}, false));
  CHECK(std::isnan(nan.getDouble(0)));
  CHECK(std::isfinite(nan.getDouble(4)));
}

TEST_CASE("linear, matmul, bmm and embedding") {
  Tensor x = makeTensor(DType::Float32, {2, 1, 3}, {1, 2, 3, 4, 5, 6});
  Tensor w = makeTensor(DType::Float32, {2, 3}, {1, 0, -1, 0.5, 0.5, 0.5});
  Tensor b = makeTensor(DType::Float32, {2}, {10, 20});
  Tensor y = expectOk(linear(x, w, b));
  CHECK(y.shape() == Shape{2, 1, 2});
  CHECK(valuesOf(y) == std::vector<double>{8, 23, 8, 27.5});
  CHECK(!expectError(linear(x, expectOk(toDType(w, DType::BFloat16)), std::nullopt)).empty());
  CHECK(!expectError(linear(x, expectOk(transpose(w, 0, 1)), std::nullopt)).empty());

  // bf16 results are rounded once: 1 + 2^-8 ties to 1.
  Tensor xb = makeTensor(DType::BFloat16, {1, 2}, {1.0, 0x1p-8});
  Tensor wb = makeTensor(DType::BFloat16, {1, 2}, {1.0, 1.0});
  CHECK(expectOk(linear(xb, wb, std::nullopt)).getDouble(0) == 1.0);

  Tensor a = makeTensor(DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor vec = makeTensor(DType::Float32, {3}, {1, 1, 1});
  CHECK(valuesOf(expectOk(matmul(a, vec))) == std::vector<double>{6, 15});
  CHECK(expectOk(matmul(vec, vec)).shape() == Shape{});
  Tensor batched = expectOk(matmul(expectOk(reshape(a, {1, 2, 3})),
                                   expectOk(reshape(expectOk(transpose(a, 0, 1)), {3, 2}))));
  CHECK(batched.shape() == Shape{1, 2, 2});
  CHECK(valuesOf(batched) == std::vector<double>{14, 32, 32, 77});
  Tensor broadcastB = expectOk(expand(expectOk(transpose(a, 0, 1)), {4, 3, 2}));
  CHECK(expectOk(matmul(a, broadcastB)).shape() == Shape{4, 2, 2});
  CHECK(!expectError(bmm(a, a)).empty());
  CHECK(expectOk(bmm(expectOk(reshape(a, {1, 2, 3})), expectOk(reshape(a, {1, 3, 2})))).shape() ==
        Shape{1, 2, 2});

  Tensor table = makeTensor(DType::Float32, {3, 2}, {0, 1, 10, 11, 20, 21});
  Tensor idx = makeTensor(DType::Int64, {2, 2}, {2, 0, 1, 1});
  Tensor e = expectOk(embedding(table, idx));
  CHECK(e.shape() == Shape{2, 2, 2});
  CHECK(valuesOf(e) == std::vector<double>{20, 21, 0, 1, 10, 11, 10, 11});
  CHECK(!expectError(embedding(table, makeTensor(DType::Int64, {1}, {3}))).empty());
  CHECK(!expectError(embedding(table, makeTensor(DType::Int64, {1}, {-1}))).empty());
}
