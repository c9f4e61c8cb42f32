// Every GPU kernel against the CPU reference kernels (compiler/interp) on lavapipe:
// linear_q4gsw, linear_dq8ca_q4gsw, choose_qparams_per_row, quantize_and_pack,
// embedding_q4gsw. Set VKQC_PRINT_ERRORS=1 to print the measured errors.
#include "runtime/KernelRunners.h"
#include "runtime/TensorCompare.h"

#include "compiler/semantics/LayoutKernels.h"

#include "TestSupport.h"
#include "TestTensors.h"
#include "VulkanTestContext.h"

#include <cstdlib>
#include <iostream>
#include <random>

using namespace vkqc;
using namespace vkqc::vk;
using interp::Tensor;
using interp::testing::randomInt4;
using interp::testing::randomTensor;
using vkqc::test::valueOrFail;

namespace {

VulkanContext &context() { return test::vulkanContext(); }

void report(const std::string &what, const ErrorStats &stats) {
  if (std::getenv("VKQC_PRINT_ERRORS"))
    std::cout << what << ": " << stats.describe() << "\n";
}

/// fp32: max abs error <= 1e-4 * max|expected|. fp16: cosine >= 0.999 and max abs error
/// <= 1e-2 * max|expected|.
void checkClose(const Tensor &actual, const Tensor &expected, const std::string &what) {
  INFO(what);
  REQUIRE(actual.dtype() == expected.dtype());
  ErrorStats stats = valueOrFail(compareTensors(actual, expected));
  INFO(stats.describe());
  report(what, stats);
  if (expected.dtype() == DType::Float16) {
    CHECK(stats.cosine >= 0.999);
    CHECK(stats.maxAbsError <= 1e-2 * stats.maxAbsExpected);
  } else {
    CHECK(stats.maxAbsError <= 1e-4 * stats.maxAbsExpected);
  }
}

void checkExact(const Tensor &actual, const Tensor &expected, const std::string &what) {
  INFO(what);
  REQUIRE(actual.dtype() == expected.dtype());
  REQUIRE(actual.shape() == expected.shape());
  ErrorStats stats = valueOrFail(compareTensors(actual, expected));
  INFO(stats.describe());
  CHECK(stats.mismatches == 0);
}

/// A 4-bit linear layer in ExecuTorch's packed layouts.
struct Q4Linear {
  int64_t n, k, groupSize;
  Tensor weights; // u8 [N, K/2]
  Tensor sums;    // i32 [G, align8(N)]
  Tensor scales;  // [G, align4(N)]
  Tensor bias;    // [N]
};

Q4Linear makeLinear(int64_t n, int64_t k, int64_t groupSize, DType scalesDtype, std::mt19937 &rng) {
  Tensor q = randomInt4({n, k}, rng);
  Tensor rowScales = randomTensor(scalesDtype, {n, k / groupSize}, rng, 0.005, 0.05);
  return {n,
          k,
          groupSize,
          valueOrFail(interp::materialize(interp::packQ4LinearWeight(q))),
          valueOrFail(interp::materialize(interp::q4WeightSums(q, groupSize))),
          valueOrFail(interp::materialize(interp::transposePadScales(rowScales, 4))),
          randomTensor(scalesDtype, {n}, rng, -0.5, 0.5)};
}

struct LinearShape {
  int64_t m, n, k, groupSize;
};

// M = 1 (GEMV), odd M, M far larger than K/2, N and K at their minimum multiples, every
// group size, and N not a multiple of the tile width.
const LinearShape LinearShapes[] = {
    {1, 4, 32, 16},    {1, 8, 32, 32},   {1, 36, 128, 128}, {1, 64, 256, 64},
    {7, 4, 32, 16},    {7, 12, 64, 32},  {7, 8, 128, 128},  {300, 8, 64, 32},
    {300, 20, 64, 16}, {2, 40, 256, 64}, {33, 4, 32, 32},   {5, 100, 128, 128},
};

std::string shapeName(const LinearShape &s, DType dtype) {
  return "M=" + std::to_string(s.m) + " N=" + std::to_string(s.n) + " K=" + std::to_string(s.k) +
         " gs=" + std::to_string(s.groupSize) + " " + std::string(dtypeName(dtype));
}

/// Activations skewed so that per-token zero points come out negative (mostly positive
/// rows), positive (mostly negative rows) or near zero.
Tensor makeActivations(DType dtype, interp::Shape shape, std::mt19937 &rng) {
  Tensor x = randomTensor(DType::Float32, shape, rng, -1.0, 1.0);
  int64_t k = shape.back();
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t row = i / k;
    double v = x.getDouble(i);
    if (row % 3 == 0)
      v = 0.35 * v + 0.65; // [0.3, 1]: zero point near -128
    else if (row % 3 == 1)
      v = 0.6 * v + 0.3; // [-0.3, 0.9]: negative zero point
    x.setDouble(i, v * (1 + row % 5));
  }
  return valueOrFail(interp::toDType(x, dtype));
}

} // namespace

TEST_CASE("linear_q4gsw matches the CPU reference", "[vulkan]") {
  std::mt19937 rng(1);
  for (DType dtype : {DType::Float32, DType::Float16})
    for (const LinearShape &s : LinearShapes)
      for (shaders::LinearTiles tiles :
           {shaders::LinearTiles::Default, shaders::LinearTiles::M2N4}) {
        if (s.m == 1 && tiles != shaders::LinearTiles::Default)
          continue; // GEMV has no tile choice
        Q4Linear layer = makeLinear(s.n, s.k, s.groupSize, dtype, rng);
        Tensor x = makeActivations(dtype, {s.m, s.k}, rng);
        bool withBias = s.n % 8 != 0;
        std::optional<Tensor> bias = withBias ? std::optional<Tensor>(layer.bias) : std::nullopt;
        Tensor expected =
            valueOrFail(interp::linearQ4gsw(x, layer.weights, layer.scales, s.groupSize, bias));
        Tensor actual = valueOrFail(
            runLinearQ4gsw(context(), x, layer.weights, layer.scales, s.groupSize, bias, {tiles}));
        checkClose(actual, expected,
                   "linear_q4gsw " + shapeName(s, dtype) +
                       (tiles == shaders::LinearTiles::M2N4 ? " m2n4" : ""));
      }
}

TEST_CASE("linear_q4gsw keeps leading dims and converts f32 scales for f16 inputs", "[vulkan]") {
  std::mt19937 rng(2);
  Q4Linear layer = makeLinear(12, 64, 32, DType::Float32, rng);
  Tensor x = makeActivations(DType::Float16, {2, 3, 64}, rng);
  Tensor expected =
      valueOrFail(interp::linearQ4gsw(x, layer.weights, layer.scales, 32, layer.bias));
  Tensor actual =
      valueOrFail(runLinearQ4gsw(context(), x, layer.weights, layer.scales, 32, layer.bias));
  CHECK(actual.shape() == interp::Shape{2, 3, 12});
  checkClose(actual, expected, "linear_q4gsw [2, 3, 64] f16 with f32 scales");

  std::string message = vkqc::test::errorOf(
      runLinearQ4gsw(context(), x, layer.weights, layer.scales, 12, std::nullopt));
  CHECK(llvm::StringRef(message).contains("group size 12"));
}

TEST_CASE("linear_dq8ca_q4gsw matches the CPU reference with integer accumulation", "[vulkan]") {
  std::mt19937 rng(3);
  for (DType dtype : {DType::Float32, DType::Float16})
    for (DType zpDtype : {DType::Int8, dtype})
      for (const LinearShape &s : LinearShapes)
        for (shaders::LinearTiles tiles :
             {shaders::LinearTiles::Default, shaders::LinearTiles::M2N4}) {
          if (s.m == 1 && tiles != shaders::LinearTiles::Default)
            continue;
          Q4Linear layer = makeLinear(s.n, s.k, s.groupSize, dtype, rng);
          Tensor x = makeActivations(dtype, {s.m, s.k}, rng);
          interp::QParams qparams = valueOrFail(
              interp::chooseQParamsAffine(x, interp::MappingType::Asymmetric, {1, s.k}, DType::Int8,
                                          -128, 127, std::nullopt, dtype, zpDtype, false));
          std::optional<Tensor> bias = s.m % 2 ? std::optional<Tensor>(layer.bias) : std::nullopt;
          Tensor expected = valueOrFail(
              interp::linearDq8caQ4gsw(x, qparams.scale, qparams.zeroPoint, layer.weights,
                                       layer.sums, layer.scales, s.groupSize, bias));
          Tensor actual = valueOrFail(
              runLinearDq8caQ4gsw(context(), x, qparams.scale, qparams.zeroPoint, layer.weights,
                                  layer.sums, layer.scales, s.groupSize, bias, {tiles, false}));
          checkClose(actual, expected,
                     "linear_dq8ca_q4gsw " + shapeName(s, dtype) + " zp " +
                         std::string(dtypeName(zpDtype)) +
                         (tiles == shaders::LinearTiles::M2N4 ? " m2n4" : ""));
        }
}

TEST_CASE("linear_dq8ca_q4gsw's weight-only fallback is linear_q4gsw on the float input",
          "[vulkan]") {
  std::mt19937 rng(4);
  Q4Linear layer = makeLinear(16, 64, 32, DType::Float32, rng);
  Tensor x = makeActivations(DType::Float32, {7, 64}, rng);
  interp::QParams qparams = valueOrFail(
      interp::chooseQParamsAffine(x, interp::MappingType::Asymmetric, {1, 64}, DType::Int8, -128,
                                  127, std::nullopt, DType::Float32, DType::Int8, false));
  Tensor expected =
      valueOrFail(interp::linearQ4gsw(x, layer.weights, layer.scales, 32, layer.bias));
  LinearOptions fallback;
  fallback.weightOnlyFallback = true;
  Tensor actual =
      valueOrFail(runLinearDq8caQ4gsw(context(), x, qparams.scale, qparams.zeroPoint, layer.weights,
                                      layer.sums, layer.scales, 32, layer.bias, fallback));
  checkClose(actual, expected, "linear_dq8ca_q4gsw weight-only fallback");
}

TEST_CASE("choose_qparams_per_row is bit-exact with torchao", "[vulkan]") {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> magnitude(-7, 4);
  for (DType dtype : {DType::Float32, DType::Float16})
    for (DType zpDtype : {DType::Int8, dtype})
      for (int64_t k : {32, 64, 100, 4096})
        for (std::optional<double> eps :
             {std::optional<double>(), std::optional<double>(0x1p-23)}) {
          int64_t rows = k == 4096 ? 9 : 257;
          // Rows spanning many magnitudes and signs, plus all-zero / one-sided rows.
          Tensor wide(DType::Float32, {rows, k});
          for (int64_t r = 0; r < rows; ++r) {
            double scale = std::pow(10.0, magnitude(rng));
            double lo = r % 4 == 0 ? 0.0 : -1.0, hi = r % 4 == 1 ? 0.0 : 1.0;
            std::uniform_real_distribution<double> value(lo, hi);
            for (int64_t c = 0; c < k; ++c)
              wide.setDouble(r * k + c, r % 17 == 5 ? 0.0 : value(rng) * scale);
          }
          Tensor x = valueOrFail(interp::toDType(wide, dtype));
          interp::QParams expected = valueOrFail(
              interp::chooseQParamsAffine(x, interp::MappingType::Asymmetric, {1, k}, DType::Int8,
                                          -128, 127, eps, dtype, zpDtype, false));
          interp::QParams actual =
              valueOrFail(runChooseQParamsPerRow(context(), x, zpDtype, -128, 127, eps));
          std::string what = "choose_qparams " + std::string(dtypeName(dtype)) + " zp " +
                             std::string(dtypeName(zpDtype)) + " K=" + std::to_string(k);
          checkExact(actual.scale, expected.scale, what + " scale");
          checkExact(actual.zeroPoint, expected.zeroPoint, what + " zero point");
        }
}

TEST_CASE("quantize_and_pack is bit-exact with torchao's quantize_affine", "[vulkan]") {
  std::mt19937 rng(6);
  for (DType dtype : {DType::Float32, DType::Float16})
    for (DType zpDtype : {DType::Int8, dtype})
      for (int64_t groupSize : {16, 32, 64, 128}) {
        int64_t rows = 45, k = 256;
        Tensor x = makeActivations(dtype, {rows, k}, rng);
        interp::QParams qparams = valueOrFail(
            interp::chooseQParamsAffine(x, interp::MappingType::Asymmetric, {1, k}, DType::Int8,
                                        -128, 127, std::nullopt, dtype, zpDtype, false));
        Tensor expected = valueOrFail(interp::quantizeAffine(
            x, {1, k}, qparams.scale, qparams.zeroPoint, DType::Int8, -128, 127));
        QuantizedActivations actual = valueOrFail(
            runQuantizeAndPack(context(), x, qparams.scale, qparams.zeroPoint, groupSize));
        std::string what = "quantize " + std::string(dtypeName(dtype)) + " zp " +
                           std::string(dtypeName(zpDtype)) + " gs=" + std::to_string(groupSize);
        checkExact(actual.values, expected, what);
        Tensor sums(DType::Int32, {rows, k / groupSize});
        for (int64_t i = 0; i < expected.numel(); ++i)
          sums.setInt(i / groupSize, sums.getInt(i / groupSize) + expected.getInt(i));
        checkExact(actual.groupSums, sums, what + " sums");
      }
}

TEST_CASE("quantize_and_pack rounds half to even and clamps", "[vulkan]") {
  for (DType dtype : {DType::Float32, DType::Float16}) {
    Tensor x = interp::testing::makeTensor(dtype, {1, 8},
                                           {0.5, 1.5, 2.5, -0.5, -1.5, 1000.0, -1000.0, 3.25});
    Tensor scale = interp::testing::makeTensor(dtype, {1}, {1.0});
    Tensor zp = interp::testing::makeTensor(DType::Int8, {1}, {-3});
    Tensor expected =
        valueOrFail(interp::quantizeAffine(x, {1, 8}, scale, zp, DType::Int8, -128, 127));
    CHECK(interp::testing::valuesOf(expected) ==
          std::vector<double>{-3, -1, -1, -3, -5, 127, -128, 0});
    QuantizedActivations actual = valueOrFail(runQuantizeAndPack(context(), x, scale, zp, 8));
    checkExact(actual.values, expected, "round half even");
    CHECK(actual.groupSums.getInt(0) == -3 - 1 - 1 - 3 - 5 + 127 - 128 + 0);
  }
}

TEST_CASE("embedding_q4gsw matches the CPU reference", "[vulkan]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int64_t dim : {32, 64, 128})
    for (int64_t groupSize : {16, 32, 64, 128}) {
      if (groupSize > dim)
        continue;
      int64_t rows = 11;
      Tensor weight(DType::UInt8, {rows, dim / 2});
      for (int64_t i = 0; i < weight.numel(); ++i)
        weight.setInt(i, byte(rng));
      Tensor indices = interp::testing::makeTensor(DType::Int64, {2, 3}, {0, 10, 3, 3, 7, 1});
      for (DType scalesDtype : {DType::Float32, DType::Float16, DType::BFloat16})
        for (bool isLinearWeight : {true, false})
          for (DType outDtype : {DType::Float32, DType::Float16}) {
            Tensor scales = randomTensor(scalesDtype, {rows, dim / groupSize}, rng, 0.01, 0.1);
            Tensor reference = valueOrFail(
                interp::embeddingQ4gsw(weight, scales, groupSize, indices, isLinearWeight));
            Tensor expected = valueOrFail(interp::toDType(reference, outDtype));
            Tensor actual = valueOrFail(runEmbeddingQ4gsw(context(), weight, scales, groupSize,
                                                          indices, isLinearWeight, outDtype));
            CHECK(actual.shape() == interp::Shape{2, 3, dim});
            // One multiply of exact operands: the GPU result is the reference's, bit for bit.
            checkExact(actual, expected,
                       "embedding D=" + std::to_string(dim) + " gs=" + std::to_string(groupSize) +
                           " scales " + std::string(dtypeName(scalesDtype)) + " out " +
                           std::string(dtypeName(outDtype)));
          }
    }
}

TEST_CASE("embedding_q4gsw rejects out-of-range indices", "[vulkan]") {
  Tensor weight(DType::UInt8, {4, 16});
  Tensor scales(DType::Float32, {4, 1});
  Tensor indices = interp::testing::makeTensor(DType::Int64, {1}, {4});
  std::string message =
      vkqc::test::errorOf(runEmbeddingQ4gsw(context(), weight, scales, 32, indices, true));
  CHECK(llvm::StringRef(message).contains("index 4 is out of range"));
}

TEST_CASE("kernels give the same results through staging buffers", "[vulkan]") {
  // The discrete-GPU path: device memory the host never maps.
  auto staged = valueOrFail(VulkanContext::create(ContextOptions{0, /*forceStaging=*/true}));
  std::mt19937 rng(8);
  Q4Linear layer = makeLinear(12, 64, 32, DType::Float32, rng);
  Tensor x = makeActivations(DType::Float32, {5, 64}, rng);
  interp::QParams qparams =
      valueOrFail(runChooseQParamsPerRow(*staged, x, DType::Int8, -128, 127, std::nullopt));
  interp::QParams mapped =
      valueOrFail(runChooseQParamsPerRow(context(), x, DType::Int8, -128, 127, std::nullopt));
  checkExact(qparams.scale, mapped.scale, "staged scale");
  checkExact(qparams.zeroPoint, mapped.zeroPoint, "staged zero point");
  Tensor viaStaging =
      valueOrFail(runLinearDq8caQ4gsw(*staged, x, qparams.scale, qparams.zeroPoint, layer.weights,
                                      layer.sums, layer.scales, 32, layer.bias));
  Tensor direct =
      valueOrFail(runLinearDq8caQ4gsw(context(), x, qparams.scale, qparams.zeroPoint, layer.weights,
                                      layer.sums, layer.scales, 32, layer.bias));
  checkExact(viaStaging, direct, "staged linear_dq8ca_q4gsw");
}
