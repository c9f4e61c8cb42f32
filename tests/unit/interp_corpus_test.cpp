// The graph interpreter against PyTorch: every real export in tests/data must reproduce
// its recorded logits, and the dynamic sequence length must work across its range.
#include "compiler/import/ExportImporter.h"
#include "compiler/interp/Interpreter.h"
#include "compiler/semantics/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "TestSupport.h"

#include <cmath>

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::test;

namespace {
std::string dataPath(llvm::StringRef name, llvm::StringRef suffix) {
  return (llvm::Twine(VKQC_TEST_DATA_DIR) + "/" + name + suffix).str();
}

/// The models of tests/data that come with tokens and logits, by name.
std::vector<std::string> modelsWithLogits() {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(VKQC_TEST_DATA_DIR, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (!path.endswith(".pt2"))
      continue;
    std::string name = llvm::sys::path::stem(path).str();
    if (llvm::sys::fs::exists(dataPath(name, ".tokens.npy")) &&
        llvm::sys::fs::exists(dataPath(name, ".logits.npy")))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The contract: fp32 models match PyTorch to the last few ulps (the interpreter sums in
// PyTorch's CPU order, TorchCpuMath.h; only the RoPE tables' cos/sin, MKL's vector math in
// PyTorch, differ by an ulp here and there): 1e-5 of the largest logit, where 8da4w over 100+
// tokens was 1.5e-2 before. The eager-attention Llama still flips int8 activations (0.99%);
// bf16/fp16 ones round differently wherever the accumulation order differs.
Tolerance toleranceFor(llvm::StringRef model) {
  if (model == "llama_eager_8da4w_fp32")
    return {0.9999, 1.5e-2};
  if (model.contains("fp32"))
    return {0.9999999, 1e-5};
  return {0.999, std::nullopt};
}

/// A [1, length] token tensor cycling through `tokens`' values.
Tensor tokensOfLength(const Tensor &tokens, int64_t length) {
  Tensor result(DType::Int64, {1, length});
  for (int64_t i = 0; i < length; ++i)
    result.setInt(i, tokens.getInt(i % tokens.numel()));
  return result;
}

bool allFinite(const Tensor &t) {
  for (int64_t i = 0; i < t.numel(); ++i)
    if (!std::isfinite(t.getDouble(i)))
      return false;
  return true;
}
} // namespace

TEST_CASE("every real export reproduces its PyTorch logits", "[interp][corpus]") {
  std::vector<std::string> models = modelsWithLogits();
  CHECK(models.size() >= 11);
  for (const std::string &name : models) {
    INFO(name);
    ImportedModel m = valueOrFail(importModel(dataPath(name, ".pt2")));
    Tensor tokens = valueOrFail(readNpy(dataPath(name, ".tokens.npy")));
    Tensor expected = valueOrFail(readNpy(dataPath(name, ".logits.npy")));
    std::vector<Tensor> outputs = valueOrFail(interpretGraph(*m.graph, {tokens}));
    REQUIRE(outputs.size() == 1);
    Comparison c = valueOrFail(compareTensors(outputs[0], expected));
    Tolerance t = toleranceFor(name);
    INFO("cosine " << c.cosine << ", max abs error " << c.maxAbsError << " (max |expected| "
                   << c.maxAbsExpected << ")");
    CHECK(c.shapesMatch);
    CHECK(meetsTolerance(c, t));
  }
}

TEST_CASE("the sequence length is dynamic within the export's range", "[interp][corpus]") {
  const std::string name = "tiny_llama_8da4w_fp32";
  ImportedModel m = valueOrFail(importModel(dataPath(name, ".pt2")));
  Tensor tokens = valueOrFail(readNpy(dataPath(name, ".tokens.npy")));
  for (int64_t length : {2, 64}) {
    INFO("length " << length);
    std::vector<Tensor> outputs =
        valueOrFail(interpretGraph(*m.graph, {tokensOfLength(tokens, length)}));
    REQUIRE(outputs.size() == 1);
    CHECK(outputs[0].shape() == Shape{1, length, 512});
    CHECK(allFinite(outputs[0]));
  }
  for (int64_t length : {1, 65}) {
    INFO("length " << length);
    std::string message = errorOf(interpretGraph(*m.graph, {tokensOfLength(tokens, length)}));
    CHECK_THAT(message, Catch::Contains("input %input_ids dim 1"));
    CHECK_THAT(message, Catch::Contains("outside its range [2, 64]"));
  }
}
