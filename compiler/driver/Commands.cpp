// The commands of the vkqc tool; tools/vkqc.cpp only parses their flags.
#include "compiler/driver/Commands.h"

#include "compiler/driver/Compile.h"
#include "compiler/driver/ProgressBar.h"
#include "compiler/driver/Report.h"
#include "compiler/driver/Summary.h"
#include "compiler/interp/Interpreter.h"
#include "compiler/interp/ValueDump.h"
#include "compiler/ir/Printer.h"
#include "compiler/lower/PteLowering.h"
#include "compiler/semantics/Npy.h"
#include "compiler/target/Target.h"
#include "patterns/Pattern.h"
#include "runtime/PteExecutor.h"
#include "serialize/Inspect.h"
#include "serialize/OutputFile.h"
#include "serialize/PteReader.h"
#include "serialize/PteWriter.h"
#include "shaders/Shaders.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <set>

namespace vkqc {

namespace {

int fail(llvm::StringRef file, llvm::Error err) {
  std::string message = llvm::toString(std::move(err));
  llvm::WithColor::error(llvm::errs(), "vkqc") << file << ": " << message << "\n";
  return 1;
}

/// One run of a command: its flags, and the steps the commands share (compile from the
/// flags, write -o, write the report, open the Vulkan device).
class CommandRunner {
public:
  explicit CommandRunner(const CommandFlags &flags) : f_(flags) {}

  CompileRequest requestFromFlags() {
    CompileRequest r;
    r.modelPath = f_.inputPath;
    r.pipeline = f_.pipeline;
    r.options = f_.passOptions;
    r.verifyNumerics = f_.verifyNumerics;
    r.verifyWeightCrc = f_.verifyWeightCrc;
    return r;
  }

  LoweringOptions loweringOptions() {
    LoweringOptions o;
    o.target = f_.passOptions.target;
    o.executorchOnly = f_.passOptions.executorchOnly;
    return o;
  }

  /// Writes `text` to -o (in place of `oldOutput`), or stdout without one.
  int writeText(const std::string &text, serialize::OldOutput &oldOutput) {
    if (f_.outputPath.empty()) {
      llvm::outs() << text;
      return 0;
    }
    if (auto err = serialize::writeFileAtomically(f_.outputPath, text, &oldOutput))
      return fail(f_.outputPath, std::move(err));
    return 0;
  }

  bool wantsReport() const { return f_.report != ReportFormat::None || !f_.reportFile.empty(); }

  /// Writes a --report to stderr, or to --report-file.
  int writeReportText(const std::string &text) {
    if (f_.reportFile.empty()) {
      llvm::errs() << text;
      return 0;
    }
    if (auto err = serialize::writeFileAtomically(f_.reportFile, text))
      return fail(f_.reportFile, std::move(err));
    return 0;
  }

  int writeReport(const Graph &g, const PassContext &ctx) {
    if (!wantsReport())
      return 0;
    std::string text;
    llvm::raw_string_ostream os(text);
    if (f_.report == ReportFormat::Json)
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
    llvm::Expected<std::vector<interp::Tensor>> tensors = readInputTensors(f_.inputTensors);
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
      rc = fail(f_.inputPath, compiled.takeError());
      return std::nullopt;
    }
    // The report is made from the weights too: it waits for their checks.
    if (verifyBeforeCommit && wantsReport())
      if (auto err = verifyInputIntegrity(*compiled)) {
        rc = fail(f_.inputPath, std::move(err));
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
    if (!f_.dumpValues.empty()) {
      llvm::Expected<std::unique_ptr<interp::ValueDumper>> made =
          interp::ValueDumper::create(f_.dumpValues);
      if (!made) {
        rc = fail(f_.dumpValues, made.takeError());
        return std::nullopt;
      }
      dumper = std::move(*made);
    }
    llvm::Expected<std::vector<interp::Tensor>> outputs = interp::interpretGraph(
        *compiled->model.graph, inputs, dumper ? dumper->observer() : interp::TensorObserver());
    if (!outputs) {
      rc = fail(f_.inputPath, outputs.takeError());
      return std::nullopt;
    }
    if (dumper)
      if (llvm::Error err = dumper->finish()) {
        rc = fail(f_.dumpValues, std::move(err));
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
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "no compiled shader " + name);
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
    if (f_.outputPath.empty()) {
      llvm::errs() << "vkqc: error: compile: give the .pte path with -o\n";
      return 1;
    }
    const Graph &g = *compiled.model.graph;
    llvm::Expected<serialize::PteProgram> program = lowerToPte(g, loweringOptions());
    if (!program)
      return fail(f_.inputPath, program.takeError());
    ProgressBar progress(!f_.noProgress);
    bool inputBad = false;
    auto verifyInput = [&]() -> llvm::Error {
      llvm::Error err = verifyInputIntegrity(compiled);
      inputBad = static_cast<bool>(err);
      return err;
    };
    if (auto err = serialize::writePte(
            *program, f_.outputPath,
            [&](uint64_t done, uint64_t total) {
              progress.update("writing " + f_.outputPath, done, total);
            },
            &oldOutput, verifyInput))
      return fail(inputBad ? f_.inputPath : f_.outputPath, std::move(err));
    if (!f_.emitSpirvDir.empty())
      if (auto err = writeSpirvFiles(g, f_.emitSpirvDir))
        return fail(f_.emitSpirvDir, std::move(err));
    return 0;
  }

  int runCompile() {
    if (f_.inputPath.empty()) {
      llvm::errs() << "vkqc: error: compile: give a model (.pt2 or models/model.json)\n";
      return 1;
    }
    // An old output leaves its path once the flags are valid and the model exists (a mistyped
    // flag or path never touches it), to be written over or removed (OutputFile.h, OldOutput).
    serialize::OldOutput oldOutput;
    if (!f_.outputPath.empty()) {
      if (auto err = validateRequest(requestFromFlags()))
        return fail(f_.inputPath, std::move(err));
      if (llvm::sys::fs::exists(f_.inputPath))
        oldOutput = serialize::setAsideOldOutput(f_.outputPath);
    }
    // Without --emit: the IR where --compile-to stopped, a program for `-o x.pte`, else a summary.
    EmitKind emit = f_.emit.value_or(EmitKind::Summary);
    if (!f_.emit) {
      if (!f_.pipeline.compileTo.empty())
        emit = EmitKind::VkIR;
      else if (llvm::StringRef(f_.outputPath).endswith(".pte"))
        emit = EmitKind::Pte;
    }
    if (emit == EmitKind::Pte && f_.outputPath.empty()) {
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
    request.inputPath = f_.optInput;
    request.archivePath = f_.archivePath;
    request.splitInputFile = f_.splitInputFile;
    request.pipeline = f_.pipeline;
    request.options = f_.passOptions;
    if (wantsReport())
      request.report = f_.report == ReportFormat::Json ? ReportFormat::Json : ReportFormat::Text;
    OptResult result;
    llvm::Error failures = runOpt(request, result, llvm::errs());
    int rc = wantsReport() ? writeReportText(result.report) : 0;
    if (failures) { // one line per failing graph, each naming its file; no -o file is written
      llvm::handleAllErrors(std::move(failures), [](const llvm::ErrorInfoBase &e) {
        llvm::WithColor::error(llvm::errs(), "vkqc") << e.message() << "\n";
      });
      if (f_.outputPath.empty())
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
    options.deviceIndex = f_.deviceIndex;
    llvm::Expected<std::unique_ptr<vk::VulkanContext>> context = vk::VulkanContext::create(options);
    if (!context)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "--device: " + llvm::toString(context.takeError()));
    return context;
  }

  /// Runs a .pte on the Vulkan device.
  llvm::Expected<std::vector<interp::Tensor>>
  runProgramFile(llvm::StringRef path, llvm::ArrayRef<interp::Tensor> inputs) {
    llvm::Expected<std::unique_ptr<vk::VulkanContext>> context = openDevice();
    if (!context)
      return context.takeError();
    return vk::runPteFile(path, inputs, **context);
  }

  int runInterpret() {
    if (f_.listDevices) {
      llvm::Expected<std::string> devices = vk::describeDevices();
      if (!devices)
        return fail("--list-devices", devices.takeError());
      llvm::outs() << *devices;
      return 0;
    }
    if (f_.inputPath.empty()) {
      llvm::errs() << "vkqc: error: run: give a model (.pt2, models/model.json or .pte)\n";
      return 1;
    }
    if (f_.outputPath.empty()) {
      llvm::errs() << "vkqc: error: run: give the output file with -o OUT.npy\n";
      return 1;
    }
    int rc = 0;
    std::optional<std::vector<interp::Tensor>> outputs;
    if (llvm::StringRef(f_.inputPath).endswith(".pte") && !f_.dumpValues.empty()) {
      llvm::errs()
          << "vkqc: error: run: --dump-values interprets the IR: give the .pt2, not the .pte\n";
      return 1;
    }
    if (llvm::StringRef(f_.inputPath).endswith(".pte")) { // a compiled program: run it on Vulkan
      llvm::Expected<std::vector<interp::Tensor>> inputs = readInputTensors(f_.inputTensors);
      if (!inputs)
        return fail("--input", inputs.takeError());
      llvm::Expected<std::vector<interp::Tensor>> ran = runProgramFile(f_.inputPath, *inputs);
      if (!ran)
        return fail(f_.inputPath, ran.takeError());
      outputs = std::move(*ran);
    } else {
      outputs = compileAndInterpret(rc, nullptr);
      if (!outputs)
        return rc;
    }
    if (outputs->size() != 1)
      return fail(f_.inputPath, llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                        "run: the program has " +
                                                            std::to_string(outputs->size()) +
                                                            " outputs; -o writes exactly one"));
    if (auto err = interp::writeNpy(f_.outputPath, outputs->front()))
      return fail(f_.outputPath, std::move(err));
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
      rc = fail(f_.inputPath, program.takeError());
      return std::nullopt;
    }
    llvm::Expected<std::vector<uint8_t>> bytes = serialize::serializePte(*program);
    if (!bytes) {
      rc = fail(f_.inputPath, bytes.takeError());
      return std::nullopt;
    }
    llvm::Expected<serialize::PteView> view = serialize::readPte(*bytes);
    llvm::Expected<std::unique_ptr<vk::VulkanContext>> context =
        view ? openDevice() : view.takeError();
    if (!context) {
      rc = fail(f_.inputPath, context.takeError());
      return std::nullopt;
    }
    llvm::Expected<std::vector<interp::Tensor>> outputs =
        vk::runPte(*view, *bytes, inputs, **context);
    if (!outputs) {
      rc = fail(f_.inputPath, outputs.takeError());
      return std::nullopt;
    }
    return std::move(*outputs);
  }

  int runCheck() {
    if (f_.inputPath.empty()) {
      llvm::errs() << "vkqc: error: check: give a model (.pt2 or models/model.json)\n";
      return 1;
    }
    llvm::Expected<std::vector<interp::Tensor>> expected = readInputTensors(f_.expectTensors);
    if (!expected)
      return fail("--expect", expected.takeError());
    int rc = 0;
    interp::Tolerance tolerance{};
    // The whole pipeline: write the program and run it on Vulkan. With --compile-to:
    // interpret the IR where the pipeline stopped.
    std::optional<std::vector<interp::Tensor>> outputs = f_.pipeline.compileTo.empty()
                                                             ? compileAndRunOnVulkan(rc, tolerance)
                                                             : compileAndInterpret(rc, &tolerance);
    if (!outputs)
      return rc;
    if (expected->size() != outputs->size())
      return fail(f_.inputPath, llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                        "check: the program has " +
                                                            std::to_string(outputs->size()) +
                                                            " outputs, --expect gives " +
                                                            std::to_string(expected->size())));
    if (f_.minCosine)
      tolerance.minCosine = *f_.minCosine;
    if (f_.maxError)
      tolerance.maxErrorRelativeToMax = *f_.maxError;
    bool pass = true;
    for (size_t i = 0; i < outputs->size(); ++i) {
      llvm::Expected<interp::Comparison> c = interp::compareTensors((*outputs)[i], (*expected)[i]);
      if (!c)
        return fail(f_.expectTensors[i], c.takeError());
      bool ok = interp::meetsTolerance(*c, tolerance);
      pass = pass && ok;
      llvm::outs() << fmt::format(
          "check: output {}: cosine {:.9f}, max abs error {:.4g} (max |expected| {:.4g}): "
          "{} (cosine >= {}{})\n",
          i, c->cosine, c->maxAbsError, c->maxAbsExpected, ok ? "PASS" : "FAIL",
          tolerance.minCosine,
          tolerance.maxErrorRelativeToMax
              ? fmt::format(", error <= {} x max", *tolerance.maxErrorRelativeToMax)
              : std::string());
    }
    return pass ? 0 : 1;
  }

  int runInspect() {
    llvm::Expected<serialize::PteView> view = serialize::readPteFile(f_.ptePath);
    if (!view)
      return fail(f_.ptePath, view.takeError());
    serialize::printInspect(*view, llvm::outs(), f_.inspectJson);
    return 0;
  }

  int runListPasses() {
    if (f_.passesMarkdown) {
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

private:
  const CommandFlags &f_;
};

} // namespace

int runCommand(Command command, const CommandFlags &flags) {
  // The input is never changed, so it is never the output (a hard link or symlink to it neither).
  llvm::StringRef input =
      command == Command::Opt ? llvm::StringRef(flags.optInput) : llvm::StringRef(flags.inputPath);
  if (!input.empty() && input != "-" && !flags.outputPath.empty() &&
      serialize::isSameFile(input, flags.outputPath))
    return fail(flags.outputPath, llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                          "-o: this is the input file; the output "
                                                          "would replace it"));
  CommandRunner runner(flags);
  switch (command) {
  case Command::Compile:
    return runner.runCompile();
  case Command::Run:
    return runner.runInterpret();
  case Command::Check:
    return runner.runCheck();
  case Command::Opt:
    return runner.runOptText();
  case Command::Inspect:
    return runner.runInspect();
  case Command::Passes:
    return runner.runListPasses();
  case Command::Ops:
    return runner.runListOps();
  case Command::Targets:
    return runner.runListTargets();
  }
  return 1;
}

} // namespace vkqc
