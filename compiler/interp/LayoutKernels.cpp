#include "compiler/interp/LayoutKernels.h"

#include "compiler/quant/Q4Packing.h"

#include <cstring>

namespace vkqc::interp {

namespace {
llvm::Error layoutError(const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), what);
}

llvm::Error expect2D(const Tensor &t, DType dtype, llvm::StringRef what) {
  if (t.rank() != 2 || t.dtype() != dtype)
    return layoutError(what + " must be a 2-D " + std::string(dtypeName(dtype)) + " tensor");
  return llvm::Error::success();
}

template <typename T> Tensor tensorFrom(DType dtype, Shape shape, const std::vector<T> &values) {
  Tensor out(dtype, std::move(shape));
  if (!values.empty())
    std::memcpy(out.mutableRaw(), values.data(), values.size() * sizeof(T));
  return out;
}

llvm::ArrayRef<int8_t> int8Values(const Tensor &t) {
  return llvm::ArrayRef<int8_t>(t.data<int8_t>(), static_cast<size_t>(t.numel()));
}
} // namespace

llvm::Expected<Tensor> packQ4LinearWeight(const Tensor &weight) {
  if (auto err = expect2D(weight, DType::Int8, "the int4 weight"))
    return std::move(err);
  int64_t n = weight.dim(0), k = weight.dim(1);
  llvm::Expected<std::vector<uint8_t>> packed = quant::packQ4Linear(int8Values(weight), n, k);
  if (!packed)
    return packed.takeError();
  return tensorFrom(DType::UInt8, {n, quant::alignUp(k, 8) / 2}, *packed);
}

llvm::Expected<Tensor> q4WeightSums(const Tensor &weight, int64_t groupSize) {
  if (auto err = expect2D(weight, DType::Int8, "the int4 weight"))
    return std::move(err);
  int64_t n = weight.dim(0), k = weight.dim(1);
  llvm::Expected<std::vector<int32_t>> sums =
      quant::computeWeightSums(int8Values(weight), n, k, groupSize);
  if (!sums)
    return sums.takeError();
  return tensorFrom(DType::Int32, {k / groupSize, quant::alignUp(n, 8)}, *sums);
}

llvm::Expected<Tensor> transposePadScales(const Tensor &scales, int64_t align) {
  if (scales.rank() != 2 || !isFloatingPoint(scales.dtype()))
    return layoutError("weight scales must be a 2-D float tensor");
  int64_t n = scales.dim(0), g = scales.dim(1);
  llvm::ArrayRef<uint8_t> bytes(static_cast<const uint8_t *>(scales.raw()), scales.byteSize());
  llvm::Expected<std::vector<uint8_t>> out =
      quant::transposePadScales(bytes, dtypeSize(scales.dtype()), n, g, align);
  if (!out)
    return out.takeError();
  return tensorFrom(scales.dtype(), {g, quant::alignUp(n, align)}, *out);
}

llvm::Expected<Tensor> swapNibbles(const Tensor &weight) {
  if (auto err = expect2D(weight, DType::UInt8, "the packed embedding weight"))
    return std::move(err);
  llvm::ArrayRef<uint8_t> bytes(weight.data<uint8_t>(), static_cast<size_t>(weight.numel()));
  return tensorFrom(DType::UInt8, weight.shape(), quant::swapNibbles(bytes));
}

} // namespace vkqc::interp
