// The Vulkan runtime on the machine's device (lavapipe in CI). A missing device is a
// failure, not a skip: CI installs lavapipe.
#include "runtime/ComputePipeline.h"
#include "runtime/DeviceBuffer.h"
#include "runtime/Dispatch.h"
#include "runtime/PushConstants.h"
#include "runtime/VulkanContext.h"
#include "shaders/Shaders.h"

#include "TestSupport.h"

#include <numeric>

using namespace vkqc;
using namespace vkqc::vk;
using vkqc::test::errorOf;
using vkqc::test::errorText;
using vkqc::test::valueOrFail;

TEST_CASE("a Vulkan device is listed", "[vulkan]") {
  std::vector<DeviceInfo> devices = valueOrFail(listDevices());
  REQUIRE(!devices.empty());
  for (const DeviceInfo &device : devices)
    INFO(device.describe());
  CHECK(devices[0].index == 0);
  CHECK(!devices[0].name.empty());
}

TEST_CASE("a context opens device 0 and rejects a missing device", "[vulkan]") {
  auto context = valueOrFail(VulkanContext::create());
  CHECK(context->device().features.storageBuffer8BitAccess);
  CHECK(context->device().features.storageBuffer16BitAccess);
  std::string message = errorOf(VulkanContext::create(ContextOptions{1000, false}));
  CHECK(llvm::StringRef(message).contains("device 1000 does not exist"));
}

TEST_CASE("buffers round-trip mapped and through staging", "[vulkan]") {
  for (bool staging : {false, true}) {
    auto context = valueOrFail(VulkanContext::create(ContextOptions{0, staging}));
    std::vector<uint8_t> bytes(1000);
    std::iota(bytes.begin(), bytes.end(), 0);
    DeviceBuffer buffer = valueOrFail(DeviceBuffer::createWith(*context, bytes));
    CHECK(buffer.isMapped() == !staging);
    CHECK(buffer.size() == 1008); // rounded up to 16 bytes
    std::vector<uint8_t> back(600);
    REQUIRE(errorText(buffer.download(back, 400)) == "");
    CHECK(std::equal(back.begin(), back.end(), bytes.begin() + 400));
    CHECK(llvm::StringRef(errorText(buffer.upload(bytes, 100))).contains("overflows"));
  }
}

TEST_CASE("pipelines come from reflection and dispatch checks its arguments", "[vulkan]") {
  auto context = valueOrFail(VulkanContext::create());
  const shaders::ShaderVariant *variant =
      shaders::findShader("linear_q4gsw_coop_buffer_buffer_float");
  REQUIRE(variant);
  const ComputePipeline *pipeline = valueOrFail(context->pipeline(*variant));
  CHECK(valueOrFail(context->pipeline(*variant)) == pipeline); // cached

  DeviceBuffer buffer = valueOrFail(DeviceBuffer::create(*context, 64));
  std::string message = errorText(dispatch(*context, *pipeline, {&buffer}, {}, {}));
  CHECK(llvm::StringRef(message).contains("1 buffers for 5 bindings"));

  PushConstants push(*variant);
  push.set("M", 1).set("N", 4).set("bogus", 3);
  message = errorOf(push.bytes());
  CHECK(llvm::StringRef(message).contains("unknown member 'bogus'"));
  CHECK(llvm::StringRef(message).contains("'K' is not set"));
}

TEST_CASE("a variant needing a missing feature is an error", "[vulkan]") {
  auto context = valueOrFail(VulkanContext::create());
  const shaders::ShaderVariant *variant =
      shaders::findShader("linear_dq8ca_q4gsw_tiled_buffer_buffer_half_zpint8");
  REQUIRE(variant);
  CHECK(errorText(context->checkRequirements(*variant)) == "");
  DeviceInfo bare = context->device();
  bare.features = DeviceFeatures();
  std::string message = errorText(checkDeviceFeatures(*variant, bare));
  CHECK(llvm::StringRef(message).contains("storageBuffer8BitAccess"));
  CHECK(llvm::StringRef(message).contains("storageBuffer16BitAccess"));
  CHECK(llvm::StringRef(message).contains(bare.name));
}
