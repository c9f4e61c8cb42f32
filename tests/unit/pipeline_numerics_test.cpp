// The proof of the quantized pipeline: for every real export and every pipeline variant,
// each pass keeps the program's results (checked by --verify-numerics after every pass),
// and the compiled program reproduces PyTorch's own logits.
#include "TestSupport.h"

#include "compiler/driver/Compile.h"
#include "compiler/semantics/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace vkqc;
using namespace vkqc::test;

namespace {
struct Variant {
  const char *name;
  DType computeDType;
  bool weightOnlyLinear;
};

std::vector<std::string> exportsWithLogits() {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(VKQC_TEST_DATA_DIR, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef path(it->path());
    if (path.consume_back(".pt2") && llvm::sys::fs::exists(path + ".logits.npy"))
      names.push_back(path.str());
  }
  std::sort(names.begin(), names.end());
  return names;
}
} // namespace

TEST_CASE("every pass keeps the results and the compiled program reproduces PyTorch",
          "[pipeline][numerics]") {
  const Variant variants[] = {{"fp32", DType::Float32, false},
                              {"fp16", DType::Float16, false},
                              {"weight-only-linear", DType::Float32, true}};
  std::vector<std::string> models = exportsWithLogits();
  REQUIRE(models.size() >= 11);
  for (const std::string &base : models) {
    interp::Tensor tokens = valueOrFail(interp::readNpy(base + ".tokens.npy"));
    interp::Tensor logits = valueOrFail(interp::readNpy(base + ".logits.npy"));
    bool halfSource =
        llvm::StringRef(base).endswith("bf16") || llvm::StringRef(base).endswith("fp16");
    for (const Variant &v : variants) {
      INFO(base << " [" << v.name << "]");
      CompileRequest request;
      request.modelPath = base + ".pt2";
      request.options.computeDType = v.computeDType;
      request.options.weightOnlyLinear = v.weightOnlyLinear;
      request.verifyNumerics = true; // fails on the first pass that drifts (0.9999 / 0.999)
      request.numericsInputs = {tokens};
      std::string log;
      llvm::raw_string_ostream logStream(log);
      CompiledModel compiled = valueOrFail(compileModel(request, logStream));
      std::vector<interp::Tensor> out =
          valueOrFail(interp::interpretGraph(*compiled.model.graph, {tokens}));
      REQUIRE(out.size() == 1);
      interp::Comparison c = valueOrFail(interp::compareTensors(out[0], logits));
      INFO("cosine " << c.cosine << ", max abs error " << c.maxAbsError << " of "
                     << c.maxAbsExpected);
      // 8da4w over 100+ tokens: int8 activations flip now and then against PyTorch's own
      // (interp_corpus_test.cpp says why).
      bool flips = llvm::StringRef(base).contains("8da4w") && tokens.numel() > 64;
      if (v.computeDType == DType::Float32 && !v.weightOnlyLinear && !halfSource) {
        CHECK(c.cosine >= (flips ? 0.9999 : 0.99999));
        CHECK(c.maxAbsError <= (flips ? 1.5e-2 : 1e-4) * c.maxAbsExpected);
      } else if (v.computeDType == DType::Float32 && !halfSource) {
        // the activation quantization is gone: a different (nearby) program
        CHECK(c.cosine >= (llvm::StringRef(base).contains("8da4w") ? 0.999 : 0.9999));
      } else {
        CHECK(c.cosine >= 0.999);
      }
    }
  }
}
