// fuse-quantized: rewrite quantized embeddings and linears (and RMSNorm) into the Vulkan
// backend's fused ops with the patterns of patterns/Patterns.def. A node no pattern takes stays as
// it is (it still computes the right answer) and the report says why each pattern refused it.
#include "patterns/Pattern.h"

#include <set>

namespace vkqc {

namespace {
class FuseQuantizedPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    std::vector<std::unique_ptr<Pattern>> patterns;
    std::set<std::string> anchors;
    for (const PatternInfo &info : allPatterns()) {
      patterns.push_back(info.create());
      anchors.insert(info.anchor);
    }
    // Rewrites erase nodes, so walk a list of anchor names, not node pointers.
    std::vector<std::string> candidates;
    for (const auto &n : g.nodes())
      if (anchors.count(n->target))
        candidates.push_back(n->name);

    Rewriter rw(g);
    for (const std::string &name : candidates) {
      Node *root = findNode(g, name);
      if (!root)
        continue;
      std::string reasons; // of the patterns that refused, in the order tried
      std::string fusedBy;
      for (size_t i = 0; i < patterns.size() && fusedBy.empty(); ++i) {
        const PatternInfo &info = allPatterns()[i];
        if (info.anchor != root->target)
          continue;
        MatchTrace why;
        if (patterns[i]->apply(*root, rw, ctx.options, why))
          fusedBy = why.found().empty() ? info.name : info.name + ": " + why.found();
        for (const std::string &r : why.reasons())
          reasons += (reasons.empty() ? "" : "; ") + info.name + ": " + r;
      }
      if (fusedBy.empty() && reasons.empty())
        continue; // no pattern took it for a candidate (a mul that is no norm's weight)
      if (fusedBy.empty())
        ctx.note("fuse-quantized", name, "rejected", reasons);
      else
        ctx.note("fuse-quantized", name, "fused",
                 reasons.empty() ? fusedBy : fusedBy + " (" + reasons + ")");
    }
    return rw.changed();
  }

private:
  static Node *findNode(Graph &g, llvm::StringRef name) {
    for (const auto &n : g.nodes())
      if (n->name == name)
        return n.get();
    return nullptr;
  }
};
} // namespace

std::unique_ptr<Pass> createFuseQuantizedPass() { return std::make_unique<FuseQuantizedPass>(); }

} // namespace vkqc
