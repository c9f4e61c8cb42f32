#include "runtime/VulkanContext.h"

#include "runtime/ComputePipeline.h"
#include "runtime/VulkanError.h"
#include "shaders/Shaders.h"

#include "llvm/ADT/Optional.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"

#include <cstring>
#include <utility>

namespace vkqc::vk {

namespace {
constexpr uint32_t RequestedApiVersion = VK_API_VERSION_1_2;

/// Owns an instance until released (so early returns do not leak it).
struct InstanceGuard {
  VkInstance instance = VK_NULL_HANDLE;
  ~InstanceGuard() {
    if (instance)
      vkDestroyInstance(instance, nullptr);
  }
  VkInstance release() { return std::exchange(instance, VK_NULL_HANDLE); }
};

llvm::Expected<VkInstance> createInstance() {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "vkqc";
  app.apiVersion = RequestedApiVersion;
  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  VkInstance instance = VK_NULL_HANDLE;
  VkResult result = vkCreateInstance(&info, nullptr, &instance);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER)
    return runtimeError("vkCreateInstance failed: VK_ERROR_INCOMPATIBLE_DRIVER (no Vulkan "
                        "driver is installed; lavapipe is in mesa-vulkan-drivers)");
  if (llvm::Error err = checkVk(result, "vkCreateInstance"))
    return err;
  return instance;
}

llvm::Expected<std::vector<VkPhysicalDevice>> physicalDevices(VkInstance instance) {
  uint32_t count = 0;
  if (llvm::Error err = checkVk(vkEnumeratePhysicalDevices(instance, &count, nullptr),
                                "vkEnumeratePhysicalDevices"))
    return err;
  std::vector<VkPhysicalDevice> devices(count);
  if (llvm::Error err = checkVk(vkEnumeratePhysicalDevices(instance, &count, devices.data()),
                                "vkEnumeratePhysicalDevices"))
    return err;
  devices.resize(count);
  return devices;
}

bool hasExtension(VkPhysicalDevice device, const char *name) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data());
  return llvm::any_of(extensions, [&](const VkExtensionProperties &e) {
    return std::strcmp(e.extensionName, name) == 0;
  });
}

/// The feature structs the kernels care about, chained for vkGetPhysicalDeviceFeatures2
/// and vkCreateDevice. The 8-bit and float16/int8 structs are chained only where the
/// device knows them (Vulkan 1.2 or their KHR extensions).
struct FeatureChain {
  VkPhysicalDeviceFeatures2 features2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  VkPhysicalDevice16BitStorageFeatures storage16{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
  VkPhysicalDevice8BitStorageFeatures storage8{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES};
  VkPhysicalDeviceShaderFloat16Int8Features float16Int8{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
  std::vector<const char *> extensions; // needed below Vulkan 1.2

  FeatureChain(VkPhysicalDevice device, uint32_t apiVersion) {
    features2.pNext = &storage16;
    void **tail = &storage16.pNext;
    bool core12 = apiVersion >= VK_API_VERSION_1_2;
    if (core12 || hasExtension(device, VK_KHR_8BIT_STORAGE_EXTENSION_NAME)) {
      *tail = &storage8;
      tail = &storage8.pNext;
      if (!core12)
        extensions.push_back(VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
    }
    if (core12 || hasExtension(device, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME)) {
      *tail = &float16Int8;
      if (!core12)
        extensions.push_back(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    }
  }

  DeviceFeatures summary() const {
    DeviceFeatures f;
    f.storageBuffer16BitAccess = storage16.storageBuffer16BitAccess;
    f.storageBuffer8BitAccess = storage8.storageBuffer8BitAccess;
    f.shaderInt8 = float16Int8.shaderInt8;
    f.shaderFloat16 = float16Int8.shaderFloat16;
    return f;
  }

  /// Keeps only the features vkqc uses enabled (everything else off).
  void keepOnlyUsedFeatures() {
    DeviceFeatures used = summary();
    void *next16 = storage16.pNext, *next8 = storage8.pNext, *nextF = float16Int8.pNext;
    VkPhysicalDeviceFeatures2 fresh{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    fresh.pNext = features2.pNext;
    features2 = fresh;
    storage16 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES, next16};
    storage16.storageBuffer16BitAccess = used.storageBuffer16BitAccess;
    storage8 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES, next8};
    storage8.storageBuffer8BitAccess = used.storageBuffer8BitAccess;
    float16Int8 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES, nextF};
    float16Int8.shaderInt8 = used.shaderInt8;
    float16Int8.shaderFloat16 = used.shaderFloat16;
  }
};

std::string deviceTypeName(VkPhysicalDeviceType type) {
  switch (type) {
  case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
    return "discrete GPU";
  case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
    return "integrated GPU";
  case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
    return "virtual GPU";
  case VK_PHYSICAL_DEVICE_TYPE_CPU:
    return "CPU";
  default:
    return "other";
  }
}

DeviceInfo describeDevice(VkPhysicalDevice device, uint32_t index) {
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(device, &properties);
  DeviceInfo info;
  info.index = index;
  info.name = properties.deviceName;
  info.type = deviceTypeName(properties.deviceType);
  info.apiVersion = properties.apiVersion;
  info.maxStorageBufferRange = properties.limits.maxStorageBufferRange;
  for (int i = 0; i < 3; ++i)
    info.maxWorkgroupCount[i] = properties.limits.maxComputeWorkGroupCount[i];
  info.maxPushConstantsSize = properties.limits.maxPushConstantsSize;
  if (properties.apiVersion >= VK_API_VERSION_1_1) {
    FeatureChain chain(device, properties.apiVersion);
    vkGetPhysicalDeviceFeatures2(device, &chain.features2);
    info.features = chain.summary();
  }
  return info;
}
} // namespace

std::string DeviceInfo::describe() const {
  std::string s = std::to_string(index) + ": " + name + " [" + type + ", Vulkan " +
                  std::to_string(VK_API_VERSION_MAJOR(apiVersion)) + "." +
                  std::to_string(VK_API_VERSION_MINOR(apiVersion)) + "." +
                  std::to_string(VK_API_VERSION_PATCH(apiVersion));
  if (features.shaderInt8)
    s += ", int8";
  if (features.storageBuffer8BitAccess)
    s += ", 8-bit storage";
  if (features.storageBuffer16BitAccess)
    s += ", 16-bit storage";
  if (features.shaderFloat16)
    s += ", float16";
  return s + "]";
}

llvm::Expected<std::vector<DeviceInfo>> listDevices() {
  InstanceGuard guard;
  auto instance = createInstance();
  if (!instance)
    return instance.takeError();
  guard.instance = *instance;
  auto devices = physicalDevices(*instance);
  if (!devices)
    return devices.takeError();
  std::vector<DeviceInfo> infos;
  for (uint32_t i = 0; i < devices->size(); ++i)
    infos.push_back(describeDevice((*devices)[i], i));
  return infos;
}

llvm::Expected<std::unique_ptr<VulkanContext>>
VulkanContext::create(const ContextOptions &options) {
  std::unique_ptr<VulkanContext> context(new VulkanContext());
  if (llvm::Error err = context->init(options))
    return err;
  return context;
}

llvm::Error VulkanContext::init(const ContextOptions &options) {
  options_ = options;
  auto instance = createInstance();
  if (!instance)
    return instance.takeError();
  instance_ = *instance;

  auto devices = physicalDevices(instance_);
  if (!devices)
    return devices.takeError();
  if (devices->empty())
    return runtimeError("no Vulkan device found (install mesa-vulkan-drivers for lavapipe)");
  if (options.deviceIndex >= devices->size())
    return runtimeError("Vulkan device " + llvm::Twine(options.deviceIndex) + " does not exist (" +
                        llvm::Twine(devices->size()) + " found)");
  physical_ = (*devices)[options.deviceIndex];
  info_ = describeDevice(physical_, options.deviceIndex);
  if (info_.apiVersion < VK_API_VERSION_1_1)
    return runtimeError("Vulkan device " + info_.describe() + " is older than Vulkan 1.1");
  vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);

  uint32_t familyCount = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical_, &familyCount, nullptr);
  std::vector<VkQueueFamilyProperties> families(familyCount);
  vkGetPhysicalDeviceQueueFamilyProperties(physical_, &familyCount, families.data());
  auto compute = llvm::find_if(families, [](const VkQueueFamilyProperties &f) {
    return (f.queueFlags & VK_QUEUE_COMPUTE_BIT) != 0;
  });
  if (compute == families.end())
    return runtimeError("Vulkan device " + info_.describe() + " has no compute queue");
  queueFamily_ = static_cast<uint32_t>(compute - families.begin());

  FeatureChain chain(physical_, info_.apiVersion);
  vkGetPhysicalDeviceFeatures2(physical_, &chain.features2);
  chain.keepOnlyUsedFeatures();
  float priority = 1.0f;
  VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queueInfo.queueFamilyIndex = queueFamily_;
  queueInfo.queueCount = 1;
  queueInfo.pQueuePriorities = &priority;
  VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  deviceInfo.pNext = &chain.features2;
  deviceInfo.queueCreateInfoCount = 1;
  deviceInfo.pQueueCreateInfos = &queueInfo;
  deviceInfo.enabledExtensionCount = static_cast<uint32_t>(chain.extensions.size());
  deviceInfo.ppEnabledExtensionNames = chain.extensions.data();
  if (llvm::Error err =
          checkVk(vkCreateDevice(physical_, &deviceInfo, nullptr, &device_), "vkCreateDevice"))
    return err;
  vkGetDeviceQueue(device_, queueFamily_, 0, &queue_);

  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
  poolInfo.queueFamilyIndex = queueFamily_;
  return checkVk(vkCreateCommandPool(device_, &poolInfo, nullptr, &commandPool_),
                 "vkCreateCommandPool");
}

VulkanContext::~VulkanContext() {
  pipelines_.clear(); // pipelines need the device
  embeddedPipelines_.clear();
  if (device_) {
    vkDeviceWaitIdle(device_);
    if (commandPool_)
      vkDestroyCommandPool(device_, commandPool_, nullptr);
    vkDestroyDevice(device_, nullptr);
  }
  if (instance_)
    vkDestroyInstance(instance_, nullptr);
}

llvm::Error checkDeviceFeatures(const shaders::ShaderVariant &variant, const DeviceInfo &device) {
  const shaders::DeviceRequirements &need = variant.requirements;
  const DeviceFeatures &have = device.features;
  std::string missing;
  auto require = [&](bool needed, bool present, const char *feature) {
    if (needed && !present)
      missing += missing.empty() ? feature : std::string(", ") + feature;
  };
  require(need.int8, have.shaderInt8, "shaderInt8");
  require(need.storageBuffer8, have.storageBuffer8BitAccess, "storageBuffer8BitAccess");
  require(need.storageBuffer16, have.storageBuffer16BitAccess, "storageBuffer16BitAccess");
  require(need.float16, have.shaderFloat16, "shaderFloat16");
  if (missing.empty())
    return llvm::Error::success();
  return runtimeError("shader " + llvm::Twine(variant.name) + " needs " + missing +
                      ", which Vulkan device " + device.describe() + " lacks");
}

llvm::Error VulkanContext::checkRequirements(const shaders::ShaderVariant &variant) const {
  return checkDeviceFeatures(variant, info_);
}

bool VulkanContext::supports(const shaders::ShaderVariant &variant) const {
  llvm::Error err = checkRequirements(variant);
  bool ok = !err;
  llvm::consumeError(std::move(err));
  return ok;
}

llvm::Expected<const ComputePipeline *>
VulkanContext::pipeline(const shaders::ShaderVariant &variant) {
  if (embedded_) {
    auto words = embedded_->find(variant.name);
    if (words == embedded_->end())
      return runtimeError("shader variant " + llvm::Twine(variant.name) +
                          " is not among the SPIR-V modules the program carries");
    // Installed words equal the compiled-in ones (checkEmbeddedSpirv), so a pipeline built
    // from an earlier program's identical module serves.
    auto cached = embeddedPipelines_.find(variant.name);
    if (cached != embeddedPipelines_.end())
      return cached->second.get();
    auto created = ComputePipeline::create(*this, variant, words->second);
    if (!created)
      return created.takeError();
    const ComputePipeline *result = created->get();
    embeddedPipelines_[variant.name] = std::move(*created);
    return result;
  }
  auto it = pipelines_.find(variant.name);
  if (it != pipelines_.end())
    return it->second.get();
  auto created = ComputePipeline::create(*this, variant);
  if (!created)
    return created.takeError();
  const ComputePipeline *result = created->get();
  pipelines_[variant.name] = std::move(*created);
  return result;
}

llvm::Error
VulkanContext::useEmbeddedShaders(const llvm::StringMap<llvm::ArrayRef<uint8_t>> &shaders) {
  llvm::StringMap<std::vector<uint32_t>> words;
  for (const auto &entry : shaders) {
    const shaders::ShaderVariant *variant = shaders::findShader(entry.getKey());
    if (!variant)
      return runtimeError("embedded shader " + entry.getKey() +
                          " is no variant this build knows (no reflection for its bindings)");
    if (llvm::Error err = checkEmbeddedSpirv(*variant, entry.getValue()))
      return err;
    words[entry.getKey()] = spirvWords(entry.getValue());
  }
  embedded_ = std::move(words);
  return llvm::Error::success();
}

void VulkanContext::useCompiledShaders() { embedded_.reset(); }

llvm::Error VulkanContext::submitAndWait(llvm::function_ref<void(VkCommandBuffer)> record) {
  VkCommandBufferAllocateInfo allocInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  allocInfo.commandPool = commandPool_;
  allocInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocInfo.commandBufferCount = 1;
  VkCommandBuffer commands = VK_NULL_HANDLE;
  if (llvm::Error err = checkVk(vkAllocateCommandBuffers(device_, &allocInfo, &commands),
                                "vkAllocateCommandBuffers"))
    return err;
  auto freeCommands =
      llvm::make_scope_exit([&] { vkFreeCommandBuffers(device_, commandPool_, 1, &commands); });

  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  if (llvm::Error err = checkVk(vkBeginCommandBuffer(commands, &begin), "vkBeginCommandBuffer"))
    return err;
  record(commands);
  if (llvm::Error err = checkVk(vkEndCommandBuffer(commands), "vkEndCommandBuffer"))
    return err;

  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence = VK_NULL_HANDLE;
  if (llvm::Error err =
          checkVk(vkCreateFence(device_, &fenceInfo, nullptr, &fence), "vkCreateFence"))
    return err;
  auto destroyFence = llvm::make_scope_exit([&] { vkDestroyFence(device_, fence, nullptr); });
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &commands;
  if (llvm::Error err = checkVk(vkQueueSubmit(queue_, 1, &submit, fence), "vkQueueSubmit"))
    return err;
  return checkVk(vkWaitForFences(device_, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
}

llvm::Expected<uint32_t> VulkanContext::findMemoryType(uint32_t typeBits,
                                                       VkMemoryPropertyFlags required,
                                                       VkMemoryPropertyFlags preferred) const {
  llvm::Optional<uint32_t> fallback;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
    VkMemoryPropertyFlags flags = memory_.memoryTypes[i].propertyFlags;
    if (!(typeBits & (1u << i)) || (flags & required) != required)
      continue;
    if ((flags & preferred) == preferred)
      return i;
    if (!fallback)
      fallback = i;
  }
  if (fallback)
    return *fallback;
  return runtimeError("Vulkan device " + info_.describe() +
                      " has no memory type with the required properties");
}

VkMemoryPropertyFlags VulkanContext::memoryTypeFlags(uint32_t typeIndex) const {
  return memory_.memoryTypes[typeIndex].propertyFlags;
}

} // namespace vkqc::vk
