// The fused 4-bit ops vkqc emits (et_vk.*), defined as exactly what the source graph
// computed: unpack to int8 and reuse the unfused kernels, so fused == unfused by design.
#include "compiler/quant/Q4Packing.h"
#include "compiler/quant/Q4gswContract.h"
#include "compiler/semantics/KernelSupport.h"

namespace vkqc::interp {

namespace {
/// Unpacks weights u8 [N, align8(K)/2] and scales [G, align4(N)] back to int8 [N, K] and
/// [N, G], then dequantizes them with torchao's dequantize_affine into `outDtype`.
llvm::Expected<Tensor> dequantizeQ4LinearWeight(const Tensor &weights, const Tensor &scales,
                                                int64_t k, int64_t groupSize, DType outDtype,
                                                llvm::StringRef op) {
  if (weights.dtype() != DType::UInt8 || weights.rank() != 2)
    return kernelError(op + ": weights must be u8 [N, K/2], got " + nameOf(weights.dtype()) + " " +
                       shapeString(weights.shape()));
  int64_t n = weights.dim(0), rowBytes = weights.dim(1);
  if (rowBytes != quant::q4gswRowBytes(k))
    return kernelError(op + ": weights " + shapeString(weights.shape()) +
                       " do not pack K = " + llvm::Twine(k) + " (expected " +
                       llvm::Twine(quant::q4gswRowBytes(k)) + " bytes per row)");
  if (groupSize <= 0 || k % groupSize != 0)
    return kernelError(op + ": group size " + llvm::Twine(groupSize) +
                       " does not divide K = " + llvm::Twine(k));
  int64_t groups = k / groupSize, paddedN = quant::q4gswScaleColumns(n);
  if (scales.rank() != 2 || scales.dim(0) != groups || scales.dim(1) != paddedN)
    return kernelError(op + ": scales " + shapeString(scales.shape()) + ", expected [" +
                       llvm::Twine(groups) + ", " + llvm::Twine(paddedN) + "]");

  Tensor q(DType::Int8, {n, k});
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      q.setInt(r * k + c, quant::unpackQ4Element(weights.data<uint8_t>() + r * rowBytes, c, true));
  // scales[g, n] -> [n, g], dropping the padding columns.
  std::vector<int64_t> source;
  for (int64_t r = 0; r < n; ++r)
    for (int64_t g = 0; g < groups; ++g)
      source.push_back(g * paddedN + r);
  Tensor rowScales = gatherElements(scales, {n, groups}, source);
  return dequantizeAffine(q, {1, groupSize}, rowScales, std::nullopt, DType::Int8, -8, 7, outDtype);
}

/// The first N bias elements (ExecuTorch pads bias to align4(N)) in `dtype`.
llvm::Expected<std::optional<Tensor>> trimBias(const std::optional<Tensor> &bias, int64_t n,
                                               DType dtype, llvm::StringRef op) {
  if (!bias)
    return std::optional<Tensor>();
  if (bias->rank() != 1 || (bias->numel() != n && bias->numel() != quant::q4gswScaleColumns(n)))
    return kernelError(op + ": bias " + shapeString(bias->shape()) + " for " + llvm::Twine(n) +
                       " outputs");
  auto trimmed = slice(*bias, 0, 0, n);
  if (!trimmed)
    return trimmed.takeError();
  auto cast = toDType(*trimmed, dtype);
  if (!cast)
    return cast.takeError();
  return std::optional<Tensor>(*cast);
}
} // namespace

llvm::Expected<Tensor> linearQ4gsw(const Tensor &x, const Tensor &weights, const Tensor &scales,
                                   int64_t groupSize, const std::optional<Tensor> &bias) {
  llvm::StringRef op = "linear_q4gsw";
  if (auto err = requireFloat(x, op, "input"))
    return err;
  if (x.rank() < 1)
    return kernelError(op + ": input must have at least one dim");
  auto weight = dequantizeQ4LinearWeight(weights, scales, x.dim(-1), groupSize, x.dtype(), op);
  if (!weight)
    return weight.takeError();
  auto trimmedBias = trimBias(bias, weight->dim(0), x.dtype(), op);
  if (!trimmedBias)
    return trimmedBias.takeError();
  return linear(x, *weight, *trimmedBias);
}

llvm::Expected<Tensor> linearDq8caQ4gsw(const Tensor &x, const Tensor &inputScale,
                                        const Tensor &inputZeroPoint, const Tensor &weights,
                                        const Tensor &weightSums, const Tensor &scales,
                                        int64_t groupSize, const std::optional<Tensor> &bias) {
  llvm::StringRef op = "linear_dq8ca_q4gsw";
  if (auto err = requireFloat(x, op, "input"))
    return err;
  if (x.rank() < 1 || weights.rank() != 2)
    return kernelError(op + ": input must have a dim and weights must be 2-D");
  if (inputZeroPoint.dtype() != DType::Int8 && !isFloatingPoint(inputZeroPoint.dtype()))
    return kernelError(op + ": input zero point must be i8 or float, got " +
                       nameOf(inputZeroPoint.dtype()));
  int64_t k = x.dim(-1), n = weights.dim(0);
  if (groupSize <= 0 || k % groupSize != 0)
    return kernelError(op + ": group size " + llvm::Twine(groupSize) +
                       " does not divide K = " + llvm::Twine(k));
  if (weightSums.dtype() != DType::Int32 || weightSums.rank() != 2 ||
      weightSums.dim(0) != k / groupSize || weightSums.dim(1) != quant::q4gswSumColumns(n))
    return kernelError(op + ": weight sums must be i32 [" + llvm::Twine(k / groupSize) + ", " +
                       llvm::Twine(quant::q4gswSumColumns(n)) + "], got " +
                       nameOf(weightSums.dtype()) + " " + shapeString(weightSums.shape()));

  // The source graph: per-token int8 quantize + dequantize of x, then the int4 linear.
  Shape perToken(static_cast<size_t>(x.rank()), 1);
  perToken.back() = k;
  auto quantized = quantizeAffine(x, perToken, inputScale, inputZeroPoint, DType::Int8, -128, 127);
  if (!quantized)
    return quantized.takeError();
  auto dequantized = dequantizeAffine(*quantized, perToken, inputScale, inputZeroPoint, DType::Int8,
                                      -128, 127, x.dtype());
  if (!dequantized)
    return dequantized.takeError();
  return linearQ4gsw(*dequantized, weights, scales, groupSize, bias);
}

llvm::Expected<Tensor> int4TensorLinear(const Tensor &x, const Tensor &weight, const Tensor &scale,
                                        const Tensor &zero) {
  llvm::StringRef op = "bf16i4bf16_rowwise";
  if (auto err = requireFloat(x, op, "X"))
    return err;
  if (x.rank() != 2 || weight.rank() != 2 ||
      (weight.dtype() != DType::Int8 && weight.dtype() != DType::UInt8))
    return kernelError(op + ": X must be 2-D and W int8 [N, K/2], got " + shapeString(x.shape()) +
                       " and " + nameOf(weight.dtype()) + " " + shapeString(weight.shape()));
  int64_t n = weight.dim(0), k = x.dim(1);
  if (weight.dim(1) * 2 != k)
    return kernelError(op + ": W " + shapeString(weight.shape()) +
                       " does not hold K = " + llvm::Twine(k));
  if (scale.rank() != 2 || scale.dim(1) != n || scale.shape() != zero.shape() ||
      scale.dim(0) <= 0 || k % scale.dim(0) != 0)
    return kernelError(
        op + ": scale " + shapeString(scale.shape()) + " and zero " + shapeString(zero.shape()) +
        " must both be [K / group, N] for K = " + llvm::Twine(k) + ", N = " + llvm::Twine(n));
  if (auto err = requireFloat(scale, op, "w_scale_group"))
    return err;
  if (auto err = requireFloat(zero, op, "w_zero_group"))
    return err;
  int64_t groupSize = k / scale.dim(0);
  // w = q * scale + zero in f32 (MSLK's math), q the signed nibble: low nibble = even k.
  Tensor w(DType::Float32, {n, k});
  const uint8_t *bytes = static_cast<const uint8_t *>(weight.raw());
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c) {
      uint8_t byte = bytes[r * (k / 2) + c / 2];
      int nibble = c % 2 == 0 ? byte & 0xF : byte >> 4;
      int q = nibble >= 8 ? nibble - 16 : nibble;
      int64_t g = c / groupSize;
      float product = static_cast<float>(q) * static_cast<float>(scale.getDouble(g * n + r));
      w.setDouble(r * k + c, product + static_cast<float>(zero.getDouble(g * n + r)));
    }
  auto xf = toDType(x, DType::Float32);
  if (!xf)
    return xf.takeError();
  auto y = linear(*xf, w, std::nullopt); // f32 accumulation
  if (!y || x.dtype() == DType::Float32)
    return y;
  return toDType(*y, x.dtype());
}

llvm::Expected<Tensor> embeddingQ4gsw(const Tensor &weight, const Tensor &scales, int64_t groupSize,
                                      const Tensor &indices, bool isLinearWeight) {
  return gatherDequantQ4Rows(weight, scales, std::nullopt, groupSize, indices,
                             /*lowNibbleFirst=*/isLinearWeight,
                             /*arithmeticDtype=*/DType::Float32, DType::Float32, "embedding_q4gsw");
}

} // namespace vkqc::interp
