// dce: remove nodes whose results nothing reads, and constant inputs nothing reads.
//
// `_assert_tensor_metadata` has no results; it asserts a static dtype/shape fact the
// verifier already guarantees, so it is dead too. Dead constant inputs are how a tied
// embedding's unused `emb.*` placeholders arrive; dropping them keeps one name per use.
#include "compiler/pass/Pass.h"

namespace vkqc {

namespace {
class DeadCodeEliminationPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    bool changed = false;
    std::map<const Value *, int> uses = g.useCounts();
    // Walk backwards so a chain of dead nodes goes in one sweep.
    for (size_t i = g.nodes.size(); i-- > 0;) {
      Node *n = g.nodes[i].get();
      bool used = std::any_of(n->results.begin(), n->results.end(),
                              [&](const Value *r) { return uses[r] > 0; });
      if (used)
        continue;
      for (Value *operand : n->operands())
        --uses[operand];
      ctx.note("dce", n->name, "removed", n->target);
      g.eraseNode(n);
      changed = true;
    }
    for (Value *in : std::vector<Value *>(g.inputs)) {
      if (!in->isConstant() || uses[in] > 0)
        continue;
      ctx.note("dce", in->name, "removed", "unused " + std::string(inputKindName(*in->inputKind)));
      g.eraseInput(in);
      changed = true;
    }
    return changed;
  }
};
} // namespace

std::unique_ptr<Pass> createDeadCodeEliminationPass() {
  return std::make_unique<DeadCodeEliminationPass>();
}

} // namespace vkqc
