// Runs a pipeline of passes with MLIR-style instrumentation: IR dumps before/after
// passes, a dump tree, the verifier after each pass that changed the IR, timing, and the
// IR dumped (`// -----// IR Dump After <pass> Failed //----- //`) when a pass breaks it.
#pragma once

#include "passes/PassRegistry.h"

#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace vkqc {

struct PipelineOptions {
  std::vector<std::string> passes;   // empty: the default pipeline (all of Passes.def)
  std::string compileTo;             // stop after this pass ("import": before any)
  std::set<std::string> printBefore; // pass names
  std::set<std::string> printAfter;  // pass names
  bool printAfterAll = false;
  /// After a pass that reports a change and whose text differs (a pass reporting none is
  /// not printed, nor verified).
  bool printAfterChange = false;
  /// Dump the IR when a pass fails (a pass that breaks the IR always dumps it).
  bool printAfterFailure = false;
  std::string printTreeDir; // numbered .vkir files, one per stage
  bool verifyEach = true;
  bool timePasses = false;
  /// What stage 0 is called in messages, the hook and the dump tree (`vkqc opt`: "input").
  std::string inputStage = "import";
};

/// The pass names the pipeline will run, after `--passes` and `--compile-to`. Unknown
/// names are an error that lists the known ones.
llvm::Expected<std::vector<const PassInfo *>> resolvePipeline(const PipelineOptions &opts);

/// Called with the IR after import (the input stage) and after every pass (--verify-numerics).
using StageHook = std::function<llvm::Error(const Graph &g, llvm::StringRef stage)>;

/// Runs the pipeline on `g`. Dumps and timing go to `log` (stderr in the tool).
llvm::Error runPipeline(Graph &g, const PipelineOptions &opts, PassContext &ctx,
                        llvm::raw_ostream &log, const StageHook &afterStage = nullptr);

} // namespace vkqc
