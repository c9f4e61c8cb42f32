// A plain description of an ExecuTorch program, the input of the .pte writer.
// It mirrors program.fbs closely but knows nothing about flatbuffers offsets,
// segments or the vkqc IR: whoever lowers the IR fills it in, the writer
// (PteWriter.h) decides the byte layout.
#pragma once

#include "serialize/NamedDataStore.h"
#include "serialize/schema/program_generated.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace vkqc::serialize {

using executorch_flatbuffer::ScalarType;
using executorch_flatbuffer::TensorShapeDynamism;

// ---- EValues ---------------------------------------------------------------

struct PteNull {};
struct PteInt {
  int64_t value = 0;
};
struct PteDouble {
  double value = 0;
};
struct PteBool {
  bool value = false;
};
struct PteString {
  std::string value;
};

/// Where a memory-planned tensor lives: buffer `memoryId` (an index into
/// non_const_buffer_sizes, so >= 1) at byte `offset`.
struct PteAllocation {
  uint32_t memoryId = 1;
  uint64_t offset = 0;
};

struct PteTensor {
  ScalarType scalarType = ScalarType::FLOAT;
  std::vector<int32_t> sizes;    // upper bounds when dynamic
  std::vector<uint8_t> dimOrder; // {0, 1, ..., n-1} for contiguous
  /// 0: no constant data; otherwise what PteProgram::addConstantBuffer returned.
  uint32_t dataBufferIndex = 0;
  /// Set for memory-planned tensors; none for constants and caller-provided data.
  std::optional<PteAllocation> allocation;
  TensorShapeDynamism shapeDynamism = TensorShapeDynamism::STATIC;
};

struct PteIntList {
  std::vector<int64_t> items;
};
struct PteDoubleList {
  std::vector<double> items;
};
struct PteBoolList {
  std::vector<bool> items;
};
/// Items are EValue indices.
struct PteTensorList {
  std::vector<int32_t> items;
};
/// Items are EValue indices, -1 meaning None.
struct PteOptionalTensorList {
  std::vector<int32_t> items;
};

using PteValue = std::variant<PteNull, PteInt, PteDouble, PteBool, PteString, PteTensor, PteIntList,
                              PteDoubleList, PteBoolList, PteTensorList, PteOptionalTensorList>;

// ---- Instructions ----------------------------------------------------------

/// A CPU kernel: operators[operatorIndex] applied to EValues `args` (all schema
/// arguments in order, defaults included, then the out arguments).
struct PteKernelCall {
  int32_t operatorIndex = 0;
  std::vector<int32_t> args;
};

/// A delegate execution: delegates[delegateIndex] with EValues `args`
/// (inputs in order, then outputs).
struct PteDelegateCall {
  int32_t delegateIndex = 0;
  std::vector<int32_t> args;
};

/// Control-flow and memory instructions: the stock Vulkan flow never emits
/// them, but they are part of the format, so the reader can report them.
struct PteMoveCall {
  int32_t from = 0;
  int32_t to = 0;
};
struct PteJumpFalseCall {
  int32_t conditionValueIndex = 0;
  int32_t destinationInstruction = 0;
};
struct PteFreeCall {
  int32_t valueIndex = 0;
};

using PteInstruction =
    std::variant<PteKernelCall, PteDelegateCall, PteMoveCall, PteJumpFalseCall, PteFreeCall>;

struct PteChain {
  std::vector<PteInstruction> instructions;
};

// ---- Operators and delegates -----------------------------------------------

struct PteOperator {
  std::string name;     // qualified, e.g. "aten::add"
  std::string overload; // e.g. "out"; empty for the default overload
};

struct PteCompileSpec {
  std::string key;
  std::vector<uint8_t> value;
};

/// BackendDelegate.id of the ExecuTorch Vulkan backend.
inline constexpr char kVulkanBackendId[] = "VulkanBackend";

enum class DelegateDataPlacement {
  Segment, // the stock flow: the blob gets its own 128-aligned segment
  Inline,  // the blob goes into Program.backend_delegate_data
};

struct PteDelegate {
  std::string id = kVulkanBackendId;
  /// The backend's processed blob (for Vulkan: buildVulkanDelegateBlob's result).
  std::vector<uint8_t> processedData;
  /// Empty blobs always stay inline, as in the stock flow.
  DelegateDataPlacement placement = DelegateDataPlacement::Segment;
  std::vector<PteCompileSpec> compileSpecs;
};

// ---- Plans and program -----------------------------------------------------

/// Pytree encodings of the method's input and output structure, e.g.
/// "T2#1#0(T1#1($),D0())" and "$" for forward(x) -> tensor.
struct PteContainerMeta {
  std::string encodedInputs;
  std::string encodedOutputs;
};

struct PteExecutionPlan {
  std::string name = "forward";
  PteContainerMeta containerMeta;
  std::vector<PteValue> values;
  std::vector<int32_t> inputs;  // EValue indices of the user inputs
  std::vector<int32_t> outputs; // EValue indices of the returned values
  std::vector<PteChain> chains;
  std::vector<PteOperator> operators;
  std::vector<PteDelegate> delegates;
  /// Memory planning result: byte size of each planned buffer; index 0 is
  /// reserved and must be 0.
  std::vector<int64_t> nonConstBufferSizes = {0};
};

struct PteProgram {
  std::vector<PteExecutionPlan> plans;
  /// Constant tensor data for CPU kernels, excluding the reserved empty entry
  /// 0 of the constant segment; use addConstantBuffer to get the index.
  std::vector<DataSource> constantBuffers;
  /// Delegate constants, fetched by key at runtime.
  NamedDataStore namedData;

  /// Adds constant tensor data for a CPU kernel and returns the value for
  /// PteTensor::dataBufferIndex.
  uint32_t addConstantBuffer(std::vector<uint8_t> bytes);
  uint32_t addConstantBuffer(DataSource data);
};

} // namespace vkqc::serialize
