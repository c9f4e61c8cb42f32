// Reductions and scans: mean, cumsum, softmax.
#include "compiler/semantics/CascadeSum.h"
#include "compiler/semantics/KernelSupport.h"
#include "compiler/semantics/SleefMath.h"
#include "compiler/semantics/TorchCpuMath.h"

#include <cmath>
#include <limits>

namespace vkqc::interp {

namespace {
/// True when each output's elements are one contiguous run of the input: no kept dim
/// of size above 1 follows a reduced dim.
bool reducesContiguousRuns(const Shape &shape, const std::vector<bool> &reduced) {
  bool seenReduced = false;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!reduced[d] && seenReduced && shape[d] != 1)
      return false;
    seenReduced |= reduced[d];
  }
  return numelOf(shape) > 0;
}
} // namespace

llvm::Expected<Tensor> mean(const Tensor &x, llvm::ArrayRef<int64_t> dims, bool keepdim,
                            std::optional<DType> dtype) {
  DType resultDtype = dtype.value_or(x.dtype());
  if (!isFloatingPoint(resultDtype))
    return kernelError("mean: needs a floating-point input or dtype, got " + nameOf(resultDtype));

  std::vector<bool> reduced(x.rank(), dims.empty());
  for (int64_t d : dims) {
    auto dim = normalizeDim(d, x.rank(), "mean");
    if (!dim)
      return dim.takeError();
    if (x.rank() == 0)
      continue;
    if (reduced[*dim])
      return kernelError("mean: dim " + llvm::Twine(d) + " appears twice");
    reduced[*dim] = true;
  }

  Shape outShape, keptShape; // keptShape: the output shape with reduced dims as 1
  int64_t count = 1;
  for (int64_t d = 0; d < x.rank(); ++d) {
    keptShape.push_back(reduced[d] ? 1 : x.dim(d));
    if (reduced[d])
      count *= x.dim(d);
    if (!reduced[d] || keepdim)
      outShape.push_back(keptShape.back());
  }

  std::vector<double> sums;
  if (x.dtype() == DType::Float32 && resultDtype == DType::Float32 &&
      reducesContiguousRuns(x.shape(), reduced)) {
    // PyTorch sums f32 in float, in its own order (then divides): match it bit for bit.
    const float *data = x.data<float>();
    for (int64_t start = 0; start < x.numel(); start += count)
      sums.push_back(torchFloatRowSum(data + start, count));
  } else {
    // Accumulate in double: the per-element source -> destination map is broadcasting
    // read backwards.
    sums.assign(static_cast<size_t>(numelOf(keptShape)), 0.0);
    std::vector<int64_t> destination = broadcastSourceIndex(keptShape, x.shape());
    for (int64_t i = 0; i < x.numel(); ++i)
      sums[destination[i]] += roundToPrecision(x.getDouble(i), resultDtype);
  }

  Tensor result(resultDtype, outShape);
  for (int64_t i = 0; i < result.numel(); ++i)
    result.setDouble(i, sums[i] / static_cast<double>(count)); // 0/0 = NaN like torch
  return result;
}

llvm::Expected<Tensor> cumsum(const Tensor &x, int64_t dim, std::optional<DType> dtype) {
  auto d = normalizeDim(dim, x.rank(), "cumsum");
  if (!d)
    return d.takeError();
  DType resultDtype = dtype.value_or(isFloatingPoint(x.dtype()) ? x.dtype() : DType::Int64);
  auto input = toDType(x, resultDtype);
  if (!input)
    return input.takeError();

  Tensor result(resultDtype, x.shape());
  DimLines lines = linesAlong(x.shape(), x.rank() == 0 ? 0 : *d);
  // PyTorch's CPU accumulator: double for f32/f64, float for f16/bf16, int64 for integers.
  bool floatAccumulator = resultDtype == DType::Float16 || resultDtype == DType::BFloat16;
  for (int64_t o = 0; o < lines.outer; ++o) {
    for (int64_t i = 0; i < lines.inner; ++i) {
      double floatSum = 0.0;
      uint64_t intSum = 0;
      for (int64_t k = 0; k < lines.size; ++k) {
        int64_t at = lines.at(o, k, i);
        if (isFloatingPoint(resultDtype)) {
          floatSum += input->getDouble(at);
          if (floatAccumulator)
            floatSum = static_cast<float>(floatSum);
          result.setDouble(at, floatSum);
        } else {
          intSum += static_cast<uint64_t>(input->getInt(at));
          result.setInt(at, static_cast<int64_t>(intSum));
        }
      }
    }
  }
  return result;
}

namespace {
/// Float32 softmax as PyTorch's CPU kernels compute it (SoftMaxKernel.cpp): along the last
/// dim, exp (SLEEF, 1 ulp) of x - max, the sum as vec::reduce_all folds it, then times its
/// reciprocal; along another dim, the exps summed in order and divided.
void torchSoftmaxF32(const float *in, float *out, const DimLines &lines) {
  std::vector<float> exps(static_cast<size_t>(lines.size));
  for (int64_t o = 0; o < lines.outer; ++o)
    for (int64_t i = 0; i < lines.inner; ++i) {
      float maxValue = -std::numeric_limits<float>::infinity();
      bool nan = false;
      for (int64_t k = 0; k < lines.size; ++k) {
        float v = in[lines.at(o, k, i)];
        nan |= std::isnan(v);
        maxValue = std::max(maxValue, v);
      }
      if (nan) // vec::maximum propagates NaN
        maxValue = std::numeric_limits<float>::quiet_NaN();
      for (int64_t k = 0; k < lines.size; ++k)
        exps[k] = sleef::exp(in[lines.at(o, k, i)] - maxValue);
      if (lines.inner == 1) {
        float reciprocal = 1.0f / reduceAllSum16(exps.data(), lines.size);
        for (int64_t k = 0; k < lines.size; ++k)
          out[lines.at(o, k, i)] = exps[k] * reciprocal;
      } else {
        float sum = 0.0f;
        for (float e : exps)
          sum += e;
        for (int64_t k = 0; k < lines.size; ++k)
          out[lines.at(o, k, i)] = exps[k] / sum;
      }
    }
}
} // namespace

llvm::Expected<Tensor> softmax(const Tensor &x, int64_t dim) {
  if (auto err = requireFloat(x, "softmax", "input"))
    return err;
  auto d = normalizeDim(dim, x.rank(), "softmax");
  if (!d)
    return d.takeError();

  Tensor result(x.dtype(), x.shape());
  DimLines lines = linesAlong(x.shape(), x.rank() == 0 ? 0 : *d);
  if (x.dtype() == DType::Float32) {
    torchSoftmaxF32(x.data<float>(), result.mutableData<float>(), lines);
    return result;
  }
  std::vector<double> exps(static_cast<size_t>(lines.size));
  for (int64_t o = 0; o < lines.outer; ++o) {
    for (int64_t i = 0; i < lines.inner; ++i) {
      double maxValue = -std::numeric_limits<double>::infinity();
      for (int64_t k = 0; k < lines.size; ++k)
        maxValue = std::fmax(maxValue, x.getDouble(lines.at(o, k, i)));
      // A NaN anywhere in the line makes the line NaN, as in PyTorch.
      double sum = 0.0;
      for (int64_t k = 0; k < lines.size; ++k) {
        double v = x.getDouble(lines.at(o, k, i));
        exps[k] = std::isnan(v) ? v : std::exp(v - maxValue);
        sum += exps[k];
      }
      for (int64_t k = 0; k < lines.size; ++k)
        result.setDouble(lines.at(o, k, i), exps[k] / sum);
    }
  }
  return result;
}

} // namespace vkqc::interp
