// Byte alignment arithmetic shared by the .pte and delegate-blob layouts.
#pragma once

#include <cstdint>
#include <vector>

namespace vkqc::serialize {

/// `value` rounded up to a multiple of `alignment` (a power of two or not).
constexpr uint64_t alignUp(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// Appends zero bytes until the size of `bytes` is a multiple of `alignment`.
inline void padToAlignment(std::vector<uint8_t> &bytes, uint64_t alignment) {
  bytes.resize(alignUp(bytes.size(), alignment), 0);
}

} // namespace vkqc::serialize
