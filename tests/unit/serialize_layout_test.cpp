// Byte layout of a written .pte: determinism, extended header, alignment.
#include "serialize/Alignment.h"
#include "serialize/ExtendedHeader.h"
#include "serialize/PteReader.h"
#include "serialize/PteWriter.h"
#include "serialize/SegmentLayout.h"

#include "serialize_sample_program.h"

#include "llvm/Support/Endian.h"

#include <cstring>

using namespace vkqc::serialize;
using vkqc::test::valueOrFail;
namespace endian = llvm::support::endian;

TEST_CASE("serializing the same program twice gives identical bytes", "[serialize]") {
  std::vector<uint8_t> first = valueOrFail(serializePte(vkqc::test::sampleProgram()));
  std::vector<uint8_t> second = valueOrFail(serializePte(vkqc::test::sampleProgram()));
  CHECK(first == second);
}

TEST_CASE("the extended header describes the file layout", "[serialize]") {
  std::vector<uint8_t> bytes = valueOrFail(serializePte(vkqc::test::sampleProgram()));
  REQUIRE(bytes.size() > 40);
  CHECK(std::memcmp(bytes.data() + 4, "ET12", 4) == 0);
  CHECK(std::memcmp(bytes.data() + 8, "eh00", 4) == 0);
  CHECK(endian::read32le(bytes.data() + 12) == 32);
  uint64_t programSize = endian::read64le(bytes.data() + 16);
  uint64_t segmentBase = endian::read64le(bytes.data() + 24);
  uint64_t segmentDataSize = endian::read64le(bytes.data() + 32);
  // The root table lies after the header in the flatbuffer part.
  uint32_t rootOffset = endian::read32le(bytes.data());
  CHECK(rootOffset >= 40);
  CHECK(rootOffset < programSize);

  CHECK(segmentBase == alignUp(programSize, kSegmentAlignment));
  CHECK(bytes.size() == segmentBase + segmentDataSize);
  for (size_t i = programSize; i < segmentBase; ++i)
    REQUIRE(bytes[i] == 0);

  PteView view = valueOrFail(readPte(bytes));
  REQUIRE(view.extendedHeader);
  CHECK(view.extendedHeader->programSize == programSize);
  CHECK(view.programSize == programSize);
  const SegmentView &last = view.segments.back();
  CHECK(last.offset + last.size == segmentDataSize);
}

TEST_CASE("every segment starts on a 128-byte boundary", "[serialize]") {
  vkqc::serialize::PteProgram program = vkqc::test::sampleProgram();
  // Odd sizes everywhere, so that padding is needed between segments.
  program.namedData.add(std::vector<uint8_t>(3, 7));
  program.namedData.add(std::vector<uint8_t>(129, 9));
  program.addConstantBuffer(std::vector<uint8_t>(5, 1));
  std::vector<uint8_t> bytes = valueOrFail(serializePte(program));
  PteView view = valueOrFail(readPte(bytes));
  REQUIRE(view.extendedHeader);
  uint64_t base = view.extendedHeader->segmentBaseOffset;
  CHECK(base % kSegmentAlignment == 0);
  REQUIRE(view.segments.size() == 6);
  for (const SegmentView &segment : view.segments)
    CHECK((base + segment.offset) % kSegmentAlignment == 0);
  // CPU constants inside segment 0 are 16-aligned.
  CHECK(view.constantSegment->offsets == std::vector<uint64_t>{0, 0, 16});
  // The named data bytes are where the segments say.
  const NamedDataView &entry = view.namedData.back();
  const SegmentView &segment = view.segments[entry.segmentIndex];
  CHECK(entry.size == 129);
  CHECK(bytes[base + segment.offset] == 9);
  CHECK(bytes[base + segment.offset + 128] == 9);
}

TEST_CASE("identical delegate blobs share one segment", "[serialize]") {
  PteProgram program = vkqc::test::sampleProgram();
  PteExecutionPlan &plan = program.plans[0];
  plan.delegates.push_back(plan.delegates[0]);
  PteView view = valueOrFail(readPte(valueOrFail(serializePte(program))));
  const auto &delegates = view.plans[0].delegates;
  REQUIRE(delegates.size() == 2);
  CHECK(delegates[0].processed.index == delegates[1].processed.index);
  CHECK(view.segments.size() == 4);
}

TEST_CASE("a program without segment data has no extended header", "[serialize]") {
  PteProgram program;
  PteExecutionPlan &plan = program.plans.emplace_back();
  plan.values = {vkqc::test::planned({2}, 0), vkqc::test::planned({2}, 16)};
  plan.inputs = {0};
  plan.outputs = {1};
  plan.operators = {{"aten::relu", "out"}};
  plan.chains = {{{PteKernelCall{0, {0, 1, 1}}}}};
  plan.nonConstBufferSizes = {0, 32};
  std::vector<uint8_t> bytes = valueOrFail(serializePte(program));
  CHECK(std::memcmp(bytes.data() + 8, "eh00", 4) != 0);
  PteView view = valueOrFail(readPte(bytes));
  CHECK_FALSE(view.extendedHeader);
  CHECK(view.programSize == bytes.size());
  // The empty constant segment is still listed, as the stock flow does.
  REQUIRE(view.segments.size() == 1);
  CHECK(view.segments[0].size == 0);
  REQUIRE(view.constantSegment);
  CHECK(view.constantSegment->offsets == std::vector<uint64_t>{0});
}

TEST_CASE("inline delegate data stays in the flatbuffer", "[serialize]") {
  PteProgram program = vkqc::test::sampleProgram();
  program.plans[0].delegates[0].placement = DelegateDataPlacement::Inline;
  PteView view = valueOrFail(readPte(valueOrFail(serializePte(program))));
  const DelegateView &delegate = view.plans[0].delegates[0];
  CHECK(delegate.processed.location == executorch_flatbuffer::DataLocation::INLINE);
  CHECK(delegate.processed.index == 0);
  CHECK(view.inlineDelegateDataCount == 1);
  REQUIRE(delegate.vulkanGraph);
  CHECK(delegate.vulkanGraph->chain.size() == 2);
  CHECK(view.segments.size() == 3);
}
