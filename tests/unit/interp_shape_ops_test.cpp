#include "TestTensors.h"

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::interp::testing;

namespace {
Tensor iota(DType dtype, Shape shape) {
  Tensor t(dtype, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.setInt(i, i);
  return t;
}
} // namespace

TEST_CASE("reshape, transpose, permute, unsqueeze, expand") {
  Tensor x = iota(DType::Float32, {2, 3});
  CHECK(expectOk(reshape(x, {3, -1})).shape() == Shape{3, 2});
  CHECK(!expectError(reshape(x, {-1, -1})).empty());
  CHECK(!expectError(reshape(x, {4, -1})).empty());
  CHECK(!expectError(reshape(x, {7})).empty());

  Tensor t = expectOk(transpose(x, 0, -1));
  CHECK(t.shape() == Shape{3, 2});
  CHECK(valuesOf(t) == std::vector<double>{0, 3, 1, 4, 2, 5});
  Tensor cube = iota(DType::Int64, {2, 3, 4});
  Tensor p = expectOk(permute(cube, {2, 0, 1}));
  CHECK(p.shape() == Shape{4, 2, 3});
  CHECK(p.getInt(1) == 4); // p[0, 0, 1] = cube[0, 1, 0]
  CHECK(p.getInt(6) == 1); // p[1, 0, 0] = cube[0, 0, 1]
  CHECK(!expectError(permute(cube, {0, 0, 1})).empty());

  CHECK(expectOk(unsqueeze(x, -1)).shape() == Shape{2, 3, 1});
  CHECK(expectOk(unsqueeze(x, 0)).shape() == Shape{1, 2, 3});
  Tensor column = iota(DType::Float32, {2, 1});
  Tensor e = expectOk(expand(column, {3, -1, 2}));
  CHECK(e.shape() == Shape{3, 2, 2});
  CHECK(valuesOf(e) == std::vector<double>{0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1});
  CHECK(!expectError(expand(x, {2, 4})).empty());
  CHECK(!expectError(expand(x, {-1, 2, 3})).empty());
}

TEST_CASE("slice wraps and clamps like PyTorch") {
  Tensor x = iota(DType::Int64, {1, 6});
  auto values = [&](std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
    return valuesOf(expectOk(slice(x, 1, start, end, step)));
  };
  CHECK(values(1, INT64_MAX, 1) == std::vector<double>{1, 2, 3, 4, 5});
  CHECK(values(-2, std::nullopt, 1) == std::vector<double>{4, 5});
  CHECK(values(0, -1, 2) == std::vector<double>{0, 2, 4});
  CHECK(values(-100, 2, 1) == std::vector<double>{0, 1});
  CHECK(values(4, 2, 1).empty());
  CHECK(values(10, 20, 1).empty());
  CHECK(!expectError(slice(x, 1, 0, 2, 0)).empty());
  CHECK(!expectError(slice(x, 2, 0, 2, 1)).empty());
}

TEST_CASE("cat, clone and diff") {
  Tensor a = iota(DType::Int64, {2, 1});
  Tensor b = makeTensor(DType::Int64, {2, 2}, {10, 11, 12, 13});
  Tensor c = expectOk(cat({a, b}, -1));
  CHECK(c.shape() == Shape{2, 3});
  CHECK(valuesOf(c) == std::vector<double>{0, 10, 11, 1, 12, 13});
  CHECK(expectOk(cat({a, makeTensor(DType::Float32, {2, 1}, {0.5, 1.5})}, 1)).dtype() ==
        DType::Float32);
  CHECK(!expectError(cat({a, iota(DType::Int64, {3, 1})}, 1)).empty());
  CHECK(sameValues(expectOk(clone(b)), b));

  // Corpus mask construction: diff over positions with a zero prepended.
  Tensor positions = makeTensor(DType::Int64, {1, 4}, {1, 2, 4, 7});
  Tensor zero = makeTensor(DType::Int64, {1, 1}, {0});
  Tensor d = expectOk(diff(positions, 1, -1, zero, std::nullopt));
  CHECK(valuesOf(d) == std::vector<double>{1, 1, 2, 3});
  CHECK(valuesOf(expectOk(diff(positions, 2, 1, std::nullopt, std::nullopt))) ==
        std::vector<double>{1, 1});
  Tensor flags = makeTensor(DType::Bool, {4}, {1, 1, 0, 1});
  Tensor flips = expectOk(diff(flags, 1, 0, std::nullopt, std::nullopt));
  CHECK(flips.dtype() == DType::Bool);
  CHECK(valuesOf(flips) == std::vector<double>{0, 1, 1});
  CHECK(expectOk(diff(flags, 5, 0, std::nullopt, std::nullopt)).numel() == 0);
}

TEST_CASE("index broadcasts index tensors like the corpus mask construction") {
  // index(cumsum[1, S], [t0[1,1,1,1], t1[1,1,S,1]])
  const int64_t s = 4;
  Tensor positions = makeTensor(DType::Int64, {1, s}, {1, 2, 3, 4});
  Tensor t0 = makeTensor(DType::Int64, {1, 1, 1, 1}, {0});
  Tensor t1 = makeTensor(DType::Int64, {1, 1, s, 1}, {3, 2, 1, -4});
  Tensor out = expectOk(index(positions, {t0, t1}));
  CHECK(out.shape() == Shape{1, 1, s, 1});
  CHECK(valuesOf(out) == std::vector<double>{4, 3, 2, 1});

  Tensor x = iota(DType::Float32, {2, 3, 4});
  Tensor rows = makeTensor(DType::Int64, {2}, {2, 0});
  Tensor middle = expectOk(index(x, {std::nullopt, rows}));
  CHECK(middle.shape() == Shape{2, 2, 4});
  CHECK(middle.getDouble(0) == 8); // x[0, 2, 0]
  // Non-adjacent indexed dims put the index dims first.
  Tensor split = expectOk(index(x, {makeTensor(DType::Int64, {2}, {1, 0}), std::nullopt,
                                    makeTensor(DType::Int64, {2}, {3, 1})}));
  CHECK(split.shape() == Shape{2, 3});
  CHECK(valuesOf(split) == std::vector<double>{15, 19, 23, 1, 5, 9});

  CHECK(!expectError(index(positions, {t0, makeTensor(DType::Int64, {1}, {4})})).empty());
  CHECK(!expectError(index(positions, {makeTensor(DType::Bool, {1}, {1})})).empty());
  CHECK(!expectError(index(positions, {t0, t1, t0})).empty());
}

TEST_CASE("arange, full and new_ones") {
  Tensor r = expectOk(arange(Scalar::ofInt(5)));
  CHECK(r.dtype() == DType::Int64);
  CHECK(valuesOf(r) == std::vector<double>{0, 1, 2, 3, 4});
  Tensor f = expectOk(arange(Scalar::ofInt(0), Scalar::ofFloat(1.0), Scalar::ofFloat(0.25)));
  CHECK(f.dtype() == DType::Float32);
  CHECK(valuesOf(f) == std::vector<double>{0, 0.25, 0.5, 0.75});
  CHECK(expectOk(arange(Scalar::ofInt(3), DType::Float32)).dtype() == DType::Float32);
  CHECK(!expectError(arange(Scalar::ofInt(0), Scalar::ofInt(3), Scalar::ofInt(0))).empty());
  CHECK(!expectError(arange(Scalar::ofInt(3), Scalar::ofInt(0), Scalar::ofInt(1))).empty());

  CHECK(expectOk(full({2, 2}, Scalar::ofFloat(1.5))).dtype() == DType::Float32);
  CHECK(expectOk(full({2}, Scalar::ofBool(true))).dtype() == DType::Bool);
  Tensor filled = expectOk(full({2}, Scalar::ofInt(7), DType::Int8));
  CHECK(valuesOf(filled) == std::vector<double>{7, 7});
  CHECK(!expectError(full({-1}, Scalar::ofInt(0))).empty());
  Tensor ones = expectOk(newOnes(makeTensor(DType::BFloat16, {1}, {0}), {1, 3}));
  CHECK(ones.dtype() == DType::BFloat16);
  CHECK(valuesOf(ones) == std::vector<double>{1, 1, 1});
}
