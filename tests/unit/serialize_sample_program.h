// A small program for the serialization tests: a Vulkan delegate running
// linear + add on input x, then a CPU aten::add.out with a constant.
//
//   VkGraph values: 0 x[1,4] (input), 1 W[4,4] (constant 0), 2 b[4] (constant 1),
//                   3 y[1,4], 4 alpha=1, 5 z[1,4] (output), 6 W2[4,4] (constant 2,
//                   same bytes as W: stored once in named data)
//   PTE values:     0 x, 1 delegate output, 2 CPU constant c, 3 alpha, 4 result
#pragma once

#include "serialize/PteProgram.h"
#include "serialize/VkGraphDescription.h"
#include "serialize/VulkanBlobBuilder.h"

#include "TestSupport.h"

#include <cstring>

namespace vkqc::test {

inline std::vector<uint8_t> floatBytes(std::initializer_list<float> values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

inline std::vector<uint8_t> sampleWeightBytes() {
  return floatBytes({1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4});
}

/// A FLOAT32 VkTensor with default storage, layout and staging type.
inline serialize::VkTensorValue vkTensor(std::vector<uint32_t> dims, int32_t constantId = -1,
                                         int32_t memObjId = -1) {
  serialize::VkTensorValue tensor;
  tensor.dims = std::move(dims);
  tensor.constantId = constantId;
  tensor.memObjId = memObjId;
  return tensor;
}

/// How the sample's delegate constants get their named-data keys: hashed up front (W and
/// W2 share one entry), or pending until the file is written, with W and W2 under one
/// pending key (as lowering does for one constant read twice) or under two (identical
/// bytes found only when written).
enum class SampleKeys { Hashed, PendingShared, PendingEach };

inline serialize::VkGraphDescription sampleVkGraph(serialize::NamedDataStore &namedData,
                                                   SampleKeys keys = SampleKeys::Hashed) {
  using namespace serialize;
  auto weight = sampleWeightBytes();
  auto bias = floatBytes({0.5f, 0.5f, 0.5f, 0.5f});
  auto key = [&](const std::vector<uint8_t> &bytes) {
    return keys == SampleKeys::Hashed ? namedData.add(bytes)
                                      : namedData.addPending(DataSource::fromBytes(bytes));
  };
  std::string weightKey = key(weight), biasKey = key(bias);
  std::string weight2Key = keys == SampleKeys::PendingEach ? key(weight) : weightKey;
  VkGraphDescription graph;
  VkTensorValue output = vkTensor({1, 4});
  output.storageType = VkStorageType::BUFFER;
  output.memoryLayout = VkMemoryLayout::TENSOR_WIDTH_PACKED;
  output.stagingDatatype = VkDataType::FLOAT32;
  graph.values = {vkTensor({1, 4}),
                  vkTensor({4, 4}, /*constantId=*/0),
                  vkTensor({4}, /*constantId=*/1),
                  vkTensor({1, 4}, -1, /*memObjId=*/0),
                  VkIntValue{1},
                  output,
                  vkTensor({4, 4}, /*constantId=*/2)};
  graph.chain = {{0, "aten.linear.default", {0, 1, 2, 3}}, {1, "aten.add.Tensor", {3, 0, 4, 5}}};
  graph.inputIds = {0};
  graph.outputIds = {5};
  graph.constants = {VkNamedConstant{weightKey, weight.size()},
                     VkNamedConstant{biasKey, bias.size()},
                     VkNamedConstant{weight2Key, weight.size()}};
  return graph;
}

inline serialize::PteTensor planned(std::vector<int32_t> sizes, uint64_t offset) {
  serialize::PteTensor tensor;
  tensor.sizes = sizes;
  for (size_t dim = 0; dim < sizes.size(); ++dim)
    tensor.dimOrder.push_back(static_cast<uint8_t>(dim));
  tensor.allocation = serialize::PteAllocation{1, offset};
  return tensor;
}

inline serialize::PteProgram sampleProgram(SampleKeys keys = SampleKeys::Hashed) {
  using namespace serialize;
  PteProgram program;
  PteExecutionPlan &plan = program.plans.emplace_back();
  plan.containerMeta = {"T2#1#0(T1#1($),D0())", "$"};

  PteTensor constant;
  constant.sizes = {4};
  constant.dimOrder = {0};
  constant.dataBufferIndex = program.addConstantBuffer(floatBytes({1, 2, 3, 4}));

  plan.values = {planned({1, 4}, 0), planned({1, 4}, 16), constant, PteInt{1}, planned({1, 4}, 32)};
  plan.inputs = {0};
  plan.outputs = {4};
  plan.operators = {{"aten::add", "out"}};
  plan.chains = {{{PteDelegateCall{0, {0, 1}}, PteKernelCall{0, {1, 2, 3, 4, 4}}}}};
  plan.nonConstBufferSizes = {0, 48};

  PteDelegate &delegate = plan.delegates.emplace_back();
  delegate.processedData =
      valueOrFail(buildVulkanDelegateBlob(sampleVkGraph(program.namedData, keys)));
  delegate.compileSpecs = {{"storage_type_override", {1, 0, 0, 0}}};
  return program;
}

} // namespace vkqc::test
