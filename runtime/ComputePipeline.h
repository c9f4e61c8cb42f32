// A compute pipeline built from a compiled ShaderVariant: the descriptor set layout comes
// from the variant's reflected bindings, the push-constant range from its reflected
// push-constant block. No GLSL is compiled at run time.
#pragma once

#include "runtime/VulkanContext.h"

#include <memory>
#include <vector>

namespace vkqc::vk {

class ComputePipeline {
public:
  /// Fails when the device lacks a feature the variant needs. `spirv`, when given, is the
  /// module to build instead of the compiled-in words (the SPIR-V a .pte carries; the caller
  /// has checked it with checkEmbeddedSpirv, so the variant's reflection describes it).
  static llvm::Expected<std::unique_ptr<ComputePipeline>>
  create(VulkanContext &context, const shaders::ShaderVariant &variant,
         llvm::ArrayRef<uint32_t> spirv = {});
  ~ComputePipeline();
  ComputePipeline(const ComputePipeline &) = delete;
  ComputePipeline &operator=(const ComputePipeline &) = delete;

  const shaders::ShaderVariant &variant() const { return variant_; }
  /// Whether the module was built from words other than the compiled-in array.
  bool fromEmbeddedSpirv() const { return fromEmbedded_; }
  VkPipeline handle() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }
  VkDescriptorSetLayout setLayout() const { return setLayout_; }

private:
  ComputePipeline(VkDevice device, const shaders::ShaderVariant &variant)
      : device_(device), variant_(variant) {}
  llvm::Error init(llvm::ArrayRef<uint32_t> spirv);

  VkDevice device_;
  const shaders::ShaderVariant &variant_;
  VkShaderModule module_ = VK_NULL_HANDLE;
  VkDescriptorSetLayout setLayout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
  bool fromEmbedded_ = false;
};

/// Checks SPIR-V bytes embedded for `variant` (e.g. in a .pte delegate blob) against the
/// compiled-in module whose reflection gives the bindings and push constants: a whole
/// number of words, the SPIR-V magic, the same word count and identical words. The error
/// names the variant and the first difference.
llvm::Error checkEmbeddedSpirv(const shaders::ShaderVariant &variant,
                               llvm::ArrayRef<uint8_t> bytes);

/// `bytes` as little-endian 32-bit words (the size must be a multiple of 4).
std::vector<uint32_t> spirvWords(llvm::ArrayRef<uint8_t> bytes);

/// VkDescriptorType of a reflected binding.
VkDescriptorType descriptorTypeOf(const shaders::BindingReflection &binding);

} // namespace vkqc::vk
