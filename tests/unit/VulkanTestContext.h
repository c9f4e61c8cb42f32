// One Vulkan context for the whole test binary: lavapipe compiles each pipeline once, and
// a machine without a Vulkan device fails the tests that need one (never skips them).
#pragma once

#include "runtime/VulkanContext.h"

#include "TestSupport.h"

#include <memory>

namespace vkqc::test {

inline vk::VulkanContext &vulkanContext() {
  static std::unique_ptr<vk::VulkanContext> shared;
  if (!shared)
    shared = valueOrFail(vk::VulkanContext::create());
  return *shared;
}

} // namespace vkqc::test
