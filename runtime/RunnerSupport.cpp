#include "runtime/RunnerSupport.h"

#include "runtime/VulkanError.h"
#include "shaders/Shaders.h"

#include "compiler/semantics/Kernels.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cstring>

namespace vkqc::vk::detail {

llvm::Error opError(llvm::StringRef op, const llvm::Twine &message) {
  return runtimeError("vulkan " + op + ": " + message);
}

std::string shapeText(const interp::Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

llvm::Expected<interp::Tensor> castTo(const interp::Tensor &t, DType dtype) {
  if (t.dtype() == dtype)
    return t;
  return interp::toDType(t, dtype);
}

llvm::Expected<DeviceBuffer> upload(VulkanContext &context, const interp::Tensor &t) {
  llvm::ArrayRef<uint8_t> bytes(static_cast<const uint8_t *>(t.raw()), t.byteSize());
  return DeviceBuffer::createWith(context, bytes);
}

llvm::Expected<DeviceBuffer> placeholder(VulkanContext &context) {
  return DeviceBuffer::create(context, 16);
}

llvm::Expected<interp::Tensor> download(const DeviceBuffer &buffer, DType dtype,
                                        interp::Shape shape) {
  interp::Tensor t(dtype, std::move(shape));
  llvm::MutableArrayRef<uint8_t> bytes(static_cast<uint8_t *>(t.mutableRaw()), t.byteSize());
  if (llvm::Error err = buffer.download(bytes))
    return err;
  return t;
}

llvm::Expected<const ComputePipeline *> pipelineFor(VulkanContext &context,
                                                    llvm::Expected<std::string> variantName) {
  if (!variantName)
    return variantName.takeError();
  const shaders::ShaderVariant *variant = shaders::findShader(*variantName);
  if (!variant)
    return runtimeError("no compiled shader variant named " + *variantName);
  return context.pipeline(*variant);
}

bool hasMacro(const shaders::ShaderVariant &variant, llvm::StringRef name) {
  for (const shaders::MacroDefinition &macro : variant.macros)
    if (name == macro.name)
      return true;
  return false;
}

llvm::Expected<int64_t> macroValue(const shaders::ShaderVariant &variant, llvm::StringRef name) {
  for (const shaders::MacroDefinition &macro : variant.macros) {
    int64_t value = 0;
    if (name == macro.name && !llvm::StringRef(macro.value).getAsInteger(10, value))
      return value;
  }
  return runtimeError("shader " + llvm::Twine(variant.name) + " has no integer macro " + name);
}

interp::Shape leadingDims(const interp::Shape &shape) {
  return interp::Shape(shape.begin(), shape.end() - (shape.empty() ? 0 : 1));
}

} // namespace vkqc::vk::detail
