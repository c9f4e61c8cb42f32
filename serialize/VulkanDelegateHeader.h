// The "VH00" header at the start of a Vulkan delegate blob (facts §2.2):
// 4 zero bytes, magic "VH00" at 4, u16 header size (30) at 8, u32
// flatbuffer_offset at 10, u32 flatbuffer_size at 14, u32 bytes_offset at 18,
// u64 bytes_size at 22; little-endian, padded to 32 bytes.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>

namespace vkqc::serialize {

struct VulkanDelegateHeader {
  /// The header's declared size, without the padding.
  static constexpr uint16_t kSize = 30;
  /// Bytes the header occupies in a blob we build (aligned to 16).
  static constexpr size_t kPaddedSize = 32;

  uint32_t flatbufferOffset = 0;
  uint32_t flatbufferSize = 0; // unpadded
  uint32_t bytesOffset = 0;    // start of the raw constant bytes
  uint64_t bytesSize = 0;      // unpadded

  std::array<uint8_t, kPaddedSize> encode() const;

  /// The header of `blob`, checked the way the runtime checks it: magic,
  /// declared size, flatbuffer after the header and non-empty, bytes after the
  /// flatbuffer, and both regions inside the blob.
  static llvm::Expected<VulkanDelegateHeader> parse(llvm::ArrayRef<uint8_t> blob);
};

} // namespace vkqc::serialize
