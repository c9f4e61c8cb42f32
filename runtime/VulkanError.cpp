#include "runtime/VulkanError.h"

namespace vkqc::vk {

std::string vkResultName(VkResult result) {
  switch (result) {
#define VKQC_RESULT(name)                                                                          \
  case name:                                                                                       \
    return #name;
    VKQC_RESULT(VK_SUCCESS)
    VKQC_RESULT(VK_NOT_READY)
    VKQC_RESULT(VK_TIMEOUT)
    VKQC_RESULT(VK_EVENT_SET)
    VKQC_RESULT(VK_EVENT_RESET)
    VKQC_RESULT(VK_INCOMPLETE)
    VKQC_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    VKQC_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    VKQC_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    VKQC_RESULT(VK_ERROR_DEVICE_LOST)
    VKQC_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    VKQC_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    VKQC_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    VKQC_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    VKQC_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    VKQC_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    VKQC_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    VKQC_RESULT(VK_ERROR_FRAGMENTED_POOL)
    VKQC_RESULT(VK_ERROR_UNKNOWN)
    VKQC_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    VKQC_RESULT(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    VKQC_RESULT(VK_ERROR_FRAGMENTATION)
    VKQC_RESULT(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
    VKQC_RESULT(VK_PIPELINE_COMPILE_REQUIRED)
#undef VKQC_RESULT
  default:
    return "VkResult(" + std::to_string(static_cast<int>(result)) + ")";
  }
}

llvm::Error runtimeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Error checkVk(VkResult result, const llvm::Twine &call) {
  if (result == VK_SUCCESS)
    return llvm::Error::success();
  return runtimeError(call + " failed: " + vkResultName(result));
}

} // namespace vkqc::vk
