// A compute pipeline built from a compiled ShaderVariant: the descriptor set layout comes
// from the variant's reflected bindings, the push-constant range from its reflected
// push-constant block. No GLSL is compiled at run time.
#pragma once

#include "runtime/VulkanContext.h"

#include <memory>

namespace vkqc::vk {

class ComputePipeline {
public:
  /// Fails when the device lacks a feature the variant needs.
  static llvm::Expected<std::unique_ptr<ComputePipeline>>
  create(VulkanContext &context, const shaders::ShaderVariant &variant);
  ~ComputePipeline();
  ComputePipeline(const ComputePipeline &) = delete;
  ComputePipeline &operator=(const ComputePipeline &) = delete;

  const shaders::ShaderVariant &variant() const { return variant_; }
  VkPipeline handle() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }
  VkDescriptorSetLayout setLayout() const { return setLayout_; }

private:
  ComputePipeline(VkDevice device, const shaders::ShaderVariant &variant)
      : device_(device), variant_(variant) {}
  llvm::Error init();

  VkDevice device_;
  const shaders::ShaderVariant &variant_;
  VkShaderModule module_ = VK_NULL_HANDLE;
  VkDescriptorSetLayout setLayout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

/// VkDescriptorType of a reflected binding.
VkDescriptorType descriptorTypeOf(const shaders::BindingReflection &binding);

} // namespace vkqc::vk
