// The build-time compiled shader table: every variant validates, its stored reflection
// equals a fresh reflection of its SPIR-V, and matches its family's declaration.
#include "shaders/KernelVariants.h"
#include "shaders/Shaders.h"
#include "shaders/SpirvReflection.h"
#include "shaders/SpirvValidation.h"

#include "TestSupport.h"

#include "llvm/ADT/StringRef.h"

#include <set>
#include <string>
#include <vector>

using namespace vkqc;
using namespace vkqc::shaders;
using vkqc::test::errorText;

TEST_CASE("every compiled variant validates and its reflection is consistent", "[shaders]") {
  REQUIRE(allShaders().size() == 80);
  for (const ShaderVariant &variant : allShaders()) {
    INFO(variant.name);
    CHECK(errorText(validateSpirv(variant.spirv, variant.name)) == "");
    ShaderReflection fresh = vkqc::test::valueOrFail(reflectSpirv(variant.spirv));
    CHECK(errorText(checkReflectionMatches(variant, fresh)) == "");
    CHECK(errorText(checkDeclaredBindings(variant)) == "");

    // Binding 0 of every family is a DTYPE tensor, except quantize's int8 output.
    llvm::StringRef name = variant.name;
    // (strided_copy_buffer_{in}_{out}: binding 0 holds the output dtype, the last suffix.)
    bool half = name.startswith("strided_copy") ? name.endswith("_half") : name.contains("_half");
    ElementType dtype = half ? ElementType::Float16 : ElementType::Float32;
    ElementType first = name.startswith("quantize_and_pack") ? ElementType::Int8 : dtype;
    CHECK(errorText(checkBinding(variant, 0, first)) == "");
    // Zero-point bindings follow ZP_DTYPE_MODE.
    if (name.endswith("_zpint8") || name.endswith("_zpinherit")) {
      unsigned zpBinding = name.startswith("choose_qparams") ? 1 : 4;
      ElementType zp = name.endswith("_zpint8") ? ElementType::Int8 : dtype;
      CHECK(errorText(checkBinding(variant, zpBinding, zp)) == "");
    }
    CHECK(variant.workgroupSize[0] * variant.workgroupSize[1] * variant.workgroupSize[2] == 64);
    CHECK(findShader(variant.name) == &variant);
  }
}

TEST_CASE("variant names follow ExecuTorch's scheme", "[shaders]") {
  std::set<std::string> names;
  for (const ShaderVariant &variant : allShaders())
    names.insert(variant.name);
  for (const char *expected :
       {"linear_q4gsw_coop_buffer_buffer_float", "linear_q4gsw_tiled_buffer_buffer_half",
        "linear_q4gsw_tiled_m2n4_buffer_buffer_float",
        "linear_dq8ca_q4gsw_tiled_buffer_buffer_float_zpint8",
        "linear_dq8ca_q4gsw_coop_buffer_buffer_half_zpinherit",
        "choose_qparams_per_row_buffer_half_zpint8",
        "quantize_and_pack_with_group_sums_buffer_buffer_float_zpinherit",
        "embedding_q4gsw_buffer_half", "embedding_q4gsw_float_scales_buffer_float"})
    CHECK(names.count(expected) == 1);
  CHECK(findShader("linear_q4gsw_tiled_texture3d_texture2d_float") == nullptr);
}

TEST_CASE("kernel selection names existing variants", "[shaders]") {
  auto name = [](llvm::Expected<std::string> n) { return vkqc::test::valueOrFail(std::move(n)); };
  CHECK(name(linearQ4gswVariant(1, DType::Float32, LinearTiles::Default)) ==
        "linear_q4gsw_coop_buffer_buffer_float");
  CHECK(name(linearQ4gswVariant(7, DType::Float16, LinearTiles::M2N4)) ==
        "linear_q4gsw_tiled_m2n4_buffer_buffer_half");
  CHECK(name(linearDq8caQ4gswVariant(300, DType::Float32, DType::Int8, LinearTiles::Default)) ==
        "linear_dq8ca_q4gsw_tiled_buffer_buffer_float_zpint8");
  CHECK(name(linearDq8caQ4gswVariant(1, DType::Float16, DType::Float16, LinearTiles::Default)) ==
        "linear_dq8ca_q4gsw_coop_buffer_buffer_half_zpinherit");
  CHECK(name(chooseQParamsPerRowVariant(DType::Float32, DType::Int8)) ==
        "choose_qparams_per_row_buffer_float_zpint8");
  CHECK(name(quantizeAndPackVariant(DType::Float16, DType::Int8)) ==
        "quantize_and_pack_with_group_sums_buffer_buffer_half_zpint8");
  CHECK(name(embeddingQ4gswVariant(DType::Float32, DType::Float16)) ==
        "embedding_q4gsw_float_scales_buffer_half");
  for (DType dtype : {DType::Float32, DType::Float16})
    for (DType zp : {DType::Int8, dtype})
      for (int64_t rows : {1, 5})
        for (LinearTiles tiles : {LinearTiles::Default, LinearTiles::M2N4})
          CHECK(findShader(name(linearDq8caQ4gswVariant(rows, dtype, zp, tiles))) != nullptr);

  // ExecuTorch rejects int32 zero points (add_zp_dtype_mode_suffix throws).
  std::string err = vkqc::test::errorOf(
      linearDq8caQ4gswVariant(1, DType::Float32, DType::Int32, LinearTiles::Default));
  CHECK(llvm::StringRef(err).contains("zero point"));
  CHECK(llvm::StringRef(
            vkqc::test::errorOf(linearQ4gswVariant(1, DType::BFloat16, LinearTiles::Default)))
            .contains("bf16"));
}

TEST_CASE("checkBinding names the binding and both types on a mismatch", "[shaders]") {
  const ShaderVariant *variant = findShader("linear_q4gsw_tiled_buffer_buffer_float");
  REQUIRE(variant);
  CHECK(errorText(checkBinding(*variant, 1, ElementType::Float32)) == "");
  std::string message = errorText(checkBinding(*variant, 1, ElementType::Int8));
  CHECK(llvm::StringRef(message).contains("linear_q4gsw_tiled_buffer_buffer_float"));
  CHECK(llvm::StringRef(message).contains("binding 1 (t_input)"));
  CHECK(llvm::StringRef(message).contains("float32"));
  CHECK(llvm::StringRef(message).contains("int8"));
  CHECK(llvm::StringRef(errorText(checkBinding(*variant, 9, ElementType::Int8)))
            .contains("no binding 9"));
}

TEST_CASE("a planted declaration mismatch is caught", "[shaders]") {
  const ShaderVariant *original = findShader("linear_dq8ca_q4gsw_coop_buffer_buffer_half_zpint8");
  REQUIRE(original);
  // Claim the int8 activations are float16: the check must name binding 1 and both types.
  std::vector<DeclaredBinding> declared(original->declaredBindings.begin(),
                                        original->declaredBindings.end());
  declared[1].elementType = ElementType::Float16;
  ShaderVariant planted = *original;
  planted.declaredBindings = declared;
  std::string message = errorText(checkDeclaredBindings(planted));
  CHECK(llvm::StringRef(message).contains("binding 1 (t_packed_int8_input)"));
  CHECK(llvm::StringRef(message).contains("int8"));
  CHECK(llvm::StringRef(message).contains("float16"));

  declared[1] = original->declaredBindings[1];
  declared[0].access = Access::Read;
  planted.declaredBindings = declared;
  CHECK(llvm::StringRef(errorText(checkDeclaredBindings(planted))).contains("declared read"));
}

TEST_CASE("reflection rejects what is not SPIR-V", "[shaders]") {
  std::vector<uint32_t> garbage = {1, 2, 3, 4, 5, 6};
  CHECK(llvm::StringRef(vkqc::test::errorOf(reflectSpirv(garbage))).contains("magic"));
  CHECK(llvm::StringRef(errorText(validateSpirv(garbage, "garbage"))).contains("garbage"));
}
