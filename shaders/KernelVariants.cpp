#include "shaders/KernelVariants.h"

#include "llvm/ADT/Twine.h"

namespace vkqc::shaders {

namespace {
llvm::Error unsupported(const llvm::Twine &what, DType dtype) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 what + " of dtype " + llvm::Twine(std::string(dtypeName(dtype))) +
                                     " has no Vulkan kernel variant");
}

std::string tileSuffix(int64_t rows, LinearTiles tiles) {
  if (rows == 1)
    return "_coop";
  return tiles == LinearTiles::M2N4 ? "_tiled_m2n4" : "_tiled";
}
} // namespace

llvm::Expected<std::string> dtypeSuffix(DType dtype) {
  switch (dtype) {
  case DType::Float32:
    return std::string("_float");
  case DType::Float16:
    return std::string("_half");
  default:
    return unsupported("a tensor", dtype);
  }
}

llvm::Expected<std::string> zeroPointSuffix(DType zeroPointDtype, DType activationDtype) {
  if (zeroPointDtype == DType::Int8)
    return std::string("_zpint8");
  if (zeroPointDtype == activationDtype)
    return std::string("_zpinherit");
  return unsupported("a zero point (int8 or the activation dtype expected)", zeroPointDtype);
}

llvm::Expected<std::string> linearQ4gswVariant(int64_t rows, DType dtype, LinearTiles tiles) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  return "linear_q4gsw" + tileSuffix(rows, tiles) + "_buffer_buffer" + *suffix;
}

llvm::Expected<std::string> linearDq8caQ4gswVariant(int64_t rows, DType dtype, DType zeroPointDtype,
                                                    LinearTiles tiles) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  auto zp = zeroPointSuffix(zeroPointDtype, dtype);
  if (!zp)
    return zp.takeError();
  return "linear_dq8ca_q4gsw" + tileSuffix(rows, tiles) + "_buffer_buffer" + *suffix + *zp;
}

llvm::Expected<std::string> chooseQParamsPerRowVariant(DType dtype, DType zeroPointDtype) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  auto zp = zeroPointSuffix(zeroPointDtype, dtype);
  if (!zp)
    return zp.takeError();
  return "choose_qparams_per_row_buffer" + *suffix + *zp;
}

llvm::Expected<std::string> quantizeAndPackVariant(DType dtype, DType zeroPointDtype) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  auto zp = zeroPointSuffix(zeroPointDtype, dtype);
  if (!zp)
    return zp.takeError();
  return "quantize_and_pack_with_group_sums_buffer_buffer" + *suffix + *zp;
}

llvm::Expected<std::string> embeddingQ4gswVariant(DType scalesDtype, DType outputDtype) {
  auto suffix = dtypeSuffix(outputDtype);
  if (!suffix)
    return suffix.takeError();
  if (scalesDtype != DType::Float16 && scalesDtype != DType::Float32)
    return unsupported("embedding scales", scalesDtype);
  std::string scales = scalesDtype == DType::Float32 ? "_float_scales" : "";
  return "embedding_q4gsw" + scales + "_buffer" + *suffix;
}

llvm::Expected<std::string> matmulVariant(DType dtype) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  return "matmul_buffer" + *suffix;
}

llvm::Expected<std::string> sdpaVariant(DType dtype, std::optional<DType> maskDtype) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  std::string mask = "_nomask";
  if (maskDtype == DType::Bool)
    mask = "_boolmask";
  else if (maskDtype == dtype)
    mask = "_floatmask";
  else if (maskDtype)
    return unsupported("an attention mask (bool or the query dtype expected)", *maskDtype);
  return "sdpa_buffer" + *suffix + mask;
}

bool isBinary(ElementwiseOp op) {
  switch (op) {
  case ElementwiseOp::Add:
  case ElementwiseOp::Sub:
  case ElementwiseOp::Mul:
  case ElementwiseOp::Div:
  case ElementwiseOp::Pow:
    return true;
  default:
    return false;
  }
}

llvm::StringRef elementwiseOpName(ElementwiseOp op) {
  switch (op) {
  case ElementwiseOp::Add:
    return "add";
  case ElementwiseOp::Sub:
    return "sub";
  case ElementwiseOp::Mul:
    return "mul";
  case ElementwiseOp::Div:
    return "div";
  case ElementwiseOp::Pow:
    return "pow";
  case ElementwiseOp::Neg:
    return "neg";
  case ElementwiseOp::Rsqrt:
    return "rsqrt";
  case ElementwiseOp::Sqrt:
    return "sqrt";
  case ElementwiseOp::Silu:
    return "silu";
  case ElementwiseOp::Sigmoid:
    return "sigmoid";
  case ElementwiseOp::Exp:
    return "exp";
  case ElementwiseOp::Cos:
    return "cos";
  case ElementwiseOp::Sin:
    return "sin";
  case ElementwiseOp::Tanh:
    return "tanh";
  case ElementwiseOp::GeluTanh:
    return "gelu_tanh";
  }
  return "elementwise";
}

llvm::Expected<std::string> elementwiseVariant(ElementwiseOp op, DType dtype) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  return (isBinary(op) ? "binary_" : "unary_") + elementwiseOpName(op).str() + "_buffer" + *suffix;
}

llvm::Expected<std::string> stridedCopyVariant(DType inputDtype, DType outputDtype) {
  // Integer inputs (positions) are read as int32: int64 narrows on upload.
  auto in = inputDtype == DType::Int32 || inputDtype == DType::Int64
                ? llvm::Expected<std::string>("_int32")
                : dtypeSuffix(inputDtype);
  if (!in)
    return in.takeError();
  auto out = dtypeSuffix(outputDtype);
  if (!out)
    return out.takeError();
  return "strided_copy_buffer" + *in + *out;
}

llvm::Expected<std::string> meanDimVariant(DType dtype) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  return "mean_dim_buffer" + *suffix;
}

llvm::Expected<std::string> softmaxVariant(DType dtype) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  return "softmax_buffer" + *suffix;
}

llvm::Expected<std::string> rmsNormVariant(DType dtype) {
  auto suffix = dtypeSuffix(dtype);
  if (!suffix)
    return suffix.takeError();
  return "rms_norm_buffer" + *suffix;
}

} // namespace vkqc::shaders
