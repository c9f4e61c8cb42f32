// The Vulkan delegate blob: VH00 header, VK00 flatbuffer, raw bytes region.
#include "serialize/VulkanBlobBuilder.h"
#include "serialize/VulkanBlobReader.h"

#include "serialize_sample_program.h"

#include "llvm/Support/Endian.h"

#include <cstring>

using namespace vkqc::serialize;
using vkqc::test::errorOf;
using vkqc::test::valueOrFail;
namespace endian = llvm::support::endian;

TEST_CASE("the blob starts with a VH00 header and a VK00 flatbuffer", "[serialize]") {
  NamedDataStore store;
  std::vector<uint8_t> blob =
      valueOrFail(buildVulkanDelegateBlob(vkqc::test::sampleVkGraph(store)));
  REQUIRE(blob.size() > 40);
  CHECK(std::memcmp(blob.data(), "\0\0\0\0VH00", 8) == 0);
  CHECK(endian::read16le(blob.data() + 8) == 30);
  CHECK(endian::read32le(blob.data() + 10) == 32);
  uint32_t flatbufferSize = endian::read32le(blob.data() + 14);
  uint32_t bytesOffset = endian::read32le(blob.data() + 18);
  CHECK(std::memcmp(blob.data() + 36, "VK00", 4) == 0);
  CHECK(bytesOffset == 32 + (flatbufferSize + 15) / 16 * 16);
  CHECK(endian::read64le(blob.data() + 22) == 0); // all constants are named data
  CHECK(blob.size() == bytesOffset);
  CHECK(blob[30] == 0);
  CHECK(blob[31] == 0);
}

TEST_CASE("inline constants and shaders go to the bytes region", "[serialize]") {
  VkGraphDescription graph;
  VkTensorValue int8Constant = vkqc::test::vkTensor({3}, /*constantId=*/0);
  int8Constant.datatype = VkDataType::INT8;
  graph.values = {int8Constant,
                  VkSymIntValue{7},
                  VkValueListValue{{0, 1}},
                  VkBoolListValue{{true, false}},
                  VkDoubleListValue{{0.5}},
                  VkStringValue{"hi"},
                  VkNullValue{},
                  VkDoubleValue{2.5},
                  VkBoolValue{true},
                  VkIntListValue{{-1, 2}}};
  graph.constants = {VkInlineConstant{{1, 2, 3}}, VkInlineConstant{{}}};
  graph.shaders = {VkShader{"my_shader", {0x03, 0x02, 0x23, 0x07}}};
  graph.storageTypeOverride = VkStorageType::TEXTURE_3D;
  std::vector<uint8_t> blob = valueOrFail(buildVulkanDelegateBlob(graph));
  VkGraphView view = valueOrFail(readVulkanDelegateBlob(blob));

  CHECK(view.header.bytesSize == 32); // two 16-byte slots: constant, shader
  CHECK(blob.size() == view.header.bytesOffset + 32);
  REQUIRE(view.constants.size() == 2);
  CHECK(view.constants[0].offset == 0);
  CHECK(view.constants[0].length == 3);
  CHECK(view.constants[0].namedKey.empty());
  CHECK(view.constants[1].offset == 16);
  CHECK(view.constants[1].length == 0);
  REQUIRE(view.shaders.size() == 1);
  CHECK(view.shaders[0].namedKey == "my_shader");
  CHECK(view.shaders[0].offset == 16);
  CHECK(blob[view.header.bytesOffset + 1] == 2);
  CHECK(blob[view.header.bytesOffset + 16] == 0x03);
  CHECK(view.storageTypeOverride == VkStorageType::TEXTURE_3D);
  CHECK(view.memoryLayoutOverride == VkMemoryLayout::DEFAULT_LAYOUT);

  REQUIRE(view.values.size() == 10);
  CHECK(std::get<VkSymIntValue>(view.values[1]).value == 7);
  CHECK(std::get<VkValueListValue>(view.values[2]).items == std::vector<int32_t>{0, 1});
  CHECK(std::get<VkBoolListValue>(view.values[3]).items == std::vector<bool>{true, false});
  CHECK(std::get<VkDoubleListValue>(view.values[4]).items == std::vector<double>{0.5});
  CHECK(std::get<VkStringValue>(view.values[5]).value == "hi");
  CHECK(std::holds_alternative<VkNullValue>(view.values[6]));
  CHECK(std::get<VkDoubleValue>(view.values[7]).value == 2.5);
  CHECK(std::get<VkBoolValue>(view.values[8]).value);
  CHECK(std::get<VkIntListValue>(view.values[9]).items == std::vector<int64_t>{-1, 2});
}

TEST_CASE("dangling ids in a VkGraph description are errors", "[serialize]") {
  VkGraphDescription graph;
  graph.values = {vkqc::test::vkTensor({2})};
  graph.chain = {{0, "aten.relu.default", {0, 1}}};
  CHECK(errorOf(buildVulkanDelegateBlob(graph)) ==
        "VkGraph operator 0 (aten.relu.default): value id 1 out of range (1 values)");
  graph.chain.clear();
  graph.outputIds = {3};
  CHECK(errorOf(buildVulkanDelegateBlob(graph)) ==
        "VkGraph output_ids: value id 3 out of range (1 values)");
  graph.outputIds.clear();
  std::get<VkTensorValue>(graph.values[0]).constantId = 0;
  CHECK(errorOf(buildVulkanDelegateBlob(graph)) ==
        "VkGraph value 0: constant_id 0 out of range (0 constants)");
}
