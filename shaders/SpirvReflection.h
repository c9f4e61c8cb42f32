// A small SPIR-V reader that recovers what the runtime needs to bind a compute shader:
// descriptor bindings (set, binding, type, element type, access), the push-constant
// block, the workgroup size and the capabilities that need device features. It reads
// only OpCapability, OpExecutionMode, OpName/OpMemberName, OpDecorate/OpMemberDecorate,
// the scalar/vector/array/struct/pointer types and OpVariable.
#pragma once

#include "shaders/ShaderTypes.h"

#include <string>
#include <vector>

namespace vkqc::shaders {

struct ReflectedBinding {
  uint32_t set = 0;
  uint32_t binding = 0;
  DescriptorType descriptorType = DescriptorType::StorageBuffer;
  ElementType elementType = ElementType::Float32;
  uint32_t vectorWidth = 1;
  Access access = Access::ReadWrite;
  std::string name;
};

struct ReflectedPushConstant {
  std::string name;
  uint32_t offset = 0;
  ElementType type = ElementType::Int32;
};

struct ShaderReflection {
  std::vector<ReflectedBinding> bindings; // sorted by (set, binding)
  std::vector<ReflectedPushConstant> pushConstants;
  uint32_t pushConstantSize = 0;
  std::array<uint32_t, 3> workgroupSize = {1, 1, 1};
  DeviceRequirements requirements;
};

/// Reflects a compute module; an error names what could not be understood.
llvm::Expected<ShaderReflection> reflectSpirv(llvm::ArrayRef<uint32_t> words);

/// Checks that a compiled variant's tables equal a fresh reflection of its SPIR-V.
llvm::Error checkReflectionMatches(const ShaderVariant &variant,
                                   const ShaderReflection &reflection);

} // namespace vkqc::shaders
