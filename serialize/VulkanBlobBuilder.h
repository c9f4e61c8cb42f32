// Builds the processed bytes of a VulkanBackend delegate: the VH00 header,
// the VkGraph flatbuffer ("VK00") and the raw bytes region holding inline
// constants and shaders, each part padded to 16 bytes (facts §2.2).
#pragma once

#include "serialize/VkGraphDescription.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace vkqc::serialize {

/// VkBytes.offset of a constant that lives in the .pte named data store.
constexpr uint64_t kNamedDataOffset = UINT64_MAX;

/// The delegate blob for `graph`; same description -> same bytes. Fails when
/// an id in the description points nowhere or the blob would not fit the
/// header's 32-bit offsets.
llvm::Expected<std::vector<uint8_t>> buildVulkanDelegateBlob(const VkGraphDescription &graph);

} // namespace vkqc::serialize
