#include "compiler/semantics/LayoutKernels.h"

#include "compiler/quant/Q4Packing.h"

#include <algorithm>

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

llvm::ArrayRef<int8_t> int8Values(const Tensor &t) {
  return llvm::ArrayRef<int8_t>(t.data<int8_t>(), static_cast<size_t>(t.numel()));
}

llvm::ArrayRef<uint8_t> bytesOf(const Tensor &t) {
  return llvm::ArrayRef<uint8_t>(static_cast<const uint8_t *>(t.raw()), t.byteSize());
}
} // namespace

llvm::Expected<LayoutResult> packQ4LinearWeight(const Tensor &weight) {
  if (auto err = expect2D(weight, DType::Int8, "the int4 weight"))
    return err;
  int64_t n = weight.dim(0), k = weight.dim(1);
  return LayoutResult{DType::UInt8,
                      {n, quant::alignUp(k, 8) / 2},
                      [weight, n, k](llvm::MutableArrayRef<uint8_t> dst) {
                        return quant::packQ4LinearInto(int8Values(weight), n, k, dst);
                      }};
}

llvm::Expected<LayoutResult> packQ4EmbeddingWeight(const Tensor &weight) {
  if (auto err = expect2D(weight, DType::Int8, "the int4 table"))
    return err;
  int64_t n = weight.dim(0), k = weight.dim(1);
  if (k % 2)
    return layoutError("the int4 table has an odd width " + llvm::Twine(k));
  return LayoutResult{DType::UInt8, {n, k / 2}, [weight, n, k](llvm::MutableArrayRef<uint8_t> dst) {
                        return quant::packQ4EmbeddingInto(int8Values(weight), n, k, dst);
                      }};
}

llvm::Expected<LayoutResult> q4WeightSums(const Tensor &weight, int64_t groupSize) {
  if (auto err = expect2D(weight, DType::Int8, "the int4 weight"))
    return err;
  int64_t n = weight.dim(0), k = weight.dim(1);
  if (groupSize <= 0 || k % groupSize != 0)
    return layoutError("group size " + llvm::Twine(groupSize) +
                       " does not divide K = " + llvm::Twine(k));
  return LayoutResult{DType::Int32,
                      {k / groupSize, quant::alignUp(n, 8)},
                      [weight, n, k, groupSize](llvm::MutableArrayRef<uint8_t> dst) {
                        return quant::computeWeightSumsInto(int8Values(weight), n, k, groupSize,
                                                            dst);
                      }};
}

llvm::Expected<LayoutResult> transposePadScales(const Tensor &scales, int64_t align) {
  if (scales.rank() != 2 || !isFloatingPoint(scales.dtype()))
    return layoutError("weight scales must be a 2-D float tensor");
  if (align <= 0)
    return layoutError("alignment " + llvm::Twine(align) + " is not positive");
  int64_t n = scales.dim(0), g = scales.dim(1);
  return LayoutResult{scales.dtype(),
                      {g, quant::alignUp(n, align)},
                      [scales, n, g, align](llvm::MutableArrayRef<uint8_t> dst) {
                        return quant::transposePadScalesInto(
                            bytesOf(scales), dtypeSize(scales.dtype()), n, g, align, dst);
                      }};
}

llvm::Expected<LayoutResult> swapNibbles(const Tensor &weight) {
  if (auto err = expect2D(weight, DType::UInt8, "the packed embedding weight"))
    return err;
  return LayoutResult{DType::UInt8, weight.shape(), [weight](llvm::MutableArrayRef<uint8_t> dst) {
                        return quant::swapNibblesInto(bytesOf(weight), dst);
                      }};
}

llvm::Expected<LayoutResult> int4TensorToQ4Linear(const Tensor &qdata) {
  if (qdata.rank() != 2 || (qdata.dtype() != DType::Int8 && qdata.dtype() != DType::UInt8))
    return layoutError("the Int4Tensor qdata must be a 2-D i8 or u8 tensor");
  if ((qdata.dim(1) * 2) % 8 != 0)
    return layoutError("the Int4Tensor K = " + llvm::Twine(qdata.dim(1) * 2) +
                       " is not a multiple of 8");
  return LayoutResult{DType::UInt8, qdata.shape(), [qdata](llvm::MutableArrayRef<uint8_t> dst) {
                        return quant::int4TensorToQ4LinearInto(bytesOf(qdata), dst);
                      }};
}

llvm::Expected<LayoutResult> padColumns(const Tensor &t, int64_t align) {
  if (t.rank() != 2)
    return layoutError("padColumns: the tensor must be 2-D");
  if (align <= 0)
    return layoutError("alignment " + llvm::Twine(align) + " is not positive");
  int64_t rows = t.dim(0), cols = t.dim(1);
  return LayoutResult{t.dtype(),
                      {rows, quant::alignUp(cols, align)},
                      [t, rows, cols, align](llvm::MutableArrayRef<uint8_t> dst) {
                        return quant::padColumnsInto(bytesOf(t), dtypeSize(t.dtype()), rows, cols,
                                                     align, dst);
                      }};
}

LayoutResult layoutOf(Tensor computed) {
  DType dtype = computed.dtype();
  Shape shape = computed.shape();
  return LayoutResult{dtype, std::move(shape),
                      [computed](llvm::MutableArrayRef<uint8_t> dst) -> llvm::Error {
                        llvm::ArrayRef<uint8_t> bytes = bytesOf(computed);
                        if (bytes.size() != dst.size())
                          return layoutError("the destination does not hold the tensor's bytes");
                        std::copy(bytes.begin(), bytes.end(), dst.begin());
                        return llvm::Error::success();
                      }};
}

llvm::Expected<Tensor> materialize(llvm::Expected<LayoutResult> layout) {
  if (!layout)
    return layout.takeError();
  Tensor out(layout->dtype, layout->shape);
  llvm::MutableArrayRef<uint8_t> dst(
      out.byteSize() ? static_cast<uint8_t *>(out.mutableRaw()) : nullptr, out.byteSize());
  if (auto err = layout->write(dst))
    return err;
  return out;
}

} // namespace vkqc::interp
