#include "runtime/FloatKernelSupport.h"

#include "compiler/semantics/KernelSupport.h"

#include <limits>

namespace vkqc::vk::detail {

namespace {
/// The shaders index elements with int32.
constexpr int64_t MaxKernelElements = std::numeric_limits<int32_t>::max();
} // namespace

llvm::Error checkResultShape(llvm::StringRef op, const interp::Shape &shape) {
  if (static_cast<int64_t>(shape.size()) > MaxKernelRank)
    return opError(op, "rank " + llvm::Twine(shape.size()) + " of " + shapeText(shape) +
                           " exceeds the kernels' " + llvm::Twine(MaxKernelRank));
  int64_t count = 1;
  for (int64_t size : shape) {
    if (size < 0)
      return opError(op, "negative size in " + shapeText(shape));
    if (size != 0 && count > MaxKernelElements / size)
      count = MaxKernelElements + 1; // keep going: a later 0 makes the tensor empty
    else
      count *= size;
  }
  if (count > MaxKernelElements)
    return opError(op, shapeText(shape) + " has more elements than int32 indices reach");
  return llvm::Error::success();
}

llvm::Error checkFloatOperand(llvm::StringRef op, const interp::Tensor &t, llvm::StringRef what) {
  if (t.dtype() != DType::Float32 && t.dtype() != DType::Float16)
    return opError(op, what + " must be f32 or f16, got " + std::string(dtypeName(t.dtype())));
  return checkResultShape(op, t.shape());
}

llvm::Expected<int64_t> normalizeDim(llvm::StringRef op, int64_t dim, int64_t rank) {
  llvm::Expected<int64_t> wrapped = interp::normalizeDim(dim, rank, op); // PyTorch's rule
  if (!wrapped) {
    llvm::consumeError(wrapped.takeError());
    return opError(op, "dim " + llvm::Twine(dim) + " out of range for rank " + llvm::Twine(rank));
  }
  return wrapped;
}

std::vector<int64_t> broadcastStrides(const interp::Shape &in, size_t outRank) {
  std::vector<int64_t> contiguous = interp::contiguousStrides(in);
  std::vector<int64_t> strides(outRank, 0);
  size_t lead = outRank - in.size();
  for (size_t d = 0; d < in.size(); ++d)
    strides[lead + d] = in[d] == 1 ? 0 : contiguous[d];
  return strides;
}

void setPerDim(PushConstants &push, llvm::StringRef name, llvm::ArrayRef<int64_t> values,
               int64_t padding) {
  size_t lead = MaxKernelRank - values.size();
  for (size_t d = 0; d < static_cast<size_t>(MaxKernelRank); ++d)
    push.set((name + llvm::Twine(d)).str(), d < lead ? padding : values[d - lead]);
}

WorkgroupCount flatGrid(int64_t workgroups) {
  constexpr int64_t MaxX = 65535; // the minimum of maxComputeWorkGroupCount[0]
  if (workgroups <= MaxX)
    return {static_cast<uint32_t>(workgroups), 1, 1};
  return {static_cast<uint32_t>(MaxX), static_cast<uint32_t>((workgroups + MaxX - 1) / MaxX), 1};
}

llvm::Expected<interp::Tensor> dispatchToNewTensor(VulkanContext &context,
                                                   const ComputePipeline &pipeline,
                                                   llvm::ArrayRef<const DeviceBuffer *> inputs,
                                                   llvm::Expected<std::vector<uint8_t>> push,
                                                   WorkgroupCount groups, DType dtype,
                                                   const interp::Shape &shape) {
  if (!push)
    return push.takeError();
  auto output = DeviceBuffer::create(context, interp::numelOf(shape) * dtypeSize(dtype));
  if (!output)
    return output.takeError();
  std::vector<const DeviceBuffer *> buffers{&*output};
  buffers.insert(buffers.end(), inputs.begin(), inputs.end());
  if (llvm::Error err = dispatch(context, pipeline, buffers, *push, groups))
    return err;
  return download(*output, dtype, shape);
}

} // namespace vkqc::vk::detail
