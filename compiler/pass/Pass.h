// What a pass is and what it may read while it runs: the pass infrastructure the passes
// (passes/) and the patterns (patterns/) both build on.
#pragma once

#include "compiler/ir/Graph.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace vkqc {

/// One line of the compile report: what a pass did to a node or constant, and why.
struct ReportEntry {
  std::string pass;
  std::string subject; // node or constant name
  std::string action;  // "fused", "rejected", "shared", "copied", "removed", ...
  std::string detail;  // the pattern, the reason, ...
};

/// Options every pass can read, set from the command line.
struct PassOptions {
  DType computeDType = DType::Float32;
  bool weightOnlyLinear = false;
  std::string target = "generic";
  /// --runtime=executorch (default): the program must be one ExecuTorch's runtime runs;
  /// false (--runtime=vkqc): ops only `vkqc run` implements may stay.
  bool executorchOnly = true;
};

struct PassContext {
  PassOptions options;
  std::vector<ReportEntry> report;
  void note(std::string pass, std::string subject, std::string action, std::string detail = "") {
    report.push_back({std::move(pass), std::move(subject), std::move(action), std::move(detail)});
  }
};

class Pass {
public:
  virtual ~Pass() = default;
  /// Runs on `g`; returns whether it changed anything.
  virtual llvm::Expected<bool> run(Graph &g, PassContext &ctx) = 0;
};

} // namespace vkqc
