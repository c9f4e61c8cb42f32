#include "runtime/Dispatch.h"

#include "runtime/VulkanError.h"

#include "llvm/ADT/ScopeExit.h"

#include <vector>

namespace vkqc::vk {

uint32_t workgroupsFor(int64_t invocations, uint32_t workgroupSize) {
  return static_cast<uint32_t>((invocations + workgroupSize - 1) / workgroupSize);
}

llvm::Error dispatch(VulkanContext &context, const ComputePipeline &pipeline,
                     llvm::ArrayRef<const DeviceBuffer *> buffers,
                     llvm::ArrayRef<uint8_t> pushConstants, WorkgroupCount groups) {
  const shaders::ShaderVariant &variant = pipeline.variant();
  llvm::StringRef name = variant.name;
  if (buffers.size() != variant.bindings.size())
    return runtimeError("dispatch of " + name + ": " + llvm::Twine(buffers.size()) +
                        " buffers for " + llvm::Twine(variant.bindings.size()) + " bindings");
  if (pushConstants.size() != variant.pushConstantSize)
    return runtimeError("dispatch of " + name + ": " + llvm::Twine(pushConstants.size()) +
                        " push-constant bytes, the shader declares " +
                        llvm::Twine(variant.pushConstantSize));
  const std::array<uint32_t, 3> &limit = context.device().maxWorkgroupCount;
  if (groups.x > limit[0] || groups.y > limit[1] || groups.z > limit[2])
    return runtimeError("dispatch of " + name + ": " + llvm::Twine(groups.x) + "x" +
                        llvm::Twine(groups.y) + "x" + llvm::Twine(groups.z) +
                        " workgroups exceed the device limit " + llvm::Twine(limit[0]) + "x" +
                        llvm::Twine(limit[1]) + "x" + llvm::Twine(limit[2]));
  if (groups.x == 0 || groups.y == 0 || groups.z == 0)
    return llvm::Error::success(); // nothing to compute (an empty tensor)

  VkDevice device = context.handle();
  std::vector<VkDescriptorPoolSize> sizes;
  for (const shaders::BindingReflection &b : variant.bindings)
    sizes.push_back({descriptorTypeOf(b), 1});
  VkDescriptorPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  poolInfo.maxSets = 1;
  poolInfo.poolSizeCount = static_cast<uint32_t>(sizes.size());
  poolInfo.pPoolSizes = sizes.data();
  VkDescriptorPool pool = VK_NULL_HANDLE;
  if (llvm::Error err = checkVk(vkCreateDescriptorPool(device, &poolInfo, nullptr, &pool),
                                "vkCreateDescriptorPool"))
    return err;
  auto destroyPool = llvm::make_scope_exit([&] { vkDestroyDescriptorPool(device, pool, nullptr); });

  VkDescriptorSetLayout setLayout = pipeline.setLayout();
  VkDescriptorSetAllocateInfo allocInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  allocInfo.descriptorPool = pool;
  allocInfo.descriptorSetCount = 1;
  allocInfo.pSetLayouts = &setLayout;
  VkDescriptorSet set = VK_NULL_HANDLE;
  if (llvm::Error err =
          checkVk(vkAllocateDescriptorSets(device, &allocInfo, &set), "vkAllocateDescriptorSets"))
    return err;

  std::vector<VkDescriptorBufferInfo> infos(buffers.size());
  std::vector<VkWriteDescriptorSet> writes;
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (!buffers[i])
      return runtimeError("dispatch of " + name + ": no buffer for binding " + llvm::Twine(i));
    infos[i] = {buffers[i]->handle(), 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    write.dstSet = set;
    write.dstBinding = variant.bindings[i].binding;
    write.descriptorCount = 1;
    write.descriptorType = descriptorTypeOf(variant.bindings[i]);
    write.pBufferInfo = &infos[i];
    writes.push_back(write);
  }
  vkUpdateDescriptorSets(device, static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);

  return context.submitAndWait([&](VkCommandBuffer commands) {
    vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
    vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &set,
                            0, nullptr);
    if (!pushConstants.empty())
      vkCmdPushConstants(commands, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                         static_cast<uint32_t>(pushConstants.size()), pushConstants.data());
    vkCmdDispatch(commands, groups.x, groups.y, groups.z);
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                            VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT |
                             VK_PIPELINE_STAGE_HOST_BIT,
                         0, 1, &barrier, 0, nullptr, 0, nullptr);
  });
}

} // namespace vkqc::vk
