// runRmsNorm (runtime/NormKernels.cpp) on lavapipe against PyTorch's rms_norm reference
// composed from the interpreter's kernels, in f32 and f16: odd widths, rows wider than a
// workgroup, more rows than one grid row of workgroups, empty inputs and argument errors.
// Set VKQC_PRINT_ERRORS=1 to print the measured errors.
#include "runtime/FloatKernels.h"
#include "shaders/Shaders.h"

#include "compiler/semantics/Kernels.h"

#include "TestSupport.h"
#include "TestTensors.h"
#include "VulkanTestContext.h"

#include <cmath>
#include <cstdlib>
#include <iostream>
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

/// PyTorch's reference: the interpreter's et_vk.rms_norm, which composes
///   xf = x.float(); variance = xf.pow(2).mean(-1, keepdim=True)
///   y = (xf * rsqrt(variance + eps) * weight.float()).to(x.dtype)
/// from its own (PyTorch-exact) kernels.
Tensor rmsNormReference(const Tensor &x, const Tensor &weight, double eps) {
  return valueOrFail(interp::rmsNorm(x, weight, eps));
}

/// The spacing of f16 values at magnitude |v| (subnormal spacing below the normals).
double halfUlpOf(double v) {
  int exponent = 0;
  std::frexp(std::fabs(v), &exponent); // |v| = m * 2^exponent, m in [0.5, 1)
  return std::ldexp(1.0, std::max(exponent - 1, -14) - 10);
}

/// f32: max |actual - expected| <= 2e-6 * max |expected| (the sum of squares is added in
/// another order); f16: every element within 1 ulp of half.
void checkClose(const Tensor &actual, const Tensor &expected, const std::string &what) {
  INFO(what);
  REQUIRE(actual.dtype() == expected.dtype());
  REQUIRE(actual.shape() == expected.shape());
  double maxExpected = 0, maxError = 0;
  int64_t bad = 0, firstBad = -1;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double a = actual.getDouble(i), e = expected.getDouble(i);
    double error = std::isnan(a) ? INFINITY : std::fabs(a - e);
    maxExpected = std::max(maxExpected, std::fabs(e));
    maxError = std::max(maxError, error);
    if (expected.dtype() == DType::Float16 && !(error <= halfUlpOf(e)) && bad++ == 0)
      firstBad = i;
  }
  INFO("max abs error " << maxError << ", max |expected| " << maxExpected);
  if (std::getenv("VKQC_PRINT_ERRORS"))
    std::cout << what << ": max abs error " << maxError << ", max |expected| " << maxExpected
              << ", elements beyond 1 ulp of f16: " << bad << "\n";
  INFO("first bad element " << firstBad << ": "
                            << (firstBad >= 0 ? actual.getDouble(firstBad) : 0.0) << " expected "
                            << (firstBad >= 0 ? expected.getDouble(firstBad) : 0.0));
  if (expected.dtype() == DType::Float32)
    CHECK(maxError <= 2e-6 * maxExpected);
  else
    CHECK(bad == 0);
}

std::string describe(const Shape &shape, DType dtype) {
  std::string s = std::string(dtypeName(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

} // namespace

TEST_CASE("rms_norm variant names exist", "[shaders][float]") {
  for (DType dtype : FloatDtypes) {
    std::string name = valueOrFail(shaders::rmsNormVariant(dtype));
    CHECK(name == (dtype == DType::Float16 ? "rms_norm_buffer_half" : "rms_norm_buffer_float"));
    CHECK(shaders::findShader(name) != nullptr);
  }
  CHECK(llvm::StringRef(errorOf(shaders::rmsNormVariant(DType::Int32))).contains("i32"));
}

TEST_CASE("rms_norm matches PyTorch's reference", "[vulkan][float]") {
  std::mt19937 rng(21);
  // An odd width, a 4-D input, a row wider than the workgroup, and more rows than the
  // 65535 workgroups of one grid row (narrow, so it stays cheap).
  const Shape shapes[] = {{1, 7, 128}, {3, 5, 33}, {2, 1, 4, 64}, {1, 1, 1000}, {70000, 8}};
  for (DType dtype : FloatDtypes)
    for (const Shape &shape : shapes) {
      Tensor x = randomTensor(dtype, shape, rng, -3, 3);
      Tensor weight = randomTensor(dtype, {shape.back()}, rng, 0.5, 1.5);
      for (double eps : {1e-6, 1e-5}) {
        std::string what = "rms_norm eps " + std::to_string(eps) + " " + describe(shape, dtype);
        checkClose(valueOrFail(runRmsNorm(context(), x, weight, eps)),
                   rmsNormReference(x, weight, eps), what);
      }
    }

  // Rows of zeros: eps alone keeps the result finite (0 * rsqrt(eps) = 0).
  for (DType dtype : FloatDtypes) {
    Tensor zeros(dtype, {2, 9});
    for (int64_t i = 0; i < zeros.numel(); ++i)
      zeros.setDouble(i, 0.0);
    Tensor weight = randomTensor(dtype, {9}, rng, 0.5, 1.5);
    checkClose(valueOrFail(runRmsNorm(context(), zeros, weight, 1e-6)),
               rmsNormReference(zeros, weight, 1e-6), "rms_norm zeros " + describe({2, 9}, dtype));
  }
}

TEST_CASE("rms_norm returns empty inputs without dispatching", "[vulkan][float]") {
  for (DType dtype : FloatDtypes) {
    Tensor empty(dtype, {0, 3, 8});
    Tensor result = valueOrFail(runRmsNorm(context(), empty, Tensor(dtype, {8}), 1e-6));
    CHECK(result.dtype() == dtype);
    CHECK(result.shape() == Shape{0, 3, 8});
    CHECK(valueOrFail(runRmsNorm(context(), Tensor(dtype, {4, 0}), Tensor(dtype, {0}), 1e-6))
              .shape() == Shape{4, 0});
  }
}

TEST_CASE("rms_norm rejects bad dtypes and shapes", "[vulkan][float]") {
  Tensor f32(DType::Float32, {2, 3});
  Tensor w32(DType::Float32, {3});
  Tensor w16(DType::Float16, {3});
  auto fails = [](auto result, llvm::StringRef needle) {
    std::string message = errorOf(std::move(result));
    INFO(message);
    CHECK(llvm::StringRef(message).contains(needle));
  };
  fails(runRmsNorm(context(), Tensor(DType::Int32, {2, 3}), w32, 1e-6), "input must be f32 or f16");
  fails(runRmsNorm(context(), Tensor(DType::BFloat16, {2, 3}), w32, 1e-6), "f32 or f16");
  fails(runRmsNorm(context(), f32, Tensor(DType::Int32, {3}), 1e-6), "weight must be f32 or f16");
  fails(runRmsNorm(context(), f32, w16, 1e-6), "weight dtype f16 differs");
  fails(runRmsNorm(context(), f32, Tensor(DType::Float32, {2}), 1e-6), "weight must be [3]");
  fails(runRmsNorm(context(), f32, Tensor(DType::Float32, {1, 3}), 1e-6), "weight must be [3]");
  fails(runRmsNorm(context(), Tensor(DType::Float32, {}), Tensor(DType::Float32, {1}), 1e-6),
        "at least one dim");
}
