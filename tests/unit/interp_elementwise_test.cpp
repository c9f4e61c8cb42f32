#include "TestTensors.h"

#include <cmath>

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::interp::testing;

TEST_CASE("half and bf16 conversions round to nearest even and keep NaN") {
  CHECK(floatToHalf(1.0f) == 0x3c00);
  CHECK(floatToHalf(65504.0f) == 0x7bff);
  CHECK(floatToHalf(65519.0f) == 0x7bff);
  CHECK(floatToHalf(65520.0f) == 0x7c00); // rounds to infinity
  CHECK(floatToHalf(0x1p-24f) == 0x0001);
  CHECK(floatToHalf(0x1p-25f) == 0x0000);     // tie to even (zero)
  CHECK(floatToHalf(3 * 0x1p-25f) == 0x0002); // tie to even (2 units)
  CHECK(floatToHalf(1.0f + 0x1p-11f) == 0x3c00);
  CHECK(floatToHalf(1.0f + 3 * 0x1p-11f) == 0x3c02);
  CHECK(floatToHalf(-0.0f) == 0x8000);
  CHECK(std::isnan(halfToFloat(floatToHalf(NAN))));
  CHECK(halfToFloat(0x0001) == 0x1p-24f);
  CHECK(halfToFloat(0xfbff) == -65504.0f);
  CHECK(std::isinf(halfToFloat(0x7c00)));

  CHECK(floatToBf16(1.0f + 0x1p-8f) == 0x3f80);
  CHECK(floatToBf16(1.0f + 3 * 0x1p-8f) == 0x3f82);
  CHECK(std::isnan(bf16ToFloat(floatToBf16(NAN))));
  CHECK(floatToBf16(3.4028235e38f) == 0x7f80); // FLT_MAX rounds up to infinity
  CHECK(bf16ToFloat(0x3dcd) == 0.10009765625f);
  CHECK(roundToDType(0.1f, DType::BFloat16) == 0.10009765625f);

  Tensor t(DType::Int8, {2});
  t.setDouble(0, -3.9); // truncation toward zero
  t.setInt(1, 200);     // wraps
  CHECK(valuesOf(t) == std::vector<double>{-3, -56});
}

TEST_CASE("binary ops broadcast and follow PyTorch type promotion") {
  Tensor a = makeTensor(DType::Float32, {2, 1}, {1, 2});
  Tensor b = makeTensor(DType::Float32, {3}, {10, 20, 30});
  Tensor sum = expectOk(add(a, b));
  CHECK(sum.shape() == Shape{2, 3});
  CHECK(valuesOf(sum) == std::vector<double>{11, 21, 31, 12, 22, 32});
  CHECK(valuesOf(expectOk(sub(a, b, Scalar::ofInt(2)))) ==
        std::vector<double>{-19, -39, -59, -18, -38, -58});
  CHECK(!expectError(add(b, makeTensor(DType::Float32, {2}, {1, 2}))).empty());

  Tensor ints = makeTensor(DType::Int64, {2}, {3, 4});
  CHECK(expectOk(mul(ints, Scalar::ofFloat(0.5))).dtype() == DType::Float32);
  CHECK(expectOk(mul(ints, Scalar::ofInt(2))).dtype() == DType::Int64);
  Tensor bools = makeTensor(DType::Bool, {2}, {1, 0});
  CHECK(expectOk(add(bools, Scalar::ofInt(1))).dtype() == DType::Int64);
  Tensor bf = makeTensor(DType::BFloat16, {1}, {1.0});
  CHECK(expectOk(mul(bf, Scalar::ofFloat(2.5))).dtype() == DType::BFloat16);
  // A 0-d f64 tensor does not promote an f32 tensor; a dimensioned one does.
  Tensor zeroDim = makeTensor(DType::Float64, {}, {2.0});
  CHECK(expectOk(mul(a, zeroDim)).dtype() == DType::Float32);
  CHECK(expectOk(mul(a, makeTensor(DType::Float64, {1}, {2.0}))).dtype() == DType::Float64);
  CHECK(expectOk(add(bf, makeTensor(DType::Float16, {1}, {1.0}))).dtype() == DType::Float32);
  CHECK(expectOk(add(makeTensor(DType::UInt8, {1}, {1}), makeTensor(DType::Int8, {1}, {1})))
            .dtype() == DType::Int16);

  // bf16 arithmetic rounds the float result once: 1 + 2^-8 ties to even.
  CHECK(expectOk(add(bf, Scalar::ofFloat(0x1p-8))).getDouble(0) == 1.0);
  CHECK(expectOk(add(bf, Scalar::ofFloat(3 * 0x1p-8))).getDouble(0) == 1.015625);

  Tensor quotient = expectOk(div(ints, Scalar::ofInt(8)));
  CHECK(quotient.dtype() == DType::Float32);
  CHECK(valuesOf(quotient) == std::vector<double>{0.375, 0.5});
  CHECK(!expectError(add(ints, ints, Scalar::ofFloat(0.5))).empty());
  CHECK(!expectError(sub(bools, bools)).empty());
}

TEST_CASE("comparisons and bitwise_and give bool") {
  Tensor x = makeTensor(DType::Int64, {4}, {1, 2, 3, 4});
  auto check = [&](llvm::Expected<Tensor> r, std::vector<double> want) {
    Tensor t = expectOk(std::move(r));
    CHECK(t.dtype() == DType::Bool);
    CHECK(valuesOf(t) == want);
  };
  check(eq(x, Scalar::ofInt(2)), {0, 1, 0, 0});
  check(ne(x, Scalar::ofInt(2)), {1, 0, 1, 1});
  check(lt(x, Scalar::ofFloat(2.5)), {1, 1, 0, 0});
  check(le(x, Scalar::ofInt(2)), {1, 1, 0, 0});
  check(gt(x, makeTensor(DType::Int32, {1}, {3})), {0, 0, 0, 1});
  check(ge(x, Scalar::ofInt(3)), {0, 0, 1, 1});
  Tensor p = makeTensor(DType::Bool, {4}, {1, 1, 0, 0});
  Tensor q = makeTensor(DType::Bool, {4}, {1, 0, 1, 0});
  check(bitwiseAnd(p, q), {1, 0, 0, 0});
  CHECK(valuesOf(expectOk(bitwiseAnd(x, Scalar::ofInt(6)))) == std::vector<double>{0, 2, 2, 4});
  CHECK(!expectError(bitwiseAnd(makeTensor(DType::Float32, {1}, {1}), p)).empty());
}

TEST_CASE("unary ops, pow and casts") {
  Tensor x = makeTensor(DType::Float32, {3}, {-2.0, 0.0, 4.0});
  CHECK(valuesOf(expectOk(neg(x))) == std::vector<double>{2, 0, -4});
  CHECK(expectOk(rsqrt(x)).getDouble(2) == 0.5);
  CHECK(std::isinf(expectOk(rsqrt(x)).getDouble(1)));
  CHECK(expectOk(silu(x)).getDouble(1) == 0.0);
  CHECK(expectOk(silu(x)).getDouble(2) == Approx(4.0 / (1 + std::exp(-4.0))));
  CHECK(expectOk(cos(x)).getDouble(1) == 1.0);
  CHECK(expectOk(sin(x)).getDouble(2) == Approx(std::sin(4.0)));
  CHECK(expectOk(cos(makeTensor(DType::Int64, {1}, {0}))).dtype() == DType::Float32);
  CHECK(!expectError(silu(makeTensor(DType::Int64, {1}, {0}))).empty());

  // x ** 2 is x * x exactly (one rounding), not exp(2 log x).
  Tensor y = makeTensor(DType::Float32, {1}, {1.1});
  float v = static_cast<float>(y.getDouble(0));
  CHECK(expectOk(pow(y, Scalar::ofInt(2))).getDouble(0) == double(v * v));
  CHECK(expectOk(pow(y, Scalar::ofFloat(0.5))).getDouble(0) == double(std::sqrt(v)));
  Tensor ints = makeTensor(DType::Int32, {2}, {3, -2});
  Tensor cube = expectOk(pow(ints, Scalar::ofInt(3)));
  CHECK(cube.dtype() == DType::Int32);
  CHECK(valuesOf(cube) == std::vector<double>{27, -8});
  CHECK(expectOk(pow(ints, Scalar::ofFloat(2.0))).dtype() == DType::Float32);
  CHECK(!expectError(pow(ints, Scalar::ofInt(-1))).empty());

  Tensor f = makeTensor(DType::Float32, {4}, {-1.7, 2.5, 0.0, 300.0});
  CHECK(valuesOf(expectOk(toDType(f, DType::Int64))) == std::vector<double>{-1, 2, 0, 300});
  CHECK(valuesOf(expectOk(toDType(f, DType::Bool))) == std::vector<double>{1, 1, 0, 1});
  CHECK(expectOk(toDType(f, DType::Float16)).getDouble(0) ==
        double(halfToFloat(floatToHalf(-1.7f))));
  Tensor big = makeTensor(DType::Int64, {1}, {0});
  big.mutableData<int64_t>()[0] = (int64_t(1) << 62) + 1;
  CHECK(expectOk(toDType(big, DType::Int64)).getInt(0) == (int64_t(1) << 62) + 1);
}

TEST_CASE("mean, cumsum and softmax") {
  Tensor x = makeTensor(DType::Float32, {2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor rows = expectOk(mean(x, {-1}, true));
  CHECK(rows.shape() == Shape{2, 1});
  CHECK(valuesOf(rows) == std::vector<double>{2, 5});
  CHECK(valuesOf(expectOk(mean(x, {0}, false))) == std::vector<double>{2.5, 3.5, 4.5});
  CHECK(expectOk(mean(x, {}, false)).shape() == Shape{});
  CHECK(expectOk(mean(x, {}, false)).getDouble(0) == 3.5);
  CHECK(!expectError(mean(makeTensor(DType::Int64, {1}, {1}), {0}, false)).empty());
  CHECK(!expectError(mean(x, {0, -2}, false)).empty());
  Tensor bfMean = expectOk(mean(expectOk(toDType(x, DType::BFloat16)), {1}, false));
  CHECK(bfMean.dtype() == DType::BFloat16);

  Tensor mask = makeTensor(DType::Bool, {1, 4}, {1, 1, 0, 1});
  Tensor positions = expectOk(cumsum(mask, 1));
  CHECK(positions.dtype() == DType::Int64);
  CHECK(valuesOf(positions) == std::vector<double>{1, 2, 2, 3});
  CHECK(valuesOf(expectOk(cumsum(x, 0))) == std::vector<double>{1, 2, 3, 5, 7, 9});
  CHECK(expectOk(cumsum(x, -1, DType::Float64)).dtype() == DType::Float64);

  Tensor s = expectOk(softmax(makeTensor(DType::Float32, {1, 3}, {0, 0, 1000}), -1));
  CHECK(valuesOf(s) == std::vector<double>{0, 0, 1});
  Tensor even = expectOk(softmax(makeTensor(DType::Float32, {2}, {3, 3}), 0));
  CHECK(valuesOf(even) == std::vector<double>{0.5, 0.5});
  Tensor allMasked = expectOk(softmax(makeTensor(DType::Float32, {2}, {-INFINITY, -INFINITY}), 0));
  CHECK(std::isnan(allMasked.getDouble(0)));
}
