// `vkqc inspect` output: content, JSON validity, determinism.
#include "serialize/Inspect.h"
#include "serialize/PteReader.h"
#include "serialize/PteWriter.h"

#include "serialize_sample_program.h"

#include <nlohmann/json.hpp>

using namespace vkqc::serialize;
using vkqc::test::valueOrFail;

namespace {
std::string inspectText(bool json) {
  std::vector<uint8_t> bytes = valueOrFail(serializePte(vkqc::test::sampleProgram()));
  PteView view = valueOrFail(readPte(bytes));
  std::string text;
  llvm::raw_string_ostream os(text);
  printInspect(view, os, json);
  return os.str();
}
} // namespace

TEST_CASE("inspect --json describes the sample program", "[serialize]") {
  std::string text = inspectText(/*json=*/true);
  CHECK(text == inspectText(/*json=*/true));
  nlohmann::json document = nlohmann::json::parse(text);

  CHECK(document["header"]["identifier"] == "ET12");
  CHECK(document["header"]["extended_header"]["length"] == 32);
  CHECK(document["segments"].size() == 4);
  const auto &plan = document["execution_plans"][0];
  CHECK(plan["name"] == "forward");
  CHECK(plan["values"] == 5);
  CHECK(plan["values_by_kind"]["Tensor"] == 4);
  CHECK(plan["values_by_kind"]["Int"] == 1);
  CHECK(plan["instructions"][0]["kind"] == "delegate");
  CHECK(plan["instructions"][0]["id"] == "VulkanBackend");
  CHECK(plan["instructions"][1]["operator"] == "aten::add.out");
  const auto &graph = plan["delegates"][0]["vulkan_graph"];
  CHECK(graph["op_census"]["aten.linear.default"] == 1);
  CHECK(graph["op_census"]["aten.add.Tensor"] == 1);
  CHECK(graph["values"] == 7);
  CHECK(graph["constants"] == 3);
  CHECK(graph["constant_bytes"] == 64 + 16 + 64);
  CHECK(graph["input_ids"] == nlohmann::json::array({0}));
  CHECK(document["named_data"].size() == 2);
  CHECK(document["totals"]["named_data_bytes"] == 80);
}

TEST_CASE("inspect text lists the same facts", "[serialize]") {
  std::string text = inspectText(/*json=*/false);
  CHECK(text == inspectText(/*json=*/false));
  for (const char *expected :
       {"identifier: ET12", "segment_base_offset: ", "- index: 1, offset: ", "name: forward",
        "kind: kernel, operator: aten::add.out, args: [1, 2, 3, 4, 4]",
        "kind: delegate, delegate: 0, id: VulkanBackend, args: [0, 1]", "aten.linear.default: 1",
        "shaders: []", "named_data_bytes: 80"}) {
    INFO(text);
    CHECK(text.find(expected) != std::string::npos);
  }
}
