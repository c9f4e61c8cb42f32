// vkqc: the command-line tool. Flags and dispatch only; the work lives in the libraries.
#include "compiler/driver/OutputFile.h"
#include "compiler/driver/PassManager.h"
#include "compiler/driver/Report.h"
#include "compiler/driver/Summary.h"
#include "compiler/import/ExportImporter.h"
#include "compiler/ir/Printer.h"
#include "compiler/target/Target.h"
#include "patterns/Pattern.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

using namespace vkqc;
namespace cl = llvm::cl;

namespace {

cl::SubCommand CompileCmd("compile", "Compile a torch.export program (.pt2 or models/model.json)");
cl::SubCommand PassesCmd("passes", "List the passes of the pipeline, in order");
cl::SubCommand OpsCmd("ops", "List the ops vkqc accepts and emits, with their schemas");
cl::SubCommand TargetsCmd("targets", "List the GPU targets and their limits");

cl::OptionCategory IOCategory("Input and output");
cl::OptionCategory PipelineCategory("Pipeline");
cl::OptionCategory PrintingCategory("IR printing and debugging");
cl::OptionCategory LoweringCategory("Lowering");

// ---- compile: input and output ----------------------------------------------------------
cl::opt<std::string> InputPath(cl::Positional, cl::desc("<model.pt2 | models/model.json>"),
                               cl::Required, cl::sub(CompileCmd), cl::cat(IOCategory));
cl::opt<std::string> OutputPath("o", cl::desc("Write the result to <file> (atomically)"),
                                cl::value_desc("file"), cl::sub(CompileCmd), cl::cat(IOCategory));
enum class EmitKind { Summary, VkIR, Dot };
cl::opt<EmitKind> Emit("emit", cl::desc("What to write"), cl::init(EmitKind::Summary),
                       cl::values(clEnumValN(EmitKind::Summary, "summary", "a short summary (default)"),
                                  clEnumValN(EmitKind::VkIR, "vkir", "the IR as .vkir text"),
                                  clEnumValN(EmitKind::Dot, "dot", "the IR as a Graphviz digraph")),
                       cl::sub(CompileCmd), cl::cat(IOCategory));

// ---- compile: pipeline -----------------------------------------------------------------
cl::list<std::string> PassList("passes", cl::desc("Run exactly these passes, in this order"),
                               cl::CommaSeparated, cl::value_desc("p1,p2"), cl::sub(CompileCmd),
                               cl::cat(PipelineCategory));
cl::opt<std::string> CompileTo("compile-to",
                               cl::desc("Stop after pass <p> (or 'import') and print the IR"),
                               cl::value_desc("p"), cl::sub(CompileCmd), cl::cat(PipelineCategory));
cl::opt<bool> VerifyEach("verify-each", cl::desc("Verify the IR after import and every pass"),
                         cl::init(true), cl::sub(CompileCmd), cl::cat(PipelineCategory));
cl::opt<bool> TimePasses("time-passes", cl::desc("Print the time each pass took (stderr)"),
                         cl::sub(CompileCmd), cl::cat(PipelineCategory));

// ---- compile: lowering choices ---------------------------------------------------------
enum class ComputeDType { FP32, FP16 };
cl::opt<ComputeDType> DTypeFlag("dtype", cl::desc("Compute dtype of the compiled program"),
                                cl::init(ComputeDType::FP32),
                                cl::values(clEnumValN(ComputeDType::FP32, "fp32", "float32 (default)"),
                                           clEnumValN(ComputeDType::FP16, "fp16", "float16")),
                                cl::sub(CompileCmd), cl::cat(LoweringCategory));
cl::opt<std::string> TargetFlag("target",
                                cl::desc("GPU target: generic (default), mali-valhall, adreno-7xx, "
                                         "lavapipe, or an alias (vkqc targets)"),
                                cl::init("generic"), cl::value_desc("name"), cl::sub(CompileCmd),
                                cl::cat(LoweringCategory));
cl::opt<bool> WeightOnlyLinear("weight-only-linear",
                               cl::desc("Lower 8da4w linears to the weight-only int4 kernel "
                                        "(drops the activation quantization)"),
                               cl::sub(CompileCmd), cl::cat(LoweringCategory));

// ---- compile: IR printing ---------------------------------------------------------------
cl::list<std::string> PrintBefore("print-ir-before", cl::desc("Print the IR before these passes"),
                                  cl::CommaSeparated, cl::value_desc("p1,p2"),
                                  cl::sub(CompileCmd), cl::cat(PrintingCategory));
cl::list<std::string> PrintAfter("print-ir-after", cl::desc("Print the IR after these passes"),
                                 cl::CommaSeparated, cl::value_desc("p1,p2"), cl::sub(CompileCmd),
                                 cl::cat(PrintingCategory));
cl::alias DumpAfter("dump-after", cl::desc("Alias for --print-ir-after"), cl::aliasopt(PrintAfter));
cl::opt<bool> PrintAfterAll("print-ir-after-all", cl::desc("Print the IR after every pass"),
                            cl::sub(CompileCmd), cl::cat(PrintingCategory));
cl::opt<bool> PrintAfterChange("print-ir-after-change",
                               cl::desc("Print the IR after every pass that changed it"),
                               cl::sub(CompileCmd), cl::cat(PrintingCategory));
cl::opt<std::string> PrintTreeDir("print-ir-tree-dir",
                                  cl::desc("Write the IR after import and each pass to "
                                           "<dir>/NN_<pass>.vkir"),
                                  cl::value_desc("dir"), cl::sub(CompileCmd),
                                  cl::cat(PrintingCategory));

enum class ReportKind { None, Text, Json };
cl::opt<ReportKind> ReportFlag("report", cl::desc("Print what each pass did to each node and why (stderr)"),
                               cl::ValueOptional, cl::init(ReportKind::None),
                               cl::values(clEnumValN(ReportKind::Text, "text", "text (the default of --report)"),
                                          clEnumValN(ReportKind::Json, "json", "JSON"),
                                          clEnumValN(ReportKind::Text, "", "")),
                               cl::sub(CompileCmd), cl::cat(PrintingCategory));
cl::opt<std::string> ReportFile("report-file", cl::desc("Write the --report to <file> instead of stderr"),
                                cl::value_desc("file"), cl::sub(CompileCmd), cl::cat(PrintingCategory));

/// Prints `vkqc: error: <file>: <message>` and returns the exit code.
int fail(llvm::StringRef file, llvm::Error err) {
  std::string message = llvm::toString(std::move(err));
  llvm::WithColor::error(llvm::errs(), "vkqc") << file << ": " << message << "\n";
  return 1;
}

PipelineOptions pipelineOptionsFromFlags() {
  PipelineOptions opts;
  opts.passes.assign(PassList.begin(), PassList.end());
  opts.compileTo = CompileTo;
  opts.printBefore.insert(PrintBefore.begin(), PrintBefore.end());
  opts.printAfter.insert(PrintAfter.begin(), PrintAfter.end());
  opts.printAfterAll = PrintAfterAll;
  opts.printAfterChange = PrintAfterChange;
  opts.printTreeDir = PrintTreeDir;
  opts.verifyEach = VerifyEach;
  opts.timePasses = TimePasses;
  return opts;
}

int writeReport(const Graph &g, const PassContext &ctx) {
  if (ReportFlag == ReportKind::None && ReportFile.empty())
    return 0;
  std::string text;
  llvm::raw_string_ostream os(text);
  if (ReportFlag == ReportKind::Json)
    printReportJson(g, ctx, os);
  else
    printReportText(g, ctx, os);
  os.flush();
  if (ReportFile.empty()) {
    llvm::errs() << text;
    return 0;
  }
  if (auto err = writeFileAtomically(ReportFile, text))
    return fail(ReportFile, std::move(err));
  return 0;
}

int runCompile() {
  PipelineOptions opts = pipelineOptionsFromFlags();
  // Check the flags before reading a possibly large model.
  if (llvm::Expected<std::vector<const PassInfo *>> p = resolvePipeline(opts); !p)
    return fail(InputPath, p.takeError());
  if (llvm::Expected<const Target *> t = lookupTarget(TargetFlag); !t)
    return fail(InputPath, llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                   "--target: " + llvm::toString(t.takeError())));

  llvm::Expected<ImportedModel> model = importModel(InputPath);
  if (!model)
    return fail(InputPath, model.takeError());
  Graph &g = *model->graph;
  PassContext ctx;
  ctx.options.computeDType = DTypeFlag == ComputeDType::FP16 ? DType::Float16 : DType::Float32;
  ctx.options.weightOnlyLinear = WeightOnlyLinear;
  ctx.options.target = TargetFlag;
  if (auto err = runPipeline(g, opts, ctx, llvm::errs()))
    return fail(InputPath, std::move(err));
  if (int rc = writeReport(g, ctx))
    return rc;

  // --compile-to prints the IR where the pipeline stopped unless something else was asked.
  EmitKind emit = Emit;
  if (!CompileTo.empty() && Emit.getNumOccurrences() == 0)
    emit = EmitKind::VkIR;
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
  }
  os.flush();
  if (OutputPath.empty()) {
    llvm::outs() << text;
    return 0;
  }
  if (auto err = writeFileAtomically(OutputPath, text))
    return fail(OutputPath, std::move(err));
  return 0;
}

cl::opt<bool> PassesMarkdown("markdown", cl::desc("Print docs/passes.md (Markdown)"),
                             cl::sub(PassesCmd));

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
  llvm::outs() << fmt::format("{:<14} {:>14} {:>8} {:>8} {:>5} {:>5} {:>8}  {}\n", "target", "buffer elems",
                              "img2d", "img3d", "fp16", "int8", "int8dot", "aliases / description");
  for (const Target &t : allTargets()) {
    std::string aliases;
    for (const std::string &a : t.aliases)
      aliases += (aliases.empty() ? "" : ",") + a;
    llvm::outs() << fmt::format("{:<14} {:>14} {:>8} {:>8} {:>5} {:>5} {:>8}  {}{}\n", t.name,
                                t.maxBufferElements, t.maxImageExtent2D, t.maxImageExtent3D,
                                t.fp16 ? "yes" : "no", t.int8Storage ? "yes" : "no",
                                t.int8DotProduct ? "yes" : "no", aliases.empty() ? "" : "[" + aliases + "] ",
                                t.description);
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
  cl::HideUnrelatedOptions({&IOCategory, &PipelineCategory, &PrintingCategory, &LoweringCategory});
  cl::SetVersionPrinter([](llvm::raw_ostream &os) { os << "vkqc " VKQC_VERSION "\n"; });
  cl::ParseCommandLineOptions(argc, argv,
                              "vkqc: ahead-of-time compiler for torchao-quantized PyTorch "
                              "programs to ExecuTorch Vulkan\n");
  if (CompileCmd)
    return runCompile();
  if (PassesCmd)
    return runListPasses();
  if (OpsCmd)
    return runListOps();
  if (TargetsCmd)
    return runListTargets();
  llvm::errs() << "vkqc: error: no command given; try `vkqc --help`\n";
  return 1;
}
