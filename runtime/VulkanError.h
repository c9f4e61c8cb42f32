// Vulkan failures as llvm::Errors that name the call and the VkResult.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <vulkan/vulkan.h>

namespace vkqc::vk {

/// "VK_ERROR_OUT_OF_DEVICE_MEMORY", ... ("VkResult(<n>)" for codes it does not know).
std::string vkResultName(VkResult result);

/// Success for VK_SUCCESS, otherwise "<call> failed: <VkResult name>".
llvm::Error checkVk(VkResult result, const llvm::Twine &call);

/// A runtime error with a plain message.
llvm::Error runtimeError(const llvm::Twine &message);

} // namespace vkqc::vk
