// torchao quant primitives (quantize/dequantize/choose_qparams_affine) and the legacy
// quantized_decomposed.embedding_4bit, with PyTorch's per-step dtype rounding.
#include "compiler/quant/Q4Packing.h"
#include "compiler/semantics/KernelSupport.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vkqc::interp {

namespace {
struct QuantRange {
  int64_t min;
  int64_t max;
};

/// quant_min/quant_max defaulted from and checked against the quantized dtype's range.
llvm::Expected<QuantRange> quantRange(DType dtype, std::optional<int64_t> quantMin,
                                      std::optional<int64_t> quantMax, llvm::StringRef op) {
  QuantRange limits;
  switch (dtype) {
  case DType::UInt8:
    limits = {0, 255};
    break;
  case DType::Int8:
    limits = {-128, 127};
    break;
  case DType::Int16:
    limits = {-32768, 32767};
    break;
  case DType::Int32:
    limits = {INT32_MIN, INT32_MAX};
    break;
  default:
    return kernelError(op + ": unsupported quantized dtype " + nameOf(dtype));
  }
  QuantRange range{quantMin.value_or(limits.min), quantMax.value_or(limits.max)};
  if (range.min < limits.min || range.max > limits.max)
    return kernelError(op + ": quant range [" + llvm::Twine(range.min) + ", " +
                       llvm::Twine(range.max) + "] exceeds " + nameOf(dtype));
  return range;
}

/// torchao's block structure (_get_reduction_params): which scale / zero-point element
/// covers each input element, and the shapes choose_qparams returns.
class BlockMap {
public:
  static llvm::Expected<BlockMap> create(const Shape &shape, llvm::ArrayRef<int64_t> block,
                                         llvm::StringRef op) {
    if (block.size() != shape.size())
      return kernelError(op + ": block_size " + shapeString(block) + " does not match input " +
                         shapeString(shape));
    BlockMap map;
    map.shape_ = shape;
    map.block_.assign(block.begin(), block.end());
    for (size_t d = 0; d < shape.size(); ++d) {
      int64_t size = shape[d], extent = block[d];
      if (extent < 1)
        return kernelError(op + ": block_size " + shapeString(block) + " has a size < 1");
      if (extent != size && extent > 1 && size % extent != 0)
        return kernelError(op + ": block size " + llvm::Twine(extent) + " does not divide " +
                           "dim " + llvm::Twine(d) + " of size " + llvm::Twine(size));
      int64_t blocks = extent == size ? 1 : size / extent;
      map.blockCounts_.push_back(blocks);
      // keepdim=False drops every reduced dim and keeps the block-count of split dims.
      if (extent == 1)
        map.squeezedShape_.push_back(size);
      else if (extent != size)
        map.squeezedShape_.push_back(blocks);
    }
    map.strides_ = contiguousStrides(shape);
    map.blockStrides_ = contiguousStrides(map.blockCounts_);
    return map;
  }

  int64_t numBlocks() const { return numelOf(blockCounts_); }
  /// [size / block] per dim: choose_qparams' keepdim=True shape.
  const Shape &blockCounts() const { return blockCounts_; }
  const Shape &squeezedShape() const { return squeezedShape_; }

  int64_t blockOf(int64_t flat) const {
    int64_t block = 0;
    for (size_t d = 0; d < shape_.size(); ++d) {
      int64_t coordinate = (flat / strides_[d]) % shape_[d];
      block += (coordinate / block_[d]) * blockStrides_[d];
    }
    return block;
  }

  /// Checks that a scale / zero-point tensor has one element per block.
  llvm::Error checkParams(const Tensor &t, llvm::StringRef op, llvm::StringRef what) const {
    if (t.numel() == numBlocks())
      return llvm::Error::success();
    return kernelError(op + ": " + what + " " + shapeString(t.shape()) + " has " +
                       llvm::Twine(t.numel()) + " elements, expected " + llvm::Twine(numBlocks()));
  }

private:
  Shape shape_, block_, strides_, blockCounts_, blockStrides_, squeezedShape_;
};

bool isTorchaoFloat(DType t) {
  return t == DType::Float32 || t == DType::Float16 || t == DType::BFloat16;
}

/// A zero-point argument that counts: present with at least one element.
std::optional<Tensor> effectiveZeroPoint(const std::optional<Tensor> &zeroPoint) {
  if (zeroPoint && zeroPoint->numel() > 0)
    return zeroPoint;
  return std::nullopt;
}

/// The block structure of a quantize/dequantize and its checked qparams: a scale (and a
/// zero point, when there is one) with one entry per block.
struct BlockParams {
  BlockMap map;
  std::optional<Tensor> zeroPoint;
};

llvm::Expected<BlockParams> blockParams(const Tensor &input, llvm::ArrayRef<int64_t> blockSize,
                                        const Tensor &scale, const std::optional<Tensor> &zeroPoint,
                                        llvm::StringRef op) {
  auto map = BlockMap::create(input.shape(), blockSize, op);
  if (!map)
    return map.takeError();
  if (auto err = map->checkParams(scale, op, "scale"))
    return err;
  std::optional<Tensor> zp = effectiveZeroPoint(zeroPoint);
  if (zp)
    if (auto err = map->checkParams(*zp, op, "zero_point"))
      return err;
  return BlockParams{std::move(*map), std::move(zp)};
}

/// torch.finfo(dtype).smallest_normal.
double smallestNormal(DType dtype) {
  switch (dtype) {
  case DType::Float16:
    return 0x1p-14;
  case DType::Float64:
    return std::numeric_limits<double>::min();
  default:
    return 0x1p-126; // f32 and bf16 share the exponent range
  }
}

/// amin/amax that propagate NaN like torch.
double nanMin(double a, double b) { return std::isnan(a) || a < b ? a : b; }
double nanMax(double a, double b) { return std::isnan(a) || a > b ? a : b; }
} // namespace

llvm::Expected<MappingType> parseMappingType(llvm::StringRef name) {
  if (name == "SYMMETRIC")
    return MappingType::Symmetric;
  if (name == "SYMMETRIC_NO_CLIPPING_ERR")
    return MappingType::SymmetricNoClippingErr;
  if (name == "ASYMMETRIC")
    return MappingType::Asymmetric;
  return kernelError("choose_qparams_affine: unknown mapping type '" + name + "'");
}

llvm::Expected<Tensor> quantizeAffine(const Tensor &input, llvm::ArrayRef<int64_t> blockSize,
                                      const Tensor &scale, const std::optional<Tensor> &zeroPoint,
                                      DType outputDtype, std::optional<int64_t> quantMin,
                                      std::optional<int64_t> quantMax) {
  llvm::StringRef op = "quantize_affine";
  if (!isTorchaoFloat(input.dtype()))
    return kernelError(op + ": input must be f32, f16 or bf16, got " + nameOf(input.dtype()));
  if (auto err = requireFloat(scale, op, "scale"))
    return err;
  auto range = quantRange(outputDtype, quantMin, quantMax, op);
  if (!range)
    return range.takeError();
  auto params = blockParams(input, blockSize, scale, zeroPoint, op);
  if (!params)
    return params.takeError();
  const BlockMap *map = &params->map;
  const std::optional<Tensor> &zp = params->zeroPoint;

  // round(input * (1.0 / scale)) + zero_point: each op rounds to its PyTorch result dtype.
  DType reciprocalDtype = scale.dtype();
  DType productDtype = promoteTypes(input.dtype(), scale.dtype());
  DType sumDtype = zp ? promoteTypes(productDtype, zp->dtype()) : productDtype;
  Tensor result(outputDtype, input.shape());
  for (int64_t i = 0; i < input.numel(); ++i) {
    int64_t b = map->blockOf(i);
    double reciprocal = roundToPrecision(1.0 / scale.getDouble(b), reciprocalDtype);
    double q = std::nearbyint(roundToPrecision(input.getDouble(i) * reciprocal, productDtype));
    if (zp)
      q = roundToPrecision(q + roundToPrecision(zp->getDouble(b), sumDtype), sumDtype);
    q = std::clamp(q, static_cast<double>(range->min), static_cast<double>(range->max));
    result.setDouble(i, q);
  }
  return result;
}

llvm::Expected<Tensor> dequantizeAffine(const Tensor &input, llvm::ArrayRef<int64_t> blockSize,
                                        const Tensor &scale, const std::optional<Tensor> &zeroPoint,
                                        DType inputDtype, std::optional<int64_t> quantMin,
                                        std::optional<int64_t> quantMax, DType outputDtype) {
  llvm::StringRef op = "dequantize_affine";
  if (input.dtype() != inputDtype)
    return kernelError(op + ": input is " + nameOf(input.dtype()) + " but input_dtype is " +
                       nameOf(inputDtype));
  if (!isTorchaoFloat(outputDtype))
    return kernelError(op + ": output_dtype must be f32, f16 or bf16, got " + nameOf(outputDtype));
  if (auto err = requireFloat(scale, op, "scale"))
    return err;
  // quant_min / quant_max are only validated, never applied.
  if (auto range = quantRange(inputDtype, quantMin, quantMax, op); !range)
    return range.takeError();
  auto params = blockParams(input, blockSize, scale, zeroPoint, op);
  if (!params)
    return params.takeError();
  const BlockMap *map = &params->map;
  const std::optional<Tensor> &zp = params->zeroPoint;

  // (q.to(out) - zp.to(out)) * scale, the product in promote(out, scale), then .to(out).
  DType productDtype = promoteTypes(outputDtype, scale.dtype());
  Tensor result(outputDtype, input.shape());
  for (int64_t i = 0; i < input.numel(); ++i) {
    int64_t b = map->blockOf(i);
    double v = roundToPrecision(input.getDouble(i), outputDtype);
    if (zp)
      v = roundToPrecision(v - roundToPrecision(zp->getDouble(b), outputDtype), outputDtype);
    result.setDouble(i, roundToPrecision(v * scale.getDouble(b), productDtype));
  }
  return result;
}

llvm::Expected<QParams> chooseQParamsAffine(const Tensor &input, MappingType mappingType,
                                            llvm::ArrayRef<int64_t> blockSize, DType targetDtype,
                                            std::optional<int64_t> quantMin,
                                            std::optional<int64_t> quantMax,
                                            std::optional<double> eps,
                                            std::optional<DType> scaleDtype,
                                            std::optional<DType> zeroPointDtype, bool keepdim) {
  llvm::StringRef op = "choose_qparams_affine";
  if (auto err = requireFloat(input, op, "input"))
    return err;
  auto range = quantRange(targetDtype, quantMin, quantMax, op);
  if (!range)
    return range.takeError();
  auto map = BlockMap::create(input.shape(), blockSize, op);
  if (!map)
    return map.takeError();
  if (input.numel() == 0)
    return kernelError(op + ": cannot choose parameters for an empty input");

  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> minimum(static_cast<size_t>(map->numBlocks()), inf);
  std::vector<double> maximum(static_cast<size_t>(map->numBlocks()), -inf);
  for (int64_t i = 0; i < input.numel(); ++i) {
    int64_t b = map->blockOf(i);
    minimum[b] = nanMin(minimum[b], input.getDouble(i));
    maximum[b] = nanMax(maximum[b], input.getDouble(i));
  }

  // All arithmetic happens in the input dtype; Python float operands stay at opmath
  // precision (they are wrapped numbers).
  DType compute = input.dtype();
  auto inCompute = [&](double v) { return roundToPrecision(v, compute); };
  auto pythonFloat = [&](double v) { return roundToPrecision(v, opmathType(compute)); };
  double epsValue = eps.value_or(smallestNormal(compute));
  double qmin = static_cast<double>(range->min), qmax = static_cast<double>(range->max);
  // Symmetric zero point: int((qmax + qmin + 1) / 2), truncating toward zero.
  double symmetricZeroPoint = std::trunc((qmax + qmin + 1) / 2);

  Shape outShape = keepdim ? map->blockCounts() : map->squeezedShape();
  DType zpDtype =
      zeroPointDtype.value_or(mappingType == MappingType::Asymmetric ? DType::Int32 : compute);
  QParams params{Tensor(scaleDtype.value_or(compute), outShape), Tensor(zpDtype, outShape)};
  for (int64_t b = 0; b < map->numBlocks(); ++b) {
    double minNeg = nanMin(minimum[b], 0.0), maxPos = nanMax(maximum[b], 0.0);
    double scale = 0.0, zeroPoint = symmetricZeroPoint;
    switch (mappingType) {
    case MappingType::Symmetric:
      scale = inCompute(nanMax(-minNeg, maxPos) / pythonFloat((qmax - qmin) / 2));
      break;
    case MappingType::SymmetricNoClippingErr: {
      double fromMin = inCompute(minNeg / pythonFloat(qmin));
      double fromMax = inCompute(maxPos / pythonFloat(qmax));
      scale = fromMin > fromMax ? fromMin : fromMax;
      break;
    }
    case MappingType::Asymmetric:
      scale = inCompute(inCompute(maxPos - minNeg) / pythonFloat(qmax - qmin));
      break;
    }
    // clamp(scale, min=eps) keeps NaN.
    scale = inCompute(scale < epsValue ? epsValue : scale);
    if (mappingType == MappingType::Asymmetric) {
      zeroPoint = inCompute(qmin - std::nearbyint(inCompute(minNeg / scale)));
      zeroPoint = std::clamp(zeroPoint, qmin, qmax);
    }
    params.scale.setDouble(b, scale);
    params.zeroPoint.setDouble(b, zeroPoint);
  }
  return params;
}

llvm::Expected<Tensor> gatherDequantQ4Rows(const Tensor &weight, const Tensor &scales,
                                           const std::optional<Tensor> &zeroPoints,
                                           int64_t groupSize, const Tensor &indices,
                                           bool lowNibbleFirst,
                                           std::optional<DType> arithmeticDtype, DType outDtype,
                                           llvm::StringRef op) {
  if (weight.dtype() != DType::UInt8 || weight.rank() != 2)
    return kernelError(op + ": weight must be u8 [V, D/2], got " + nameOf(weight.dtype()) + " " +
                       shapeString(weight.shape()));
  if (auto err = requireFloat(scales, op, "scales"))
    return err;
  if (isFloatingPoint(indices.dtype()) || indices.dtype() == DType::Bool)
    return kernelError(op + ": indices must be integers, got " + nameOf(indices.dtype()));
  int64_t rows = weight.dim(0), width = 2 * weight.dim(1);
  int64_t groups = scales.rank() == 2 ? scales.dim(1) : 1;
  if (scales.rank() > 2 || scales.rank() == 0 || scales.dim(0) != rows)
    return kernelError(op + ": scales " + shapeString(scales.shape()) + " for " +
                       llvm::Twine(rows) + " rows (expected [V] or [V, G])");
  if (groupSize <= 0 || groups * groupSize != width)
    return kernelError(op + ": " + llvm::Twine(groups) + " groups of " + llvm::Twine(groupSize) +
                       " do not cover " + llvm::Twine(width) + " columns");
  if (zeroPoints && zeroPoints->numel() != scales.numel())
    return kernelError(op + ": zero points " + shapeString(zeroPoints->shape()) +
                       " do not match scales " + shapeString(scales.shape()));

  // PyTorch: int8 q minus zp promotes to the zp dtype, then the product promotes with scales.
  DType differenceDtype = arithmeticDtype.value_or(
      zeroPoints ? promoteTypes(DType::Int8, zeroPoints->dtype()) : DType::Int8);
  DType productDtype = arithmeticDtype.value_or(promoteTypes(differenceDtype, scales.dtype()));
  DType operandDtype = arithmeticDtype.value_or(DType::Float64); // f64: no rounding
  Shape outShape = indices.shape();
  outShape.push_back(width);
  Tensor result(outDtype, outShape);
  const uint8_t *packed = weight.data<uint8_t>();
  for (int64_t i = 0; i < indices.numel(); ++i) {
    int64_t row = indices.getInt(i);
    if (row < 0 || row >= rows)
      return kernelError(op + ": index " + llvm::Twine(row) + " out of range for " +
                         llvm::Twine(rows) + " rows");
    const uint8_t *rowBytes = packed + row * weight.dim(1);
    for (int64_t c = 0; c < width; ++c) {
      int64_t param = row * groups + c / groupSize;
      double v = quant::unpackQ4Element(rowBytes, c, lowNibbleFirst);
      if (zeroPoints)
        v = roundToPrecision(v - roundToPrecision(zeroPoints->getDouble(param), operandDtype),
                             differenceDtype);
      double scale = roundToPrecision(scales.getDouble(param), operandDtype);
      result.setDouble(i * width + c, roundToPrecision(v * scale, productDtype));
    }
  }
  return result;
}

llvm::Expected<Tensor> embedding4bit(const Tensor &weight, const Tensor &scales,
                                     const std::optional<Tensor> &zeroPoints, int64_t quantMin,
                                     int64_t quantMax, const Tensor &indices,
                                     std::optional<DType> dtype) {
  llvm::StringRef op = "embedding_4bit";
  if (quantMin != -8 || quantMax != 7)
    return kernelError(op + ": quant range must be [-8, 7]");
  DType outDtype = dtype.value_or(scales.dtype());
  if (!isFloatingPoint(outDtype))
    return kernelError(op + ": output dtype must be floating point");
  int64_t groups = scales.rank() == 2 ? scales.dim(1) : 1;
  int64_t groupSize = weight.rank() == 2 && groups > 0 ? 2 * weight.dim(1) / groups : 0;
  // dequantize_per_channel_group requires groups of more than one element.
  if (groupSize == 1)
    return kernelError(op + ": group size must be greater than 1");
  return gatherDequantQ4Rows(weight, scales, zeroPoints, groupSize, indices,
                             /*lowNibbleFirst=*/false, std::nullopt, outDtype, op);
}

} // namespace vkqc::interp
