// Applies a pattern table to a graph with a worklist, as MLIR's greedy driver does, with
// the patterns indexed by the op they are rooted at.
//
// Each node present when the driver starts is visited once, in graph order; the patterns
// rooted at its op are tried in table order and the first that matches rewrites. A node a
// rewrite erases leaves the worklist (the Rewriter tells the driver). Nodes a rewrite
// creates are not visited: these rewrites are lowering decisions, not canonicalizations,
// and one pattern's output may be another's root on purpose (a CPU fallback makes
// quantized_decomposed.embedding_4bit, which legacy-embedding-4bit would take back to the
// GPU the fallback refused).
#pragma once

#include "patterns/Pattern.h"

#include <functional>
#include <map>

namespace vkqc {

/// What happened at one root: the pattern that rewrote it (with what it found), and the
/// reasons of the patterns that refused it, in the order tried ("name: reason; ...").
struct PatternOutcome {
  std::string rewrittenBy; // empty: no pattern matched
  std::string reasons;
};

class PatternDriver {
public:
  explicit PatternDriver(const std::vector<PatternInfo> &table);

  /// Runs the table over `g`; `onRoot` hears of every visited node that some pattern
  /// rewrote or refused with a reason. Returns whether the graph changed.
  bool run(Graph &g, const PassOptions &options,
           const std::function<void(const std::string &root, const PatternOutcome &)> &onRoot);

private:
  const std::vector<PatternInfo> &table_;
  std::vector<std::unique_ptr<Pattern>> patterns_; // one per table row
  std::map<OpKind, std::vector<size_t>> byRootOp_; // op -> rows, in table order
};

} // namespace vkqc
