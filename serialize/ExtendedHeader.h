// The "eh00" extended header that ExecuTorch splices into a .pte at byte 8
// (right after the root offset and "ET12") when the file has segment data.
// Layout (little-endian, file offsets): 8 magic "eh00", 12 u32 header length
// (32), 16 u64 program_size, 24 u64 segment_base_offset, 32 u64
// segment_data_size; the flatbuffer continues at 40 (facts §1.5).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <optional>

namespace vkqc::serialize {

struct ExtendedHeader {
  /// File offset of the header (after the root offset and file identifier).
  static constexpr size_t kFileOffset = 8;
  /// Bytes the header occupies, which is also the length field we write.
  static constexpr size_t kEncodedSize = 32;
  /// The runtime accepts shorter headers without segment_data_size.
  static constexpr uint32_t kMinimumLength = 24;

  uint32_t length = kEncodedSize;
  /// Bytes of flatbuffer data from file offset 0, including this header.
  uint64_t programSize = 0;
  /// File offset of the first segment.
  uint64_t segmentBaseOffset = 0;
  /// Bytes of segment data from segmentBaseOffset to the last segment's end.
  uint64_t segmentDataSize = 0;

  std::array<uint8_t, kEncodedSize> encode() const;

  /// The header of `file`, none when the file has no "eh00" magic at byte 8,
  /// or an error when the magic is there but the header is cut short or its
  /// length is too small. Does not check the fields against the file size.
  static llvm::Expected<std::optional<ExtendedHeader>> parse(llvm::ArrayRef<uint8_t> file);
};

} // namespace vkqc::serialize
