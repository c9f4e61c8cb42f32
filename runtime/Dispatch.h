// One compute dispatch, submitted and waited for: the simplest correct way to run a kernel.
#pragma once

#include "runtime/ComputePipeline.h"
#include "runtime/DeviceBuffer.h"

namespace vkqc::vk {

struct WorkgroupCount {
  uint32_t x = 1, y = 1, z = 1;
};

/// Workgroups needed to cover `invocations` with workgroups of `workgroupSize`.
uint32_t workgroupsFor(int64_t invocations, uint32_t workgroupSize);

/// Binds buffers[i] to binding i of set 0, pushes `pushConstants`, dispatches `groups`
/// and waits. Shader writes are made visible to later dispatches, transfers and the host.
llvm::Error dispatch(VulkanContext &context, const ComputePipeline &pipeline,
                     llvm::ArrayRef<const DeviceBuffer *> buffers,
                     llvm::ArrayRef<uint8_t> pushConstants, WorkgroupCount groups);

} // namespace vkqc::vk
