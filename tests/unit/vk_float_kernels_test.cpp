// The float-op kernels (runtime/FloatKernels.h) against the CPU reference kernels
// (compiler/interp) on lavapipe: elementwise ops with broadcasting, strided copies,
// mean and softmax, in f32 and f16, plus empty tensors and argument errors. Tolerances
// are in units in the last place of the result dtype, per element. Set
// VKQC_PRINT_ERRORS=1 to print the measured errors.
#include "runtime/FloatKernels.h"
#include "runtime/TensorCompare.h"
#include "shaders/Shaders.h"

#include "compiler/semantics/Kernels.h"

#include "TestSupport.h"
#include "TestTensors.h"
#include "VulkanTestContext.h"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <random>

using namespace vkqc;
using namespace vkqc::vk;
using interp::Scalar;
using interp::Shape;
using interp::Tensor;
using interp::testing::randomTensor;
using vkqc::test::errorOf;
using vkqc::test::valueOrFail;

namespace {

VulkanContext &context() { return test::vulkanContext(); }

const DType FloatDtypes[] = {DType::Float32, DType::Float16};

std::string describe(const Shape &shape, DType dtype) {
  std::string s = std::string(dtypeName(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// The spacing of `dtype`'s values at magnitude |v| (subnormal spacing below the normals).
double ulpOf(double v, DType dtype) {
  int mantissaBits = dtype == DType::Float16 ? 10 : 23;
  int minExponent = dtype == DType::Float16 ? -14 : -126;
  int exponent = 0;
  std::frexp(std::fabs(v), &exponent); // |v| = m * 2^exponent, m in [0.5, 1)
  return std::ldexp(1.0, std::max(exponent - 1, minExponent) - mantissaBits);
}

/// Per element: |actual - expected| <= ulps * ulp(expected) + absolute * max|expected|
/// over the finite expected values (the absolute part covers results near zero of
/// functions such as sin, and sums that cancel). NaN must match NaN and infinities must
/// match exactly. `ulps` is for f32 results; f16 results get min(ulps, 1) ulp of half: a
/// float result a few float ulps off rounds at most one half ulp away.
void checkWithin(const Tensor &actual, const Tensor &expected, const std::string &what, double ulps,
                 double absolute = 0) {
  INFO(what);
  if (expected.dtype() == DType::Float16)
    ulps = std::min(ulps, 1.0);
  REQUIRE(actual.dtype() == expected.dtype());
  REQUIRE(actual.shape() == expected.shape());
  double maxFinite = 0;
  for (int64_t i = 0; i < expected.numel(); ++i)
    if (std::isfinite(expected.getDouble(i)))
      maxFinite = std::max(maxFinite, std::fabs(expected.getDouble(i)));
  int64_t bad = 0, firstBad = -1;
  double worstUlps = 0; // the largest error in ulps of the expected value, for the report
  for (int64_t i = 0; i < actual.numel(); ++i) {
    double a = actual.getDouble(i), e = expected.getDouble(i);
    bool ok;
    if (!std::isfinite(e)) {
      ok = std::isnan(e) ? std::isnan(a) : a == e;
    } else {
      double error = std::fabs(a - e);
      worstUlps = std::max(worstUlps, error / ulpOf(e, expected.dtype()));
      ok = error <= ulps * ulpOf(e, expected.dtype()) + absolute * maxFinite;
    }
    if (!ok && bad++ == 0)
      firstBad = i;
  }
  ErrorStats stats = valueOrFail(compareTensors(actual, expected));
  INFO(stats.describe() << ", worst " << worstUlps << " ulp");
  if (std::getenv("VKQC_PRINT_ERRORS"))
    std::cout << what << ": " << stats.describe() << ", worst " << worstUlps << " ulp\n";
  INFO("first bad element " << firstBad << ": "
                            << (firstBad >= 0 ? actual.getDouble(firstBad) : 0.0) << " expected "
                            << (firstBad >= 0 ? expected.getDouble(firstBad) : 0.0));
  CHECK(bad == 0);
}

void checkExact(const Tensor &actual, const Tensor &expected, const std::string &what) {
  checkWithin(actual, expected, what, 0);
}

/// `fn` applied in float to every element, rounded once to x's dtype (PyTorch's opmath):
/// the reference of the unary ops the interpreter does not have.
Tensor mapInFloat(const Tensor &x, const std::function<float(float)> &fn) {
  Tensor result(x.dtype(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i)
    result.setDouble(i, fn(static_cast<float>(x.getDouble(i))));
  return result;
}

/// torch.pow(Tensor, Tensor): both broadcast, std::pow in float.
Tensor powReference(const Tensor &a, const Tensor &b, const Shape &shape) {
  Tensor x = valueOrFail(interp::expand(a, shape));
  Tensor y = valueOrFail(interp::expand(b, shape));
  Tensor result(a.dtype(), shape);
  for (int64_t i = 0; i < result.numel(); ++i)
    result.setDouble(
        i, std::pow(static_cast<float>(x.getDouble(i)), static_cast<float>(y.getDouble(i))));
  return result;
}

/// A random tensor whose values avoid (-0.5, 0.5): safe divisors.
Tensor awayFromZero(DType dtype, const Shape &shape, std::mt19937 &rng) {
  Tensor t = randomTensor(dtype, shape, rng, 0.5, 2.0);
  for (int64_t i = 0; i < t.numel(); i += 2)
    t.setDouble(i, -t.getDouble(i));
  return t;
}

struct BroadcastCase {
  Shape a, b;
};

// Broadcasting both ways, a scalar-like [1] and a 0-d operand, same shapes, odd sizes,
// 5-D and 6-D (the kernels' maximum rank).
const BroadcastCase BroadcastCases[] = {
    {{2, 1, 5, 3}, {4, 1, 3}},
    {{7}, {1}},
    {{1}, {3, 7}},
    {{13, 33}, {13, 33}},
    {{33}, {}},
    {{13, 1}, {1, 33}},
    {{2, 3, 1, 4, 5}, {3, 7, 1, 1}},
    {{2, 1, 3, 1, 2, 3}, {1, 4, 1, 5, 1, 1}},
};

} // namespace

TEST_CASE("float op variant names exist and carry their dtypes", "[shaders][float]") {
  auto name = [](llvm::Expected<std::string> n) { return valueOrFail(std::move(n)); };
  CHECK(name(shaders::elementwiseVariant(ElementwiseOp::Pow, DType::Float16)) ==
        "binary_pow_buffer_half");
  CHECK(name(shaders::elementwiseVariant(ElementwiseOp::Rsqrt, DType::Float32)) ==
        "unary_rsqrt_buffer_float");
  CHECK(name(shaders::stridedCopyVariant(DType::Float16, DType::Float32)) ==
        "strided_copy_buffer_half_float");
  CHECK(name(shaders::meanDimVariant(DType::Float16)) == "mean_dim_buffer_half");
  CHECK(name(shaders::softmaxVariant(DType::Float32)) == "softmax_buffer_float");
  for (DType dtype : FloatDtypes) {
    for (int op = 0; op <= static_cast<int>(ElementwiseOp::GeluTanh); ++op)
      CHECK(shaders::findShader(name(
                shaders::elementwiseVariant(static_cast<ElementwiseOp>(op), dtype))) != nullptr);
    for (DType out : FloatDtypes) {
      const shaders::ShaderVariant *copy =
          shaders::findShader(name(shaders::stridedCopyVariant(dtype, out)));
      REQUIRE(copy);
      // IN_DTYPE: binding 1 holds the input dtype, binding 0 the output dtype.
      auto elementType = [](DType t) {
        return t == DType::Float16 ? shaders::ElementType::Float16 : shaders::ElementType::Float32;
      };
      CHECK(test::errorText(shaders::checkBinding(*copy, 1, elementType(dtype))) == "");
      CHECK(test::errorText(shaders::checkBinding(*copy, 0, elementType(out))) == "");
    }
  }
  CHECK(llvm::StringRef(errorOf(shaders::elementwiseVariant(ElementwiseOp::Add, DType::Int32)))
            .contains("i32"));
  CHECK(shaders::isBinary(ElementwiseOp::Pow));
  CHECK(!shaders::isBinary(ElementwiseOp::Neg));
}

TEST_CASE("binary kernels broadcast like the CPU reference", "[vulkan][float]") {
  std::mt19937 rng(11);
  for (DType dtype : FloatDtypes)
    for (const BroadcastCase &c : BroadcastCases) {
      std::string shapes = describe(c.a, dtype) + " " + describe(c.b, dtype);
      Tensor a = randomTensor(dtype, c.a, rng, -4, 4);
      Tensor b = randomTensor(dtype, c.b, rng, -4, 4);
      Tensor divisor = awayFromZero(dtype, c.b, rng);

      checkWithin(valueOrFail(runBinary(context(), ElementwiseOp::Add, a, b)),
                  valueOrFail(interp::add(a, b)), "add " + shapes, 0.5);
      checkWithin(valueOrFail(runBinary(context(), ElementwiseOp::Add, a, b, 0.5)),
                  valueOrFail(interp::add(a, b, Scalar::ofFloat(0.5))), "add alpha=0.5 " + shapes,
                  0.5);
      checkWithin(valueOrFail(runBinary(context(), ElementwiseOp::Sub, a, b, 2)),
                  valueOrFail(interp::sub(a, b, Scalar::ofInt(2))), "sub alpha=2 " + shapes, 0.5);
      checkWithin(valueOrFail(runBinary(context(), ElementwiseOp::Mul, a, b)),
                  valueOrFail(interp::mul(a, b)), "mul " + shapes, 0.5);
      checkWithin(valueOrFail(runBinary(context(), ElementwiseOp::Div, a, divisor)),
                  valueOrFail(interp::div(a, divisor)), "div " + shapes, 0.5);

      Tensor base = randomTensor(dtype, c.a, rng, 0.1, 3);
      Tensor exponent = randomTensor(dtype, c.b, rng, -3, 3);
      Shape shape = valueOrFail(interp::add(base, exponent)).shape();
      // Fractional exponents go through GLSL pow: 3 + 2|e log2 x| ulp.
      checkWithin(valueOrFail(runBinary(context(), ElementwiseOp::Pow, base, exponent)),
                  powReference(base, exponent, shape), "pow " + shapes, 16);
    }
}

TEST_CASE("pow handles negative bases, zero and its exact exponents", "[vulkan][float]") {
  // Negative bases with integral exponents (GLSL pow is undefined there; beyond 64 the
  // sign is settled apart), fractional ones (NaN), zero bases with positive, zero and
  // negative exponents (signed zeros included), 1 to the NaN.
  Tensor base = interp::testing::makeTensor(
      DType::Float32, {16},
      {-2, -2, -1.5, -3, -0.5, -2, 0, 0, -0.0, -0.0, 0, 1, -1.01, -1.01, -0.0, 0});
  Tensor exponent = interp::testing::makeTensor(
      DType::Float32, {16}, {3, 4, 5, -3, -1, 0.5, 2.5, -1.5, -1, 3, 0, NAN, 65, 66, -65, 70.5});
  for (DType dtype : FloatDtypes) {
    Tensor x = valueOrFail(interp::toDType(base, dtype));
    Tensor e = valueOrFail(interp::toDType(exponent, dtype));
    Tensor actual = valueOrFail(runBinary(context(), ElementwiseOp::Pow, x, e));
    checkWithin(actual, powReference(x, e, x.shape()),
                "pow special values " + describe({16}, dtype), 16);
    CHECK(std::signbit(actual.getDouble(9))); // (-0)^3 = -0
    CHECK(actual.getDouble(14) == -INFINITY); // (-0)^-65 = -inf
  }

  std::mt19937 rng(12);
  for (DType dtype : FloatDtypes)
    for (const Shape &shape : {Shape{7}, Shape{13, 33}, Shape{2, 3, 4, 5, 6}}) {
      Tensor x = randomTensor(dtype, shape, rng, -3, 3);
      Tensor positive = randomTensor(dtype, shape, rng, 0.01, 3);
      // The fast paths are exact products and square roots, like PyTorch's.
      for (double e : {2.0, 3.0, 1.0, -1.0, -2.0, 0.0})
        checkExact(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Pow, x, e)),
                   valueOrFail(interp::pow(x, Scalar::ofFloat(e))),
                   "pow " + std::to_string(e) + " " + describe(shape, dtype));
      for (double e : {0.5, -0.5})
        checkWithin(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Pow, positive, e)),
                    valueOrFail(interp::pow(positive, Scalar::ofFloat(e))),
                    "pow " + std::to_string(e) + " " + describe(shape, dtype), 0.5);
      // Other integral exponents: binary powering, whose error grows with the exponent
      // (squaring doubles the relative error): ~n/2 ulp at most.
      for (double e : {4.0, 5.0, -3.0, 13.0})
        checkWithin(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Pow, x, e)),
                    valueOrFail(interp::pow(x, Scalar::ofFloat(e))),
                    "pow " + std::to_string(e) + " " + describe(shape, dtype),
                    std::max(2.0, std::fabs(e) / 2 + 1));
      checkWithin(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Pow, positive, 1.7)),
                  valueOrFail(interp::pow(positive, Scalar::ofFloat(1.7))),
                  "pow 1.7 " + describe(shape, dtype), 16);
    }
}

TEST_CASE("binary kernels with a scalar operand keep it in float", "[vulkan][float]") {
  std::mt19937 rng(13);
  for (DType dtype : FloatDtypes)
    for (const Shape &shape : {Shape{7}, Shape{13, 33}, Shape{2, 3, 4, 5, 6}}) {
      std::string name = describe(shape, dtype);
      Tensor x = randomTensor(dtype, shape, rng, -4, 4);
      // 1e-6 is not representable in f16: it must act at float precision, not as 0.
      checkWithin(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Add, x, 1e-6)),
                  valueOrFail(interp::add(x, Scalar::ofFloat(1e-6))), "add 1e-6 " + name, 0.5);
      checkWithin(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Sub, x, 3, 2)),
                  valueOrFail(interp::sub(x, Scalar::ofInt(3), Scalar::ofInt(2))),
                  "sub 3 alpha=2 " + name, 0.5);
      checkWithin(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Mul, x, 0.1)),
                  valueOrFail(interp::mul(x, Scalar::ofFloat(0.1))), "mul 0.1 " + name, 0.5);
      checkWithin(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Div, x, 7)),
                  valueOrFail(interp::div(x, Scalar::ofFloat(7))), "div 7 " + name, 0.5);
    }
}

TEST_CASE("unary kernels match the CPU reference", "[vulkan][float]") {
  struct UnaryCase {
    ElementwiseOp op;
    double lo, hi;
    std::function<Tensor(const Tensor &)> reference;
    double ulps, absolute;
  };
  auto interpOp = [](llvm::Expected<Tensor> (*fn)(const Tensor &)) {
    return [fn](const Tensor &x) { return valueOrFail(fn(x)); };
  };
  auto inFloat = [](float (*fn)(float)) {
    return [fn](const Tensor &x) { return mapInFloat(x, fn); };
  };
  const UnaryCase cases[] = {
      {ElementwiseOp::Neg, -4, 4, interpOp(interp::neg), 0, 0},
      {ElementwiseOp::Rsqrt, 0.01, 100, interpOp(interp::rsqrt), 1, 0},
      {ElementwiseOp::Sqrt, 0, 100, inFloat([](float v) { return std::sqrt(v); }), 0.5, 0},
      {ElementwiseOp::Silu, -20, 20, interpOp(interp::silu), 4, 1e-7},
      {ElementwiseOp::Sigmoid, -20, 20,
       inFloat([](float v) { return 1.0f / (1.0f + std::exp(-v)); }), 4, 1e-7},
      {ElementwiseOp::Exp, -20, 20, inFloat([](float v) { return std::exp(v); }), 4, 0},
      {ElementwiseOp::Cos, -10, 10, interpOp(interp::cos), 4, 1e-7},
      {ElementwiseOp::Sin, -10, 10, interpOp(interp::sin), 4, 1e-7},
      {ElementwiseOp::Tanh, -12, 12, inFloat([](float v) { return std::tanh(v); }), 4, 1e-7},
      {ElementwiseOp::GeluTanh, -8, 8,
       [](const Tensor &x) { return valueOrFail(interp::gelu(x, "tanh")); }, 4, 1e-7},
  };
  std::mt19937 rng(14);
  for (const UnaryCase &c : cases)
    for (DType dtype : FloatDtypes)
      for (const Shape &shape : {Shape{7}, Shape{13, 33}, Shape{2, 3, 4, 5, 6}}) {
        Tensor x = randomTensor(dtype, shape, rng, c.lo, c.hi);
        checkWithin(valueOrFail(runUnary(context(), c.op, x)), c.reference(x),
                    std::string(shaders::elementwiseOpName(c.op)) + " " + describe(shape, dtype),
                    c.ulps, c.absolute);
      }

  // tanh saturates instead of dividing infinities; small arguments keep their precision.
  Tensor extremes = interp::testing::makeTensor(DType::Float32, {8},
                                                {-100, -45, 45, 100, 1e-3, -1e-4, 0.3, -0.45});
  checkWithin(valueOrFail(runUnary(context(), ElementwiseOp::Tanh, extremes)),
              mapInFloat(extremes, [](float v) { return std::tanh(v); }), "tanh extremes", 4);
}

TEST_CASE("elementwise kernels cover grids beyond 65535 workgroups", "[vulkan][float]") {
  std::mt19937 rng(15);
  Tensor x = randomTensor(DType::Float16, {3, 1500, 1000}, rng, -4, 4); // 70313 workgroups
  Tensor row = randomTensor(DType::Float16, {1000}, rng, -4, 4);
  checkExact(valueOrFail(runUnary(context(), ElementwiseOp::Neg, x)), valueOrFail(interp::neg(x)),
             "neg f16[3,1500,1000]");
  checkExact(valueOrFail(runBinary(context(), ElementwiseOp::Mul, x, row)),
             valueOrFail(interp::mul(x, row)), "mul f16[3,1500,1000] f16[1000]");
}

TEST_CASE("copy kernels match transpose, permute, expand, slice and casts", "[vulkan][float]") {
  std::mt19937 rng(16);
  for (DType dtype : FloatDtypes) {
    Tensor m = randomTensor(dtype, {13, 33}, rng);
    Tensor t5 = randomTensor(dtype, {2, 3, 4, 5, 7}, rng);
    std::string m5 = describe(t5.shape(), dtype);

    checkExact(valueOrFail(runTranspose(context(), m, 0, 1)),
               valueOrFail(interp::transpose(m, 0, 1)), "transpose " + describe({13, 33}, dtype));
    checkExact(valueOrFail(runTranspose(context(), t5, 1, -1)),
               valueOrFail(interp::transpose(t5, 1, -1)), "transpose 1 -1 " + m5);
    checkExact(valueOrFail(runPermute(context(), t5, {4, 2, 0, 3, 1})),
               valueOrFail(interp::permute(t5, {4, 2, 0, 3, 1})), "permute " + m5);
    checkExact(valueOrFail(runPermute(context(), t5, {-1, 0, 1, 2, 3})),
               valueOrFail(interp::permute(t5, {-1, 0, 1, 2, 3})), "permute -1 first " + m5);

    Tensor column = randomTensor(dtype, {3, 1, 5}, rng);
    checkExact(valueOrFail(runExpand(context(), column, {2, 3, 4, -1})),
               valueOrFail(interp::expand(column, {2, 3, 4, -1})), "expand new leading dim");
    checkExact(valueOrFail(runExpand(context(), column, {-1, 7, 5})),
               valueOrFail(interp::expand(column, {-1, 7, 5})), "expand -1 keeps a dim");
    Tensor one = randomTensor(dtype, {1}, rng);
    checkExact(valueOrFail(runExpand(context(), one, {2, 1, 3, 1, 2, 33})),
               valueOrFail(interp::expand(one, {2, 1, 3, 1, 2, 33})), "expand to 6-D");

    struct SliceCase {
      int64_t dim;
      std::optional<int64_t> start, end;
      int64_t step;
    };
    const SliceCase slices[] = {
        {0, 2, 9, 1}, {1, 1, std::nullopt, 3},  {-1, -5, INT64_MAX, 1},   {1, -100, 100, 2},
        {0, 9, 2, 1}, {1, std::nullopt, -3, 4}, {0, 20, std::nullopt, 1},
    };
    for (const SliceCase &s : slices) {
      std::string what = "slice dim " + std::to_string(s.dim) + " [" +
                         (s.start ? std::to_string(*s.start) : "None") + ":" +
                         (s.end ? std::to_string(*s.end) : "None") + ":" + std::to_string(s.step) +
                         "] " + describe({13, 33}, dtype);
      checkExact(valueOrFail(runSlice(context(), m, s.dim, s.start, s.end, s.step)),
                 valueOrFail(interp::slice(m, s.dim, s.start, s.end, s.step)), what);
    }
    checkExact(valueOrFail(runSlice(context(), t5, 3, 1, 4, 2)),
               valueOrFail(interp::slice(t5, 3, 1, 4, 2)), "slice " + m5);

    for (DType to : FloatDtypes)
      checkExact(valueOrFail(runToDType(context(), t5, to)), valueOrFail(interp::toDType(t5, to)),
                 "to " + std::string(dtypeName(to)) + " " + m5);
  }

  // Values that f16 rounds (ties to even), overflows and flushes to subnormals.
  Tensor edges = interp::testing::makeTensor(
      DType::Float32, {6}, {1.0 + 1.0 / 2048, 1.0 + 3.0 / 2048, 70000, -1e-6, 3e-8, -0.0});
  checkExact(valueOrFail(runToDType(context(), edges, DType::Float16)),
             valueOrFail(interp::toDType(edges, DType::Float16)), "f32 -> f16 rounding edges");
}

TEST_CASE("strided_copy reads arbitrary in-bounds views", "[vulkan][float]") {
  std::mt19937 rng(17);
  Tensor src = randomTensor(DType::Float32, {100}, rng);
  // Overlapping windows (stride 1 under a stride-3 dim), a broadcast dim and an offset.
  StridedView view{{4, 2, 5}, {0, 3, 1}, 7};
  Tensor actual = valueOrFail(runStridedCopy(context(), src, view, DType::Float16));
  REQUIRE(actual.shape() == Shape{4, 2, 5});
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t k = 0; k < 5; ++k) {
        double expected =
            interp::roundToDType(static_cast<float>(src.getDouble(7 + 3 * j + k)), DType::Float16);
        CHECK(actual.getDouble((i * 2 + j) * 5 + k) == expected);
      }

  // The last element read is src[99]: in bounds; one more is not.
  CHECK(
      valueOrFail(runStridedCopy(context(), src, {{10, 10}, {10, 1}, 0}, DType::Float32)).numel() ==
      100);
  CHECK(llvm::StringRef(
            errorOf(runStridedCopy(context(), src, {{10, 10}, {10, 1}, 1}, DType::Float32)))
            .contains("reads outside"));
  CHECK(llvm::StringRef(errorOf(runStridedCopy(context(), src, {{2}, {1, 1}, 0}, DType::Float32)))
            .contains("strides"));
}

TEST_CASE("cat writes every input into its slice of one output", "[vulkan][float]") {
  std::mt19937 rng(18);
  for (DType dtype : FloatDtypes) {
    Tensor a = randomTensor(dtype, {2, 3, 5}, rng);
    Tensor b = randomTensor(dtype, {2, 7, 5}, rng);
    Tensor c = randomTensor(dtype, {2, 1, 5}, rng);
    Tensor empty = Tensor(dtype, {2, 0, 5});
    checkExact(valueOrFail(runCat(context(), {a, b, empty, c}, 1)),
               valueOrFail(interp::cat({a, b, empty, c}, 1)),
               "cat dim 1 " + describe({2, 11, 5}, dtype));
    Tensor d = randomTensor(dtype, {2, 3, 13}, rng);
    Tensor legacyEmpty = Tensor(dtype, {0});
    checkExact(valueOrFail(runCat(context(), {a, legacyEmpty, d}, -1)),
               valueOrFail(interp::cat({a, d}, -1)), "cat dim -1 skipping a legacy empty");
    Tensor e = randomTensor(dtype, {4, 3, 5}, rng);
    checkExact(valueOrFail(runCat(context(), {a, e}, 0)), valueOrFail(interp::cat({a, e}, 0)),
               "cat dim 0");
    Tensor p = randomTensor(dtype, {1, 2, 1, 3, 2, 4}, rng);
    Tensor q = randomTensor(dtype, {1, 2, 1, 3, 5, 4}, rng);
    checkExact(valueOrFail(runCat(context(), {p, q, p}, 4)), valueOrFail(interp::cat({p, q, p}, 4)),
               "cat 6-D");
  }
}

TEST_CASE("mean over one dim matches the CPU reference", "[vulkan][float]") {
  std::mt19937 rng(19);
  struct MeanCase {
    Shape shape;
    int64_t dim;
  };
  const MeanCase cases[] = {{{7}, 0},       {{13, 33}, -1},       {{13, 33}, 0},
                            {{3, 1000}, 1}, {{2, 3, 4, 5, 6}, 2}, {{}, 0}};
  for (DType dtype : FloatDtypes)
    for (const MeanCase &c : cases)
      for (bool keepdim : {false, true}) {
        // Offset values make the sum cancel little: the error shows in ulps.
        Tensor x = randomTensor(dtype, c.shape, rng, -1, 3);
        std::string what = "mean dim " + std::to_string(c.dim) + (keepdim ? " keepdim " : " ") +
                           describe(c.shape, dtype);
        // Both sides round (the reference sums contiguous f32 runs in float, like
        // PyTorch); a sum that cancels keeps the absolute error of its terms' scale.
        checkWithin(valueOrFail(runMeanDim(context(), x, c.dim, keepdim)),
                    valueOrFail(interp::mean(x, {c.dim}, keepdim)), what,
                    dtype == DType::Float16 ? 1 : 2, std::ldexp(1.0, -22));
      }
}

TEST_CASE("softmax matches the CPU reference and is numerically stable", "[vulkan][float]") {
  std::mt19937 rng(20);
  struct SoftmaxCase {
    Shape shape;
    int64_t dim;
  };
  const SoftmaxCase cases[] = {{{7}, 0},       {{13, 33}, -1},       {{13, 33}, 0},
                               {{2, 3000}, 1}, {{2, 3, 4, 5, 6}, 1}, {{}, 0}};
  for (DType dtype : FloatDtypes)
    for (const SoftmaxCase &c : cases) {
      // Scores up to +-60: exp would overflow f16 and lose f32 without the max shift.
      Tensor x = randomTensor(dtype, c.shape, rng, -60, 60);
      std::string what = "softmax dim " + std::to_string(c.dim) + " " + describe(c.shape, dtype);
      checkWithin(valueOrFail(runSoftmax(context(), x, c.dim)),
                  valueOrFail(interp::softmax(x, c.dim)), what, 8, 1e-7);
    }

  // Masked scores (-inf) give exact zeros; a fully masked line is NaN like PyTorch.
  const double inf = std::numeric_limits<double>::infinity();
  Tensor masked = interp::testing::makeTensor(DType::Float32, {2, 4},
                                              {0.5, -inf, 1.5, -inf, -inf, -inf, -inf, -inf});
  checkWithin(valueOrFail(runSoftmax(context(), masked, 1)),
              valueOrFail(interp::softmax(masked, 1)), "softmax with -inf", 4);

  // More lines than the 65535 workgroups of one grid row.
  Tensor many = randomTensor(DType::Float16, {66000, 3}, rng, -5, 5);
  checkWithin(valueOrFail(runSoftmax(context(), many, -1)), valueOrFail(interp::softmax(many, -1)),
              "softmax f16[66000,3]", 1);
}

TEST_CASE("float kernels return empty tensors without dispatching", "[vulkan][float]") {
  for (DType dtype : FloatDtypes) {
    Tensor empty(dtype, {0, 3});
    Tensor row(dtype, {3});
    CHECK(valueOrFail(runBinary(context(), ElementwiseOp::Add, empty, row)).shape() == Shape{0, 3});
    CHECK(valueOrFail(runBinaryScalar(context(), ElementwiseOp::Pow, empty, 2)).shape() ==
          Shape{0, 3});
    CHECK(valueOrFail(runUnary(context(), ElementwiseOp::Exp, empty)).shape() == Shape{0, 3});
    CHECK(valueOrFail(runTranspose(context(), empty, 0, 1)).shape() == Shape{3, 0});
    CHECK(valueOrFail(runExpand(context(), row, {0, 3})).shape() == Shape{0, 3});
    CHECK(valueOrFail(runSlice(context(), row, 0, 2, 1, 1)).shape() == Shape{0});
    CHECK(valueOrFail(runToDType(context(), empty, DType::Float16)).dtype() == DType::Float16);
    CHECK(valueOrFail(runCat(context(), {empty, empty}, 0)).shape() == Shape{0, 3});
    CHECK(valueOrFail(runSoftmax(context(), empty, 1)).shape() == Shape{0, 3});
    CHECK(valueOrFail(runMeanDim(context(), empty, 1, false)).shape() == Shape{0});
    // The mean over an empty dim is NaN (0 / 0), as in PyTorch.
    Tensor mean = valueOrFail(runMeanDim(context(), empty, 0, true));
    REQUIRE(mean.shape() == Shape{1, 3});
    CHECK(std::isnan(mean.getDouble(0)));
  }
}

TEST_CASE("float kernels reject bad dtypes, shapes and dims", "[vulkan][float]") {
  Tensor f32(DType::Float32, {2, 3});
  Tensor f16(DType::Float16, {2, 3});
  Tensor i32(DType::Int32, {2, 3});
  Tensor bf16(DType::BFloat16, {2, 3});
  Tensor rank7(DType::Float32, {1, 1, 1, 1, 1, 2, 3});
  auto fails = [](auto result, llvm::StringRef needle) {
    std::string message = errorOf(std::move(result));
    INFO(message);
    CHECK(llvm::StringRef(message).contains(needle));
  };
  fails(runBinary(context(), ElementwiseOp::Add, f32, f16), "dtypes f32 and f16");
  fails(runBinary(context(), ElementwiseOp::Add, i32, i32), "f32 or f16");
  fails(runBinary(context(), ElementwiseOp::Mul, f32, Tensor(DType::Float32, {4})),
        "do not broadcast");
  fails(runBinary(context(), ElementwiseOp::Exp, f32, f32), "not a binary op");
  fails(runBinary(context(), ElementwiseOp::Add, rank7, f32), "rank 7");
  fails(runBinaryScalar(context(), ElementwiseOp::Add, bf16, 1), "f32 or f16");
  fails(runUnary(context(), ElementwiseOp::Add, f32), "not a unary op");
  fails(runUnary(context(), ElementwiseOp::Sin, i32), "f32 or f16");

  fails(runTranspose(context(), f32, 0, 2), "dim 2 out of range");
  fails(runPermute(context(), f32, {0, 0}), "repeated");
  fails(runPermute(context(), f32, {0}), "1 dims for a rank 2");
  fails(runExpand(context(), f32, {4, 3}), "cannot expand");
  fails(runExpand(context(), f32, {3}), "fewer dims");
  fails(runExpand(context(), f32, {-1, 2, 3}), "new leading dim");
  fails(runExpand(context(), f32, {1, 2, 2, 2, 2, 2, 3}), "rank 7");
  fails(runSlice(context(), f32, 1, 0, 2, 0), "step must be positive");
  fails(runSlice(context(), f32, -3, 0, 2, 1), "dim -3 out of range");
  fails(runToDType(context(), f32, DType::Int32), "f32 or f16");
  fails(runToDType(context(), Tensor(DType::Bool, {2, 3}), DType::Float32), "f32 or f16");
  // Integer positions (RoPE's position_ids.float()) do convert, int64 narrowed to int32.
  for (DType positionsDtype : {DType::Int32, DType::Int64}) {
    Tensor positions(positionsDtype, {1, 1, 9});
    for (int64_t i = 0; i < positions.numel(); ++i)
      positions.setInt(i, 3 * i - 7);
    for (DType out : {DType::Float32, DType::Float16}) {
      Tensor got = valueOrFail(runToDType(context(), positions, out));
      Tensor want = valueOrFail(interp::toDType(positions, out));
      REQUIRE(got.shape() == want.shape());
      for (int64_t i = 0; i < want.numel(); ++i)
        CHECK(got.getDouble(i) == want.getDouble(i));
    }
  }
  fails(runCat(context(), {f32, f16}, 0), "dtypes f32 and f16");
  fails(runCat(context(), {f32, Tensor(DType::Float32, {2, 4})}, 0), "differ outside dim 0");
  fails(runCat(context(), {f32, f32}, 2), "dim 2 out of range");
  fails(runCat(context(), {}, 0), "no tensors");
  fails(runMeanDim(context(), f32, 2, false), "dim 2 out of range");
  fails(runMeanDim(context(), i32, 0, false), "f32 or f16");
  fails(runSoftmax(context(), f32, -3), "dim -3 out of range");
  fails(runSoftmax(context(), bf16, 0), "f32 or f16");
}
