#include "runtime/ComputePipeline.h"

#include "runtime/VulkanError.h"

#include <vector>

namespace vkqc::vk {

VkDescriptorType descriptorTypeOf(const shaders::BindingReflection &binding) {
  return binding.descriptorType == shaders::DescriptorType::StorageBuffer
             ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
             : VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
}

llvm::Expected<std::unique_ptr<ComputePipeline>>
ComputePipeline::create(VulkanContext &context, const shaders::ShaderVariant &variant) {
  if (llvm::Error err = context.checkRequirements(variant))
    return err;
  if (variant.pushConstantSize > context.device().maxPushConstantsSize)
    return runtimeError("shader " + llvm::Twine(variant.name) + " needs " +
                        llvm::Twine(variant.pushConstantSize) + " bytes of push constants");
  std::unique_ptr<ComputePipeline> pipeline(new ComputePipeline(context.handle(), variant));
  if (llvm::Error err = pipeline->init())
    return err;
  return pipeline;
}

llvm::Error ComputePipeline::init() {
  std::vector<VkDescriptorSetLayoutBinding> bindings;
  for (const shaders::BindingReflection &b : variant_.bindings) {
    if (b.set != 0)
      return runtimeError("shader " + llvm::Twine(variant_.name) + " uses descriptor set " +
                          llvm::Twine(b.set) + "; the runtime binds set 0 only");
    VkDescriptorSetLayoutBinding layoutBinding{};
    layoutBinding.binding = b.binding;
    layoutBinding.descriptorType = descriptorTypeOf(b);
    layoutBinding.descriptorCount = 1;
    layoutBinding.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    bindings.push_back(layoutBinding);
  }
  VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  setInfo.bindingCount = static_cast<uint32_t>(bindings.size());
  setInfo.pBindings = bindings.data();
  if (llvm::Error err = checkVk(
          vkCreateDescriptorSetLayout(device_, &setInfo, nullptr, &setLayout_),
          "vkCreateDescriptorSetLayout"))
    return err;

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, variant_.pushConstantSize};
  VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  layoutInfo.setLayoutCount = 1;
  layoutInfo.pSetLayouts = &setLayout_;
  layoutInfo.pushConstantRangeCount = variant_.pushConstantSize > 0 ? 1 : 0;
  layoutInfo.pPushConstantRanges = &range;
  if (llvm::Error err = checkVk(vkCreatePipelineLayout(device_, &layoutInfo, nullptr, &layout_),
                                "vkCreatePipelineLayout"))
    return err;

  VkShaderModuleCreateInfo moduleInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  moduleInfo.codeSize = variant_.spirv.size() * sizeof(uint32_t);
  moduleInfo.pCode = variant_.spirv.data();
  if (llvm::Error err = checkVk(vkCreateShaderModule(device_, &moduleInfo, nullptr, &module_),
                                "vkCreateShaderModule"))
    return err;

  VkComputePipelineCreateInfo pipelineInfo{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  pipelineInfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipelineInfo.stage.module = module_;
  pipelineInfo.stage.pName = "main";
  pipelineInfo.layout = layout_;
  return checkVk(vkCreateComputePipelines(device_, VK_NULL_HANDLE, 1, &pipelineInfo, nullptr,
                                          &pipeline_),
                 "vkCreateComputePipelines (" + llvm::Twine(variant_.name) + ")");
}

ComputePipeline::~ComputePipeline() {
  if (pipeline_)
    vkDestroyPipeline(device_, pipeline_, nullptr);
  if (module_)
    vkDestroyShaderModule(device_, module_, nullptr);
  if (layout_)
    vkDestroyPipelineLayout(device_, layout_, nullptr);
  if (setLayout_)
    vkDestroyDescriptorSetLayout(device_, setLayout_, nullptr);
}

} // namespace vkqc::vk
