// Where the data of a .pte goes outside the flatbuffer: the constant segment,
// one segment per distinct delegate blob and one per named data entry, each
// placed at a 128-byte boundary after the previous one (facts §1.6).
#pragma once

#include "serialize/PteProgram.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace vkqc::serialize {

/// The runtime requires segment starts aligned to this; ExecuTorch's default.
constexpr uint64_t kSegmentAlignment = 128;
/// Alignment of each CPU constant inside the constant segment.
constexpr uint64_t kConstantTensorAlignment = 16;

/// How BackendDelegate.processed refers to a delegate's bytes.
struct DelegateDataReference {
  executorch_flatbuffer::DataLocation location = executorch_flatbuffer::DataLocation::INLINE;
  uint32_t index = 0; // into segments or into backend_delegate_data
};

struct SegmentLayout {
  /// Where each CPU constant starts inside segment 0; entry 0 is the reserved
  /// empty buffer.
  std::vector<uint64_t> constantOffsets;

  /// Segment sizes in file order and their offsets relative to segment_base_offset.
  std::vector<uint64_t> segmentSizes;
  std::vector<uint64_t> segmentOffsets;

  /// What fills the segments: each source at its offset relative to segment_base_offset,
  /// in file order. Segment 0 gives one piece per CPU constant, so that large constants
  /// are written in parallel; the bytes between pieces are zero (alignment padding).
  /// Sources refer into the PteProgram, which must outlive the layout.
  struct Piece {
    uint64_t offset = 0;
    DataSource data;
    /// The named-data entry whose pending key is the SHA-256 of these bytes, or -1.
    int64_t pendingKeyOf = -1;
    /// A delegate blob: it names named-data entries by key.
    bool holdsKeys = false;
  };
  std::vector<Piece> pieces;
  /// Bytes from the first segment's start to the last segment's end.
  uint64_t segmentDataSize = 0;

  /// delegateReferences[plan][delegate].
  std::vector<std::vector<DelegateDataReference>> delegateReferences;
  std::vector<llvm::ArrayRef<uint8_t>> inlineDelegateData;

  /// The segment of each NamedDataStore entry, in store order.
  std::vector<uint32_t> namedDataSegmentIndices;
};

/// Lays out the segments of `program` (deterministically: program order, with
/// identical delegate blobs sharing one segment).
SegmentLayout layoutSegments(const PteProgram &program);

} // namespace vkqc::serialize
