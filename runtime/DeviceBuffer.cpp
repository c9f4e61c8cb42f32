#include "runtime/DeviceBuffer.h"

#include "runtime/VulkanError.h"

#include "llvm/ADT/ScopeExit.h"

#include <cstring>
#include <utility>

namespace vkqc::vk {

namespace {
constexpr VkMemoryPropertyFlags HostAccess =
    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

struct RawBuffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkMemoryPropertyFlags flags = 0;
};

void destroyRaw(VkDevice device, RawBuffer &raw) {
  if (raw.buffer)
    vkDestroyBuffer(device, raw.buffer, nullptr);
  if (raw.memory)
    vkFreeMemory(device, raw.memory, nullptr);
  raw = RawBuffer();
}

/// A buffer bound to fresh memory with `required` properties (preferring `preferred`).
llvm::Expected<RawBuffer> createRaw(VulkanContext &context, size_t bytes, VkBufferUsageFlags usage,
                                    VkMemoryPropertyFlags required,
                                    VkMemoryPropertyFlags preferred) {
  VkDevice device = context.handle();
  RawBuffer raw;
  auto cleanup = llvm::make_scope_exit([&] { destroyRaw(device, raw); });
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = bytes;
  info.usage = usage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  if (llvm::Error err =
          checkVk(vkCreateBuffer(device, &info, nullptr, &raw.buffer), "vkCreateBuffer"))
    return err;
  VkMemoryRequirements requirements;
  vkGetBufferMemoryRequirements(device, raw.buffer, &requirements);
  auto type = context.findMemoryType(requirements.memoryTypeBits, required, preferred);
  if (!type)
    return type.takeError();
  VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  alloc.allocationSize = requirements.size;
  alloc.memoryTypeIndex = *type;
  if (llvm::Error err = checkVk(vkAllocateMemory(device, &alloc, nullptr, &raw.memory),
                                "vkAllocateMemory (" + llvm::Twine(bytes) + " bytes)"))
    return err;
  if (llvm::Error err =
          checkVk(vkBindBufferMemory(device, raw.buffer, raw.memory, 0), "vkBindBufferMemory"))
    return err;
  raw.flags = context.memoryTypeFlags(*type);
  cleanup.release();
  return raw;
}

/// Makes transfer writes visible to shaders, transfers and the host.
void transferBarrier(VkCommandBuffer commands) {
  VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                          VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT |
                           VK_PIPELINE_STAGE_HOST_BIT,
                       0, 1, &barrier, 0, nullptr, 0, nullptr);
}
} // namespace

llvm::Expected<DeviceBuffer> DeviceBuffer::create(VulkanContext &context, size_t bytes) {
  size_t size = (std::max<size_t>(bytes, 1) + 15) / 16 * 16;
  if (size > context.device().maxStorageBufferRange)
    return runtimeError("a buffer of " + llvm::Twine(size) + " bytes exceeds the device's " +
                        "maxStorageBufferRange of " +
                        llvm::Twine(context.device().maxStorageBufferRange));
  VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                             VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  // Device-local first; mapping it directly when it is also host-visible and coherent.
  VkMemoryPropertyFlags preferred =
      context.forceStaging() ? 0 : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | HostAccess;
  auto raw = createRaw(context, size, usage, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, preferred);
  if (!raw) {
    // Some devices expose no device-local type at all; host memory still works.
    llvm::consumeError(raw.takeError());
    raw = createRaw(context, size, usage, HostAccess, HostAccess);
    if (!raw)
      return raw.takeError();
  }

  DeviceBuffer buffer;
  buffer.context_ = &context;
  buffer.buffer_ = raw->buffer;
  buffer.memory_ = raw->memory;
  buffer.size_ = size;
  if (!context.forceStaging() && (raw->flags & HostAccess) == HostAccess) {
    if (llvm::Error err = checkVk(
            vkMapMemory(context.handle(), buffer.memory_, 0, VK_WHOLE_SIZE, 0, &buffer.mapped_),
            "vkMapMemory"))
      return err;
  }
  return buffer;
}

llvm::Expected<DeviceBuffer> DeviceBuffer::createWith(VulkanContext &context,
                                                      llvm::ArrayRef<uint8_t> bytes) {
  auto buffer = create(context, bytes.size());
  if (!buffer)
    return buffer.takeError();
  if (llvm::Error err = buffer->upload(bytes))
    return err;
  return buffer;
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&other) noexcept { *this = std::move(other); }

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this != &other) {
    reset();
    context_ = std::exchange(other.context_, nullptr);
    buffer_ = std::exchange(other.buffer_, VK_NULL_HANDLE);
    memory_ = std::exchange(other.memory_, VK_NULL_HANDLE);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, nullptr);
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() { reset(); }

void DeviceBuffer::reset() {
  if (!context_)
    return;
  RawBuffer raw{buffer_, memory_, 0};
  if (mapped_)
    vkUnmapMemory(context_->handle(), memory_);
  destroyRaw(context_->handle(), raw);
  context_ = nullptr;
  buffer_ = VK_NULL_HANDLE;
  memory_ = VK_NULL_HANDLE;
  mapped_ = nullptr;
  size_ = 0;
}

llvm::Error DeviceBuffer::upload(llvm::ArrayRef<uint8_t> bytes, size_t offset) {
  if (offset + bytes.size() > size_)
    return runtimeError("upload of " + llvm::Twine(bytes.size()) + " bytes at offset " +
                        llvm::Twine(offset) + " overflows a " + llvm::Twine(size_) +
                        "-byte buffer");
  if (bytes.empty())
    return llvm::Error::success();
  if (mapped_) {
    std::memcpy(static_cast<uint8_t *>(mapped_) + offset, bytes.data(), bytes.size());
    return llvm::Error::success();
  }
  // stagedCopy only reads `host` when copying to the device.
  llvm::MutableArrayRef<uint8_t> host(const_cast<uint8_t *>(bytes.data()), bytes.size());
  return stagedCopy(host, offset, /*toDevice=*/true);
}

llvm::Error DeviceBuffer::download(llvm::MutableArrayRef<uint8_t> bytes, size_t offset) const {
  if (offset + bytes.size() > size_)
    return runtimeError("download of " + llvm::Twine(bytes.size()) + " bytes at offset " +
                        llvm::Twine(offset) + " overflows a " + llvm::Twine(size_) +
                        "-byte buffer");
  if (bytes.empty())
    return llvm::Error::success();
  if (mapped_) {
    std::memcpy(bytes.data(), static_cast<const uint8_t *>(mapped_) + offset, bytes.size());
    return llvm::Error::success();
  }
  return stagedCopy(bytes, offset, /*toDevice=*/false);
}

llvm::Error DeviceBuffer::stagedCopy(llvm::MutableArrayRef<uint8_t> host, size_t offset,
                                     bool toDevice) const {
  VkDevice device = context_->handle();
  auto staging = createRaw(*context_, host.size(),
                           VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                           HostAccess, HostAccess);
  if (!staging)
    return staging.takeError();
  auto cleanup = llvm::make_scope_exit([&] { destroyRaw(device, *staging); });
  void *mapped = nullptr;
  if (llvm::Error err = checkVk(vkMapMemory(device, staging->memory, 0, VK_WHOLE_SIZE, 0, &mapped),
                                "vkMapMemory (staging)"))
    return err;
  if (toDevice)
    std::memcpy(mapped, host.data(), host.size());

  VkBufferCopy region{toDevice ? 0 : offset, toDevice ? offset : 0, host.size()};
  llvm::Error err = context_->submitAndWait([&](VkCommandBuffer commands) {
    VkBuffer from = toDevice ? staging->buffer : buffer_;
    VkBuffer to = toDevice ? buffer_ : staging->buffer;
    vkCmdCopyBuffer(commands, from, to, 1, &region);
    transferBarrier(commands);
  });
  if (!err && !toDevice)
    std::memcpy(host.data(), mapped, host.size());
  vkUnmapMemory(device, staging->memory);
  return err;
}

} // namespace vkqc::vk
