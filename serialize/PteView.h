// What readPte finds in a .pte file: the container layout (header, segments,
// named data) and each execution plan, in the writer's vocabulary (PteValue,
// PteInstruction, ...) so that a round trip can be compared field by field.
#pragma once

#include "serialize/ExtendedHeader.h"
#include "serialize/PteProgram.h"
#include "serialize/SegmentLayout.h"
#include "serialize/VulkanBlobReader.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vkqc::serialize {

struct SegmentView {
  uint64_t offset = 0; // relative to segment_base_offset
  uint64_t size = 0;
};

struct ConstantSegmentView {
  uint32_t segmentIndex = 0;
  std::vector<uint64_t> offsets; // entry 0 is the reserved empty buffer
};

struct DelegateView {
  std::string id;
  DelegateDataReference processed;
  uint64_t dataSize = 0;
  std::vector<PteCompileSpec> compileSpecs;
  /// Set for id "VulkanBackend".
  std::optional<VkGraphView> vulkanGraph;
};

struct ExecutionPlanView {
  std::string name;
  PteContainerMeta containerMeta;
  std::vector<PteValue> values;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
  std::vector<PteChain> chains;
  std::vector<PteOperator> operators;
  std::vector<DelegateView> delegates;
  std::vector<int64_t> nonConstBufferSizes;
};

struct NamedDataView {
  std::string key;
  uint32_t segmentIndex = 0;
  uint64_t size = 0;
};

struct PteView {
  uint64_t fileSize = 0;
  std::string identifier;
  uint32_t version = 0;
  std::optional<ExtendedHeader> extendedHeader;
  /// Bytes of the flatbuffer part (the whole file without a header).
  uint64_t programSize = 0;
  std::vector<SegmentView> segments;
  std::optional<ConstantSegmentView> constantSegment;
  size_t inlineDelegateDataCount = 0;
  std::vector<ExecutionPlanView> plans;
  std::vector<NamedDataView> namedData;
};

} // namespace vkqc::serialize
