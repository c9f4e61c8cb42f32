#include "serialize/VulkanBlobReader.h"

#include "serialize/FlatbufferAccess.h"
#include "serialize/SerializeError.h"
#include "serialize/VulkanBlobBuilder.h"

#include "llvm/ADT/STLExtras.h"

namespace vkqc::serialize {

namespace vk = vkgraph;

namespace {

llvm::Expected<VkValue> readValue(const vk::VkValue &value, size_t index) {
  // The verifier accepts a union type whose table is absent.
  if (!value.value() && value.value_type() != vk::GraphTypes::Null)
    return serializeError("VkGraph value " + llvm::Twine(index), "missing union payload");
  switch (value.value_type()) {
  case vk::GraphTypes::Null:
    return VkNullValue{};
  case vk::GraphTypes::Int:
    return VkIntValue{value.value_as_Int()->int_val()};
  case vk::GraphTypes::Double:
    return VkDoubleValue{value.value_as_Double()->double_val()};
  case vk::GraphTypes::Bool:
    return VkBoolValue{value.value_as_Bool()->bool_val()};
  case vk::GraphTypes::VkTensor: {
    const vk::VkTensor *tensor = value.value_as_VkTensor();
    VkTensorValue result{
        tensor->datatype(),   vectorOrEmpty(tensor->dims()), tensor->constant_id(),
        tensor->mem_obj_id(), tensor->storage_type(),        tensor->memory_layout(),
        std::nullopt};
    if (tensor->staging_datatype() != VkDataType::UNSET)
      result.stagingDatatype = tensor->staging_datatype();
    return result;
  }
  case vk::GraphTypes::IntList:
    return VkIntListValue{vectorOrEmpty(value.value_as_IntList()->items())};
  case vk::GraphTypes::DoubleList:
    return VkDoubleListValue{vectorOrEmpty(value.value_as_DoubleList()->items())};
  case vk::GraphTypes::BoolList: {
    auto items = vectorOrEmpty(value.value_as_BoolList()->items());
    return VkBoolListValue{std::vector<bool>(items.begin(), items.end())};
  }
  case vk::GraphTypes::ValueList:
    return VkValueListValue{vectorOrEmpty(value.value_as_ValueList()->items())};
  case vk::GraphTypes::String:
    return VkStringValue{stringOrEmpty(value.value_as_String()->string_val())};
  case vk::GraphTypes::SymInt:
    return VkSymIntValue{value.value_as_SymInt()->value()};
  default:
    break;
  }
  return serializeError("VkGraph value " + llvm::Twine(index),
                        "unknown value type " + llvm::Twine(int(value.value_type())));
}

/// Reads constants or shaders, checking that inline ones lie in the bytes region.
llvm::Expected<std::vector<VkBytesView>>
readBytesRecords(const flatbuffers::Vector<flatbuffers::Offset<vk::VkBytes>> *records,
                 uint64_t bytesRegionSize, llvm::StringRef what) {
  std::vector<VkBytesView> result;
  for (const vk::VkBytes *record : elementsOf(records)) {
    VkBytesView view{record->offset(), record->length(), stringOrEmpty(record->named_key())};
    bool inRegion = view.length <= bytesRegionSize && view.offset <= bytesRegionSize - view.length;
    if (view.offset != kNamedDataOffset && !inRegion)
      return serializeError("VkGraph " + what + " " + llvm::Twine(result.size()),
                            "bytes [" + llvm::Twine(view.offset) + ", +" +
                                llvm::Twine(view.length) + ") exceed the bytes region of " +
                                llvm::Twine(bytesRegionSize));
    result.push_back(std::move(view));
  }
  return result;
}

} // namespace

llvm::Expected<VkGraphView> readVulkanDelegateBlob(llvm::ArrayRef<uint8_t> blob) {
  auto header = VulkanDelegateHeader::parse(blob);
  if (!header)
    return header.takeError();
  // A private copy guarantees the alignment flatbuffers accessors assume,
  // whatever offset the blob had in the file.
  llvm::ArrayRef<uint8_t> region = blob.slice(header->flatbufferOffset, header->flatbufferSize);
  std::vector<uint8_t> flatbuffer(region.begin(), region.end());
  if (flatbuffer.size() < 8 || !vk::VkGraphBufferHasIdentifier(flatbuffer.data()))
    return serializeError("VkGraph", "missing file identifier VK00");
  if (!verifyFlatbuffer(flatbuffer.data(), flatbuffer.size(), vk::VerifyVkGraphBuffer))
    return serializeError("VkGraph", "flatbuffer verification failed");
  const vk::VkGraph *graph = vk::GetVkGraph(flatbuffer.data());

  VkGraphView view;
  view.header = *header;
  view.version = stringOrEmpty(graph->version());
  for (const vk::VkValue *value : elementsOf(graph->values())) {
    auto read = readValue(*value, view.values.size());
    if (!read)
      return read.takeError();
    view.values.push_back(std::move(*read));
  }
  for (const vk::OperatorCall *call : elementsOf(graph->chain()))
    view.chain.push_back(
        {call->node_id(), stringOrEmpty(call->name()), vectorOrEmpty(call->args())});
  view.inputIds = vectorOrEmpty(graph->input_ids());
  view.outputIds = vectorOrEmpty(graph->output_ids());

  // Like the runtime: with bytes_size 0, everything after bytes_offset counts.
  uint64_t bytesRegionSize =
      header->bytesSize != 0 ? header->bytesSize : blob.size() - header->bytesOffset;
  auto constants = readBytesRecords(graph->constants(), bytesRegionSize, "constant");
  if (!constants)
    return constants.takeError();
  view.constants = std::move(*constants);
  auto shaders = readBytesRecords(graph->shaders(), bytesRegionSize, "shader");
  if (!shaders)
    return shaders.takeError();
  view.shaders = std::move(*shaders);
  view.storageTypeOverride = graph->storage_type_override();
  view.memoryLayoutOverride = graph->memory_layout_override();
  return view;
}

} // namespace vkqc::serialize
