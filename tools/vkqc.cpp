// vkqc: the command-line tool. Flags and dispatch only; the work lives in the libraries.
#include "compiler/driver/Compile.h"
#include "compiler/driver/Optimize.h"
#include "compiler/driver/ProgressBar.h"
#include "compiler/driver/Report.h"
#include "compiler/driver/Summary.h"
#include "compiler/interp/Interpreter.h"
#include "compiler/interp/Npy.h"
#include "compiler/interp/ValueDump.h"
#include "compiler/ir/Printer.h"
#include "compiler/lower/PteLowering.h"
#include "compiler/target/Target.h"
#include "patterns/Pattern.h"
#include "runtime/PteExecutor.h"
#include "serialize/Inspect.h"
#include "serialize/OutputFile.h"
#include "serialize/PteReader.h"
#include "serialize/PteWriter.h"
#include "shaders/Shaders.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <malloc.h>
#include <set>

using namespace vkqc;
namespace cl = llvm::cl;

namespace {

cl::SubCommand CompileCmd("compile", "Compile a torch.export program (.pt2 or models/model.json)");
cl::SubCommand RunCmd("run",
                      "Compile (as far as --compile-to) and interpret a program on .npy inputs");
cl::SubCommand CheckCmd("check",
                        "Compile, run and compare with expected outputs (exit 1 beyond tolerance)");
cl::SubCommand
    OptCmd("opt", "Run passes on .vkir text (a dump or a hand-written test) and print the result");
cl::SubCommand InspectCmd("inspect",
                          "Explain a .pte: header, segments, plan, delegates, kernels, constants");
cl::SubCommand PassesCmd("passes", "List the passes of the pipeline and the patterns, in order");
cl::SubCommand OpsCmd("ops", "List the ops vkqc accepts and emits, with their schemas");
cl::SubCommand TargetsCmd("targets", "List the GPU targets and their limits");

cl::OptionCategory IOCategory("Input and output");
cl::OptionCategory PipelineCategory("Pipeline");
cl::OptionCategory LoweringCategory("Lowering");
cl::OptionCategory PrintingCategory("IR printing and debugging");

// Options of every command that compiles: `compile` and `run` take the same pipeline.
#define VKQC_COMPILING_COMMANDS cl::sub(CompileCmd), cl::sub(RunCmd), cl::sub(CheckCmd)
// Options of every command that runs passes: the compiling ones and `opt`.
#define VKQC_PIPELINE_COMMANDS VKQC_COMPILING_COMMANDS, cl::sub(OptCmd)

// ---- input and output -------------------------------------------------------------------
cl::opt<std::string> InputPath(cl::Positional,
                               cl::desc("<model.pt2 | models/model.json | (run) model.pte>"),
                               VKQC_COMPILING_COMMANDS, cl::cat(IOCategory));
cl::opt<std::string> OutputPath(
    "o",
    cl::desc("Write the result to <file> (atomically; an old <file> is written over or removed)"),
    cl::value_desc("file"), VKQC_PIPELINE_COMMANDS, cl::cat(IOCategory));
cl::opt<std::string> OptInput(cl::Positional, cl::desc("<in.vkir | ->"), cl::init("-"),
                              cl::sub(OptCmd), cl::cat(IOCategory));
cl::opt<std::string>
    ArchivePath("archive",
                cl::desc("The .pt2 (or models/model.json) whose entries the text's storages name"),
                cl::value_desc("model.pt2"), cl::sub(OptCmd), cl::cat(IOCategory));
cl::opt<bool> SplitInputFile(
    "split-input-file",
    cl::desc("Each part of the input between '// -----' lines is a graph of its own; "
             "the outputs are joined by the same line"),
    cl::sub(OptCmd), cl::cat(IOCategory));
cl::list<std::string> InputTensors("input",
                                   cl::desc("A .npy input of the program (repeat in order)"),
                                   cl::value_desc("file.npy"), VKQC_COMPILING_COMMANDS,
                                   cl::cat(IOCategory));
cl::opt<std::string>
    DumpValues("dump-values",
               cl::desc("`run` on a .pt2: write every node's value as <dir>/<value>.npy "
                        "(compare with PyTorch: tools/compare_with_torch.py)"),
               cl::value_desc("dir"), cl::sub(RunCmd), cl::cat(IOCategory));
enum class EmitKind { Pte, Summary, VkIR, Dot };
cl::opt<EmitKind>
    Emit("emit",
         cl::desc("What `compile` writes (default: pte when -o ends in .pte, else summary)"),
         cl::init(EmitKind::Summary),
         cl::values(clEnumValN(EmitKind::Pte, "pte", "the ExecuTorch program"),
                    clEnumValN(EmitKind::Summary, "summary", "a short summary"),
                    clEnumValN(EmitKind::VkIR, "vkir", "the IR as .vkir text"),
                    clEnumValN(EmitKind::Dot, "dot", "the IR as a Graphviz digraph")),
         cl::sub(CompileCmd), cl::cat(IOCategory));

// ---- pipeline ---------------------------------------------------------------------------
cl::list<std::string>
    PassList("passes", cl::desc("Run exactly these passes, in this order (opt: none without it)"),
             cl::CommaSeparated, cl::value_desc("p1,p2"), VKQC_PIPELINE_COMMANDS,
             cl::cat(PipelineCategory));
cl::opt<std::string>
    CompileTo("compile-to", cl::desc("Stop after pass <p> (or 'import'); `compile` prints the IR"),
              cl::value_desc("p"), VKQC_COMPILING_COMMANDS, cl::cat(PipelineCategory));
cl::opt<bool> VerifyEach("verify-each", cl::desc("Verify the IR after import and every pass"),
                         cl::init(true), VKQC_PIPELINE_COMMANDS, cl::cat(PipelineCategory));
cl::opt<bool>
    VerifyNumerics("verify-numerics",
                   cl::desc("Interpret the IR after import and every pass on the --input "
                            "tensors; fail naming the first pass that changes the result"),
                   VKQC_COMPILING_COMMANDS, cl::cat(PipelineCategory));
cl::opt<bool> TimePasses("time-passes", cl::desc("Print the time each pass took (stderr)"),
                         VKQC_PIPELINE_COMMANDS, cl::cat(PipelineCategory));
cl::opt<bool> NoVerifyCrc("no-verify-crc",
                          cl::desc("Do not check the weight entries of a .pt2 against their CRC-32 "
                                   "(metadata entries are still checked)"),
                          VKQC_COMPILING_COMMANDS, cl::cat(IOCategory));

// ---- lowering choices -------------------------------------------------------------------
enum class ComputeDType { FP32, FP16 };
cl::opt<ComputeDType>
    DTypeFlag("dtype", cl::desc("Compute dtype of the compiled program"),
              cl::init(ComputeDType::FP32),
              cl::values(clEnumValN(ComputeDType::FP32, "fp32", "float32 (default)"),
                         clEnumValN(ComputeDType::FP16, "fp16", "float16")),
              VKQC_PIPELINE_COMMANDS, cl::cat(LoweringCategory));
cl::opt<std::string> TargetFlag("target",
                                cl::desc("GPU target: generic (default), mali-valhall, adreno-7xx, "
                                         "lavapipe, nvidia, amd-rdna3, intel-xe, or an alias "
                                         "(vkqc targets)"),
                                cl::init("generic"), cl::value_desc("name"), VKQC_PIPELINE_COMMANDS,
                                cl::cat(LoweringCategory));
enum class RuntimeKind { Executorch, Vkqc };
cl::opt<RuntimeKind> RuntimeFlag(
    "runtime", cl::desc("The runtime the program is for"), cl::init(RuntimeKind::Executorch),
    cl::values(
        clEnumValN(RuntimeKind::Executorch, "executorch",
                   "ExecuTorch's own runtime (default): refuse at compile time what it does not "
                   "implement"),
        clEnumValN(
            RuntimeKind::Vkqc, "vkqc",
            "`vkqc run` only: also ops ExecuTorch lacks (int4 tables and torchao ops on the CPU)")),
    VKQC_PIPELINE_COMMANDS, cl::cat(LoweringCategory));
cl::opt<bool> WeightOnlyLinear("weight-only-linear",
                               cl::desc("Lower 8da4w linears to the weight-only int4 kernel "
                                        "(drops the activation quantization)"),
                               VKQC_PIPELINE_COMMANDS, cl::cat(LoweringCategory));

// ---- IR printing and reports ------------------------------------------------------------
cl::list<std::string> PrintBefore("print-ir-before", cl::desc("Print the IR before these passes"),
                                  cl::CommaSeparated, cl::value_desc("p1,p2"),
                                  VKQC_PIPELINE_COMMANDS, cl::cat(PrintingCategory));
cl::list<std::string> PrintAfter("print-ir-after", cl::desc("Print the IR after these passes"),
                                 cl::CommaSeparated, cl::value_desc("p1,p2"),
                                 VKQC_PIPELINE_COMMANDS, cl::cat(PrintingCategory));
cl::alias DumpAfter("dump-after", cl::desc("Alias for --print-ir-after"), cl::aliasopt(PrintAfter));
cl::opt<bool> PrintAfterAll("print-ir-after-all", cl::desc("Print the IR after every pass"),
                            VKQC_PIPELINE_COMMANDS, cl::cat(PrintingCategory));
cl::opt<bool> PrintAfterChange("print-ir-after-change",
                               cl::desc("Print the IR after every pass that changed it"),
                               VKQC_PIPELINE_COMMANDS, cl::cat(PrintingCategory));
cl::opt<bool> PrintAfterFailure("print-ir-after-failure",
                                cl::desc("Print the IR when a pass fails (always when a pass "
                                         "breaks it)"),
                                VKQC_PIPELINE_COMMANDS, cl::cat(PrintingCategory));
cl::opt<std::string> PrintTreeDir("print-ir-tree-dir",
                                  cl::desc("Write the IR after import and each pass to "
                                           "<dir>/NN_<pass>.vkir"),
                                  cl::value_desc("dir"), VKQC_PIPELINE_COMMANDS,
                                  cl::cat(PrintingCategory));
enum class ReportKind { None, Text, Json };
cl::opt<ReportKind> ReportFlag(
    "report", cl::desc("Print what each pass did to each node and why (stderr)"), cl::ValueOptional,
    cl::init(ReportKind::None),
    cl::values(clEnumValN(ReportKind::Text, "text", "text (the default of --report)"),
               clEnumValN(ReportKind::Json, "json", "JSON"), clEnumValN(ReportKind::Text, "", "")),
    VKQC_PIPELINE_COMMANDS, cl::cat(PrintingCategory));
cl::opt<std::string> ReportFile("report-file",
                                cl::desc("Write the --report to <file> instead of stderr"),
                                cl::value_desc("file"), VKQC_PIPELINE_COMMANDS,
                                cl::cat(PrintingCategory));

// ---- Vulkan execution (run, check) ---------------------------------------------------------
cl::opt<unsigned> DeviceIndex("device", cl::desc("Vulkan device to run on (see --list-devices)"),
                              cl::init(0), cl::value_desc("N"), cl::sub(RunCmd), cl::sub(CheckCmd),
                              cl::cat(IOCategory));
cl::opt<bool> ListDevices("list-devices", cl::desc("List the Vulkan devices and exit"),
                          cl::sub(RunCmd), cl::cat(IOCategory));
cl::opt<bool>
    NoProgress("no-progress",
               cl::desc("No progress line on stderr while writing (it only shows on a terminal)"),
               cl::sub(CompileCmd), cl::cat(IOCategory));
cl::opt<std::string>
    EmitSpirvDir("emit-spirv-dir",
                 cl::desc("Also write the SPIR-V of every kernel the program uses to "
                          "<dir>/<variant>.spv"),
                 cl::value_desc("dir"), cl::sub(CompileCmd), cl::cat(IOCategory));

// ---- check ------------------------------------------------------------------------------
cl::list<std::string> ExpectTensors("expect",
                                    cl::desc("The expected output (.npy), in output order"),
                                    cl::value_desc("file.npy"), cl::sub(CheckCmd),
                                    cl::cat(IOCategory));
cl::opt<double> MinCosine("min-cosine",
                          cl::desc("Smallest cosine similarity that passes (default 0.9999 in f32, "
                                   "0.999 with f16/bf16)"),
                          cl::sub(CheckCmd), cl::cat(IOCategory));
cl::opt<double> MaxError("max-error",
                         cl::desc("Largest max-abs error that passes, relative to max |expected| "
                                  "(default: not checked)"),
                         cl::sub(CheckCmd), cl::cat(IOCategory));

// ---- inspect ----------------------------------------------------------------------------
cl::opt<std::string> PtePath(cl::Positional, cl::desc("<model.pte>"), cl::Required,
                             cl::sub(InspectCmd));
cl::opt<bool> InspectJson("json", cl::desc("Print JSON instead of text"), cl::sub(InspectCmd));

cl::opt<bool> PassesMarkdown("markdown", cl::desc("Print docs/passes.md (Markdown)"),
                             cl::sub(PassesCmd));

/// Prints `vkqc: error: <file>: <message>` and returns the exit code.
int fail(llvm::StringRef file, llvm::Error err) {
  std::string message = llvm::toString(std::move(err));
  llvm::WithColor::error(llvm::errs(), "vkqc") << file << ": " << message << "\n";
  return 1;
}

PipelineOptions pipelineFromFlags() {
  PipelineOptions p;
  p.passes.assign(PassList.begin(), PassList.end());
  p.compileTo = CompileTo;
  p.printBefore.insert(PrintBefore.begin(), PrintBefore.end());
  p.printAfter.insert(PrintAfter.begin(), PrintAfter.end());
  p.printAfterAll = PrintAfterAll;
  p.printAfterChange = PrintAfterChange;
  p.printAfterFailure = PrintAfterFailure;
  p.printTreeDir = PrintTreeDir;
  p.verifyEach = VerifyEach;
  p.timePasses = TimePasses;
  return p;
}

PassOptions passOptionsFromFlags() {
  PassOptions o;
  o.computeDType = DTypeFlag == ComputeDType::FP16 ? DType::Float16 : DType::Float32;
  o.weightOnlyLinear = WeightOnlyLinear;
  o.target = TargetFlag;
  o.executorchOnly = RuntimeFlag == RuntimeKind::Executorch;
  return o;
}

CompileRequest requestFromFlags() {
  CompileRequest r;
  r.modelPath = InputPath;
  r.pipeline = pipelineFromFlags();
  r.options = passOptionsFromFlags();
  r.verifyNumerics = VerifyNumerics;
  r.verifyWeightCrc = !NoVerifyCrc;
  return r;
}

LoweringOptions loweringOptions() {
  LoweringOptions o;
  o.target = TargetFlag;
  o.executorchOnly = RuntimeFlag == RuntimeKind::Executorch;
  return o;
}

/// Writes `text` to -o (in place of `oldOutput`), or stdout without one.
int writeText(const std::string &text, serialize::OldOutput &oldOutput) {
  if (OutputPath.empty()) {
    llvm::outs() << text;
    return 0;
  }
  if (auto err = serialize::writeFileAtomically(OutputPath, text, &oldOutput))
    return fail(OutputPath, std::move(err));
  return 0;
}

bool wantsReport() { return ReportFlag != ReportKind::None || !ReportFile.empty(); }

/// Writes a --report to stderr, or to --report-file.
int writeReportText(const std::string &text) {
  if (ReportFile.empty()) {
    llvm::errs() << text;
    return 0;
  }
  if (auto err = serialize::writeFileAtomically(ReportFile, text))
    return fail(ReportFile, std::move(err));
  return 0;
}

int writeReport(const Graph &g, const PassContext &ctx) {
  if (!wantsReport())
    return 0;
  std::string text;
  llvm::raw_string_ostream os(text);
  if (ReportFlag == ReportKind::Json)
    printReportJson(g, ctx, os);
  else
    printReportText(g, ctx, os);
  os.flush();
  return writeReportText(text);
}

/// Reads the --input tensors and compiles; on failure prints the error, sets `rc` and
/// returns nothing. With `verifyBeforeCommit`, the caller joins the weights' CRC-32 checks
/// (verifyInputIntegrity) before it commits its output; else they are joined here.
std::optional<CompiledModel> compileFromFlags(std::vector<interp::Tensor> &inputs, int &rc,
                                              bool verifyBeforeCommit = false) {
  llvm::Expected<std::vector<interp::Tensor>> tensors = readInputTensors(InputTensors);
  if (!tensors) {
    rc = fail("--input", tensors.takeError());
    return std::nullopt;
  }
  inputs = std::move(*tensors);
  CompileRequest request = requestFromFlags();
  if (request.verifyNumerics)
    request.numericsInputs = inputs;
  request.callerVerifiesIntegrity = verifyBeforeCommit;
  // compileModel checks the flags before it reads a possibly large model.
  llvm::Expected<CompiledModel> compiled = compileModel(request, llvm::errs());
  if (!compiled) {
    rc = fail(InputPath, compiled.takeError());
    return std::nullopt;
  }
  // The report is made from the weights too: it waits for their checks.
  if (verifyBeforeCommit && (ReportFlag != ReportKind::None || !ReportFile.empty()))
    if (auto err = verifyInputIntegrity(*compiled)) {
      rc = fail(InputPath, std::move(err));
      return std::nullopt;
    }
  rc = writeReport(*compiled->model.graph, compiled->context);
  if (rc)
    return std::nullopt;
  return std::move(*compiled);
}

/// Compiles and interprets the program on the --input tensors.
std::optional<std::vector<interp::Tensor>> compileAndInterpret(int &rc,
                                                               interp::Tolerance *tolerance) {
  std::vector<interp::Tensor> inputs;
  std::optional<CompiledModel> compiled = compileFromFlags(inputs, rc);
  if (!compiled)
    return std::nullopt;
  if (tolerance)
    *tolerance = compiled->tolerance;
  std::unique_ptr<interp::ValueDumper> dumper;
  if (!DumpValues.empty()) {
    llvm::Expected<std::unique_ptr<interp::ValueDumper>> made =
        interp::ValueDumper::create(DumpValues);
    if (!made) {
      rc = fail(DumpValues, made.takeError());
      return std::nullopt;
    }
    dumper = std::move(*made);
  }
  llvm::Expected<std::vector<interp::Tensor>> outputs = interp::interpretGraph(
      *compiled->model.graph, inputs, dumper ? dumper->observer() : interp::TensorObserver());
  if (!outputs) {
    rc = fail(InputPath, outputs.takeError());
    return std::nullopt;
  }
  if (dumper)
    if (llvm::Error err = dumper->finish()) {
      rc = fail(DumpValues, std::move(err));
      return std::nullopt;
    }
  return std::move(*outputs);
}

/// --emit-spirv-dir: the SPIR-V of every kernel variant the program's Vulkan nodes use.
llvm::Error writeSpirvFiles(const Graph &g, llvm::StringRef dir) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return llvm::createStringError(ec, "cannot create the directory: " + ec.message());
  std::set<std::string> names;
  for (const auto &n : g.nodes())
    names.insert(n->kernels.begin(), n->kernels.end());
  for (const std::string &name : names) {
    const shaders::ShaderVariant *variant = shaders::findShader(name);
    if (!variant)
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "no compiled shader " + name);
    llvm::StringRef bytes(reinterpret_cast<const char *>(variant->spirv.data()),
                          variant->spirv.size() * 4);
    if (auto err = serialize::writeFileAtomically((dir + "/" + name + ".spv").str(), bytes))
      return err;
  }
  return llvm::Error::success();
}

/// Lowers and writes the program; the weights' CRC-32 checks, running since import, are
/// joined just before the file is committed (a mismatch leaves no file).
int writeProgram(CompiledModel &compiled, serialize::OldOutput &oldOutput) {
  if (OutputPath.empty()) {
    llvm::errs() << "vkqc: error: compile: give the .pte path with -o\n";
    return 1;
  }
  const Graph &g = *compiled.model.graph;
  llvm::Expected<serialize::PteProgram> program = lowerToPte(g, loweringOptions());
  if (!program)
    return fail(InputPath, program.takeError());
  ProgressBar progress(!NoProgress);
  bool inputBad = false;
  auto verifyInput = [&]() -> llvm::Error {
    llvm::Error err = verifyInputIntegrity(compiled);
    inputBad = static_cast<bool>(err);
    return err;
  };
  if (auto err = serialize::writePte(
          *program, OutputPath,
          [&](uint64_t done, uint64_t total) {
            progress.update("writing " + OutputPath, done, total);
          },
          &oldOutput, verifyInput))
    return fail(inputBad ? InputPath : OutputPath, std::move(err));
  if (!EmitSpirvDir.empty())
    if (auto err = writeSpirvFiles(g, EmitSpirvDir))
      return fail(EmitSpirvDir, std::move(err));
  return 0;
}

int runCompile() {
  if (InputPath.empty()) {
    llvm::errs() << "vkqc: error: compile: give a model (.pt2 or models/model.json)\n";
    return 1;
  }
  // An old output leaves its path once the flags are valid and the model exists (a mistyped
  // flag or path never touches it), to be written over or removed (OutputFile.h, OldOutput).
  serialize::OldOutput oldOutput;
  if (!OutputPath.empty()) {
    if (auto err = validateRequest(requestFromFlags()))
      return fail(InputPath, std::move(err));
    if (llvm::sys::fs::exists(InputPath))
      oldOutput = serialize::setAsideOldOutput(OutputPath);
  }
  // Without --emit: the IR where --compile-to stopped, a program for `-o x.pte`, else a summary.
  EmitKind emit = Emit;
  if (Emit.getNumOccurrences() == 0) {
    if (!CompileTo.empty())
      emit = EmitKind::VkIR;
    else if (llvm::StringRef(OutputPath).endswith(".pte"))
      emit = EmitKind::Pte;
  }
  if (emit == EmitKind::Pte && OutputPath.empty()) {
    llvm::errs() << "vkqc: error: compile: give the .pte path with -o\n";
    return 1;
  }
  std::vector<interp::Tensor> inputs;
  int rc = 0;
  std::optional<CompiledModel> compiled = compileFromFlags(inputs, rc, emit == EmitKind::Pte);
  if (!compiled)
    return rc;
  const Graph &g = *compiled->model.graph;
  if (emit == EmitKind::Pte)
    return writeProgram(*compiled, oldOutput);
  std::string text;
  llvm::raw_string_ostream os(text);
  switch (emit) {
  case EmitKind::Summary:
    printSummary(g, os);
    break;
  case EmitKind::VkIR:
    printGraph(g, os);
    break;
  case EmitKind::Dot:
    printDot(g, os);
    break;
  case EmitKind::Pte:
    break;
  }
  os.flush();
  return writeText(text, oldOutput);
}

int runOptText() {
  OptRequest request;
  request.inputPath = OptInput;
  request.archivePath = ArchivePath;
  request.splitInputFile = SplitInputFile;
  request.pipeline = pipelineFromFlags();
  request.options = passOptionsFromFlags();
  if (wantsReport())
    request.report = ReportFlag == ReportKind::Json ? ReportFormat::Json : ReportFormat::Text;
  OptResult result;
  llvm::Error failures = runOpt(request, result, llvm::errs());
  int rc = wantsReport() ? writeReportText(result.report) : 0;
  if (failures) { // one line per failing graph, each naming its file; no -o file is written
    llvm::handleAllErrors(std::move(failures), [](const llvm::ErrorInfoBase &e) {
      llvm::WithColor::error(llvm::errs(), "vkqc") << e.message() << "\n";
    });
    if (OutputPath.empty())
      llvm::outs() << result.text; // the graphs that did not fail, as mlir-opt prints them
    return 1;
  }
  if (rc)
    return rc;
  serialize::OldOutput noOldOutput;
  return writeText(result.text, noOldOutput);
}

/// The Vulkan context of --device=N.
llvm::Expected<std::unique_ptr<vk::VulkanContext>> openDevice() {
  vk::ContextOptions options;
  options.deviceIndex = DeviceIndex;
  llvm::Expected<std::unique_ptr<vk::VulkanContext>> context = vk::VulkanContext::create(options);
  if (!context)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "--device: " + llvm::toString(context.takeError()));
  return context;
}

/// Runs a .pte on the Vulkan device.
llvm::Expected<std::vector<interp::Tensor>> runProgramFile(llvm::StringRef path,
                                                           llvm::ArrayRef<interp::Tensor> inputs) {
  llvm::Expected<std::unique_ptr<vk::VulkanContext>> context = openDevice();
  if (!context)
    return context.takeError();
  return vk::runPteFile(path, inputs, **context);
}

int runInterpret() {
  if (ListDevices) {
    llvm::Expected<std::string> devices = vk::describeDevices();
    if (!devices)
      return fail("--list-devices", devices.takeError());
    llvm::outs() << *devices;
    return 0;
  }
  if (InputPath.empty()) {
    llvm::errs() << "vkqc: error: run: give a model (.pt2, models/model.json or .pte)\n";
    return 1;
  }
  if (OutputPath.empty()) {
    llvm::errs() << "vkqc: error: run: give the output file with -o OUT.npy\n";
    return 1;
  }
  int rc = 0;
  std::optional<std::vector<interp::Tensor>> outputs;
  if (llvm::StringRef(InputPath).endswith(".pte") && !DumpValues.empty()) {
    llvm::errs()
        << "vkqc: error: run: --dump-values interprets the IR: give the .pt2, not the .pte\n";
    return 1;
  }
  if (llvm::StringRef(InputPath).endswith(".pte")) { // a compiled program: run it on Vulkan
    llvm::Expected<std::vector<interp::Tensor>> inputs = readInputTensors(InputTensors);
    if (!inputs)
      return fail("--input", inputs.takeError());
    llvm::Expected<std::vector<interp::Tensor>> ran = runProgramFile(InputPath, *inputs);
    if (!ran)
      return fail(InputPath, ran.takeError());
    outputs = std::move(*ran);
  } else {
    outputs = compileAndInterpret(rc, nullptr);
    if (!outputs)
      return rc;
  }
  if (outputs->size() != 1)
    return fail(InputPath,
                llvm::createStringError(llvm::inconvertibleErrorCode(),
                                        "run: the program has " + std::to_string(outputs->size()) +
                                            " outputs; -o writes exactly one"));
  if (auto err = interp::writeNpy(OutputPath, outputs->front()))
    return fail(OutputPath, std::move(err));
  return 0;
}

/// Compiles to a .pte in memory and runs it on the Vulkan device.
std::optional<std::vector<interp::Tensor>> compileAndRunOnVulkan(int &rc,
                                                                 interp::Tolerance &tolerance) {
  std::vector<interp::Tensor> inputs;
  std::optional<CompiledModel> compiled = compileFromFlags(inputs, rc);
  if (!compiled)
    return std::nullopt;
  tolerance = compiled->tolerance;
  llvm::Expected<serialize::PteProgram> program =
      lowerToPte(*compiled->model.graph, loweringOptions());
  if (!program) {
    rc = fail(InputPath, program.takeError());
    return std::nullopt;
  }
  llvm::Expected<std::vector<uint8_t>> bytes = serialize::serializePte(*program);
  if (!bytes) {
    rc = fail(InputPath, bytes.takeError());
    return std::nullopt;
  }
  llvm::Expected<serialize::PteView> view = serialize::readPte(*bytes);
  llvm::Expected<std::unique_ptr<vk::VulkanContext>> context =
      view ? openDevice() : view.takeError();
  if (!context) {
    rc = fail(InputPath, context.takeError());
    return std::nullopt;
  }
  llvm::Expected<std::vector<interp::Tensor>> outputs =
      vk::runPte(*view, *bytes, inputs, **context);
  if (!outputs) {
    rc = fail(InputPath, outputs.takeError());
    return std::nullopt;
  }
  return std::move(*outputs);
}

int runCheck() {
  if (InputPath.empty()) {
    llvm::errs() << "vkqc: error: check: give a model (.pt2 or models/model.json)\n";
    return 1;
  }
  llvm::Expected<std::vector<interp::Tensor>> expected = readInputTensors(ExpectTensors);
  if (!expected)
    return fail("--expect", expected.takeError());
  int rc = 0;
  interp::Tolerance tolerance{};
  // The whole pipeline: write the program and run it on Vulkan. With --compile-to:
  // interpret the IR where the pipeline stopped.
  std::optional<std::vector<interp::Tensor>> outputs = CompileTo.empty()
                                                           ? compileAndRunOnVulkan(rc, tolerance)
                                                           : compileAndInterpret(rc, &tolerance);
  if (!outputs)
    return rc;
  if (expected->size() != outputs->size())
    return fail(InputPath, llvm::createStringError(
                               llvm::inconvertibleErrorCode(),
                               "check: the program has " + std::to_string(outputs->size()) +
                                   " outputs, --expect gives " + std::to_string(expected->size())));
  if (MinCosine.getNumOccurrences())
    tolerance.minCosine = MinCosine;
  if (MaxError.getNumOccurrences())
    tolerance.maxErrorRelativeToMax = MaxError;
  bool pass = true;
  for (size_t i = 0; i < outputs->size(); ++i) {
    llvm::Expected<interp::Comparison> c = interp::compareTensors((*outputs)[i], (*expected)[i]);
    if (!c)
      return fail(ExpectTensors[i], c.takeError());
    bool ok = interp::meetsTolerance(*c, tolerance);
    pass = pass && ok;
    llvm::outs() << fmt::format(
        "check: output {}: cosine {:.9f}, max abs error {:.4g} (max |expected| {:.4g}): "
        "{} (cosine >= {}{})\n",
        i, c->cosine, c->maxAbsError, c->maxAbsExpected, ok ? "PASS" : "FAIL", tolerance.minCosine,
        tolerance.maxErrorRelativeToMax
            ? fmt::format(", error <= {} x max", *tolerance.maxErrorRelativeToMax)
            : std::string());
  }
  return pass ? 0 : 1;
}

int runInspect() {
  llvm::Expected<serialize::PteView> view = serialize::readPteFile(PtePath);
  if (!view)
    return fail(PtePath, view.takeError());
  serialize::printInspect(*view, llvm::outs(), InspectJson);
  return 0;
}

int runListPasses() {
  if (PassesMarkdown) {
    llvm::outs() << "# Passes and patterns\n\n"
                    "Generated by `vkqc passes --markdown` from `passes/Passes.def` and "
                    "`patterns/Patterns.def`; a test keeps this file in sync.\n\n"
                    "## Passes, in default pipeline order\n\n| pass | summary |\n| --- | --- |\n";
    for (const PassInfo &p : allPasses())
      llvm::outs() << "| `" << p.name << "` | " << p.summary << " |\n";
    llvm::outs() << "\n## Patterns of `fuse-quantized`, in the order they are tried\n\n"
                    "| pattern | anchor | summary |\n| --- | --- | --- |\n";
    for (const PatternInfo &p : allPatterns())
      llvm::outs() << "| `" << p.name << "` | `" << p.anchor << "` | " << p.summary << " |\n";
    return 0;
  }
  llvm::outs() << "Passes, in default pipeline order (use with --passes, --compile-to and the "
                  "--print-ir flags):\n";
  for (const PassInfo &p : allPasses())
    llvm::outs() << fmt::format("  {:<18} {}\n", p.name, p.summary);
  llvm::outs() << "\nPatterns of fuse-quantized, in the order they are tried:\n";
  for (const PatternInfo &p : allPatterns())
    llvm::outs() << fmt::format("  {:<22} {}\n", p.name, p.summary);
  return 0;
}

int runListTargets() {
  llvm::outs() << fmt::format("{:<14} {:>14} {:>8} {:>8} {:>5} {:>5} {:>8}  {}\n", "target",
                              "buffer elems", "img2d", "img3d", "fp16", "int8", "int8dot",
                              "aliases / description");
  for (const Target &t : allTargets()) {
    std::string aliases;
    for (const std::string &a : t.aliases)
      aliases += (aliases.empty() ? "" : ",") + a;
    llvm::outs() << fmt::format("{:<14} {:>14} {:>8} {:>8} {:>5} {:>5} {:>8}  {}{}\n", t.name,
                                t.maxBufferElements, t.maxImageExtent2D, t.maxImageExtent3D,
                                t.fp16 ? "yes" : "no", t.int8Storage ? "yes" : "no",
                                t.int8DotProduct ? "yes" : "no",
                                aliases.empty() ? "" : "[" + aliases + "] ", t.description);
  }
  return 0;
}

int runListOps() {
  for (const OpSchema &s : allOpSchemas())
    llvm::outs() << s.target << "  " << s.text << "\n";
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // The heap grows 64 MiB at a time (pages are only used when touched): each brk takes the
  // address space's lock, which the input's prefault thread holds while it maps pages
  // (ModelArchive.cpp), and importing the 16-layer benchmark model grew the heap by a brk
  // every few hundred KB, each waiting for that lock (about 70 ms in all).
  mallopt(M_TOP_PAD, 64 << 20);
  cl::HideUnrelatedOptions({&IOCategory, &PipelineCategory, &LoweringCategory, &PrintingCategory});
  cl::SetVersionPrinter([](llvm::raw_ostream &os) { os << "vkqc " VKQC_VERSION "\n"; });
  cl::ParseCommandLineOptions(argc, argv,
                              "vkqc: ahead-of-time compiler for torchao-quantized PyTorch "
                              "programs to ExecuTorch Vulkan\n");
  // The input is never changed, so it is never the output (a hard link or symlink to it neither).
  llvm::StringRef input = OptCmd ? llvm::StringRef(OptInput) : llvm::StringRef(InputPath);
  if (!input.empty() && input != "-" && !OutputPath.empty() &&
      serialize::isSameFile(input, OutputPath))
    return fail(OutputPath, llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                    "-o: this is the input file; the output "
                                                    "would replace it"));
  if (CompileCmd)
    return runCompile();
  if (RunCmd)
    return runInterpret();
  if (CheckCmd)
    return runCheck();
  if (OptCmd)
    return runOptText();
  if (InspectCmd)
    return runInspect();
  if (PassesCmd)
    return runListPasses();
  if (OpsCmd)
    return runListOps();
  if (TargetsCmd)
    return runListTargets();
  llvm::errs() << "vkqc: error: no command given; try `vkqc --help`\n";
  return 1;
}
