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
  case DType::Float32: return std::string("_float");
  case DType::Float16: return std::string("_half");
  default: return unsupported("a tensor", dtype);
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

llvm::Expected<std::string> linearDq8caQ4gswVariant(int64_t rows, DType dtype,
                                                     DType zeroPointDtype, LinearTiles tiles) {
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

} // namespace vkqc::shaders
