#include "TestTensors.h"

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::interp::testing;

TEST_CASE("quantize_affine rounds half to even before adding the zero point") {
  Tensor x = makeTensor(DType::Float32, {5}, {0.5, 1.5, 2.5, -0.5, -1.5});
  Tensor one = makeTensor(DType::Float32, {1}, {1.0});
  Tensor q = expectOk(quantizeAffine(x, {5}, one, std::nullopt, DType::Int8, {}, {}));
  CHECK(q.dtype() == DType::Int8);
  CHECK(valuesOf(q) == std::vector<double>{0, 2, 2, 0, -2});

  // zp = 1 is added after rounding: round(0.5) + 1 = 1, not round(1.5) = 2.
  Tensor zp = makeTensor(DType::Int32, {1}, {1});
  Tensor shifted = expectOk(quantizeAffine(x, {5}, one, zp, DType::Int8, {}, {}));
  CHECK(valuesOf(shifted) == std::vector<double>{1, 3, 3, 1, -1});
}

TEST_CASE("quantize_affine clamps and multiplies by the reciprocal") {
  Tensor x = makeTensor(DType::Float32, {2, 2}, {100.0, -100.0, 0.3, -0.3});
  Tensor scale = makeTensor(DType::Float32, {2}, {1.0, 0.1});
  Tensor q = expectOk(quantizeAffine(x, {1, 2}, scale, std::nullopt, DType::Int8, -8, 7));
  CHECK(valuesOf(q) == std::vector<double>{7, -8, 3, -3});
}

TEST_CASE("quantize_affine in bf16 rounds the reciprocal and the product to bf16") {
  // scale 0.10009765625 (bf16 of 0.1): 1/scale = 9.99 in f32 but 10.0 in bf16, so
  // x = 0.349609375 gives 3.4926 (-> 3) in f32 but 3.5 (-> 4, half to even) in bf16.
  Tensor x = makeTensor(DType::BFloat16, {1}, {0.349609375});
  CHECK(x.getDouble(0) == 0.349609375);
  Tensor bf16Scale = makeTensor(DType::BFloat16, {1}, {0.10009765625});
  CHECK(bf16Scale.getDouble(0) == 0.10009765625);
  Tensor f32Scale = makeTensor(DType::Float32, {1}, {0.10009765625});
  CHECK(valuesOf(expectOk(quantizeAffine(x, {1}, bf16Scale, std::nullopt, DType::Int8, {}, {}))) ==
        std::vector<double>{4});
  CHECK(valuesOf(expectOk(quantizeAffine(x, {1}, f32Scale, std::nullopt, DType::Int8, {}, {}))) ==
        std::vector<double>{3});
}

TEST_CASE("quantize_affine rejects bad arguments") {
  Tensor x = makeTensor(DType::Float32, {2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor scale = makeTensor(DType::Float32, {2}, {1, 1});
  CHECK(expectError(quantizeAffine(x, {1, 3}, scale, std::nullopt, DType::Int8, {}, {}))
            .find("does not divide") != std::string::npos);
  CHECK(expectError(quantizeAffine(x, {1, 2}, scale, std::nullopt, DType::Int8, {}, {}))
            .find("expected 4") != std::string::npos);
  CHECK(!expectError(quantizeAffine(x, {4}, scale, std::nullopt, DType::Int8, {}, {})).empty());
  CHECK(!expectError(quantizeAffine(x, {1, 4}, scale, std::nullopt, DType::Int8, -200, 7)).empty());
  Tensor ints = makeTensor(DType::Int32, {2, 4}, {0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(
      !expectError(quantizeAffine(ints, {1, 4}, scale, std::nullopt, DType::Int8, {}, {})).empty());
}

TEST_CASE("dequantize_affine subtracts the zero point and multiplies per block") {
  Tensor q = makeTensor(DType::Int8, {2, 4}, {-8, 7, 3, 0, 1, 2, 3, 4});
  Tensor scale = makeTensor(DType::Float32, {2, 2}, {0.5, 1.0, 2.0, 0.25});
  Tensor zp = makeTensor(DType::Int8, {4}, {1, 0, 0, 2}); // any shape with 4 elements
  Tensor y = expectOk(dequantizeAffine(q, {1, 2}, scale, zp, DType::Int8, -8, 7));
  CHECK(y.dtype() == DType::Float32);
  CHECK(valuesOf(y) == std::vector<double>{-4.5, 3.0, 3.0, 0.0, 2.0, 4.0, 0.25, 0.5});

  // An f32 scale with a bf16 output multiplies in f32, then rounds once to bf16.
  Tensor q1 = makeTensor(DType::Int8, {1}, {3});
  Tensor s1 = makeTensor(DType::Float32, {1}, {0.1});
  Tensor y1 =
      expectOk(dequantizeAffine(q1, {1}, s1, std::nullopt, DType::Int8, {}, {}, DType::BFloat16));
  CHECK(y1.dtype() == DType::BFloat16);
  CHECK(y1.getDouble(0) == double(roundToDType(3.0f * 0.1f, DType::BFloat16)));

  CHECK(!expectError(dequantizeAffine(q, {1, 2}, scale, zp, DType::UInt8, {}, {})).empty());
}

TEST_CASE("choose_qparams_affine ASYMMETRIC known values") {
  Tensor x = makeTensor(DType::Float32, {1, 2, 4}, {-1, 0, 2, 4, 0.5, 1, 2, 3});
  QParams p = expectOk(chooseQParamsAffine(x, MappingType::Asymmetric, {1, 1, 4}, DType::Int8, -128,
                                           127, {}, {}, DType::Int8, false));
  REQUIRE(p.scale.shape() == Shape{1, 2});
  REQUIRE(p.zeroPoint.dtype() == DType::Int8);
  // Row 0: min -1, max 4: scale 5/255, zp = -128 - round(-51) = -77.
  CHECK(p.scale.getDouble(0) == double(5.0f / 255.0f));
  CHECK(p.zeroPoint.getInt(0) == -77);
  // Row 1: min clamps to 0: scale 3/255, zp = -128.
  CHECK(p.scale.getDouble(1) == double(3.0f / 255.0f));
  CHECK(p.zeroPoint.getInt(1) == -128);

  QParams kept = expectOk(chooseQParamsAffine(x, MappingType::Asymmetric, {1, 1, 4}, DType::Int8,
                                              {}, {}, {}, {}, {}, true));
  CHECK(kept.scale.shape() == Shape{1, 2, 1});
  CHECK(kept.zeroPoint.dtype() == DType::Int32); // ASYMMETRIC default
}

TEST_CASE("choose_qparams_affine SYMMETRIC int4 divides by 7.5") {
  Tensor w = makeTensor(DType::Float32, {2, 4}, {-3.0, 1.5, 0.0, 0.0, 1.0, 7.5, -2.0, 0.5});
  QParams p = expectOk(chooseQParamsAffine(w, MappingType::Symmetric, {1, 2}, DType::Int8, -8, 7,
                                           {}, {}, {}, false));
  REQUIRE(p.scale.shape() == Shape{2, 2});
  CHECK(p.zeroPoint.dtype() == DType::Float32); // symmetric: stays in the float dtype
  CHECK(valuesOf(p.scale) == std::vector<double>{double(3.0f / 7.5f),
                                                 double(0x1p-126f), // eps = smallest normal
                                                 double(7.5f / 7.5f), double(2.0f / 7.5f)});
  CHECK(valuesOf(p.zeroPoint) == std::vector<double>{0, 0, 0, 0});

  // uint8 symmetric zero point is int((255 + 0 + 1) / 2) = 128; explicit eps applies.
  QParams u = expectOk(chooseQParamsAffine(w, MappingType::Symmetric, {2, 4}, DType::UInt8, {}, {},
                                           1.0, {}, DType::Int32, false));
  CHECK(u.scale.shape() == Shape{});
  CHECK(u.scale.getDouble(0) == 1.0); // 7.5 / 127.5 < eps
  CHECK(u.zeroPoint.getInt(0) == 128);

  QParams noClip = expectOk(chooseQParamsAffine(w, MappingType::SymmetricNoClippingErr, {1, 4},
                                                DType::Int8, -8, 7, {}, {}, {}, false));
  // Row 0: max(-3/-8, 1.5/7) = 0.375; row 1: max(-2/-8, 7.5/7).
  CHECK(noClip.scale.getDouble(0) == double(-3.0f / -8.0f));
  CHECK(noClip.scale.getDouble(1) == double(7.5f / 7.0f));
}

TEST_CASE("choose_qparams_affine computes in bf16 for bf16 inputs") {
  Tensor x = makeTensor(DType::BFloat16, {3}, {-1.0, 0.5, 2.0});
  QParams p = expectOk(chooseQParamsAffine(x, MappingType::Asymmetric, {3}, DType::Int8, -128, 127,
                                           {}, {}, {}, false));
  CHECK(p.scale.dtype() == DType::BFloat16);
  CHECK(p.scale.getDouble(0) == double(roundToDType(3.0f / 255.0f, DType::BFloat16)));
  CHECK(!expectError(parseMappingType("SYM")).empty());
  CHECK(expectOk(parseMappingType("SYMMETRIC_NO_CLIPPING_ERR")) ==
        MappingType::SymmetricNoClippingErr);
}

TEST_CASE("per-token quantize-dequantize round trip stays within half a step") {
  std::mt19937 rng(7);
  Tensor x = randomTensor(DType::Float32, {1, 3, 16}, rng, -4, 4);
  QParams p = expectOk(chooseQParamsAffine(x, MappingType::Asymmetric, {1, 1, 16}, DType::Int8,
                                           -128, 127, {}, {}, DType::Int8, false));
  Tensor q = expectOk(quantizeAffine(x, {1, 1, 16}, p.scale, p.zeroPoint, DType::Int8, -128, 127));
  Tensor y =
      expectOk(dequantizeAffine(q, {1, 1, 16}, p.scale, p.zeroPoint, DType::Int8, -128, 127));
  for (int64_t i = 0; i < x.numel(); ++i)
    CHECK(std::abs(x.getDouble(i) - y.getDouble(i)) <= p.scale.getDouble(i / 16) * 0.5001);
}

TEST_CASE("embedding_4bit unpacks the even element from the high nibble") {
  // Row 0 = [-8, 7, 0, -1], row 1 = [1, 2, 3, 4], stored q + 8, even element high.
  Tensor weight(DType::UInt8, {2, 2});
  const uint8_t bytes[] = {0x0F, 0x87, 0x9A, 0xBC};
  for (int i = 0; i < 4; ++i)
    weight.setInt(i, bytes[i]);
  Tensor scales = makeTensor(DType::Float32, {2}, {0.5, 2.0});
  Tensor indices = makeTensor(DType::Int64, {2}, {1, 0});
  Tensor out = expectOk(embedding4bit(weight, scales, std::nullopt, -8, 7, indices, {}));
  CHECK(out.shape() == Shape{2, 4});
  CHECK(valuesOf(out) == std::vector<double>{2, 4, 6, 8, -4, 3.5, 0, -0.5});

  Tensor zeros = makeTensor(DType::Float32, {2}, {1.0, 0.0});
  Tensor shifted = expectOk(embedding4bit(weight, scales, zeros, -8, 7, indices, DType::Float16));
  CHECK(shifted.dtype() == DType::Float16);
  CHECK(valuesOf(shifted) == std::vector<double>{2, 4, 6, 8, -4.5, 3, -0.5, -1});

  CHECK(!expectError(embedding4bit(weight, scales, std::nullopt, -7, 7, indices, {})).empty());
  Tensor bad = makeTensor(DType::Int64, {1}, {2});
  CHECK(!expectError(embedding4bit(weight, scales, std::nullopt, -8, 7, bad, {})).empty());
}
