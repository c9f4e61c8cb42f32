#include "serialize/SegmentLayout.h"

#include "serialize/Alignment.h"
#include "serialize/ContentKey.h"

#include <algorithm>
#include <map>
#include <string>

namespace vkqc::serialize {

namespace {

/// Appends a segment at the next 128-byte boundary; returns its offset.
uint64_t addSegment(SegmentLayout &layout, uint64_t size) {
  uint64_t offset =
      layout.segmentSizes.empty()
          ? 0
          : alignUp(layout.segmentOffsets.back() + layout.segmentSizes.back(), kSegmentAlignment);
  layout.segmentSizes.push_back(size);
  layout.segmentOffsets.push_back(offset);
  layout.segmentDataSize = offset + size;
  return offset;
}

/// Segment 0: every CPU constant, each padded to 16 bytes except the last.
void layoutConstantSegment(const PteProgram &program, SegmentLayout &layout) {
  layout.constantOffsets.push_back(0); // the reserved empty buffer 0
  uint64_t end = 0;
  for (const DataSource &buffer : program.constantBuffers) {
    uint64_t offset = alignUp(end, kConstantTensorAlignment);
    layout.constantOffsets.push_back(offset);
    if (buffer.size)
      layout.pieces.push_back({offset, buffer});
    end = offset + buffer.size;
  }
  addSegment(layout, end);
}

void layoutDelegateData(const PteProgram &program, SegmentLayout &layout) {
  // Identical blobs share a segment, found by content hash (not by address).
  std::map<std::string, uint32_t> segmentByContent;
  for (const PteExecutionPlan &plan : program.plans) {
    std::vector<DelegateDataReference> &references = layout.delegateReferences.emplace_back();
    for (const PteDelegate &delegate : plan.delegates) {
      llvm::ArrayRef<uint8_t> data = delegate.processedData;
      if (data.empty() || delegate.placement == DelegateDataPlacement::Inline) {
        references.push_back({executorch_flatbuffer::DataLocation::INLINE,
                              static_cast<uint32_t>(layout.inlineDelegateData.size())});
        layout.inlineDelegateData.push_back(data);
        continue;
      }
      auto [it, inserted] = segmentByContent.try_emplace(
          contentKey(data), static_cast<uint32_t>(layout.segmentSizes.size()));
      if (inserted)
        layout.pieces.push_back(
            {addSegment(layout, data.size()), DataSource::viewOf(data), -1, /*holdsKeys=*/true});
      references.push_back({executorch_flatbuffer::DataLocation::SEGMENT, it->second});
    }
  }
}

void layoutNamedData(const PteProgram &program, SegmentLayout &layout) {
  // The store already holds each distinct content once.
  llvm::ArrayRef<NamedDataStore::Entry> entries = program.namedData.entries();
  for (size_t i = 0; i < entries.size(); ++i) {
    layout.namedDataSegmentIndices.push_back(static_cast<uint32_t>(layout.segmentSizes.size()));
    bool pending = NamedDataStore::pendingEntryIndex(entries[i].key).has_value();
    layout.pieces.push_back({addSegment(layout, entries[i].data.size), entries[i].data,
                             pending ? static_cast<int64_t>(i) : -1});
  }
}

} // namespace

SegmentLayout layoutSegments(const PteProgram &program) {
  SegmentLayout layout;
  layoutConstantSegment(program, layout);
  layoutDelegateData(program, layout);
  layoutNamedData(program, layout);
  return layout;
}

} // namespace vkqc::serialize
