// Runner of embedding_q4gsw.
#include "runtime/KernelRunners.h"
#include "runtime/RunnerSupport.h"
#include "shaders/Shaders.h"

namespace vkqc::vk {

using detail::opError;
using interp::Tensor;

llvm::Expected<Tensor> runEmbeddingQ4gsw(VulkanContext &context, const Tensor &weight,
                                         const Tensor &scales, int64_t groupSize,
                                         const Tensor &indices, bool isLinearWeight,
                                         DType outputDtype) {
  llvm::StringRef op = "embedding_q4gsw";
  if (weight.dtype() != DType::UInt8 || weight.rank() != 2)
    return opError(op, "weight must be u8 [V, D/2], got " + std::string(dtypeName(weight.dtype())) +
                           " " + detail::shapeText(weight.shape()));
  int64_t rows = weight.dim(0), dim = 2 * weight.dim(1);
  if (dim % 8 != 0)
    return opError(op, "embedding dim " + llvm::Twine(dim) + " must be a multiple of 8");
  int64_t groups = scales.rank() == 2 ? scales.dim(1) : 1;
  if (scales.rank() < 1 || scales.rank() > 2 || scales.dim(0) != rows)
    return opError(op, "scales " + detail::shapeText(scales.shape()) + " for " + llvm::Twine(rows) +
                           " rows (expected [V] or [V, G])");
  if (groupSize <= 0 || groups * groupSize != dim)
    return opError(op, llvm::Twine(groups) + " groups of " + llvm::Twine(groupSize) +
                           " do not cover the embedding dim " + llvm::Twine(dim));
  if (!isIntegral(indices.dtype()) || indices.dtype() == DType::Bool)
    return opError(op, "indices must be integers, got " + std::string(dtypeName(indices.dtype())));
  // bf16 scales widen to f32 exactly; f16 and f32 have their own variants.
  DType scalesDtype = scales.dtype() == DType::Float16 ? DType::Float16 : DType::Float32;
  if (!isFloatingPoint(scales.dtype()))
    return opError(op, "scales must be float");

  Tensor index32(DType::Int32, indices.shape());
  for (int64_t i = 0; i < indices.numel(); ++i) {
    int64_t row = indices.getInt(i);
    if (row < 0 || row >= rows)
      return opError(op, "index " + llvm::Twine(row) + " is out of range for " + llvm::Twine(rows) +
                             " rows");
    index32.setInt(i, row);
  }

  auto pipeline =
      detail::pipelineFor(context, shaders::embeddingQ4gswVariant(scalesDtype, outputDtype));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();
  auto castScales = detail::castTo(scales, scalesDtype);
  if (!castScales)
    return castScales.takeError();

  auto indexBuffer = detail::upload(context, index32);
  if (!indexBuffer)
    return indexBuffer.takeError();
  auto weightBuffer = detail::upload(context, weight);
  if (!weightBuffer)
    return weightBuffer.takeError();
  auto scaleBuffer = detail::upload(context, *castScales);
  if (!scaleBuffer)
    return scaleBuffer.takeError();
  int64_t count = indices.numel();
  auto output = DeviceBuffer::create(context, count * dim * dtypeSize(outputDtype));
  if (!output)
    return output.takeError();
  auto push = PushConstants(variant)
                  .set("num_indices", count)
                  .set("embed_dim", dim)
                  .set("group_size", groupSize)
                  .set("is_linear_weight", isLinearWeight ? 1 : 0)
                  .bytes();
  if (!push)
    return push.takeError();
  // x: the packed words of a row (8 values each), y: the gathered rows.
  WorkgroupCount workgroups{workgroupsFor(dim / 8, variant.workgroupSize[0]),
                            static_cast<uint32_t>(count), 1};
  if (llvm::Error err =
          dispatch(context, **pipeline, {&*output, &*indexBuffer, &*weightBuffer, &*scaleBuffer},
                   *push, workgroups))
    return err;

  interp::Shape shape = indices.shape();
  shape.push_back(dim);
  return detail::download(*output, outputDtype, shape);
}

} // namespace vkqc::vk
