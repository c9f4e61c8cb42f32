// A Vulkan instance + one logical device with a compute queue: the minimal context the
// kernel runners need. A missing loader, driver, device or feature is an llvm::Error,
// never a crash.
#pragma once

#include "shaders/ShaderTypes.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"

#include <vulkan/vulkan.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vkqc::vk {

class ComputePipeline;

/// The optional features the kernels use, as the device reports them.
struct DeviceFeatures {
  bool shaderInt8 = false;
  bool storageBuffer8BitAccess = false;
  bool storageBuffer16BitAccess = false;
  bool shaderFloat16 = false;
};

struct DeviceInfo {
  uint32_t index = 0;
  std::string name;
  std::string type; // "discrete GPU", "integrated GPU", "CPU", ...
  uint32_t apiVersion = 0;
  DeviceFeatures features;
  uint64_t maxStorageBufferRange = 0;
  std::array<uint32_t, 3> maxWorkgroupCount = {0, 0, 0};
  uint32_t maxPushConstantsSize = 0;

  /// "0: llvmpipe (LLVM 15.0.6, 256 bits) [CPU, Vulkan 1.3.230, int8 fp16 ...]".
  std::string describe() const;
};

/// An error naming every feature `variant` needs that `device` lacks.
llvm::Error checkDeviceFeatures(const shaders::ShaderVariant &variant, const DeviceInfo &device);

/// Every physical device the loader sees (for `vkqc run --list-devices`).
llvm::Expected<std::vector<DeviceInfo>> listDevices();

struct ContextOptions {
  uint32_t deviceIndex = 0;
  /// Move every upload/download through a staging buffer even when device memory is
  /// host-visible (the discrete-GPU path, testable on lavapipe).
  bool forceStaging = false;
};

class VulkanContext {
public:
  static llvm::Expected<std::unique_ptr<VulkanContext>> create(const ContextOptions &options = {});
  ~VulkanContext();
  VulkanContext(const VulkanContext &) = delete;
  VulkanContext &operator=(const VulkanContext &) = delete;

  const DeviceInfo &device() const { return info_; }
  VkDevice handle() const { return device_; }
  bool forceStaging() const { return options_.forceStaging; }

  /// An error naming every device feature `variant` needs that this device lacks.
  llvm::Error checkRequirements(const shaders::ShaderVariant &variant) const;
  bool supports(const shaders::ShaderVariant &variant) const;

  /// The pipeline of `variant`, created on first use and cached. While embedded shaders
  /// are installed (useEmbeddedShaders), it is built from the embedded words, and a variant
  /// outside that set is an error naming it.
  llvm::Expected<const ComputePipeline *> pipeline(const shaders::ShaderVariant &variant);

  /// Builds pipelines from `shaders` (variant name -> SPIR-V bytes, e.g. the shaders of a
  /// .pte delegate blob) instead of the compiled-in words until useCompiledShaders().
  /// Every module is checked with checkEmbeddedSpirv first (the compiled-in reflection
  /// describes its bindings); an unknown variant name is an error.
  llvm::Error useEmbeddedShaders(const llvm::StringMap<llvm::ArrayRef<uint8_t>> &shaders);
  /// Back to the compiled-in SPIR-V for every variant.
  void useCompiledShaders();
  /// Whether embedded shaders are installed.
  bool usesEmbeddedShaders() const { return embedded_.has_value(); }

  /// Records commands into a fresh command buffer, submits it and waits for completion.
  llvm::Error submitAndWait(llvm::function_ref<void(VkCommandBuffer)> record);

  /// A memory type index allowed by `typeBits` with all `required` flags, preferring one
  /// that also has `preferred`.
  llvm::Expected<uint32_t> findMemoryType(uint32_t typeBits, VkMemoryPropertyFlags required,
                                          VkMemoryPropertyFlags preferred = 0) const;
  VkMemoryPropertyFlags memoryTypeFlags(uint32_t typeIndex) const;

private:
  VulkanContext() = default;
  llvm::Error init(const ContextOptions &options);

  ContextOptions options_;
  DeviceInfo info_;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queueFamily_ = 0;
  VkCommandPool commandPool_ = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties memory_{};
  llvm::StringMap<std::unique_ptr<ComputePipeline>> pipelines_;
  /// Pipelines built from embedded words, by variant name.
  llvm::StringMap<std::unique_ptr<ComputePipeline>> embeddedPipelines_;
  /// The installed embedded modules (words), by variant name.
  std::optional<llvm::StringMap<std::vector<uint32_t>>> embedded_;
};

} // namespace vkqc::vk
