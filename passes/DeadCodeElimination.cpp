// dce: remove nodes whose results nothing reads, and constant inputs nothing reads.
//
// `_assert_tensor_metadata` has no results; it asserts a static dtype/shape fact the
// verifier already guarantees, so it is dead too. Dead constant inputs are how a tied
// embedding's unused `emb.*` placeholders arrive; dropping them keeps one name per use.
#include "compiler/ir/Rewriter.h"
#include "compiler/pass/Pass.h"

namespace vkqc {

namespace {
class DeadCodeEliminationPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    Rewriter rw(g);
    // Walk backwards so a chain of dead nodes goes in one sweep: erasing a node drops its
    // reads, so its operands' producers are dead by the time the walk reaches them.
    for (Node *n = g.lastNode(); n;) {
      Node *prev = n->prevNode();
      bool used = std::any_of(n->results.begin(), n->results.end(),
                              [](const Value *r) { return r->isUsed(); });
      if (!used) {
        ctx.note("dce", n->name, "removed", n->target);
        rw.eraseNode(n);
      }
      n = prev;
    }
    for (Value *in : std::vector<Value *>(g.inputs())) {
      if (!in->isConstant() || in->isUsed())
        continue;
      ctx.note("dce", in->name, "removed", "unused " + std::string(inputKindName(*in->inputKind)));
      rw.eraseInputIfUnused(in);
    }
    return rw.changed();
  }
};
} // namespace

std::unique_ptr<Pass> createDeadCodeEliminationPass() {
  return std::make_unique<DeadCodeEliminationPass>();
}

} // namespace vkqc
