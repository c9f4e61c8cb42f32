// What ExecuTorch's runtime implements (ExecutorchRuntime.def): the programs vkqc writes for
// it use nothing else, and `--runtime=executorch` checks that before a file is written.
#pragma once

#include "llvm/ADT/StringRef.h"

namespace vkqc {

/// The VkGraph op name (`aten.view_copy.default`) is registered by ExecuTorch's Vulkan backend.
bool executorchHasVulkanOp(llvm::StringRef name);
/// ExecuTorch's portable library has the CPU kernel `name` (`aten::add`) with `overload`
/// (`out`; empty for a default overload).
bool executorchHasCpuKernel(llvm::StringRef name, llvm::StringRef overload);

} // namespace vkqc
