// vkqc: the command-line tool. It only parses flags; the commands live in the driver
// (compiler/driver/Commands.h).
#include "compiler/driver/Commands.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <malloc.h>
#include <optional>

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
cl::opt<ReportFormat>
    ReportFlag("report", cl::desc("Print what each pass did to each node and why (stderr)"),
               cl::ValueOptional, cl::init(ReportFormat::None),
               cl::values(clEnumValN(ReportFormat::Text, "text", "text (the default of --report)"),
                          clEnumValN(ReportFormat::Json, "json", "JSON"),
                          clEnumValN(ReportFormat::Text, "", "")),
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
/// Every flag, as the driver takes them.
CommandFlags flagsFromCommandLine() {
  CommandFlags f;
  f.inputPath = InputPath;
  f.outputPath = OutputPath;
  f.optInput = OptInput;
  f.archivePath = ArchivePath;
  f.splitInputFile = SplitInputFile;
  f.inputTensors.assign(InputTensors.begin(), InputTensors.end());
  f.expectTensors.assign(ExpectTensors.begin(), ExpectTensors.end());
  f.dumpValues = DumpValues;
  if (Emit.getNumOccurrences())
    f.emit = Emit;
  f.noProgress = NoProgress;
  f.emitSpirvDir = EmitSpirvDir;

  f.pipeline.passes.assign(PassList.begin(), PassList.end());
  f.pipeline.compileTo = CompileTo;
  f.pipeline.printBefore.insert(PrintBefore.begin(), PrintBefore.end());
  f.pipeline.printAfter.insert(PrintAfter.begin(), PrintAfter.end());
  f.pipeline.printAfterAll = PrintAfterAll;
  f.pipeline.printAfterChange = PrintAfterChange;
  f.pipeline.printAfterFailure = PrintAfterFailure;
  f.pipeline.printTreeDir = PrintTreeDir;
  f.pipeline.verifyEach = VerifyEach;
  f.pipeline.timePasses = TimePasses;
  f.passOptions.computeDType = DTypeFlag == ComputeDType::FP16 ? DType::Float16 : DType::Float32;
  f.passOptions.weightOnlyLinear = WeightOnlyLinear;
  f.passOptions.target = TargetFlag;
  f.passOptions.executorchOnly = RuntimeFlag == RuntimeKind::Executorch;
  f.verifyNumerics = VerifyNumerics;
  f.verifyWeightCrc = !NoVerifyCrc;
  f.report = ReportFlag;
  f.reportFile = ReportFile;

  f.deviceIndex = DeviceIndex;
  f.listDevices = ListDevices;
  if (MinCosine.getNumOccurrences())
    f.minCosine = MinCosine;
  if (MaxError.getNumOccurrences())
    f.maxError = MaxError;
  f.ptePath = PtePath;
  f.inspectJson = InspectJson;
  f.passesMarkdown = PassesMarkdown;
  return f;
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
  std::optional<Command> command = CompileCmd   ? Command::Compile
                                   : RunCmd     ? Command::Run
                                   : CheckCmd   ? Command::Check
                                   : OptCmd     ? Command::Opt
                                   : InspectCmd ? Command::Inspect
                                   : PassesCmd  ? Command::Passes
                                   : OpsCmd     ? Command::Ops
                                   : TargetsCmd ? std::optional<Command>(Command::Targets)
                                                : std::nullopt;
  if (command)
    return runCommand(*command, flagsFromCommandLine());
  llvm::errs() << "vkqc: error: no command given; try `vkqc --help`\n";
  return 1;
}
