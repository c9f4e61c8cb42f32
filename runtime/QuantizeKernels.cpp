// Runners of the activation-quantization kernels: choose_qparams_per_row and
// quantize_and_pack_with_group_sums.
#include "runtime/KernelRunners.h"
#include "runtime/RunnerSupport.h"
#include "shaders/Shaders.h"

namespace vkqc::vk {

using detail::opError;
using interp::Tensor;

namespace {
llvm::Error checkQuantRange(llvm::StringRef op, int64_t quantMin, int64_t quantMax) {
  if (quantMin < -128 || quantMax > 127 || quantMin >= quantMax)
    return opError(op, "quant range [" + llvm::Twine(quantMin) + ", " + llvm::Twine(quantMax) +
                           "] is not a non-empty int8 range");
  return llvm::Error::success();
}

llvm::Error checkActivations(llvm::StringRef op, const Tensor &x) {
  if (x.dtype() != DType::Float32 && x.dtype() != DType::Float16)
    return opError(op, "input must be f32 or f16, got " + std::string(dtypeName(x.dtype())));
  if (x.rank() < 1 || x.dim(-1) == 0)
    return opError(op, "input must have a non-empty last dim");
  return llvm::Error::success();
}

/// torch.finfo(dtype).smallest_normal.
double smallestNormal(DType dtype) { return dtype == DType::Float16 ? 0x1p-14 : 0x1p-126; }
} // namespace

namespace detail {
llvm::Expected<DeviceQuantized>
quantizeOnDevice(VulkanContext &context, const DeviceBuffer &x, const DeviceBuffer &scale,
                 const DeviceBuffer &zeroPoint, int64_t rows, int64_t k, int64_t groupSize,
                 DType dtype, DType zeroPointDtype, int64_t quantMin, int64_t quantMax) {
  llvm::StringRef op = "quantize_and_pack_with_group_sums";
  if (k % 4 != 0 || groupSize <= 0 || groupSize % 4 != 0 || k % groupSize != 0)
    return opError(op, "K = " + llvm::Twine(k) + " and group size " + llvm::Twine(groupSize) +
                           " must be multiples of 4 with the group size dividing K");
  if (llvm::Error err = checkQuantRange(op, quantMin, quantMax))
    return err;
  auto pipeline = pipelineFor(context, shaders::quantizeAndPackVariant(dtype, zeroPointDtype));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();

  int64_t groups = k / groupSize;
  auto values = DeviceBuffer::create(context, rows * k);
  if (!values)
    return values.takeError();
  auto sums = DeviceBuffer::create(context, rows * groups * 4);
  if (!sums)
    return sums.takeError();
  auto push = PushConstants(variant)
                  .set("M", rows)
                  .set("K", k)
                  .set("group_size", groupSize)
                  .set("quant_min", quantMin)
                  .set("quant_max", quantMax)
                  .bytes();
  if (!push)
    return push.takeError();
  WorkgroupCount workgroups{workgroupsFor(rows * groups, variant.workgroupSize[0]), 1, 1};
  if (llvm::Error err = dispatch(context, **pipeline, {&*values, &*sums, &x, &scale, &zeroPoint},
                                 *push, workgroups))
    return err;
  return DeviceQuantized{std::move(*values), std::move(*sums)};
}
} // namespace detail

llvm::Expected<interp::QParams> runChooseQParamsPerRow(VulkanContext &context, const Tensor &x,
                                                       DType zeroPointDtype, int64_t quantMin,
                                                       int64_t quantMax,
                                                       std::optional<double> eps) {
  llvm::StringRef op = "choose_qparams_per_row";
  if (llvm::Error err = checkActivations(op, x))
    return err;
  if (llvm::Error err = checkQuantRange(op, quantMin, quantMax))
    return err;
  double epsValue = eps.value_or(smallestNormal(x.dtype()));
  if (!(epsValue > 0))
    return opError(op, "eps must be positive");
  auto pipeline =
      detail::pipelineFor(context, shaders::chooseQParamsPerRowVariant(x.dtype(), zeroPointDtype));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();

  int64_t k = x.dim(-1), rows = x.numel() / k;
  auto input = detail::upload(context, x);
  if (!input)
    return input.takeError();
  auto scales = DeviceBuffer::create(context, rows * dtypeSize(x.dtype()));
  if (!scales)
    return scales.takeError();
  auto zeroPoints = DeviceBuffer::create(context, rows * dtypeSize(zeroPointDtype));
  if (!zeroPoints)
    return zeroPoints.takeError();
  auto push = PushConstants(variant)
                  .set("M", rows)
                  .set("K", k)
                  .set("quant_min", quantMin)
                  .set("quant_max", quantMax)
                  .setFloat("eps", static_cast<float>(epsValue))
                  .bytes();
  if (!push)
    return push.takeError();
  // One workgroup per row.
  if (llvm::Error err = dispatch(context, **pipeline, {&*scales, &*zeroPoints, &*input}, *push,
                                 WorkgroupCount{static_cast<uint32_t>(rows), 1, 1}))
    return err;

  interp::Shape shape = detail::leadingDims(x.shape());
  auto scale = detail::download(*scales, x.dtype(), shape);
  if (!scale)
    return scale.takeError();
  auto zeroPoint = detail::download(*zeroPoints, zeroPointDtype, shape);
  if (!zeroPoint)
    return zeroPoint.takeError();
  return interp::QParams{std::move(*scale), std::move(*zeroPoint)};
}

llvm::Expected<QuantizedActivations> runQuantizeAndPack(VulkanContext &context, const Tensor &x,
                                                        const Tensor &scale,
                                                        const Tensor &zeroPoint, int64_t groupSize,
                                                        int64_t quantMin, int64_t quantMax) {
  llvm::StringRef op = "quantize_and_pack_with_group_sums";
  if (llvm::Error err = checkActivations(op, x))
    return err;
  int64_t k = x.dim(-1), rows = x.numel() / k;
  // The kernel computes in x's dtype, as torchao does when the scale has that dtype.
  if (scale.dtype() != x.dtype())
    return opError(op, "scale must have the input's dtype " + std::string(dtypeName(x.dtype())) +
                           ", got " + std::string(dtypeName(scale.dtype())));
  if (zeroPoint.dtype() != DType::Int8 && zeroPoint.dtype() != x.dtype())
    return opError(op, "zero point must be i8 or " + std::string(dtypeName(x.dtype())) + ", got " +
                           std::string(dtypeName(zeroPoint.dtype())));
  if (scale.numel() != rows || zeroPoint.numel() != rows)
    return opError(op, "scale and zero point need one value per row (" + llvm::Twine(rows) + ")");

  auto input = detail::upload(context, x);
  if (!input)
    return input.takeError();
  auto scaleBuffer = detail::upload(context, scale);
  if (!scaleBuffer)
    return scaleBuffer.takeError();
  auto zpBuffer = detail::upload(context, zeroPoint);
  if (!zpBuffer)
    return zpBuffer.takeError();
  auto quantized =
      detail::quantizeOnDevice(context, *input, *scaleBuffer, *zpBuffer, rows, k, groupSize,
                               x.dtype(), zeroPoint.dtype(), quantMin, quantMax);
  if (!quantized)
    return quantized.takeError();
  auto values = detail::download(quantized->values, DType::Int8, x.shape());
  if (!values)
    return values.takeError();
  auto sums = detail::download(quantized->groupSums, DType::Int32, {rows, k / groupSize});
  if (!sums)
    return sums.takeError();
  return QuantizedActivations{std::move(*values), std::move(*sums)};
}

} // namespace vkqc::vk
