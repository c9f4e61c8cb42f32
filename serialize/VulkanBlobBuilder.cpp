#include "serialize/VulkanBlobBuilder.h"

#include "serialize/Alignment.h"
#include "serialize/SerializeError.h"
#include "serialize/VulkanDelegateHeader.h"

#include "llvm/ADT/STLExtras.h"

namespace vkqc::serialize {

namespace vk = vkgraph;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

namespace {

/// Alignment of every part of the blob and of each item in the bytes region.
constexpr uint64_t kBlobAlignment = 16;

struct VkValueEncoder {
  FlatBufferBuilder &fbb;

  Offset<vk::VkValue> operator()(const VkNullValue &) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::Null, vk::CreateNull(fbb).Union());
  }
  Offset<vk::VkValue> operator()(const VkIntValue &v) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::Int, vk::CreateInt(fbb, v.value).Union());
  }
  Offset<vk::VkValue> operator()(const VkDoubleValue &v) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::Double, vk::CreateDouble(fbb, v.value).Union());
  }
  Offset<vk::VkValue> operator()(const VkBoolValue &v) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::Bool, vk::CreateBool(fbb, v.value).Union());
  }
  Offset<vk::VkValue> operator()(const VkTensorValue &t) {
    auto tensor =
        vk::CreateVkTensorDirect(fbb, t.datatype, &t.dims, t.constantId, t.memObjId, t.storageType,
                                 t.memoryLayout, t.stagingDatatype.value_or(VkDataType::UNSET));
    return vk::CreateVkValue(fbb, vk::GraphTypes::VkTensor, tensor.Union());
  }
  Offset<vk::VkValue> operator()(const VkIntListValue &v) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::IntList,
                             vk::CreateIntListDirect(fbb, &v.items).Union());
  }
  Offset<vk::VkValue> operator()(const VkDoubleListValue &v) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::DoubleList,
                             vk::CreateDoubleListDirect(fbb, &v.items).Union());
  }
  Offset<vk::VkValue> operator()(const VkBoolListValue &v) {
    std::vector<uint8_t> items(v.items.begin(), v.items.end());
    return vk::CreateVkValue(fbb, vk::GraphTypes::BoolList,
                             vk::CreateBoolListDirect(fbb, &items).Union());
  }
  Offset<vk::VkValue> operator()(const VkValueListValue &v) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::ValueList,
                             vk::CreateValueListDirect(fbb, &v.items).Union());
  }
  Offset<vk::VkValue> operator()(const VkStringValue &v) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::String,
                             vk::CreateStringDirect(fbb, v.value.c_str()).Union());
  }
  Offset<vk::VkValue> operator()(const VkSymIntValue &v) {
    return vk::CreateVkValue(fbb, vk::GraphTypes::SymInt, vk::CreateSymInt(fbb, v.value).Union());
  }
};

/// Appends `bytes` to the raw region, padded to 16, and returns its VkBytes.
Offset<vk::VkBytes> appendRawBytes(FlatBufferBuilder &fbb, std::vector<uint8_t> &rawBytes,
                                   llvm::ArrayRef<uint8_t> bytes, const std::string &key) {
  uint64_t offset = rawBytes.size();
  rawBytes.insert(rawBytes.end(), bytes.begin(), bytes.end());
  padToAlignment(rawBytes, kBlobAlignment);
  return vk::CreateVkBytesDirect(fbb, offset, bytes.size(), key.c_str());
}

Offset<vk::VkBytes> encodeConstant(FlatBufferBuilder &fbb, std::vector<uint8_t> &rawBytes,
                                   const VkConstant &constant) {
  if (auto *named = std::get_if<VkNamedConstant>(&constant))
    return vk::CreateVkBytesDirect(fbb, kNamedDataOffset, named->length, named->key.c_str());
  return appendRawBytes(fbb, rawBytes, std::get<VkInlineConstant>(constant).bytes, "");
}

llvm::Error checkIds(const VkGraphDescription &graph) {
  size_t valueCount = graph.values.size();
  auto check = [&](int64_t id, const llvm::Twine &where) -> llvm::Error {
    if (id < 0 || static_cast<uint64_t>(id) >= valueCount)
      return serializeError(where, "value id " + llvm::Twine(id) + " out of range (" +
                                       llvm::Twine(valueCount) + " values)");
    return llvm::Error::success();
  };
  for (size_t index = 0; index < graph.values.size(); ++index) {
    const VkValue &value = graph.values[index];
    std::string where = "VkGraph value " + std::to_string(index);
    if (auto *list = std::get_if<VkValueListValue>(&value))
      for (int32_t id : list->items)
        if (auto err = check(id, where))
          return err;
    if (auto *tensor = std::get_if<VkTensorValue>(&value))
      if (tensor->constantId >= 0 &&
          static_cast<size_t>(tensor->constantId) >= graph.constants.size())
        return serializeError(where, "constant_id " + llvm::Twine(tensor->constantId) +
                                         " out of range (" + llvm::Twine(graph.constants.size()) +
                                         " constants)");
  }
  for (size_t index = 0; index < graph.chain.size(); ++index)
    for (int32_t id : graph.chain[index].args)
      if (auto err = check(id, "VkGraph operator " + std::to_string(index) + " (" +
                                   graph.chain[index].name + ")"))
        return err;
  for (uint32_t id : graph.inputIds)
    if (auto err = check(id, "VkGraph input_ids"))
      return err;
  for (uint32_t id : graph.outputIds)
    if (auto err = check(id, "VkGraph output_ids"))
      return err;
  return llvm::Error::success();
}

} // namespace

llvm::Expected<std::vector<uint8_t>> buildVulkanDelegateBlob(const VkGraphDescription &graph) {
  if (auto err = checkIds(graph))
    return err;

  FlatBufferBuilder fbb;
  std::vector<uint8_t> rawBytes;
  std::vector<Offset<vk::VkValue>> values;
  for (const VkValue &value : graph.values)
    values.push_back(std::visit(VkValueEncoder{fbb}, value));
  std::vector<Offset<vk::OperatorCall>> chain;
  for (const VkOperatorCall &call : graph.chain)
    chain.push_back(vk::CreateOperatorCallDirect(fbb, call.nodeId, call.name.c_str(), &call.args));
  std::vector<Offset<vk::VkBytes>> constants;
  for (const VkConstant &constant : graph.constants)
    constants.push_back(encodeConstant(fbb, rawBytes, constant));
  std::vector<Offset<vk::VkBytes>> shaders;
  for (const VkShader &shader : graph.shaders)
    shaders.push_back(shader.inNamedData
                          ? vk::CreateVkBytesDirect(fbb, kNamedDataOffset, shader.namedLength,
                                                    shaderNamedDataKey(shader.name).c_str())
                          : appendRawBytes(fbb, rawBytes, shader.spirv, shader.name));
  auto root = vk::CreateVkGraphDirect(fbb, graph.version.c_str(), &chain, &values, &graph.inputIds,
                                      &graph.outputIds, &constants, &shaders,
                                      graph.storageTypeOverride, graph.memoryLayoutOverride);
  vk::FinishVkGraphBuffer(fbb, root);
  llvm::ArrayRef<uint8_t> flatbuffer(fbb.GetBufferPointer(), fbb.GetSize());

  VulkanDelegateHeader header;
  header.flatbufferOffset = VulkanDelegateHeader::kPaddedSize;
  header.flatbufferSize = static_cast<uint32_t>(flatbuffer.size());
  uint64_t bytesOffset = header.flatbufferOffset + alignUp(flatbuffer.size(), kBlobAlignment);
  if (bytesOffset > UINT32_MAX)
    return serializeError("VkGraph", "flatbuffer of " + llvm::Twine(flatbuffer.size()) +
                                         " bytes does not fit a VH00 header");
  header.bytesOffset = static_cast<uint32_t>(bytesOffset);
  header.bytesSize = rawBytes.size();

  auto encodedHeader = header.encode();
  std::vector<uint8_t> blob(encodedHeader.begin(), encodedHeader.end());
  blob.insert(blob.end(), flatbuffer.begin(), flatbuffer.end());
  padToAlignment(blob, kBlobAlignment);
  blob.insert(blob.end(), rawBytes.begin(), rawBytes.end());
  return blob;
}

std::string shaderNamedDataKey(const std::string &variantName) {
  return "vkqc.spirv." + variantName;
}

std::optional<std::string> shaderNameFromKey(const std::string &namedKey) {
  llvm::StringRef key(namedKey);
  if (key.consume_front("vkqc.spirv."))
    return key.str();
  if (key.empty())
    return std::nullopt;
  return namedKey; // the inline form keeps the bare name
}

} // namespace vkqc::serialize
