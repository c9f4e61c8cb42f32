// pack-weights: fold the vkqc layout ops over constants into new constants, so the fused
// kernels read their weights, scales and weight sums already in the layouts they expect.
//
// Each packed constant is made once per (source storage, layout) through the constant
// pool's registry: a tied embedding/lm-head packs its int4 table once, and its scales,
// read transposed by the linear and as they are by the embedding, become two copies.
#include "passes/DerivedConstants.h"

namespace vkqc {

namespace {
class PackWeightsPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    Rewriter rw(g);
    std::vector<Node *> layoutNodes;
    for (const auto &n : g.nodes())
      if (layoutOpTransform(*n))
        layoutNodes.push_back(n.get());
    for (Node *n : layoutNodes) {
      Value *source = n->operands().front();
      if (!source->isConstant()) {
        ctx.note("pack-weights", n->name, "kept", "its operand is computed, not a constant");
        continue;
      }
      DerivedKind kind = layoutOpKind(*n);
      std::string resultName = n->results[0]->name;
      std::optional<std::vector<int64_t>> shape = n->results[0]->staticShape();
      if (!shape)
        return llvm::createStringError(
            llvm::inconvertibleErrorCode(),
            n->name + ": a layout op over a constant must have a static shape");
      llvm::Expected<DerivedConstant> packed =
          deriveConstant(rw, source, layoutOpName(*n), kind, resultName + "_tmp",
                         DerivedType{n->results[0]->dtype, *shape}, *layoutOpTransform(*n));
      if (!packed)
        return packed.takeError();
      ctx.note("pack-weights", packed->value->name, packed->reused ? "shared" : "packed",
               layoutOpName(*n) + " of " + source->stateName +
                   (packed->reused ? " (already packed for another user: one copy)" : ""));
      rw.replaceAllUsesWith(n->results[0], packed->value);
      rw.eraseNode(n);
      if (!packed->reused) // the constant takes the name of the value it replaces
        rw.renameValue(packed->value, resultName);
      rw.eraseInputIfUnused(source);
    }
    reportSecondLayouts(g, ctx, "pack-weights");
    return rw.changed();
  }
};
} // namespace

std::unique_ptr<Pass> createPackWeightsPass() { return std::make_unique<PackWeightsPass>(); }

} // namespace vkqc
