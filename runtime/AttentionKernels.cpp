// Runners of matmul/bmm and scaled_dot_product_attention (runtime/FloatKernels.h): the
// host resolves PyTorch's shape rules (1-D operands, broadcast batch dims, GQA, mask
// broadcasting) into sizes and strides; the kernels (glsl/matmul.glsl, glsl/sdpa.glsl)
// only index.
#include "runtime/FloatKernelSupport.h"

#include "compiler/semantics/KernelSupport.h"
#include "runtime/FloatKernels.h"
#include "shaders/Shaders.h"

#include <array>
#include <cmath>

namespace vkqc::vk {

using detail::opError;
using detail::shapeText;
using interp::Shape;
using interp::Tensor;

namespace {
/// Checks that every operand is f32/f16 (of a rank and size the kernels index) and that
/// they share one dtype.
using NamedOperand = std::pair<const Tensor *, llvm::StringRef>;
llvm::Error checkFloatOperands(llvm::StringRef op, llvm::ArrayRef<NamedOperand> operands) {
  const Tensor &first = *operands.front().first;
  for (const auto &[t, what] : operands) {
    if (llvm::Error err = detail::checkFloatOperand(op, *t, what))
      return err;
    if (t->dtype() != first.dtype())
      return opError(op, "operands must have one dtype, got " +
                             std::string(dtypeName(first.dtype())) + " and " +
                             std::string(dtypeName(t->dtype())));
  }
  return llvm::Error::success();
}

/// Uploads `inputs` and runs `pipeline` with one invocation per work item into a new
/// tensor of `dtype` and `shape`.
llvm::Expected<Tensor> runOnNewTensor(VulkanContext &context, const ComputePipeline &pipeline,
                                      llvm::ArrayRef<const Tensor *> inputs,
                                      llvm::Expected<std::vector<uint8_t>> push, int64_t workItems,
                                      DType dtype, const Shape &shape) {
  if (!push)
    return push.takeError();
  std::vector<DeviceBuffer> buffers;
  for (const Tensor *t : inputs) {
    auto buffer = detail::upload(context, *t);
    if (!buffer)
      return buffer.takeError();
    buffers.push_back(std::move(*buffer));
  }
  std::vector<const DeviceBuffer *> bindings;
  for (const DeviceBuffer &buffer : buffers)
    bindings.push_back(&buffer);
  WorkgroupCount groups =
      detail::flatGrid(workgroupsFor(workItems, pipeline.variant().workgroupSize[0]));
  return detail::dispatchToNewTensor(context, pipeline, bindings, std::move(push), groups, dtype,
                                     shape);
}
} // namespace

llvm::Expected<Tensor> runMatmul(VulkanContext &context, const Tensor &a, const Tensor &b) {
  llvm::StringRef op = "matmul";
  if (llvm::Error err = checkFloatOperands(op, {{&a, "a"}, {&b, "b"}}))
    return err;
  llvm::Expected<interp::MatmulShapes> s = interp::matmulShapes(a.shape(), b.shape());
  if (!s)
    return opError(op, llvm::toString(s.takeError()));
  int64_t m = s->m, k = s->k, n = s->n;
  const Shape &aBatch = s->aBatch, &bBatch = s->bBatch, &outShape = s->result;
  std::optional<Shape> batch = s->batch;
  if (llvm::Error err = detail::checkResultShape(op, outShape))
    return err;
  if (interp::numelOf(outShape) == 0)
    return Tensor(a.dtype(), outShape);

  auto pipeline = detail::pipelineFor(context, shaders::matmulVariant(a.dtype()));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();
  auto tileM = detail::macroValue(variant, "TILE_M");
  if (!tileM)
    return tileM.takeError();
  auto tileN = detail::macroValue(variant, "TILE_N");
  if (!tileN)
    return tileN.takeError();
  // Batch strides in elements (whole matrices); broadcast dims step 0.
  std::vector<int64_t> aStrides = detail::broadcastStrides(aBatch, batch->size());
  std::vector<int64_t> bStrides = detail::broadcastStrides(bBatch, batch->size());
  for (int64_t &stride : aStrides)
    stride *= m * k;
  for (int64_t &stride : bStrides)
    stride *= k * n;
  int64_t batches = interp::numelOf(*batch);
  PushConstants push(variant);
  push.set("M", m).set("N", n).set("K", k).set("batches", batches);
  detail::setPerDim(push, "batch_size", *batch, 1);
  detail::setPerDim(push, "a_batch_stride", aStrides, 0);
  detail::setPerDim(push, "b_batch_stride", bStrides, 0);
  int64_t tiles = batches * ((m + *tileM - 1) / *tileM) * ((n + *tileN - 1) / *tileN);
  return runOnNewTensor(context, **pipeline, {&a, &b}, push.bytes(), tiles, a.dtype(), outShape);
}

namespace {
/// q, k and v viewed as [B, H, L, E] (B = 1 and H = 1 where the rank lacks them).
struct AttentionShape {
  int64_t batches = 1, qHeads = 1, kvHeads = 1, queries = 0, keys = 0, headDim = 0, valueDim = 0;
};

llvm::Expected<AttentionShape> checkAttentionShapes(llvm::StringRef op, const Tensor &q,
                                                    const Tensor &k, const Tensor &v,
                                                    bool enableGqa) {
  auto mismatch = [&](const llvm::Twine &why) {
    return opError(op, why + " (q " + shapeText(q.shape()) + ", k " + shapeText(k.shape()) +
                           ", v " + shapeText(v.shape()) + ")");
  };
  // The kernel indexes [B, H, L, E]; lower ranks lack the leading dims.
  if (q.rank() < 2 || q.rank() > 4 || k.rank() != q.rank() || v.rank() != q.rank())
    return mismatch("q, k and v must have one rank of 2 to 4");
  if (q.dim(-1) != k.dim(-1) || k.dim(-2) != v.dim(-2))
    return mismatch("head dims or key/value lengths differ");
  int64_t headsDim = q.rank() - 3; // -1 without a heads dim
  for (int64_t d = 0; d < q.rank() - 2; ++d) {
    if (k.dim(d) != v.dim(d))
      return mismatch("k and v batch dims differ");
    if (q.dim(d) != k.dim(d) && !(d == headsDim && enableGqa))
      return mismatch("batch dims differ");
  }
  AttentionShape s;
  if (headsDim >= 0) {
    s.qHeads = q.dim(headsDim);
    s.kvHeads = k.dim(headsDim);
  }
  if (headsDim == 1)
    s.batches = q.dim(0);
  if (s.kvHeads == 0 || s.qHeads % s.kvHeads != 0)
    return mismatch("query heads must be a multiple of key/value heads");
  s.queries = q.dim(-2);
  s.keys = k.dim(-2);
  s.headDim = q.dim(-1);
  s.valueDim = v.dim(-1);
  return s;
}

/// Element strides of the mask along [B, H, L, S]: the mask right-aligned against the
/// scores [..., L, S] (0 along broadcast and missing dims).
llvm::Expected<std::array<int64_t, 4>> maskStrides(llvm::StringRef op, const Tensor &mask,
                                                   const Tensor &q, int64_t keys) {
  Shape scoreShape = detail::leadingDims(q.shape()); // [..., L]
  scoreShape.push_back(keys);
  llvm::Expected<Shape> broadcast = interp::broadcastShapes(mask.shape(), scoreShape, op);
  if (!broadcast)
    llvm::consumeError(broadcast.takeError());
  if (!broadcast || *broadcast != scoreShape)
    return opError(op, "attn_mask " + shapeText(mask.shape()) + " does not broadcast to " +
                           shapeText(scoreShape));
  std::vector<int64_t> strides = detail::broadcastStrides(mask.shape(), 4);
  return std::array<int64_t, 4>{strides[0], strides[1], strides[2], strides[3]};
}
} // namespace

llvm::Expected<Tensor> runScaledDotProductAttention(VulkanContext &context, const Tensor &q,
                                                    const Tensor &k, const Tensor &v,
                                                    const std::optional<Tensor> &mask,
                                                    std::optional<double> scale, bool isCausal,
                                                    bool enableGqa) {
  llvm::StringRef op = "scaled_dot_product_attention";
  if (llvm::Error err = checkFloatOperands(op, {{&q, "q"}, {&k, "k"}, {&v, "v"}}))
    return err;
  if (isCausal && mask)
    return opError(op, "attn_mask must not be given with is_causal");
  if (mask && mask->dtype() != DType::Bool && mask->dtype() != q.dtype())
    return opError(op, "attn_mask must be bool or " + std::string(dtypeName(q.dtype())) +
                           " (the query dtype), got " + std::string(dtypeName(mask->dtype())));
  auto shape = checkAttentionShapes(op, q, k, v, enableGqa);
  if (!shape)
    return shape.takeError();
  std::array<int64_t, 4> maskStride = {0, 0, 0, 0};
  if (mask) {
    auto strides = maskStrides(op, *mask, q, shape->keys);
    if (!strides)
      return strides.takeError();
    maskStride = *strides;
  }
  Shape outShape = q.shape();
  outShape.back() = shape->valueDim;
  if (llvm::Error err = detail::checkResultShape(op, outShape))
    return err;
  if (interp::numelOf(outShape) == 0)
    return Tensor(q.dtype(), outShape);

  std::vector<const Tensor *> inputs = {&q, &k, &v};
  std::optional<DType> maskDtype;
  if (mask) {
    inputs.push_back(&*mask);
    maskDtype = mask->dtype();
  }
  auto pipeline = detail::pipelineFor(context, shaders::sdpaVariant(q.dtype(), maskDtype));
  if (!pipeline)
    return pipeline.takeError();
  double scaleValue = scale.value_or(1.0 / std::sqrt(static_cast<double>(shape->headDim)));
  // A bool mask is read as 32-bit words: its buffer is rounded up to 16 bytes (DeviceBuffer),
  // so the word holding the last byte is in bounds.
  auto push = PushConstants((*pipeline)->variant())
                  .set("B", shape->batches)
                  .set("Hq", shape->qHeads)
                  .set("Hkv", shape->kvHeads)
                  .set("L", shape->queries)
                  .set("S", shape->keys)
                  .set("E", shape->headDim)
                  .set("Ev", shape->valueDim)
                  .set("is_causal", isCausal ? 1 : 0)
                  .setFloat("scale", static_cast<float>(scaleValue))
                  .set("mask_stride_b", maskStride[0])
                  .set("mask_stride_h", maskStride[1])
                  .set("mask_stride_l", maskStride[2])
                  .set("mask_stride_s", maskStride[3])
                  .bytes();
  return runOnNewTensor(context, **pipeline, inputs, std::move(push), interp::numelOf(outShape),
                        q.dtype(), outShape);
}

} // namespace vkqc::vk
