#include "patterns/PatternDriver.h"

#include "llvm/Support/ErrorHandling.h"

#include <unordered_map>

namespace vkqc {

namespace {
// The nodes still to visit, in order; an erased node's slot is cleared.
class Worklist : public RewriteListener {
public:
  void push(Node *n) {
    index_[n] = items_.size();
    items_.push_back(n);
  }
  /// The next node still in the graph, or null when none is left.
  Node *pop() {
    while (next_ < items_.size()) {
      Node *n = items_[next_++];
      if (n) {
        index_.erase(n);
        return n;
      }
    }
    return nullptr;
  }
  void nodeErased(Node *n) override {
    if (auto it = index_.find(n); it != index_.end()) {
      items_[it->second] = nullptr;
      index_.erase(it);
    }
  }

private:
  std::vector<Node *> items_;
  size_t next_ = 0;
  std::unordered_map<const Node *, size_t> index_;
};

// The op a node runs, or none for a schema outside the op table.
std::optional<OpKind> kindOf(const Node &n) { return n.schema ? n.schema->kind : std::nullopt; }
} // namespace

PatternDriver::PatternDriver(const std::vector<PatternInfo> &table) : table_(table) {
  for (size_t i = 0; i < table.size(); ++i) {
    patterns_.push_back(table[i].create());
    // The anchors are rows of the op table (Patterns.def is ours to keep valid).
    const OpSchema *anchor = lookupOpSchema(table[i].anchor);
    if (!anchor || !anchor->kind)
      llvm::report_fatal_error(llvm::Twine("PatternDriver: pattern ") + table[i].name +
                               " is anchored at an op outside the table: " + table[i].anchor);
    byRootOp_[*anchor->kind].push_back(i);
  }
}

bool PatternDriver::run(
    Graph &g, const PassOptions &options,
    const std::function<void(const std::string &root, const PatternOutcome &)> &onRoot) {
  Worklist worklist;
  for (const auto &n : g.nodes())
    if (std::optional<OpKind> kind = kindOf(*n); kind && byRootOp_.count(*kind))
      worklist.push(n.get());
  Rewriter rw(g);
  rw.setListener(&worklist);
  while (Node *root = worklist.pop()) {
    std::optional<OpKind> kind = kindOf(*root);
    auto rows = kind ? byRootOp_.find(*kind) : byRootOp_.end();
    if (rows == byRootOp_.end())
      continue;
    std::string name = root->name; // the root may be erased by its rewrite
    PatternOutcome outcome;
    for (size_t i : rows->second) {
      const PatternInfo &info = table_[i];
      MatchTrace why;
      bool rewrote = patterns_[i]->apply(*root, rw, options, why);
      if (rewrote)
        outcome.rewrittenBy = why.found().empty() ? info.name : info.name + ": " + why.found();
      for (const std::string &r : why.reasons())
        outcome.reasons += (outcome.reasons.empty() ? "" : "; ") + info.name + ": " + r;
      if (rewrote)
        break;
    }
    if (!outcome.rewrittenBy.empty() || !outcome.reasons.empty())
      onRoot(name, outcome);
  }
  return rw.changed();
}

} // namespace vkqc
