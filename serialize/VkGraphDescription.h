// A plain description of a Vulkan delegate graph (VkGraph), the input of the
// delegate blob builder. Ids are indices into `values`.
#pragma once

#include "serialize/schema/vulkan_schema_generated.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace vkqc::serialize {

using vkgraph::VkDataType;
using vkgraph::VkMemoryLayout;
using vkgraph::VkStorageType;

// ---- Values ----------------------------------------------------------------

struct VkNullValue {};
struct VkIntValue {
  int64_t value = 0;
};
struct VkDoubleValue {
  double value = 0;
};
struct VkBoolValue {
  bool value = false;
};
struct VkIntListValue {
  std::vector<int64_t> items;
};
struct VkDoubleListValue {
  std::vector<double> items;
};
struct VkBoolListValue {
  std::vector<bool> items;
};
/// Items are value ids (they may point forward).
struct VkValueListValue {
  std::vector<int32_t> items;
};
struct VkStringValue {
  std::string value;
};
struct VkSymIntValue {
  int32_t value = 0;
};

struct VkTensorValue {
  VkDataType datatype = VkDataType::FLOAT32;
  std::vector<uint32_t> dims;
  /// Index into VkGraphDescription::constants, or -1.
  int32_t constantId = -1;
  /// Tensors with the same id >= 0 share memory; -1 = dedicated.
  int32_t memObjId = -1;
  VkStorageType storageType = VkStorageType::DEFAULT_STORAGE;
  VkMemoryLayout memoryLayout = VkMemoryLayout::DEFAULT_LAYOUT;
  /// The CPU-side dtype of an input/output when it differs from `datatype`.
  std::optional<VkDataType> stagingDatatype;
};

using VkValue = std::variant<VkNullValue, VkIntValue, VkDoubleValue, VkBoolValue, VkTensorValue,
                             VkIntListValue, VkDoubleListValue, VkBoolListValue, VkValueListValue,
                             VkStringValue, VkSymIntValue>;

// ---- Operators -------------------------------------------------------------

struct VkOperatorCall {
  uint32_t nodeId = 0;
  std::string name;          // exact runtime registry name, e.g. "aten.add.Tensor"
  std::vector<int32_t> args; // value ids, all schema args then the output
};

// ---- Constant data ---------------------------------------------------------

/// Bytes stored in the .pte named data store under `key` (what the stock
/// flow emits): VkBytes{offset = UINT64_MAX, length, named_key = key}.
struct VkNamedConstant {
  std::string key;
  uint64_t length = 0;
};

/// Bytes carried in the blob's own raw bytes region (legacy inline form).
struct VkInlineConstant {
  std::vector<uint8_t> bytes;
};

using VkConstant = std::variant<VkNamedConstant, VkInlineConstant>;

/// A SPIR-V module for the (runtime-ignored) VkGraph.shaders table. Either inline
/// (bytes in the blob, its name as named_key) or in the program's named data under
/// shaderNamedDataKey(name), so every delegate of a program shares one copy.
struct VkShader {
  std::string name;
  std::vector<uint8_t> spirv; // inline bytes; empty for a named-data shader
  bool inNamedData = false;
  uint64_t namedLength = 0; // the SPIR-V's size when inNamedData
};

/// The named-data key of a variant's SPIR-V ("vkqc.spirv.<variant>").
std::string shaderNamedDataKey(const std::string &variantName);
/// The variant name of a shader's named_key (either form); nullopt if it names none.
std::optional<std::string> shaderNameFromKey(const std::string &namedKey);

// ---- Graph -----------------------------------------------------------------

struct VkGraphDescription {
  std::string version = "0";
  std::vector<VkValue> values;
  std::vector<VkOperatorCall> chain;
  std::vector<uint32_t> inputIds;  // order = DelegateCall input order
  std::vector<uint32_t> outputIds; // order = DelegateCall output order
  std::vector<VkConstant> constants;
  std::vector<VkShader> shaders;
  /// Ignored by the runtime (compile specs carry overrides); kept for fidelity.
  VkStorageType storageTypeOverride = VkStorageType::DEFAULT_STORAGE;
  VkMemoryLayout memoryLayoutOverride = VkMemoryLayout::DEFAULT_LAYOUT;
};

} // namespace vkqc::serialize
