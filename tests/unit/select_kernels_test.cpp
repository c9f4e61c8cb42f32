// The binding check of select-kernels refuses a tensor whose dtype is not what the SPIR-V
// declares for its binding, naming the node, the binding and both types.
#include "TestSupport.h"

#include "passes/SelectKernels.h"
#include "shaders/Shaders.h"

using namespace vkqc;
using namespace vkqc::test;

namespace {
Value *tensor(Graph &g, const char *name, DType dtype, std::vector<int64_t> shape) {
  Value *v = g.createValue(name);
  v->dtype = dtype;
  for (int64_t d : shape)
    v->shape.push_back(SymExpr(d));
  return v;
}
} // namespace

TEST_CASE("a planted binding-type mismatch is a compile error", "[select-kernels]") {
  Graph g;
  Value *x = tensor(g, "x", DType::Float32, {2, 64});
  Value *w = tensor(g, "w", DType::UInt8, {8, 32});
  Value *goodScales = tensor(g, "scales", DType::Float32, {2, 8});
  Value *halfScales = tensor(g, "scales_f16", DType::Float16, {2, 8});
  Value *y = tensor(g, "y", DType::Float32, {2, 8});
  auto node = makeNode(
      g, *lookupOpSchema("et_vk.linear_q4gsw.default"), "linear",
      {{"self", x}, {"weights", w}, {"weight_scales", goodScales}, {"group_size", int64_t(32)}});
  node->results.push_back(y);

  const shaders::ShaderVariant *variant =
      shaders::findShader("linear_q4gsw_tiled_buffer_buffer_float");
  REQUIRE(variant);
  CHECK(errorText(
            checkKernelBindings(*node, *variant, {{0, y}, {1, x}, {2, w}, {3, goodScales}})) == "");

  std::string err =
      errorText(checkKernelBindings(*node, *variant, {{0, y}, {1, x}, {2, w}, {3, halfScales}}));
  CHECK_THAT(err, Catch::Contains("node 'linear'"));
  CHECK_THAT(err, Catch::Contains("%scales_f16 (f16)"));
  CHECK_THAT(err, Catch::Contains("binding 3"));
  CHECK_THAT(err, Catch::Contains("float32"));
  CHECK_THAT(err, Catch::Contains("float16"));

  Value *bf16 = tensor(g, "b", DType::BFloat16, {8});
  CHECK_THAT(errorText(checkKernelBindings(*node, *variant, {{4, bf16}})),
             Catch::Contains("which no shader reads"));
}
