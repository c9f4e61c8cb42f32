// The .pte executor on lavapipe: every real export compiled in-process (fp32, fp16,
// --weight-only-linear), written as a .pte, read back and run (CPU kernels on the
// reference interpreter, delegates on Vulkan with the embedded SPIR-V) against PyTorch's
// logits; inputs outside the plan, and blobs with a missing or foreign shader, are refused.
//
// These tests need a Vulkan device: without one they FAIL (they never skip).
#include "TestSupport.h"
#include "VulkanTestContext.h"

#include "compiler/driver/Compile.h"
#include "compiler/lower/PteLowering.h"
#include "compiler/semantics/Kernels.h"
#include "compiler/semantics/Npy.h"
#include "runtime/ComputePipeline.h"
#include "runtime/PteExecutor.h"
#include "serialize/PteReader.h"
#include "serialize/PteWriter.h"
#include "serialize/VulkanBlobBuilder.h"
#include "serialize/VulkanBlobReader.h"
#include "shaders/Shaders.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>

using namespace vkqc;
using namespace vkqc::test;

namespace {

vk::VulkanContext &context() { return test::vulkanContext(); }

std::vector<std::string> exportsWithLogits() {
  std::vector<std::string> names;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(VKQC_TEST_DATA_DIR, ec), end; it != end && !ec;
       it.increment(ec)) {
    llvm::StringRef path(it->path());
    if (path.consume_back(".pt2") && llvm::sys::fs::exists(path + ".tokens.npy") &&
        llvm::sys::fs::exists(path + ".logits.npy"))
      names.push_back(path.str());
  }
  std::sort(names.begin(), names.end());
  return names;
}

/// A lowered program and the compiled model its constants stream from (it must outlive
/// every write of the program).
struct LoweredModel {
  CompiledModel compiled;
  serialize::PteProgram program;
};

/// The lowered program of a model compiled with the default pipeline.
LoweredModel lowerModel(const std::string &pt2, DType computeDType, bool weightOnlyLinear) {
  CompileRequest request;
  request.modelPath = pt2;
  request.options.computeDType = computeDType;
  request.options.weightOnlyLinear = weightOnlyLinear;
  std::string log;
  llvm::raw_string_ostream logStream(log);
  CompiledModel compiled = valueOrFail(compileModel(request, logStream));
  LoweringOptions lowering;
  lowering.executorchOnly = false; // odd widths and asymmetric weights keep vkqc-only CPU ops
  serialize::PteProgram program = valueOrFail(lowerToPte(*compiled.model.graph, lowering));
  return LoweredModel{std::move(compiled), std::move(program)};
}

struct PteFile {
  std::vector<uint8_t> bytes;
  serialize::PteView view;
};

PteFile writeAndRead(const serialize::PteProgram &program) {
  PteFile f;
  f.bytes = valueOrFail(serialize::serializePte(program));
  f.view = valueOrFail(serialize::readPte(f.bytes));
  return f;
}

PteFile compileToPte(const std::string &pt2, DType computeDType = DType::Float32,
                     bool weightOnlyLinear = false) {
  return writeAndRead(lowerModel(pt2, computeDType, weightOnlyLinear).program);
}

const std::string kTiny = std::string(VKQC_TEST_DATA_DIR) + "/tiny_llama_8da4w_fp32";

/// The blob's description back (named constants, inline shaders), to edit and rebuild.
serialize::VkGraphDescription describeBlob(llvm::ArrayRef<uint8_t> blob,
                                           const serialize::PteProgram &program) {
  serialize::VkGraphView view = valueOrFail(serialize::readVulkanDelegateBlob(blob));
  serialize::VkGraphDescription d;
  d.version = view.version;
  d.values = view.values;
  d.chain = view.chain;
  d.inputIds = view.inputIds;
  d.outputIds = view.outputIds;
  for (const serialize::VkBytesView &c : view.constants) {
    REQUIRE(c.offset == serialize::kNamedDataOffset);
    d.constants.push_back(serialize::VkNamedConstant{c.namedKey, c.length});
  }
  for (const serialize::VkBytesView &s : view.shaders) { // rebuilt inline, to be edited
    std::vector<uint8_t> bytes(s.length);
    if (s.offset == serialize::kNamedDataOffset) {
      const serialize::NamedDataStore::Entry *entry = program.namedData.find(s.namedKey);
      REQUIRE(entry);
      REQUIRE(errorText(entry->data.write(bytes)) == "");
    } else {
      llvm::ArrayRef<uint8_t> inline_ = blob.slice(view.header.bytesOffset + s.offset, s.length);
      bytes.assign(inline_.begin(), inline_.end());
    }
    d.shaders.push_back(serialize::VkShader{*serialize::shaderNameFromKey(s.namedKey), bytes});
  }
  d.storageTypeOverride = view.storageTypeOverride;
  d.memoryLayoutOverride = view.memoryLayoutOverride;
  return d;
}

/// `program` with `edit` applied to the shaders of every Vulkan delegate.
void editShaders(serialize::PteProgram &program,
                 const std::function<void(std::vector<serialize::VkShader> &)> &edit) {
  for (serialize::PteDelegate &delegate : program.plans[0].delegates) {
    serialize::VkGraphDescription d = describeBlob(delegate.processedData, program);
    edit(d.shaders);
    delegate.processedData = valueOrFail(serialize::buildVulkanDelegateBlob(d));
  }
}

} // namespace

TEST_CASE("the executor runs every real export's .pte on Vulkan and matches PyTorch",
          "[executor]") {
  vk::VulkanContext &ctx = context();
  struct Variant {
    const char *name;
    DType computeDType;
    bool weightOnlyLinear;
  };
  const Variant variants[] = {{"fp32", DType::Float32, false},
                              {"fp16", DType::Float16, false},
                              {"weight-only-linear", DType::Float32, true}};
  std::vector<std::string> models = exportsWithLogits();
  REQUIRE(models.size() >= 11);
  int vulkanOps = 0;
  for (const std::string &base : models) {
    interp::Tensor tokens = valueOrFail(interp::readNpy(base + ".tokens.npy"));
    interp::Tensor logits = valueOrFail(interp::readNpy(base + ".logits.npy"));
    llvm::StringRef baseRef(base);
    bool halfSource = baseRef.endswith("bf16") || baseRef.endswith("fp16");
    for (const Variant &v : variants) {
      INFO(base << " [" << v.name << "]");
      PteFile pte = compileToPte(base + ".pt2", v.computeDType, v.weightOnlyLinear);
      vk::RunStats stats;
      std::vector<interp::Tensor> out =
          valueOrFail(vk::runPte(pte.view, pte.bytes, {tokens}, ctx, {}, &stats));
      REQUIRE(out.size() == 1);
      CHECK(stats.delegateCalls + stats.cpuKernels == stats.instructions);
      // The corpus programs run the whole decoder on Vulkan: the CPU only builds the
      // attention mask and positions, ahead of at most 3 delegate calls (the decoder
      // families too: one call each).
      if (!baseRef.contains("oddwidth") && !baseRef.contains("asym"))
        CHECK(stats.delegateCalls <= 3);
      vulkanOps += stats.vulkanOps; // asymmetric int4 weights do not fuse: all CPU
      interp::Comparison c = valueOrFail(interp::compareTensors(out[0], logits));
      std::printf("executor %-40s %-19s cosine %.7f  max abs error %.3g of %.3g  (%d delegates, %d "
                  "Vulkan ops, %d CPU kernels)\n",
                  baseRef.rsplit('/').second.str().c_str(), v.name, c.cosine, c.maxAbsError,
                  c.maxAbsExpected, stats.delegateCalls, stats.vulkanOps, stats.cpuKernels);
      INFO("cosine " << c.cosine << ", max abs error " << c.maxAbsError << " of "
                     << c.maxAbsExpected);
      CHECK(c.shapesMatch);
      // --weight-only-linear drops an 8da4w export's activation quantization on purpose.
      bool dropsQuantization = v.weightOnlyLinear && baseRef.contains("8da4w");
      if (v.computeDType == DType::Float32 && !halfSource && !dropsQuantization)
        CHECK(c.cosine >= 0.9999);
      else
        CHECK(c.cosine >= 0.999);
    }
  }
  CHECK(vulkanOps > 100);
}

TEST_CASE("the executor refuses inputs outside the plan", "[executor]") {
  vk::VulkanContext &ctx = context();
  PteFile pte = compileToPte(kTiny + ".pt2");
  interp::Tensor tokens = valueOrFail(interp::readNpy(kTiny + ".tokens.npy"));
  REQUIRE(tokens.dtype() == DType::Int64);
  REQUIRE(tokens.rank() == 2);

  SECTION("count") {
    CHECK_THAT(errorOf(vk::runPte(pte.view, pte.bytes, {tokens, tokens}, ctx)),
               Catch::Contains("inputs: the program takes 1 inputs, got 2"));
  }
  SECTION("dtype") {
    interp::Tensor asFloat = valueOrFail(interp::toDType(tokens, DType::Float32));
    CHECK_THAT(errorOf(vk::runPte(pte.view, pte.bytes, {asFloat}, ctx)),
               Catch::Contains("input 0: expected dtype i64, got f32"));
  }
  SECTION("rank") {
    interp::Tensor flat = tokens.reshaped({tokens.numel()});
    CHECK_THAT(errorOf(vk::runPte(pte.view, pte.bytes, {flat}, ctx)),
               Catch::Contains("input 0 has rank 1") &&
                   Catch::Contains("the program declares rank 2"));
  }
  SECTION("size above the upper bound") {
    const auto &plan = pte.view.plans[0];
    const auto &declared = std::get<serialize::PteTensor>(plan.values[plan.inputs[0]]);
    REQUIRE(declared.shapeDynamism == serialize::TensorShapeDynamism::DYNAMIC_BOUND);
    int64_t bound = declared.sizes[1];
    interp::Tensor tooLong(DType::Int64, {1, bound + 1});
    CHECK_THAT(errorOf(vk::runPte(pte.view, pte.bytes, {tooLong}, ctx)),
               Catch::Contains("input 0 [1, " + std::to_string(bound + 1) + "]: dim 1 is " +
                               std::to_string(bound + 1) + ", above the program's upper bound " +
                               std::to_string(bound)));
  }
  SECTION("a shorter sequence within the bound runs at its own shape") {
    interp::Tensor shorter(DType::Int64, {1, 3});
    for (int64_t i = 0; i < 3; ++i)
      shorter.setInt(i, tokens.getInt(i));
    std::vector<interp::Tensor> out = valueOrFail(vk::runPte(pte.view, pte.bytes, {shorter}, ctx));
    REQUIRE(out.size() == 1);
    CHECK(out[0].rank() == 3);
    CHECK(out[0].dim(1) == 3);
  }
  SECTION("one token, below the export's range, needs a GEMV variant the blob lacks") {
    // torch.export gives the sequence dim a minimum of 2: select-kernels chose tiled only.
    interp::Tensor one(DType::Int64, {1, 1});
    one.setInt(0, tokens.getInt(0));
    CHECK_THAT(errorOf(vk::runPte(pte.view, pte.bytes, {one}, ctx)),
               Catch::Contains("carries no SPIR-V for shader variant") &&
                   Catch::Contains("_coop_buffer_buffer_float"));
  }
}

TEST_CASE("the executor refuses a delegate blob without the SPIR-V an op needs", "[executor]") {
  vk::VulkanContext &ctx = context();
  interp::Tensor tokens = valueOrFail(interp::readNpy(kTiny + ".tokens.npy"));
  LoweredModel programModel = lowerModel(kTiny + ".pt2", DType::Float32, false);
  serialize::PteProgram &program = programModel.program;

  // Which variants a run uses.
  PteFile good = writeAndRead(program);
  vk::RunStats stats;
  valueOrFail(vk::runPte(good.view, good.bytes, {tokens}, ctx, {}, &stats));
  REQUIRE(!stats.variantsUsed.empty());

  for (const std::string &dropped : stats.variantsUsed) {
    INFO("dropping " << dropped);
    LoweredModel editedModel = lowerModel(kTiny + ".pt2", DType::Float32, false);
    serialize::PteProgram &edited = editedModel.program;
    editShaders(edited, [&](std::vector<serialize::VkShader> &shaders) {
      llvm::erase_if(shaders, [&](const serialize::VkShader &s) { return s.name == dropped; });
    });
    PteFile bad = writeAndRead(edited);
    std::string message = errorOf(vk::runPte(bad.view, bad.bytes, {tokens}, ctx));
    CHECK_THAT(message,
               Catch::Contains("the delegate blob carries no SPIR-V for shader variant ") &&
                   Catch::Contains(dropped));
    CHECK_THAT(message, Catch::StartsWith("instruction ") && Catch::Contains("(delegate ") &&
                            Catch::Contains(" op "));
  }
}

TEST_CASE("the executor refuses embedded SPIR-V that is not the compiled-in module", "[executor]") {
  vk::VulkanContext &ctx = context();
  interp::Tensor tokens = valueOrFail(interp::readNpy(kTiny + ".tokens.npy"));
  LoweredModel programModel = lowerModel(kTiny + ".pt2", DType::Float32, false);
  serialize::PteProgram &program = programModel.program;

  SECTION("a changed word") {
    std::string changed;
    editShaders(program, [&](std::vector<serialize::VkShader> &shaders) {
      REQUIRE(!shaders.empty());
      if (changed.empty()) // the first delegate's first shader is checked first
        changed = shaders[0].name;
      shaders[0].spirv[40] ^= 0x1;
    });
    PteFile bad = writeAndRead(program);
    CHECK_THAT(errorOf(vk::runPte(bad.view, bad.bytes, {tokens}, ctx)),
               Catch::Contains("embedded SPIR-V of " + changed + ": word 10 differs"));
  }
  SECTION("a truncated module") {
    std::string changed;
    editShaders(program, [&](std::vector<serialize::VkShader> &shaders) {
      if (changed.empty())
        changed = shaders[0].name;
      shaders[0].spirv.resize(shaders[0].spirv.size() - 8);
    });
    PteFile bad = writeAndRead(program);
    CHECK_THAT(errorOf(vk::runPte(bad.view, bad.bytes, {tokens}, ctx)),
               Catch::Contains("embedded SPIR-V of " + changed + ": ") &&
                   Catch::Contains(" words, but the compiled-in variant"));
  }
  SECTION("a variant this build does not know") {
    editShaders(program, [&](std::vector<serialize::VkShader> &shaders) {
      shaders.push_back(serialize::VkShader{"no_such_variant_buffer_float", shaders[0].spirv});
    });
    PteFile bad = writeAndRead(program);
    CHECK_THAT(errorOf(vk::runPte(bad.view, bad.bytes, {tokens}, ctx)),
               Catch::Contains(
                   "embedded shader no_such_variant_buffer_float is no variant this build knows"));
  }
}

TEST_CASE("the executor lists devices for --list-devices", "[executor]") {
  vk::VulkanContext &ctx = context();
  std::string text = valueOrFail(vk::describeDevices());
  CHECK_THAT(text, Catch::StartsWith("0: "));
  CHECK_THAT(text, Catch::Contains(ctx.device().name));
  CHECK(vk::formatDeviceList({}) == "no Vulkan devices\n");
}

TEST_CASE("embedded shaders replace the compiled-in words and limit the variants", "[executor]") {
  vk::VulkanContext &ctx = context();
  const shaders::ShaderVariant *variant =
      shaders::findShader("choose_qparams_per_row_buffer_float_zpint8");
  REQUIRE(variant);
  std::vector<uint8_t> bytes;
  for (uint32_t w : variant->spirv)
    for (int b = 0; b < 4; ++b)
      bytes.push_back(uint8_t(w >> (8 * b)));
  llvm::StringMap<llvm::ArrayRef<uint8_t>> embedded;
  embedded[variant->name] = bytes;
  REQUIRE(errorText(ctx.useEmbeddedShaders(embedded)).empty());
  CHECK(ctx.usesEmbeddedShaders());
  const vk::ComputePipeline *pipeline = valueOrFail(ctx.pipeline(*variant));
  CHECK(pipeline->fromEmbeddedSpirv());
  const shaders::ShaderVariant *other = shaders::findShader("embedding_q4gsw_buffer_float");
  REQUIRE(other);
  CHECK_THAT(errorOf(ctx.pipeline(*other)),
             Catch::Contains("shader variant embedding_q4gsw_buffer_float is not among the SPIR-V "
                             "modules the program carries"));
  ctx.useCompiledShaders();
  CHECK(!ctx.usesEmbeddedShaders());
  CHECK(!valueOrFail(ctx.pipeline(*variant))->fromEmbeddedSpirv());
}

TEST_CASE("runPteFile runs a .pte file and names the file in errors", "[executor]") {
  vk::VulkanContext &ctx = context();
  PteFile pte = compileToPte(kTiny + ".pt2");
  llvm::SmallString<128> path;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("executor", "pte", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    REQUIRE(!ec);
    os.write(reinterpret_cast<const char *>(pte.bytes.data()), pte.bytes.size());
  }
  interp::Tensor tokens = valueOrFail(interp::readNpy(kTiny + ".tokens.npy"));
  interp::Tensor logits = valueOrFail(interp::readNpy(kTiny + ".logits.npy"));
  std::vector<interp::Tensor> out = valueOrFail(vk::runPteFile(path, {tokens}, ctx));
  REQUIRE(out.size() == 1);
  CHECK(valueOrFail(interp::compareTensors(out[0], logits)).cosine >= 0.9999);
  CHECK_THAT(errorOf(vk::runPteFile(path, {tokens, tokens}, ctx)),
             Catch::Contains("inputs: the program takes 1 inputs"));
  llvm::sys::fs::remove(path);
  CHECK_THAT(errorOf(vk::runPteFile(path, {tokens}, ctx)),
             Catch::StartsWith(path.str().str() + ": "));
}

TEST_CASE("one compiled program serves every sequence length of the export's range", "[executor]") {
  // The delegate's shapes are upper bounds and its sizes SymInt inputs: the bottom of the
  // range (s70 >= 2), an odd length and the top (s70 <= 64) all run through the same .pte
  // and match the compiled graph interpreted on the CPU.
  vk::VulkanContext &ctx = context();
  for (DType dtype : {DType::Float32, DType::Float16}) {
    LoweredModel lowered = lowerModel(kTiny + ".pt2", dtype, false);
    PteFile pte = writeAndRead(lowered.program);
    for (int64_t length : {int64_t(2), int64_t(13), int64_t(64)}) {
      INFO("sequence length " << length << (dtype == DType::Float16 ? " fp16" : " fp32"));
      interp::Tensor tokens(DType::Int64, {1, length});
      for (int64_t i = 0; i < length; ++i)
        tokens.setInt(i, (37 * i + 11) % 512);
      vk::RunStats stats;
      std::vector<interp::Tensor> out =
          valueOrFail(vk::runPte(pte.view, pte.bytes, {tokens}, ctx, {}, &stats));
      std::vector<interp::Tensor> want =
          valueOrFail(interp::interpretGraph(*lowered.compiled.model.graph, {tokens}));
      REQUIRE(out.size() == 1);
      CHECK(stats.delegateCalls == 1);
      interp::Comparison c = valueOrFail(interp::compareTensors(out[0], want[0]));
      INFO("cosine " << c.cosine << ", max abs error " << c.maxAbsError);
      CHECK(c.shapesMatch);
      CHECK(c.cosine >= (dtype == DType::Float32 ? 0.9999 : 0.999));
    }
  }
}
