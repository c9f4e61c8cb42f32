// What vkqc knows about a compiled compute-shader variant: its SPIR-V, the bindings and push
// constants found by reflecting that SPIR-V, and the bindings its family declares in
// Shaders.def. The build-time shader compiler fills these tables (ShaderTable.cpp); the
// compiler's kernel selection and the Vulkan runtime read them.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>

namespace vkqc::shaders {

/// Scalar element type of a storage buffer (the component type for vector arrays).
enum class ElementType : uint8_t { Float32, Float16, Int8, UInt8, Int32, UInt32 };
llvm::StringRef elementTypeName(ElementType type);

enum class DescriptorType : uint8_t { StorageBuffer, UniformBuffer };
llvm::StringRef descriptorTypeName(DescriptorType type);

/// How the shader uses a binding (readonly -> Read, writeonly -> Write).
enum class Access : uint8_t { Read, Write, ReadWrite };
llvm::StringRef accessName(Access access);

/// One descriptor binding as reflected from the SPIR-V.
struct BindingReflection {
  uint32_t set;
  uint32_t binding;
  DescriptorType descriptorType;
  ElementType elementType;
  uint32_t vectorWidth; // 1 for scalar arrays, 4 for vec4 / i8vec4 arrays
  Access access;
  const char *name; // the array member's name, e.g. "t_output"
};

/// One binding as the family declares it in Shaders.def, resolved for the variant.
struct DeclaredBinding {
  uint32_t binding;
  const char *name;
  Access access;
  ElementType elementType;
};

/// One member of the push-constant block (all are 32-bit scalars).
struct PushConstantMember {
  const char *name;
  uint32_t offset;
  ElementType type;
};

struct MacroDefinition {
  const char *name;
  const char *value;
};

/// Device features a variant needs, from its OpCapability list.
struct DeviceRequirements {
  bool int8 = false;            // shaderInt8
  bool storageBuffer8 = false;  // storageBuffer8BitAccess
  bool storageBuffer16 = false; // storageBuffer16BitAccess
  bool float16 = false;         // shaderFloat16
};

struct ShaderVariant {
  const char *name;   // e.g. "linear_dq8ca_q4gsw_tiled_buffer_buffer_float_zpint8"
  const char *family; // e.g. "linear_dq8ca_q4gsw"
  llvm::ArrayRef<MacroDefinition> macros;
  llvm::ArrayRef<uint32_t> spirv;
  llvm::ArrayRef<BindingReflection> bindings; // sorted by (set, binding)
  llvm::ArrayRef<DeclaredBinding> declaredBindings;
  llvm::ArrayRef<PushConstantMember> pushConstants;
  uint32_t pushConstantSize; // bytes
  std::array<uint32_t, 3> workgroupSize;
  DeviceRequirements requirements;

  const BindingReflection *findBinding(uint32_t binding, uint32_t set = 0) const;
  const PushConstantMember *findPushConstant(llvm::StringRef member) const;
};

/// Checks that binding `binding` (set 0) of `variant` exists and holds `expected`
/// elements; the error names the variant, the binding and both types.
llvm::Error checkBinding(const ShaderVariant &variant, unsigned binding, ElementType expected);

/// Checks the reflected bindings against the family's declaration: same binding numbers,
/// names, access and element types.
llvm::Error checkDeclaredBindings(const ShaderVariant &variant);

} // namespace vkqc::shaders
