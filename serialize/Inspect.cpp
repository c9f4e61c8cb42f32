#include "serialize/Inspect.h"

#include "serialize/InspectTextFormat.h"
#include "serialize/VulkanBlobBuilder.h"

#include "llvm/ADT/STLExtras.h"

#include <map>
#include <nlohmann/json.hpp>

namespace vkqc::serialize {

using Json = nlohmann::ordered_json;

namespace {

// Names of the variant alternatives, in variant order (= their index()).
constexpr const char *kPteValueKinds[] = {"Null",
                                          "Int",
                                          "Double",
                                          "Bool",
                                          "String",
                                          "Tensor",
                                          "IntList",
                                          "DoubleList",
                                          "BoolList",
                                          "TensorList",
                                          "OptionalTensorList"};
static_assert(std::size(kPteValueKinds) == std::variant_size_v<PteValue>);
constexpr const char *kVkValueKinds[] = {"Null",      "Int",     "Double",     "Bool",
                                         "Tensor",    "IntList", "DoubleList", "BoolList",
                                         "ValueList", "String",  "SymInt"};
static_assert(std::size(kVkValueKinds) == std::variant_size_v<VkValue>);

/// Count of each kind present, in variant order.
template <typename Value, size_t N>
Json countByKind(const std::vector<Value> &values, const char *const (&kindNames)[N]) {
  std::vector<size_t> counts(N, 0);
  for (const Value &value : values)
    ++counts[value.index()];
  Json byKind = Json::object();
  for (size_t kind = 0; kind < N; ++kind)
    if (counts[kind] != 0)
      byKind[kindNames[kind]] = counts[kind];
  return byKind;
}

std::string operatorName(const PteOperator &op) {
  return op.overload.empty() ? op.name : op.name + "." + op.overload;
}

Json instructionEntry(const PteInstruction &instruction, const ExecutionPlanView &plan) {
  Json entry;
  if (auto *call = std::get_if<PteKernelCall>(&instruction)) {
    entry["kind"] = "kernel";
    entry["operator"] = operatorName(plan.operators[call->operatorIndex]);
    entry["args"] = call->args;
  } else if (auto *call = std::get_if<PteDelegateCall>(&instruction)) {
    entry["kind"] = "delegate";
    entry["delegate"] = call->delegateIndex;
    entry["id"] = plan.delegates[call->delegateIndex].id;
    entry["args"] = call->args;
  } else if (auto *move = std::get_if<PteMoveCall>(&instruction)) {
    entry["kind"] = "move";
    entry["from"] = move->from;
    entry["to"] = move->to;
  } else if (auto *jump = std::get_if<PteJumpFalseCall>(&instruction)) {
    entry["kind"] = "jump_false";
    entry["condition"] = jump->conditionValueIndex;
    entry["destination"] = jump->destinationInstruction;
  } else {
    entry["kind"] = "free";
    entry["value"] = std::get<PteFreeCall>(instruction).valueIndex;
  }
  return entry;
}

Json vulkanGraphEntry(const VkGraphView &graph) {
  std::map<std::string, size_t> census; // sorted by op name
  for (const VkOperatorCall &call : graph.chain)
    ++census[call.name];
  uint64_t constantBytes = 0;
  size_t namedConstants = 0;
  for (const VkBytesView &constant : graph.constants) {
    constantBytes += constant.length;
    namedConstants += constant.offset == kNamedDataOffset;
  }
  Json shaderNames = Json::array();
  for (const VkBytesView &shader : graph.shaders)
    shaderNames.push_back(shader.namedKey);

  Json entry;
  entry["version"] = graph.version;
  entry["values"] = graph.values.size();
  entry["input_ids"] = graph.inputIds;
  entry["output_ids"] = graph.outputIds;
  entry["operator_calls"] = graph.chain.size();
  entry["constants"] = graph.constants.size();
  entry["named_constants"] = namedConstants;
  entry["constant_bytes"] = constantBytes;
  entry["shaders"] = shaderNames;
  entry["header"] = {{"flatbuffer_offset", graph.header.flatbufferOffset},
                     {"flatbuffer_size", graph.header.flatbufferSize},
                     {"bytes_offset", graph.header.bytesOffset},
                     {"bytes_size", graph.header.bytesSize}};
  entry["values_by_kind"] = countByKind(graph.values, kVkValueKinds);
  entry["op_census"] = Json(census);
  return entry;
}

Json delegateEntry(const DelegateView &delegate, size_t index) {
  Json entry;
  entry["index"] = index;
  entry["id"] = delegate.id;
  entry["location"] = delegate.processed.location == executorch_flatbuffer::DataLocation::SEGMENT
                          ? "segment"
                          : "inline";
  entry["data_index"] = delegate.processed.index;
  entry["blob_size"] = delegate.dataSize;
  Json specs = Json::array();
  for (const PteCompileSpec &spec : delegate.compileSpecs)
    specs.push_back(Json{{"key", spec.key}, {"size", spec.value.size()}});
  entry["compile_specs"] = specs;
  if (delegate.vulkanGraph)
    entry["vulkan_graph"] = vulkanGraphEntry(*delegate.vulkanGraph);
  return entry;
}

Json planEntry(const ExecutionPlanView &plan) {
  Json instructions = Json::array();
  for (size_t chain = 0; chain < plan.chains.size(); ++chain)
    for (size_t index = 0; index < plan.chains[chain].instructions.size(); ++index) {
      Json entry;
      entry["chain"] = chain;
      entry["index"] = index;
      entry.update(instructionEntry(plan.chains[chain].instructions[index], plan));
      instructions.push_back(entry);
    }
  Json operators = Json::array();
  for (const PteOperator &op : plan.operators)
    operators.push_back(operatorName(op));
  Json delegates = Json::array();
  for (size_t index = 0; index < plan.delegates.size(); ++index)
    delegates.push_back(delegateEntry(plan.delegates[index], index));

  Json entry;
  entry["name"] = plan.name;
  entry["inputs"] = plan.inputs;
  entry["outputs"] = plan.outputs;
  entry["values"] = plan.values.size();
  entry["non_const_buffer_sizes"] = plan.nonConstBufferSizes;
  entry["container_meta"] = {{"inputs", plan.containerMeta.encodedInputs},
                             {"outputs", plan.containerMeta.encodedOutputs}};
  entry["values_by_kind"] = countByKind(plan.values, kPteValueKinds);
  entry["operators"] = operators;
  entry["instructions"] = instructions;
  entry["delegates"] = delegates;
  return entry;
}

Json headerEntry(const PteView &view) {
  Json header;
  header["identifier"] = view.identifier;
  header["version"] = view.version;
  header["program_size"] = view.programSize;
  if (view.extendedHeader) {
    const ExtendedHeader &h = *view.extendedHeader;
    header["extended_header"] = {{"magic", "eh00"},
                                 {"length", h.length},
                                 {"program_size", h.programSize},
                                 {"segment_base_offset", h.segmentBaseOffset},
                                 {"segment_data_size", h.segmentDataSize}};
  } else {
    header["extended_header"] = nullptr;
  }
  return header;
}

Json inspectDocument(const PteView &view) {
  uint64_t segmentBase = view.extendedHeader ? view.extendedHeader->segmentBaseOffset : 0;
  Json segments = Json::array();
  for (size_t index = 0; index < view.segments.size(); ++index) {
    const SegmentView &segment = view.segments[index];
    Json entry;
    entry["index"] = index;
    entry["offset"] = segment.offset;
    entry["file_offset"] = segmentBase + segment.offset;
    entry["size"] = segment.size;
    segments.push_back(entry);
  }
  Json plans = Json::array();
  for (const ExecutionPlanView &plan : view.plans)
    plans.push_back(planEntry(plan));
  Json namedData = Json::array();
  uint64_t namedDataBytes = 0;
  for (const NamedDataView &entry : view.namedData) {
    namedData.push_back(
        Json{{"key", entry.key}, {"segment", entry.segmentIndex}, {"size", entry.size}});
    namedDataBytes += entry.size;
  }
  uint64_t delegateBytes = 0;
  for (const ExecutionPlanView &plan : view.plans)
    for (const DelegateView &delegate : plan.delegates)
      delegateBytes += delegate.dataSize;

  Json document;
  document["file_size"] = view.fileSize;
  document["header"] = headerEntry(view);
  document["segments"] = segments;
  if (view.constantSegment)
    document["constant_segment"] = {{"segment", view.constantSegment->segmentIndex},
                                    {"entries", view.constantSegment->offsets.size()}};
  document["inline_delegate_data"] = view.inlineDelegateDataCount;
  document["execution_plans"] = plans;
  document["named_data"] = namedData;
  document["totals"] = {
      {"file_bytes", view.fileSize},
      {"program_bytes", view.programSize},
      {"segment_bytes", view.extendedHeader ? view.extendedHeader->segmentDataSize : 0},
      {"delegate_bytes", delegateBytes},
      {"named_data_bytes", namedDataBytes}};
  return document;
}

} // namespace

void printInspect(const PteView &view, llvm::raw_ostream &os, bool json) {
  Json document = inspectDocument(view);
  if (json)
    // Strings come from the file and need not be UTF-8: replace bad bytes, never throw.
    os << document.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  else
    printAsText(document, os);
}

} // namespace vkqc::serialize
