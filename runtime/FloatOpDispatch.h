// The executor's runners of the float ops inside a Vulkan delegate (the aten ops of
// compiler/target/VulkanOps.def): arguments read off the VkGraph, the variant the op needs
// required from the delegate's shaders, one runner of runtime/FloatKernels.h called.
// Reshapes of contiguous tensors (view, unsqueeze, clone, ...) run no kernel.
#pragma once

#include "runtime/ExecutorSupport.h"
#include "runtime/VulkanContext.h"

#include <functional>

namespace vkqc::vk::exec {

/// Checks that the delegate carries a variant's SPIR-V (and records its use).
using RequireVariant = std::function<llvm::Error(llvm::Expected<std::string>)>;

/// Runs `a.call` when it is a float op and stores its result into value `out`; false
/// when the op is not one (nothing happened).
llvm::Expected<bool> runFloatOp(VulkanContext &context, const VkOpArguments &a, int32_t out,
                                const RequireVariant &require);

} // namespace vkqc::vk::exec
