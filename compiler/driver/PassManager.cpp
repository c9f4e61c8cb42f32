#include "compiler/driver/PassManager.h"

#include "compiler/ir/Printer.h"
#include "compiler/ir/Verifier.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <fmt/format.h>

#include <chrono>

namespace vkqc {

namespace {
llvm::Error pipelineError(const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "pipeline: " + what);
}

std::string knownPassNames() {
  std::string names = "import";
  for (const PassInfo &p : allPasses())
    names += ", " + p.name;
  return names;
}

void dump(const Graph &g, llvm::raw_ostream &os, llvm::StringRef when, const llvm::Twine &pass) {
  os << "// -----// IR Dump " << when << " " << pass << " //----- //\n";
  printGraph(g, os);
}

llvm::Error writeTreeFile(const Graph &g, llvm::StringRef dir, int index, llvm::StringRef stage) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return pipelineError("cannot create --print-ir-tree-dir " + dir + ": " + ec.message());
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, fmt::format("{:02d}_{}.vkir", index, stage.str()));
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return pipelineError("cannot write " + path + ": " + ec.message());
  printGraph(g, os);
  return llvm::Error::success();
}
} // namespace

llvm::Expected<std::vector<const PassInfo *>> resolvePipeline(const PipelineOptions &opts) {
  std::vector<const PassInfo *> pipeline;
  if (opts.passes.empty()) {
    for (const PassInfo &p : allPasses())
      pipeline.push_back(&p);
  } else {
    for (const std::string &name : opts.passes) {
      const PassInfo *p = lookupPass(name);
      if (!p)
        return pipelineError("unknown pass '" + name + "' (known: " + knownPassNames() + ")");
      pipeline.push_back(p);
    }
  }
  for (const std::set<std::string> *names : {&opts.printBefore, &opts.printAfter})
    for (const std::string &name : *names)
      if (!lookupPass(name))
        return pipelineError("unknown pass '" + name +
                             "' in a --print-ir flag (known: " + knownPassNames() + ")");
  if (!opts.compileTo.empty() && opts.compileTo != "import") {
    auto it = std::find_if(pipeline.begin(), pipeline.end(),
                           [&](const PassInfo *p) { return p->name == opts.compileTo; });
    if (it == pipeline.end())
      return pipelineError("--compile-to=" + opts.compileTo +
                           " names no pass of this pipeline (known: " + knownPassNames() + ")");
    pipeline.erase(it + 1, pipeline.end());
  } else if (opts.compileTo == "import") {
    pipeline.clear();
  }
  return pipeline;
}

llvm::Error runPipeline(Graph &g, const PipelineOptions &opts, PassContext &ctx,
                        llvm::raw_ostream &log, const StageHook &afterStage) {
  llvm::Expected<std::vector<const PassInfo *>> pipeline = resolvePipeline(opts);
  if (!pipeline)
    return pipeline.takeError();
  if (opts.verifyEach)
    if (auto err = verifyGraph(g))
      return pipelineError("IR invalid after " + opts.inputStage + ": " +
                           llvm::toString(std::move(err)));
  if (afterStage)
    if (auto err = afterStage(g, opts.inputStage))
      return err;
  int stage = 0;
  if (!opts.printTreeDir.empty())
    if (auto err = writeTreeFile(g, opts.printTreeDir, stage, opts.inputStage))
      return err;

  std::vector<std::pair<std::string, double>> timings;
  for (const PassInfo *info : *pipeline) {
    if (opts.printBefore.count(info->name))
      dump(g, log, "Before", info->name);
    std::string before = opts.printAfterChange ? graphToString(g) : std::string();
    auto start = std::chrono::steady_clock::now();
    llvm::Expected<bool> changed = info->create()->run(g, ctx);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!changed) {
      // A pass may refuse its input (a hand-written .vkir), so its error stays one line
      // unless the dump is asked for.
      if (opts.printAfterFailure)
        dump(g, log, "After", info->name + " Failed");
      return pipelineError("pass '" + info->name +
                           "' failed: " + llvm::toString(changed.takeError()));
    }
    timings.emplace_back(info->name, seconds);
    // A pass that changed nothing left the IR as verified before it.
    if (*changed && opts.verifyEach)
      if (auto err = verifyGraph(g)) {
        // A verified input made invalid is a bug in the pass: show what it made.
        dump(g, log, "After", info->name + " Failed");
        return pipelineError("pass '" + info->name +
                             "' broke the IR: " + llvm::toString(std::move(err)));
      }
    if (afterStage)
      if (auto err = afterStage(g, info->name))
        return err;
    // "changed" can be a no-op in the end (a node moved back), so the text decides.
    bool printAfter = opts.printAfterAll || opts.printAfter.count(info->name) ||
                      (opts.printAfterChange && *changed && graphToString(g) != before);
    if (printAfter)
      dump(g, log, "After", info->name);
    if (!opts.printTreeDir.empty())
      if (auto err = writeTreeFile(g, opts.printTreeDir, ++stage, info->name))
        return err;
  }

  if (opts.timePasses) {
    double total = 0;
    for (const auto &[name, s] : timings)
      total += s;
    log << "===-------------------------------------------------------------------------===\n"
        << "                          vkqc pass execution timing\n"
        << "===-------------------------------------------------------------------------===\n";
    log << fmt::format("  {:>12}  {:>7}  {}\n", "wall (ms)", "share", "pass");
    for (const auto &[name, s] : timings)
      log << fmt::format("  {:>12.3f}  {:>6.1f}%  {}\n", s * 1e3, total > 0 ? 100 * s / total : 0.0,
                         name);
    log << fmt::format("  {:>12.3f}  {:>6.1f}%  total\n", total * 1e3, 100.0);
  }
  return llvm::Error::success();
}

} // namespace vkqc
