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
ComputePipeline::create(VulkanContext &context, const shaders::ShaderVariant &variant,
                        llvm::ArrayRef<uint32_t> spirv) {
  if (llvm::Error err = context.checkRequirements(variant))
    return err;
  if (variant.pushConstantSize > context.device().maxPushConstantsSize)
    return runtimeError("shader " + llvm::Twine(variant.name) + " needs " +
                        llvm::Twine(variant.pushConstantSize) + " bytes of push constants");
  std::unique_ptr<ComputePipeline> pipeline(new ComputePipeline(context.handle(), variant));
  if (llvm::Error err = pipeline->init(spirv))
    return err;
  return pipeline;
}

llvm::Error ComputePipeline::init(llvm::ArrayRef<uint32_t> spirv) {
  fromEmbedded_ = !spirv.empty();
  if (spirv.empty())
    spirv = variant_.spirv;
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
  if (llvm::Error err =
          checkVk(vkCreateDescriptorSetLayout(device_, &setInfo, nullptr, &setLayout_),
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
  moduleInfo.codeSize = spirv.size() * sizeof(uint32_t);
  moduleInfo.pCode = spirv.data();
  if (llvm::Error err = checkVk(vkCreateShaderModule(device_, &moduleInfo, nullptr, &module_),
                                "vkCreateShaderModule"))
    return err;

  VkComputePipelineCreateInfo pipelineInfo{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  pipelineInfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipelineInfo.stage.module = module_;
  pipelineInfo.stage.pName = "main";
  pipelineInfo.layout = layout_;
  return checkVk(
      vkCreateComputePipelines(device_, VK_NULL_HANDLE, 1, &pipelineInfo, nullptr, &pipeline_),
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

std::vector<uint32_t> spirvWords(llvm::ArrayRef<uint8_t> bytes) {
  std::vector<uint32_t> words(bytes.size() / 4);
  for (size_t w = 0; w < words.size(); ++w)
    words[w] = uint32_t(bytes[4 * w]) | uint32_t(bytes[4 * w + 1]) << 8 |
               uint32_t(bytes[4 * w + 2]) << 16 | uint32_t(bytes[4 * w + 3]) << 24;
  return words;
}

llvm::Error checkEmbeddedSpirv(const shaders::ShaderVariant &variant,
                               llvm::ArrayRef<uint8_t> bytes) {
  std::string where = "embedded SPIR-V of " + std::string(variant.name);
  if (bytes.size() % 4 != 0)
    return runtimeError(where + ": " + llvm::Twine(bytes.size()) +
                        " bytes is not a whole number of words");
  std::vector<uint32_t> words = spirvWords(bytes);
  constexpr uint32_t kSpirvMagic = 0x07230203;
  if (words.empty() || words[0] != kSpirvMagic)
    return runtimeError(where + ": no SPIR-V magic number");
  if (words.size() != variant.spirv.size())
    return runtimeError(where + ": " + llvm::Twine(words.size()) +
                        " words, but the compiled-in variant whose reflection describes its "
                        "bindings has " +
                        llvm::Twine(variant.spirv.size()));
  for (size_t w = 0; w < words.size(); ++w)
    if (words[w] != variant.spirv[w])
      return runtimeError(where + ": word " + llvm::Twine(w) +
                          " differs from the compiled-in variant whose reflection describes its "
                          "bindings (a different shader build)");
  return llvm::Error::success();
}

} // namespace vkqc::vk
