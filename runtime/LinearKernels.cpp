// Runners of the 4-bit linear ops: linear_q4gsw and linear_dq8ca_q4gsw.
#include "runtime/KernelRunners.h"
#include "runtime/RunnerSupport.h"
#include "shaders/Shaders.h"

#include "compiler/quant/Q4gswContract.h"

namespace vkqc::vk {

using detail::opError;
using detail::shapeText;
using interp::Tensor;

namespace {
struct LinearShape {
  int64_t m = 0, n = 0, k = 0, groupSize = 0;
};

/// Checks the operands shared by both linear ops against the packed layouts.
llvm::Expected<LinearShape> checkLinearOperands(llvm::StringRef op, const Tensor &x,
                                                const Tensor &weights, const Tensor &scales,
                                                int64_t groupSize,
                                                const std::optional<Tensor> &bias) {
  if (x.dtype() != DType::Float32 && x.dtype() != DType::Float16)
    return opError(op, "input must be f32 or f16, got " + std::string(dtypeName(x.dtype())));
  if (x.rank() < 1)
    return opError(op, "input must have at least one dim");
  LinearShape s;
  s.k = x.dim(-1);
  s.m = s.k == 0 ? 0 : x.numel() / s.k;
  s.groupSize = groupSize;
  if (weights.dtype() != DType::UInt8 || weights.rank() != 2 ||
      weights.dim(1) != quant::q4gswRowBytes(s.k))
    return opError(op, "weights must be u8 [N, " + llvm::Twine(quant::q4gswRowBytes(s.k)) +
                           "], got " + std::string(dtypeName(weights.dtype())) + " " +
                           shapeText(weights.shape()));
  s.n = weights.dim(0);
  if (std::string problem = quant::q4gswShapeProblem({s.n, s.k, groupSize}); !problem.empty())
    return opError(op, problem);
  int64_t groups = s.k / groupSize;
  if (!isFloatingPoint(scales.dtype()) || scales.rank() != 2 || scales.dim(0) != groups ||
      scales.dim(1) != quant::q4gswScaleColumns(s.n))
    return opError(op, "scales must be float [" + llvm::Twine(groups) + ", " +
                           llvm::Twine(quant::q4gswScaleColumns(s.n)) + "], got " +
                           shapeText(scales.shape()));
  if (bias && (!isFloatingPoint(bias->dtype()) || bias->rank() != 1 ||
               (bias->numel() != s.n && bias->numel() != quant::q4gswScaleColumns(s.n))))
    return opError(op, "bias must be float [" + llvm::Twine(s.n) + "] or [" +
                           llvm::Twine(quant::q4gswScaleColumns(s.n)) + "], got " +
                           shapeText(bias->shape()));
  return s;
}

/// Workgroups of a linear variant: coop covers COOP_N = 4 columns of one row per
/// workgroup; tiled covers an 8x8 grid of TILE_M x TILE_N tiles.
llvm::Expected<WorkgroupCount> linearWorkgroups(const shaders::ShaderVariant &variant,
                                                const LinearShape &s) {
  if (detail::hasMacro(variant, "ALGO_COOP"))
    return WorkgroupCount{workgroupsFor(s.n, 4), static_cast<uint32_t>(s.m), 1};
  auto tileM = detail::macroValue(variant, "TILE_M");
  if (!tileM)
    return tileM.takeError();
  auto tileN = detail::macroValue(variant, "TILE_N");
  if (!tileN)
    return tileN.takeError();
  return WorkgroupCount{workgroupsFor(workgroupsFor(s.n, *tileN), variant.workgroupSize[0]),
                        workgroupsFor(workgroupsFor(s.m, *tileM), variant.workgroupSize[1]), 1};
}

/// Float operands of the linear kernels in the activation dtype.
struct LinearConstants {
  DeviceBuffer weights, scales, bias;
  bool applyBias = false;
};

llvm::Expected<LinearConstants> uploadLinearConstants(VulkanContext &context, DType dtype,
                                                      const Tensor &weights, const Tensor &scales,
                                                      const std::optional<Tensor> &bias) {
  auto weightBuffer = detail::upload(context, weights);
  if (!weightBuffer)
    return weightBuffer.takeError();
  auto castScales = detail::castTo(scales, dtype);
  if (!castScales)
    return castScales.takeError();
  auto scaleBuffer = detail::upload(context, *castScales);
  if (!scaleBuffer)
    return scaleBuffer.takeError();
  llvm::Expected<DeviceBuffer> biasBuffer = detail::placeholder(context);
  if (bias) {
    auto castBias = detail::castTo(*bias, dtype);
    if (!castBias)
      return castBias.takeError();
    biasBuffer = detail::upload(context, *castBias);
  }
  if (!biasBuffer)
    return biasBuffer.takeError();
  return LinearConstants{std::move(*weightBuffer), std::move(*scaleBuffer), std::move(*biasBuffer),
                         bias.has_value()};
}

interp::Shape outputShape(const Tensor &x, int64_t n) {
  interp::Shape shape = detail::leadingDims(x.shape());
  shape.push_back(n);
  return shape;
}

llvm::Expected<std::vector<uint8_t>> linearPushConstants(const shaders::ShaderVariant &variant,
                                                         const LinearShape &s, bool applyBias) {
  return PushConstants(variant)
      .set("M", s.m)
      .set("N", s.n)
      .set("K", s.k)
      .set("group_size", s.groupSize)
      .set("apply_bias", applyBias ? 1 : 0)
      .bytes();
}
} // namespace

llvm::Expected<Tensor> runLinearQ4gsw(VulkanContext &context, const Tensor &x,
                                      const Tensor &weights, const Tensor &scales,
                                      int64_t groupSize, const std::optional<Tensor> &bias,
                                      const LinearOptions &options) {
  auto shape = checkLinearOperands("linear_q4gsw", x, weights, scales, groupSize, bias);
  if (!shape)
    return shape.takeError();
  auto pipeline =
      detail::pipelineFor(context, shaders::linearQ4gswVariant(shape->m, x.dtype(), options.tiles));
  if (!pipeline)
    return pipeline.takeError();
  const shaders::ShaderVariant &variant = (*pipeline)->variant();

  auto constants = uploadLinearConstants(context, x.dtype(), weights, scales, bias);
  if (!constants)
    return constants.takeError();
  auto input = detail::upload(context, x);
  if (!input)
    return input.takeError();
  auto output = DeviceBuffer::create(context, shape->m * shape->n * dtypeSize(x.dtype()));
  if (!output)
    return output.takeError();
  auto push = linearPushConstants(variant, *shape, constants->applyBias);
  if (!push)
    return push.takeError();
  auto groups = linearWorkgroups(variant, *shape);
  if (!groups)
    return groups.takeError();
  if (llvm::Error err =
          dispatch(context, **pipeline,
                   {&*output, &*input, &constants->weights, &constants->scales, &constants->bias},
                   *push, *groups))
    return err;
  return detail::download(*output, x.dtype(), outputShape(x, shape->n));
}

llvm::Expected<Tensor> runLinearDq8caQ4gsw(VulkanContext &context, const Tensor &x,
                                           const Tensor &inputScale, const Tensor &inputZeroPoint,
                                           const Tensor &weights, const Tensor &weightSums,
                                           const Tensor &scales, int64_t groupSize,
                                           const std::optional<Tensor> &bias,
                                           const LinearOptions &options) {
  llvm::StringRef op = "linear_dq8ca_q4gsw";
  auto shape = checkLinearOperands(op, x, weights, scales, groupSize, bias);
  if (!shape)
    return shape.takeError();
  int64_t groups = shape->k / groupSize;
  if (weightSums.dtype() != DType::Int32 || weightSums.rank() != 2 || weightSums.dim(0) != groups ||
      weightSums.dim(1) != quant::q4gswSumColumns(shape->n))
    return opError(op, "weight sums must be i32 [" + llvm::Twine(groups) + ", " +
                           llvm::Twine(quant::q4gswSumColumns(shape->n)) + "], got " +
                           std::string(dtypeName(weightSums.dtype())) + " " +
                           shapeText(weightSums.shape()));
  if (inputScale.numel() != shape->m || inputZeroPoint.numel() != shape->m)
    return opError(op, "input scale " + shapeText(inputScale.shape()) + " and zero point " +
                           shapeText(inputZeroPoint.shape()) + " need one value per row (" +
                           llvm::Twine(shape->m) + ")");
  if (!isFloatingPoint(inputScale.dtype()))
    return opError(op, "input scale must be float");
  // ExecuTorch keeps the zero point as int8 or in the activation dtype (_zpinherit).
  DType zpDtype = inputZeroPoint.dtype() == DType::Int8 ? DType::Int8 : x.dtype();
  if (inputZeroPoint.dtype() != DType::Int8 && !isFloatingPoint(inputZeroPoint.dtype()))
    return opError(op, "input zero point must be i8 or float, got " +
                           std::string(dtypeName(inputZeroPoint.dtype())));

  auto variantName = shaders::linearDq8caQ4gswVariant(shape->m, x.dtype(), zpDtype, options.tiles);
  if (!variantName)
    return variantName.takeError();
  const shaders::ShaderVariant *variant = shaders::findShader(*variantName);
  if (options.weightOnlyFallback || !variant || !context.supports(*variant))
    return runLinearQ4gsw(context, x, weights, scales, groupSize, bias, options);
  auto pipeline = context.pipeline(*variant);
  if (!pipeline)
    return pipeline.takeError();

  auto input = detail::upload(context, x);
  if (!input)
    return input.takeError();
  auto castScale = detail::castTo(inputScale, x.dtype());
  if (!castScale)
    return castScale.takeError();
  auto scaleBuffer = detail::upload(context, *castScale);
  if (!scaleBuffer)
    return scaleBuffer.takeError();
  auto castZp = detail::castTo(inputZeroPoint, zpDtype);
  if (!castZp)
    return castZp.takeError();
  auto zpBuffer = detail::upload(context, *castZp);
  if (!zpBuffer)
    return zpBuffer.takeError();
  auto quantized = detail::quantizeOnDevice(context, *input, *scaleBuffer, *zpBuffer, shape->m,
                                            shape->k, groupSize, x.dtype(), zpDtype, -128, 127);
  if (!quantized)
    return quantized.takeError();

  auto constants = uploadLinearConstants(context, x.dtype(), weights, scales, bias);
  if (!constants)
    return constants.takeError();
  auto sumsBuffer = detail::upload(context, weightSums);
  if (!sumsBuffer)
    return sumsBuffer.takeError();
  auto output = DeviceBuffer::create(context, shape->m * shape->n * dtypeSize(x.dtype()));
  if (!output)
    return output.takeError();
  auto push = linearPushConstants(*variant, *shape, constants->applyBias);
  if (!push)
    return push.takeError();
  auto workgroups = linearWorkgroups(*variant, *shape);
  if (!workgroups)
    return workgroups.takeError();
  if (llvm::Error err =
          dispatch(context, **pipeline,
                   {&*output, &quantized->values, &quantized->groupSums, &*scaleBuffer, &*zpBuffer,
                    &constants->weights, &*sumsBuffer, &constants->scales, &constants->bias},
                   *push, *workgroups))
    return err;
  return detail::download(*output, x.dtype(), outputShape(x, shape->n));
}

} // namespace vkqc::vk
