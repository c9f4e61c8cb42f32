#include "compiler/ir/OpSchema.h"

#include "TestSupport.h"

#include <algorithm>

using namespace vkqc;
using namespace vkqc::test;

TEST_CASE("every built-in schema parses and names its target", "[opschema]") {
  REQUIRE(allOpSchemas().size() >= 40);
  for (const OpSchema &s : allOpSchemas()) {
    INFO(s.text);
    CHECK(lookupOpSchema(s.target) == &s);
  }
  CHECK(lookupOpSchema("aten.linear.default"));
  CHECK(lookupOpSchema("aten.add.Tensor"));
  CHECK_FALSE(lookupOpSchema("aten.frobnicate.default"));
}

TEST_CASE("every row's kind is its target with . as _, in table order", "[opschema]") {
  const char *kindNames[] = {
#define VKQC_OP(KIND, ...) #KIND,
#include "compiler/ir/Ops.def"
  };
  REQUIRE(allOpSchemas().size() == kNumOpKinds);
  for (size_t i = 0; i < kNumOpKinds; ++i) {
    const OpSchema &s = allOpSchemas()[i];
    INFO(s.target);
    std::string expected = s.target;
    std::replace(expected.begin(), expected.end(), '.', '_');
    CHECK(expected == kindNames[i]);
    REQUIRE(s.kind);
    CHECK(size_t(*s.kind) == i);
    CHECK(&opSchema(*s.kind) == &s);
    if (s.cpuOut)
      CHECK(s.cpuOut->kind == s.kind);
  }
}

TEST_CASE("schema defaults use c10 dtype codes and Python literals", "[opschema]") {
  const OpSchema *dq = lookupOpSchema("torchao.dequantize_affine.default");
  REQUIRE(dq);
  const SchemaArg *out = dq->arg("output_dtype");
  REQUIRE(out);
  REQUIRE(out->defaultValue);
  CHECK(std::get<DType>(*out->defaultValue) == DType::Float32); // c10 6, not serde 6 (f16)
  CHECK(dq->arg("zero_point")->optional);
  CHECK(isNone(*dq->arg("quant_min")->defaultValue));

  const OpSchema *sdpa = lookupOpSchema("aten.scaled_dot_product_attention.default");
  REQUIRE(sdpa);
  CHECK(std::get<double>(*sdpa->arg("dropout_p")->defaultValue) == 0.0);
  CHECK(sdpa->arg("scale")->keywordOnly);
  CHECK(std::get<bool>(*sdpa->arg("enable_gqa")->defaultValue) == false);

  const OpSchema *emb = lookupOpSchema("aten.embedding.default");
  CHECK(std::get<int64_t>(*emb->arg("padding_idx")->defaultValue) == -1);
  CHECK(lookupOpSchema("torchao.choose_qparams_affine.default")->returns.size() == 2);
  CHECK(lookupOpSchema("aten._assert_tensor_metadata.default")->returns.empty());
  CHECK(lookupOpSchema("aten.index.Tensor")->arg("indices")->type == ArgType::OptionalTensorList);
}

TEST_CASE("malformed schema strings are refused", "[opschema]") {
  CHECK_THAT(errorOf(parseOpSchema("aten::foo(Tensor x)")),
             Catch::Contains("expected name(args) -> returns"));
  CHECK_THAT(errorOf(parseOpSchema("aten::foo(Blob x) -> Tensor")),
             Catch::Contains("unknown argument type Blob"));
  OpSchema ok =
      valueOrFail(parseOpSchema("ns::bar.overload(Tensor(a!) self, int[2] k=[]) -> Tensor(a!)"));
  CHECK(ok.target == "ns.bar.overload");
  CHECK(ok.args[1].type == ArgType::IntList);
}
