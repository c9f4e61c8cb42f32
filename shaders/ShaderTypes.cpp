#include "shaders/ShaderTypes.h"

#include "llvm/ADT/Twine.h"

namespace vkqc::shaders {

llvm::StringRef elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::Float32:
    return "float32";
  case ElementType::Float16:
    return "float16";
  case ElementType::Int8:
    return "int8";
  case ElementType::UInt8:
    return "uint8";
  case ElementType::Int32:
    return "int32";
  case ElementType::UInt32:
    return "uint32";
  }
  return "unknown";
}

llvm::StringRef descriptorTypeName(DescriptorType type) {
  return type == DescriptorType::StorageBuffer ? "storage buffer" : "uniform buffer";
}

llvm::StringRef accessName(Access access) {
  switch (access) {
  case Access::Read:
    return "read";
  case Access::Write:
    return "write";
  case Access::ReadWrite:
    return "read-write";
  }
  return "unknown";
}

const BindingReflection *ShaderVariant::findBinding(uint32_t index, uint32_t set) const {
  for (const BindingReflection &b : bindings)
    if (b.binding == index && b.set == set)
      return &b;
  return nullptr;
}

const PushConstantMember *ShaderVariant::findPushConstant(llvm::StringRef member) const {
  for (const PushConstantMember &m : pushConstants)
    if (member == m.name)
      return &m;
  return nullptr;
}

static llvm::Error bindingError(const ShaderVariant &variant, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "shader " + llvm::Twine(variant.name) + ": " + message);
}

llvm::Error checkBinding(const ShaderVariant &variant, unsigned binding, ElementType expected) {
  const BindingReflection *reflected = variant.findBinding(binding);
  if (!reflected)
    return bindingError(variant, "has no binding " + llvm::Twine(binding) + " (expected " +
                                     elementTypeName(expected) + ")");
  if (reflected->elementType != expected)
    return bindingError(variant, "binding " + llvm::Twine(binding) + " (" + reflected->name +
                                     ") holds " + elementTypeName(reflected->elementType) +
                                     " in the SPIR-V but " + elementTypeName(expected) +
                                     " was expected");
  return llvm::Error::success();
}

llvm::Error checkDeclaredBindings(const ShaderVariant &variant) {
  if (variant.bindings.size() != variant.declaredBindings.size())
    return bindingError(variant, "the SPIR-V has " + llvm::Twine(variant.bindings.size()) +
                                     " bindings but Shaders.def declares " +
                                     llvm::Twine(variant.declaredBindings.size()));
  for (const DeclaredBinding &declared : variant.declaredBindings) {
    if (llvm::Error err = checkBinding(variant, declared.binding, declared.elementType))
      return err;
    const BindingReflection &reflected = *variant.findBinding(declared.binding);
    if (llvm::StringRef(reflected.name) != declared.name)
      return bindingError(variant, "binding " + llvm::Twine(declared.binding) + " is named " +
                                       reflected.name + " in the SPIR-V but " + declared.name +
                                       " in Shaders.def");
    if (reflected.access != declared.access)
      return bindingError(variant, "binding " + llvm::Twine(declared.binding) + " (" +
                                       declared.name + ") is " + accessName(reflected.access) +
                                       " in the SPIR-V but declared " +
                                       accessName(declared.access));
    if (reflected.descriptorType != DescriptorType::StorageBuffer)
      return bindingError(variant, "binding " + llvm::Twine(declared.binding) + " (" +
                                       declared.name + ") is not a storage buffer");
  }
  return llvm::Error::success();
}

} // namespace vkqc::shaders
