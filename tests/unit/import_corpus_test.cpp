#include "compiler/import/ExportImporter.h"
#include "compiler/ir/Verifier.h"

#include "llvm/Support/FileSystem.h"

#include "TestSupport.h"

using namespace vkqc;
using namespace vkqc::test;

namespace {
std::string corpus(const std::string &name) {
  return std::string(VKQC_TEST_DATA_DIR) + "/" + name + ".pt2";
}

const Value *input(const Graph &g, llvm::StringRef stateName) {
  for (const Value *v : g.inputs())
    if (v->stateName == stateName)
      return v;
  return nullptr;
}
} // namespace

TEST_CASE("every real export in tests/data imports and verifies", "[import]") {
  std::error_code ec;
  int count = 0;
  for (llvm::sys::fs::directory_iterator it(VKQC_TEST_DATA_DIR, ec), end; it != end && !ec;
       it.increment(ec)) {
    if (!llvm::StringRef(it->path()).endswith(".pt2"))
      continue;
    ++count;
    INFO(it->path());
    ImportedModel m = valueOrFail(importModel(it->path()));
    CHECK(errorText(verifyGraph(*m.graph)) == "");
    CHECK(m.graph->outputs().size() == 1);
    CHECK(m.graph->symbols().count("s70"));
  }
  CHECK(count >= 11);
}

TEST_CASE("tied weights share one storage; untied ones do not", "[import]") {
  ImportedModel tied = valueOrFail(importModel(corpus("tiny_llama_tied_8da4w_fp32")));
  for (const char *part : {"original0", "original1", "original2"}) {
    const Value *emb =
        input(*tied.graph, std::string("m.model.embed_tokens.parametrizations.weight.") + part);
    const Value *head =
        input(*tied.graph, std::string("m.lm_head.parametrizations.weight.") + part);
    REQUIRE(emb);
    REQUIRE(head);
    CHECK(emb->constant.storage == head->constant.storage);
  }
  ImportedModel untied = valueOrFail(importModel(corpus("tiny_llama_8da4w_fp32")));
  const Value *emb = input(*untied.graph, "m.model.embed_tokens.parametrizations.weight.original0");
  const Value *head = input(*untied.graph, "m.lm_head.parametrizations.weight.original0");
  REQUIRE(emb);
  REQUIRE(head);
  CHECK(emb->constant.storage != head->constant.storage);
}

TEST_CASE("weights are viewed in place inside the mapped archive", "[import]") {
  ImportedModel m = valueOrFail(importModel(corpus("tiny_llama_8da4w_fp32")));
  for (const auto &s : m.graph->constants.storages())
    CHECK_FALSE(s->isDerived()); // views into the archive: nothing copied at import
  const Value *q =
      input(*m.graph, "m.model.layers.0.self_attn.q_proj.parametrizations.weight.original0");
  REQUIRE(q);
  llvm::ArrayRef<uint8_t> bytes = valueOrFail(q->constant.data());
  CHECK(bytes.size() == 128 * 128);
  for (uint8_t b : bytes) { // int4 values stored one per int8
    int8_t v = static_cast<int8_t>(b);
    REQUIRE((v >= -8 && v <= 7));
  }
}

TEST_CASE("omitted arguments are filled from schema defaults", "[import]") {
  ImportedModel m = valueOrFail(importModel(corpus("tiny_llama_8da4w_fp32")));
  int dequants = 0;
  for (const auto &n : m.graph->nodes()) {
    REQUIRE(n->args().size() == n->schema->args.size());
    if (n->target == "torchao.dequantize_affine.default") {
      ++dequants;
      CHECK(std::get<DType>(n->arg("output_dtype")) == DType::Float32);
    }
  }
  CHECK(dequants == 31);
}
