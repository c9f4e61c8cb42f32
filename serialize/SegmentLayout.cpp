#include "serialize/SegmentLayout.h"

#include "serialize/Alignment.h"
#include "serialize/ContentKey.h"

#include <algorithm>
#include <map>
#include <string>

namespace vkqc::serialize {

namespace {

/// Segment 0: every CPU constant, each padded to 16 bytes except the last.
void layoutConstantSegment(const PteProgram &program, SegmentLayout &layout) {
  layout.constantOffsets.push_back(0); // the reserved empty buffer 0
  uint64_t end = 0;
  for (const DataSource &buffer : program.constantBuffers) {
    uint64_t offset = alignUp(end, kConstantTensorAlignment);
    layout.constantOffsets.push_back(offset);
    end = offset + buffer.size;
  }
  DataSource segment;
  segment.size = end;
  segment.write = [&program, offsets = layout.constantOffsets](llvm::MutableArrayRef<uint8_t> dst) -> llvm::Error {
    std::fill(dst.begin(), dst.end(), 0); // padding between constants
    for (size_t i = 0; i < program.constantBuffers.size(); ++i) {
      const DataSource &buffer = program.constantBuffers[i];
      if (auto err = buffer.write(dst.slice(offsets[i + 1], buffer.size)))
        return err;
    }
    return llvm::Error::success();
  };
  layout.segmentData.push_back(std::move(segment));
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
          contentKey(data), static_cast<uint32_t>(layout.segmentData.size()));
      if (inserted)
        layout.segmentData.push_back(DataSource::viewOf(data));
      references.push_back({executorch_flatbuffer::DataLocation::SEGMENT, it->second});
    }
  }
}

void layoutNamedData(const PteProgram &program, SegmentLayout &layout) {
  // The store already holds each distinct content once.
  for (const NamedDataStore::Entry &entry : program.namedData.entries()) {
    layout.namedDataSegmentIndices.push_back(static_cast<uint32_t>(layout.segmentData.size()));
    layout.segmentData.push_back(entry.data);
  }
}

void placeSegments(SegmentLayout &layout) {
  uint64_t end = 0;
  for (const DataSource &data : layout.segmentData) {
    uint64_t offset = alignUp(end, kSegmentAlignment);
    layout.segmentOffsets.push_back(offset);
    end = offset + data.size;
  }
  layout.segmentDataSize = end;
}

} // namespace

SegmentLayout layoutSegments(const PteProgram &program) {
  SegmentLayout layout;
  layoutConstantSegment(program, layout);
  layoutDelegateData(program, layout);
  layoutNamedData(program, layout);
  placeSegments(layout);
  return layout;
}

} // namespace vkqc::serialize
