// Writer -> reader round trip of the sample program: every field the writer
// was given comes back, named data is deduplicated.
#include "serialize/ContentKey.h"
#include "serialize/PteReader.h"
#include "serialize/PteWriter.h"

#include "serialize_sample_program.h"

using namespace vkqc::serialize;
using vkqc::test::valueOrFail;

TEST_CASE("a written program reads back field by field", "[serialize]") {
  PteProgram program = vkqc::test::sampleProgram();
  std::vector<uint8_t> bytes = valueOrFail(serializePte(program));
  PteView view = valueOrFail(readPte(bytes));

  CHECK(view.identifier == "ET12");
  CHECK(view.version == 0);
  CHECK(view.fileSize == bytes.size());
  REQUIRE(view.plans.size() == 1);
  const ExecutionPlanView &plan = view.plans[0];
  CHECK(plan.name == "forward");
  CHECK(plan.containerMeta.encodedInputs == "T2#1#0(T1#1($),D0())");
  CHECK(plan.containerMeta.encodedOutputs == "$");
  CHECK(plan.inputs == std::vector<int32_t>{0});
  CHECK(plan.outputs == std::vector<int32_t>{4});
  CHECK(plan.nonConstBufferSizes == std::vector<int64_t>{0, 48});

  SECTION("values") {
    REQUIRE(plan.values.size() == 5);
    const auto &input = std::get<PteTensor>(plan.values[0]);
    CHECK(input.scalarType == ScalarType::FLOAT);
    CHECK(input.sizes == std::vector<int32_t>{1, 4});
    CHECK(input.dimOrder == std::vector<uint8_t>{0, 1});
    CHECK(input.dataBufferIndex == 0);
    REQUIRE(input.allocation);
    CHECK(input.allocation->memoryId == 1);
    CHECK(std::get<PteTensor>(plan.values[4]).allocation->offset == 32);
    const auto &constant = std::get<PteTensor>(plan.values[2]);
    CHECK(constant.dataBufferIndex == 1);
    CHECK_FALSE(constant.allocation);
    CHECK(std::get<PteInt>(plan.values[3]).value == 1);
  }

  SECTION("instructions, operators, delegates") {
    REQUIRE(plan.chains.size() == 1);
    const auto &instructions = plan.chains[0].instructions;
    REQUIRE(instructions.size() == 2);
    CHECK(std::get<PteDelegateCall>(instructions[0]).args == std::vector<int32_t>{0, 1});
    const auto &kernel = std::get<PteKernelCall>(instructions[1]);
    CHECK(kernel.operatorIndex == 0);
    CHECK(kernel.args == std::vector<int32_t>{1, 2, 3, 4, 4});
    REQUIRE(plan.operators.size() == 1);
    CHECK(plan.operators[0].name == "aten::add");
    CHECK(plan.operators[0].overload == "out");

    REQUIRE(plan.delegates.size() == 1);
    const DelegateView &delegate = plan.delegates[0];
    CHECK(delegate.id == "VulkanBackend");
    CHECK(delegate.processed.location == executorch_flatbuffer::DataLocation::SEGMENT);
    CHECK(delegate.processed.index == 1);
    CHECK(delegate.dataSize == program.plans[0].delegates[0].processedData.size());
    REQUIRE(delegate.compileSpecs.size() == 1);
    CHECK(delegate.compileSpecs[0].key == "storage_type_override");
    CHECK(delegate.compileSpecs[0].value == std::vector<uint8_t>{1, 0, 0, 0});
  }

  SECTION("the Vulkan graph") {
    const auto &graph = plan.delegates[0].vulkanGraph;
    REQUIRE(graph);
    CHECK(graph->version == "0");
    REQUIRE(graph->chain.size() == 2);
    CHECK(graph->chain[0].name == "aten.linear.default");
    CHECK(graph->chain[1].name == "aten.add.Tensor");
    CHECK(graph->chain[1].args == std::vector<int32_t>{3, 0, 4, 5});
    CHECK(graph->inputIds == std::vector<uint32_t>{0});
    CHECK(graph->outputIds == std::vector<uint32_t>{5});
    REQUIRE(graph->values.size() == 7);
    const auto &weight = std::get<VkTensorValue>(graph->values[1]);
    CHECK(weight.constantId == 0);
    CHECK(weight.dims == std::vector<uint32_t>{4, 4});
    CHECK(std::get<VkTensorValue>(graph->values[3]).memObjId == 0);
    const auto &output = std::get<VkTensorValue>(graph->values[5]);
    CHECK(output.storageType == VkStorageType::BUFFER);
    CHECK(output.memoryLayout == VkMemoryLayout::TENSOR_WIDTH_PACKED);
    CHECK(output.stagingDatatype == VkDataType::FLOAT32);
    CHECK_FALSE(weight.stagingDatatype);
    CHECK(std::get<VkIntValue>(graph->values[4]).value == 1);
    REQUIRE(graph->constants.size() == 3);
    for (const VkBytesView &constant : graph->constants)
      CHECK(constant.offset == kNamedDataOffset);
    CHECK(graph->constants[0].namedKey == graph->constants[2].namedKey);
  }

  SECTION("named data: identical bytes stored once, key = sha256 hex") {
    REQUIRE(view.namedData.size() == 2);
    std::string weightKey = contentKey(vkqc::test::sampleWeightBytes());
    CHECK(weightKey.size() == 64);
    CHECK(view.namedData[0].key == weightKey);
    CHECK(view.namedData[0].size == 64);
    CHECK(view.namedData[1].size == 16);
    CHECK(view.namedData[0].segmentIndex != view.namedData[1].segmentIndex);
    CHECK(view.plans[0].delegates[0].vulkanGraph->constants[1].namedKey == view.namedData[1].key);
  }

  SECTION("segments: constants, delegate, named data") {
    REQUIRE(view.segments.size() == 4);
    REQUIRE(view.constantSegment);
    CHECK(view.constantSegment->segmentIndex == 0);
    CHECK(view.constantSegment->offsets == std::vector<uint64_t>{0, 0});
    CHECK(view.segments[0].size == 16);
  }
}

TEST_CASE("sha256 keys match the reference digest", "[serialize]") {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  std::vector<uint8_t> abc = {'a', 'b', 'c'};
  CHECK(contentKey(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  NamedDataStore store;
  CHECK(store.add(abc) == store.add(abc));
  CHECK(store.entries().size() == 1);
  REQUIRE(store.find(contentKey(abc)));
  const DataSource &data = store.find(contentKey(abc))->data;
  std::vector<uint8_t> written(data.size);
  llvm::Error err = data.write(written);
  REQUIRE_FALSE(static_cast<bool>(err));
  CHECK(written == abc);
  CHECK_FALSE(store.find("00"));
}
