// Runners of strided_copy: every data-movement op is a strided view of its (contiguous)
// input, copied and converted into a fresh contiguous tensor; cat copies each input into
// its slice of one output buffer.
#include "runtime/FloatKernelSupport.h"
#include "runtime/FloatKernels.h"

#include "compiler/semantics/KernelSupport.h"

#include <algorithm>
#include <numeric>

namespace vkqc::vk {

using detail::opError;
using detail::shapeText;
using interp::Shape;
using interp::Tensor;

namespace {
/// Where a copy writes element i of its view: offset + sum i[d] * strides[d].
struct Placement {
  std::vector<int64_t> strides;
  int64_t offset = 0;
};

Placement contiguousPlacement(const Shape &shape) { return {interp::contiguousStrides(shape), 0}; }

/// `view` checked against `src` (every element it reads lies inside src), with the
/// strides of size-1 dims zeroed: they never move the index, and so stay in int32.
llvm::Expected<StridedView> checkedView(llvm::StringRef op, const Tensor &src, StridedView view) {
  bool integerPositions = src.dtype() == DType::Int32 || src.dtype() == DType::Int64;
  if (!integerPositions)
    if (llvm::Error err = detail::checkFloatOperand(op, src, "input"))
      return err;
  if (view.strides.size() != view.sizes.size())
    return opError(op, llvm::Twine(view.strides.size()) + " strides for the " +
                           llvm::Twine(view.sizes.size()) + " dims of " + shapeText(view.sizes));
  if (llvm::Error err = detail::checkResultShape(op, view.sizes))
    return err;
  if (interp::numelOf(view.sizes) == 0)
    return view;
  auto outOfBounds = [&] {
    return opError(op, "the view " + shapeText(view.sizes) + " with strides " +
                           shapeText(view.strides) + " at offset " + llvm::Twine(view.offset) +
                           " reads outside the " + llvm::Twine(src.numel()) +
                           " elements of its input");
  };
  if (view.offset < 0 || view.offset >= src.numel())
    return outOfBounds();
  int64_t last = view.offset;
  for (size_t d = 0; d < view.sizes.size(); ++d) {
    if (view.sizes[d] == 1)
      view.strides[d] = 0;
    if (view.strides[d] < 0 || view.strides[d] >= src.numel())
      return outOfBounds(); // for a dim of size >= 2 (strides of 0 allowed)
    // Each term stays below 2^62 and the sum stops growing once it is out of bounds.
    last += (view.sizes[d] - 1) * view.strides[d];
    if (last >= src.numel())
      return outOfBounds();
  }
  return view;
}

llvm::Expected<std::vector<uint8_t>> copyPushConstants(const shaders::ShaderVariant &variant,
                                                       const StridedView &view,
                                                       const Placement &placement) {
  PushConstants push(variant);
  push.set("numel", interp::numelOf(view.sizes));
  detail::setPerDim(push, "out_size", view.sizes, 1);
  detail::setPerDim(push, "in_stride", view.strides, 0);
  push.set("in_offset", view.offset);
  detail::setPerDim(push, "out_stride", placement.strides, 0);
  push.set("out_offset", placement.offset);
  return push.bytes();
}

WorkgroupCount copyGrid(const shaders::ShaderVariant &variant, const StridedView &view) {
  return detail::flatGrid(workgroupsFor(interp::numelOf(view.sizes), variant.workgroupSize[0]));
}

/// The view of `src` materialized as a contiguous tensor of `outputDtype`.
llvm::Expected<Tensor> copyView(VulkanContext &context, llvm::StringRef op, const Tensor &src,
                                const StridedView &requested, DType outputDtype) {
  auto view = checkedView(op, src, requested);
  if (!view)
    return view.takeError();
  if (outputDtype != DType::Float32 && outputDtype != DType::Float16)
    return opError(op, "the output dtype must be f32 or f16, got " +
                           std::string(dtypeName(outputDtype)));
  if (interp::numelOf(view->sizes) == 0)
    return Tensor(outputDtype, view->sizes);
  auto pipeline =
      detail::pipelineFor(context, shaders::stridedCopyVariant(src.dtype(), outputDtype));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();
  // int64 narrows to the int32 the shader reads (positions fit easily).
  auto narrowed = detail::castTo(src, src.dtype() == DType::Int64 ? DType::Int32 : src.dtype());
  if (!narrowed)
    return narrowed.takeError();
  auto input = detail::upload(context, *narrowed);
  if (!input)
    return input.takeError();
  return detail::dispatchToNewTensor(
      context, **pipeline, {&*input},
      copyPushConstants(variant, *view, contiguousPlacement(view->sizes)), copyGrid(variant, *view),
      outputDtype, view->sizes);
}

/// x's dims in `order` (a permutation already checked).
StridedView permutedView(const Tensor &x, llvm::ArrayRef<int64_t> order) {
  std::vector<int64_t> strides = interp::contiguousStrides(x.shape());
  StridedView view;
  for (int64_t d : order) {
    view.sizes.push_back(x.dim(d));
    view.strides.push_back(strides[d]);
  }
  return view;
}
} // namespace

llvm::Expected<Tensor> runStridedCopy(VulkanContext &context, const Tensor &src,
                                      const StridedView &view, DType outputDtype) {
  return copyView(context, "strided_copy", src, view, outputDtype);
}

llvm::Expected<Tensor> runTranspose(VulkanContext &context, const Tensor &x, int64_t dim0,
                                    int64_t dim1) {
  llvm::StringRef op = "transpose";
  auto d0 = detail::normalizeDim(op, dim0, x.rank());
  if (!d0)
    return d0.takeError();
  auto d1 = detail::normalizeDim(op, dim1, x.rank());
  if (!d1)
    return d1.takeError();
  std::vector<int64_t> order(static_cast<size_t>(x.rank()));
  std::iota(order.begin(), order.end(), 0);
  if (x.rank() > 0) // a 0-d tensor transposes to itself
    std::swap(order[*d0], order[*d1]);
  return copyView(context, op, x, permutedView(x, order), x.dtype());
}

llvm::Expected<Tensor> runPermute(VulkanContext &context, const Tensor &x,
                                  llvm::ArrayRef<int64_t> dims) {
  llvm::StringRef op = "permute";
  if (static_cast<int64_t>(dims.size()) != x.rank())
    return opError(op, llvm::Twine(dims.size()) + " dims for a rank " + llvm::Twine(x.rank()) +
                           " tensor");
  std::vector<int64_t> order;
  std::vector<bool> seen(dims.size(), false);
  for (int64_t d : dims) {
    auto dim = detail::normalizeDim(op, d, x.rank());
    if (!dim)
      return dim.takeError();
    if (seen[*dim])
      return opError(op, "dim " + llvm::Twine(d) + " repeated");
    seen[*dim] = true;
    order.push_back(*dim);
  }
  return copyView(context, op, x, permutedView(x, order), x.dtype());
}

llvm::Expected<Tensor> runExpand(VulkanContext &context, const Tensor &x,
                                 llvm::ArrayRef<int64_t> sizes) {
  llvm::StringRef op = "expand";
  if (static_cast<int64_t>(sizes.size()) < x.rank())
    return opError(op, shapeText(Shape(sizes.begin(), sizes.end())) + " has fewer dims than " +
                           shapeText(x.shape()));
  size_t lead = sizes.size() - x.shape().size();
  StridedView view;
  view.sizes.assign(sizes.begin(), sizes.end());
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i < lead) {
      if (sizes[i] < 0)
        return opError(op, "-1 is not allowed for a new leading dim");
      continue;
    }
    int64_t have = x.shape()[i - lead];
    if (sizes[i] == -1)
      view.sizes[i] = have;
    else if (sizes[i] != have && have != 1)
      return opError(op, "cannot expand " + shapeText(x.shape()) + " to " + shapeText(view.sizes));
  }
  view.strides = detail::broadcastStrides(x.shape(), view.sizes.size());
  return copyView(context, op, x, view, x.dtype());
}

llvm::Expected<Tensor> runSlice(VulkanContext &context, const Tensor &x, int64_t dim,
                                std::optional<int64_t> start, std::optional<int64_t> end,
                                int64_t step) {
  llvm::StringRef op = "slice";
  if (x.rank() == 0)
    return opError(op, "cannot slice a 0-d tensor");
  auto d = detail::normalizeDim(op, dim, x.rank());
  if (!d)
    return d.takeError();
  if (step <= 0)
    return opError(op, "step must be positive, got " + llvm::Twine(step));
  int64_t size = x.dim(*d);
  auto [first, last] = interp::sliceBounds(size, start, end);

  StridedView view{x.shape(), interp::contiguousStrides(x.shape()), 0};
  view.sizes[*d] = (last - first + step - 1) / step;
  view.offset = first * view.strides[*d];
  view.strides[*d] *= step;
  return copyView(context, op, x, view, x.dtype());
}

llvm::Expected<Tensor> runToDType(VulkanContext &context, const Tensor &x, DType dtype) {
  return copyView(context, "to_dtype", x, {x.shape(), interp::contiguousStrides(x.shape()), 0},
                  dtype);
}

llvm::Expected<Tensor> runCat(VulkanContext &context, llvm::ArrayRef<Tensor> tensors, int64_t dim) {
  llvm::StringRef op = "cat";
  if (tensors.empty())
    return opError(op, "no tensors");
  // PyTorch skips legacy 1-D empty tensors when other inputs have a real shape.
  std::vector<const Tensor *> parts;
  for (const Tensor &t : tensors) {
    if (llvm::Error err = detail::checkFloatOperand(op, t, "every input"))
      return err;
    if (t.dtype() != tensors.front().dtype())
      return opError(op, "inputs of dtypes " + std::string(dtypeName(tensors.front().dtype())) +
                             " and " + std::string(dtypeName(t.dtype())) +
                             " (cast them to one dtype first)");
    if (!(t.rank() == 1 && t.numel() == 0))
      parts.push_back(&t);
  }
  if (parts.empty())
    return Tensor(tensors.front().dtype(), tensors.front().shape());
  const Tensor &first = *parts.front();
  if (first.rank() == 0)
    return opError(op, "zero-dimensional tensors cannot be concatenated");
  auto d = detail::normalizeDim(op, dim, first.rank());
  if (!d)
    return d.takeError();
  Shape shape = first.shape();
  shape[*d] = 0;
  for (const Tensor *t : parts) {
    if (t->rank() != first.rank())
      return opError(op, "tensors of rank " + llvm::Twine(t->rank()) + " and " +
                             llvm::Twine(first.rank()));
    for (int64_t i = 0; i < t->rank(); ++i)
      if (i != *d && t->dim(i) != first.dim(i))
        return opError(op, "shapes " + shapeText(first.shape()) + " and " + shapeText(t->shape()) +
                               " differ outside dim " + llvm::Twine(*d));
    shape[*d] += t->dim(*d);
  }
  if (llvm::Error err = detail::checkResultShape(op, shape))
    return err;
  DType dtype = first.dtype();
  if (interp::numelOf(shape) == 0)
    return Tensor(dtype, shape);

  auto pipeline = detail::pipelineFor(context, shaders::stridedCopyVariant(dtype, dtype));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();
  auto output = DeviceBuffer::create(context, interp::numelOf(shape) * dtypeSize(dtype));
  if (!output)
    return output.takeError();
  // One dispatch per input, each writing its slice [position, position + size) of dim d.
  Placement slice = contiguousPlacement(shape);
  int64_t position = 0;
  for (const Tensor *t : parts) {
    StridedView view{t->shape(), interp::contiguousStrides(t->shape()), 0};
    slice.offset = position * slice.strides[*d];
    position += t->dim(*d);
    if (t->numel() == 0)
      continue;
    auto input = detail::upload(context, *t);
    if (!input)
      return input.takeError();
    auto push = copyPushConstants(variant, view, slice);
    if (!push)
      return push.takeError();
    if (llvm::Error err =
            dispatch(context, **pipeline, {&*output, &*input}, *push, copyGrid(variant, view)))
      return err;
  }
  return detail::download(*output, dtype, shape);
}

} // namespace vkqc::vk
