// Reads a VulkanBackend delegate blob back: VH00 header checked against the
// blob, VkGraph identifier and flatbuffers verification before any access.
#pragma once

#include "serialize/VkGraphDescription.h"
#include "serialize/VulkanDelegateHeader.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vkqc::serialize {

/// A VkBytes record as stored (offset = kNamedDataOffset for named data).
struct VkBytesView {
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string namedKey;
};

/// What a delegate blob contains, in the builder's vocabulary.
struct VkGraphView {
  VulkanDelegateHeader header;
  std::string version;
  std::vector<VkValue> values;
  std::vector<VkOperatorCall> chain;
  std::vector<uint32_t> inputIds;
  std::vector<uint32_t> outputIds;
  std::vector<VkBytesView> constants;
  std::vector<VkBytesView> shaders;
  VkStorageType storageTypeOverride = VkStorageType::DEFAULT_STORAGE;
  VkMemoryLayout memoryLayoutOverride = VkMemoryLayout::DEFAULT_LAYOUT;
};

/// Parses `blob`; errors read "<where>: <what>".
llvm::Expected<VkGraphView> readVulkanDelegateBlob(llvm::ArrayRef<uint8_t> blob);

} // namespace vkqc::serialize
