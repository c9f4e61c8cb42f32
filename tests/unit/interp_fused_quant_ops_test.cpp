// The fused et_vk ops must equal the unfused source graphs bit for bit.
#include "TestTensors.h"

#include "compiler/quant/Q4Packing.h"

#include <cstring>

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::interp::testing;

namespace {
/// A tensor holding bytes produced by a packing helper.
template <typename T> Tensor tensorFromBytes(DType dtype, Shape shape, const std::vector<T> &v) {
  Tensor t(dtype, std::move(shape));
  REQUIRE(t.byteSize() == v.size() * sizeof(T));
  std::memcpy(t.mutableRaw(), v.data(), t.byteSize());
  return t;
}

std::vector<int8_t> int8Values(const Tensor &t) {
  return std::vector<int8_t>(t.data<int8_t>(), t.data<int8_t>() + t.numel());
}

std::vector<uint8_t> packQ4LinearOrFail(const Tensor &q) {
  return expectOk(quant::packQ4Linear(int8Values(q), q.dim(0), q.dim(1)));
}

/// ExecuTorch's constant rewrites of a [N, K] int4 linear weight with [N, G] scales.
struct PackedLinear {
  Tensor weights, scales, sums;
};

PackedLinear packLinear(const Tensor &q, const Tensor &scales, int64_t groupSize) {
  int64_t n = q.dim(0), k = q.dim(1), g = scales.dim(1);
  auto packed = packQ4LinearOrFail(q);
  std::vector<uint8_t> scaleBytes(scales.data<uint8_t>(),
                                  scales.data<uint8_t>() + scales.byteSize());
  auto transposed =
      expectOk(quant::transposePadScales(scaleBytes, dtypeSize(scales.dtype()), n, g));
  auto sums = expectOk(quant::computeWeightSums(int8Values(q), n, k, groupSize));
  return {tensorFromBytes(DType::UInt8, {n, quant::alignUp(k, 8) / 2}, packed),
          tensorFromBytes(scales.dtype(), {g, quant::alignUp(n, 4)}, transposed),
          tensorFromBytes(DType::Int32, {g, quant::alignUp(n, 8)}, sums)};
}
} // namespace

TEST_CASE("linear_q4gsw equals dequantize_affine + linear") {
  std::mt19937 rng(11);
  const int64_t n = 6, k = 64, groupSize = 32; // N not a multiple of 4: padded scales/bias
  Tensor q = randomInt4({n, k}, rng);
  Tensor scales = randomTensor(DType::Float32, {n, k / groupSize}, rng, 0.01, 0.2);
  Tensor bias = randomTensor(DType::Float32, {n}, rng);
  PackedLinear packed = packLinear(q, scales, groupSize);
  Tensor paddedBias = expectOk(cat({bias, Tensor(DType::Float32, {2})}, 0));

  for (DType xDtype : {DType::Float32, DType::BFloat16}) {
    Tensor x = randomTensor(xDtype, {2, 3, k}, rng, -2, 2);
    Tensor w = expectOk(
        dequantizeAffine(q, {1, groupSize}, scales, std::nullopt, DType::Int8, -8, 7, xDtype));
    Tensor expected = expectOk(linear(x, w, expectOk(toDType(bias, xDtype))));
    Tensor fused = expectOk(linearQ4gsw(x, packed.weights, packed.scales, groupSize, paddedBias));
    CHECK(fused.shape() == Shape{2, 3, n});
    CHECK(fused.dtype() == xDtype);
    CHECK(sameValues(fused, expected));
  }
  Tensor x = randomTensor(DType::Float32, {1, k}, rng);
  CHECK(!expectError(linearQ4gsw(x, packed.weights, packed.scales, 16, std::nullopt)).empty());
  CHECK(!expectError(linearQ4gsw(x, packed.weights, scales, groupSize, std::nullopt)).empty());
  Tensor shortX = randomTensor(DType::Float32, {1, 32}, rng);
  CHECK(!expectError(linearQ4gsw(shortX, packed.weights, packed.scales, groupSize, std::nullopt))
             .empty());
}

TEST_CASE("linear_dq8ca_q4gsw equals the 8da4w source graph") {
  std::mt19937 rng(12);
  const int64_t n = 8, k = 64, groupSize = 32;
  Tensor q = randomInt4({n, k}, rng);
  Tensor scales = randomTensor(DType::Float32, {n, k / groupSize}, rng, 0.01, 0.2);
  PackedLinear packed = packLinear(q, scales, groupSize);
  Tensor x = randomTensor(DType::Float32, {1, 4, k}, rng, -3, 3);
  Shape perToken = {1, 1, k};

  QParams act = expectOk(chooseQParamsAffine(x, MappingType::Asymmetric, perToken, DType::Int8,
                                             -128, 127, {}, {}, DType::Int8, false));
  Tensor xq =
      expectOk(quantizeAffine(x, perToken, act.scale, act.zeroPoint, DType::Int8, -128, 127));
  Tensor xdq =
      expectOk(dequantizeAffine(xq, perToken, act.scale, act.zeroPoint, DType::Int8, -128, 127));
  Tensor w =
      expectOk(dequantizeAffine(q, {1, groupSize}, scales, std::nullopt, DType::Int8, -8, 7));
  Tensor expected = expectOk(linear(xdq, w, std::nullopt));

  Tensor fused = expectOk(linearDq8caQ4gsw(x, act.scale, act.zeroPoint, packed.weights, packed.sums,
                                           packed.scales, groupSize, std::nullopt));
  CHECK(sameValues(fused, expected));
  // It is not the plain weight-only linear: the activation really is quantized.
  Tensor weightOnly =
      expectOk(linearQ4gsw(x, packed.weights, packed.scales, groupSize, std::nullopt));
  CHECK(!sameValues(fused, weightOnly));

  Tensor badSums(DType::Int32, {2, 4});
  CHECK(!expectError(linearDq8caQ4gsw(x, act.scale, act.zeroPoint, packed.weights, badSums,
                                      packed.scales, groupSize, std::nullopt))
             .empty());
  Tensor badScale(DType::Float32, {3});
  CHECK(!expectError(linearDq8caQ4gsw(x, badScale, act.zeroPoint, packed.weights, packed.sums,
                                      packed.scales, groupSize, std::nullopt))
             .empty());
}

TEST_CASE("embedding_q4gsw equals dequantize_affine + embedding and the legacy op") {
  std::mt19937 rng(13);
  const int64_t rows = 5, width = 64, groupSize = 32;
  Tensor q = randomInt4({rows, width}, rng);
  Tensor scales = randomTensor(DType::Float16, {rows, width / groupSize}, rng, 0.01, 0.2);
  Tensor indices = makeTensor(DType::Int64, {2, 3}, {4, 0, 2, 2, 1, 3});

  Tensor table = expectOk(dequantizeAffine(q, {1, groupSize}, scales, std::nullopt, DType::Int8, -8,
                                           7, DType::Float32));
  Tensor expected = expectOk(embedding(table, indices));

  std::vector<uint8_t> linearBytes = packQ4LinearOrFail(q);
  Tensor linearWeight = tensorFromBytes(DType::UInt8, {rows, width / 2}, linearBytes);
  Tensor legacyWeight =
      tensorFromBytes(DType::UInt8, {rows, width / 2}, quant::swapNibbles(linearBytes));

  Tensor fused = expectOk(embeddingQ4gsw(linearWeight, scales, groupSize, indices, true));
  CHECK(fused.shape() == Shape{2, 3, width});
  CHECK(fused.dtype() == DType::Float32);
  CHECK(sameValues(fused, expected));
  CHECK(sameValues(expectOk(embeddingQ4gsw(legacyWeight, scales, groupSize, indices, false)),
                   expected));

  // The legacy op multiplies in the scales' dtype (f16 here) before casting; with f32
  // scales all three agree.
  Tensor f32Scales = expectOk(toDType(scales, DType::Float32));
  CHECK(sameValues(expectOk(embedding4bit(legacyWeight, f32Scales, std::nullopt, -8, 7, indices,
                                          DType::Float32)),
                   expected));
  Tensor oneByte(DType::UInt8, {1, 1});
  oneByte.setInt(0, 0xF8); // legacy order: even element 7, odd element 0
  Tensor oneScale = makeTensor(DType::Float16, {1}, {0.1});
  Tensor row0 = makeTensor(DType::Int64, {1}, {0});
  CHECK(oneScale.getDouble(0) == 0.0999755859375);
  CHECK(expectOk(embedding4bit(oneByte, oneScale, std::nullopt, -8, 7, row0, DType::Float32))
            .getDouble(0) == 0.69970703125); // 7 * s rounded to f16
  CHECK(expectOk(embeddingQ4gsw(oneByte, oneScale, 2, row0, false)).getDouble(0) ==
        0.6998291015625); // 7 * s in f32

  CHECK(!expectError(embeddingQ4gsw(linearWeight, scales, 16, indices, true)).empty());
  Tensor outOfRange = makeTensor(DType::Int64, {1}, {5});
  CHECK(!expectError(embeddingQ4gsw(linearWeight, scales, groupSize, outOfRange, true)).empty());
}

// torchao Int4Tensor (MSLK's bf16i4bf16_rowwise): low nibble = even k, nibbles signed,
// w = q * scale + zero with scale and zero [K/G, N]. Hand-computed, one output per case.
TEST_CASE("Int4Tensor linear: nibble order, signed nibbles and the zero point's sign") {
  // N = 1, K = 8, one group. Byte 0 = 0x9F: low nibble 0xF (k=0) = -1, high 0x9 (k=1) = -7.
  // Bytes 1..3 = 0x71: k even = 1, k odd = 7.
  Tensor w = tensorFromBytes(DType::Int8, {1, 4}, std::vector<uint8_t>{0x9F, 0x71, 0x71, 0x71});
  Tensor scale = makeTensor(DType::Float32, {1, 1}, {0.5});
  Tensor zero = makeTensor(DType::Float32, {1, 1}, {0.25});
  // x = e_0: y = w[0, 0] = -1 * 0.5 + 0.25 = -0.25. x = e_1: w[0, 1] = -7 * 0.5 + 0.25 = -3.25.
  Tensor e0 = makeTensor(DType::Float32, {1, 8}, {1, 0, 0, 0, 0, 0, 0, 0});
  Tensor e1 = makeTensor(DType::Float32, {1, 8}, {0, 1, 0, 0, 0, 0, 0, 0});
  CHECK(expectOk(int4TensorLinear(e0, w, scale, zero)).getDouble(0) == -0.25);
  CHECK(expectOk(int4TensorLinear(e1, w, scale, zero)).getDouble(0) == -3.25);
  // All ones: sum of q = -1 - 7 + 3 * (1 + 7) = 16, so y = 16 * 0.5 + 8 * 0.25 = 10.
  Tensor ones = makeTensor(DType::Float32, {1, 8}, {1, 1, 1, 1, 1, 1, 1, 1});
  CHECK(expectOk(int4TensorLinear(ones, w, scale, zero)).getDouble(0) == 10.0);
  // The result keeps X's dtype (bf16 in, bf16 out, accumulated in f32).
  CHECK(expectOk(int4TensorLinear(expectOk(toDType(ones, DType::BFloat16)), w, scale, zero))
            .dtype() == DType::BFloat16);
  // Two groups (G = 4): the second group's scale and zero apply to k = 4..7.
  Tensor scale2 = makeTensor(DType::Float32, {2, 1}, {0.5, 2.0});
  Tensor zero2 = makeTensor(DType::Float32, {2, 1}, {0.25, -1.0});
  Tensor e5 = makeTensor(DType::Float32, {1, 8}, {0, 0, 0, 0, 0, 1, 0, 0});
  CHECK(expectOk(int4TensorLinear(e5, w, scale2, zero2)).getDouble(0) == 7 * 2.0 - 1.0);
}

TEST_CASE("Int4Tensor qdata becomes the linear layout: q + 8 nibbles in the same order") {
  std::vector<uint8_t> qdata = {0x9F, 0x71, 0x08, 0x80};
  std::vector<uint8_t> linear(4);
  REQUIRE(!llvm::errorToBool(quant::int4TensorToQ4LinearInto(qdata, linear)));
  // -1 -> 7, -7 -> 1; 1 -> 9, 7 -> 15; -8 -> 0, 0 -> 8.
  CHECK(linear == std::vector<uint8_t>{0x17, 0xF9, 0x80, 0x08});
  for (int64_t c = 0; c < 8; ++c) {
    int nibble = c % 2 ? qdata[c / 2] >> 4 : qdata[c / 2] & 0xF;
    CHECK(quant::unpackQ4Element(linear.data(), c, true) == (nibble >= 8 ? nibble - 16 : nibble));
  }
}
