// A storage buffer in device memory. Memory that is both device-local and host-visible
// (integrated GPUs, lavapipe, resizable BAR) is mapped and written directly; otherwise
// (discrete GPUs) uploads and downloads go through a temporary staging buffer.
#pragma once

#include "runtime/VulkanContext.h"

#include "llvm/ADT/ArrayRef.h"

namespace vkqc::vk {

class DeviceBuffer {
public:
  /// A buffer of at least `bytes` bytes (rounded up to 16, so empty tensors still bind).
  static llvm::Expected<DeviceBuffer> create(VulkanContext &context, size_t bytes);
  /// A buffer holding a copy of `bytes`.
  static llvm::Expected<DeviceBuffer> createWith(VulkanContext &context,
                                                 llvm::ArrayRef<uint8_t> bytes);

  DeviceBuffer(DeviceBuffer &&other) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;
  ~DeviceBuffer();

  llvm::Error upload(llvm::ArrayRef<uint8_t> bytes, size_t offset = 0);
  llvm::Error download(llvm::MutableArrayRef<uint8_t> bytes, size_t offset = 0) const;

  VkBuffer handle() const { return buffer_; }
  size_t size() const { return size_; }
  /// Whether the host reads and writes the memory directly (no staging).
  bool isMapped() const { return mapped_ != nullptr; }

private:
  DeviceBuffer() = default;
  void reset();
  /// Copies between this buffer and a host-visible staging buffer.
  llvm::Error stagedCopy(llvm::MutableArrayRef<uint8_t> host, size_t offset, bool toDevice) const;

  VulkanContext *context_ = nullptr;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  size_t size_ = 0;
  void *mapped_ = nullptr;
};

} // namespace vkqc::vk
