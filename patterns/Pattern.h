// What a rewrite pattern is: a pure match that records why it rejects, and a rewrite
// that makes every change through the Rewriter.
#pragma once

#include "compiler/ir/Rewriter.h"
#include "compiler/pass/Pass.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vkqc {

/// The reasons a match was rejected, in the order they were found.
class MatchTrace {
public:
  /// Records `reason`; returns nullopt so a matcher can `return why.reject(...)`.
  std::nullopt_t reject(std::string reason) {
    reasons_.push_back(std::move(reason));
    return std::nullopt;
  }
  const std::vector<std::string> &reasons() const { return reasons_; }
  /// What a match found and made, for the report (e.g. the layout of a weight).
  void found(std::string what) { found_ = std::move(what); }
  const std::string &found() const { return found_; }

private:
  std::vector<std::string> reasons_;
  std::string found_;
};

class Pattern {
public:
  virtual ~Pattern() = default;
  /// Matches at `root` and, on success, rewrites. Returns whether it rewrote.
  virtual bool apply(Node &root, Rewriter &rw, const PassOptions &options,
                     MatchTrace &why) const = 0;
};

/// A pattern with a typed match result: `match` never changes the graph.
template <typename MatchT> class TypedPattern : public Pattern {
public:
  virtual std::optional<MatchT> match(const Graph &g, const Node &root, const PassOptions &options,
                                      MatchTrace &why) const = 0;
  virtual void rewrite(Rewriter &rw, const MatchT &m) const = 0;

  bool apply(Node &root, Rewriter &rw, const PassOptions &options, MatchTrace &why) const final {
    std::optional<MatchT> m = match(rw.graph(), root, options, why);
    if (!m)
      return false;
    rw.setInsertionPoint(&root);
    rewrite(rw, *m);
    return true;
  }
};

struct PatternInfo {
  std::string name;
  std::string anchor; // the target a match starts from
  std::string summary;
  std::unique_ptr<Pattern> (*create)();
};

/// Every pattern of Patterns.def, in the order they are tried.
const std::vector<PatternInfo> &allPatterns();

} // namespace vkqc
