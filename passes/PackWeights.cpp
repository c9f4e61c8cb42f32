// pack-weights: fold the vkqc layout ops over constants into new constants, so the fused
// kernels read their weights, scales and weight sums already in the layouts they expect.
//
// Each packed constant is made once per (source storage, layout) through the constant
// pool's registry: a tied embedding/lm-head packs its int4 table once, and its scales,
// read transposed by the linear and as they are by the embedding, become two copies.
#include "compiler/interp/LayoutKernels.h"
#include "passes/DerivedConstants.h"

namespace vkqc {

namespace {
// The layout op's kernel applied to one constant operand.
std::optional<ConstantTransform> layoutTransform(const Node &n) {
  if (n.target == "vkqc.pack_q4_linear_weight.default")
    return ConstantTransform(interp::packQ4LinearWeight);
  if (n.target == "vkqc.pack_q4_embedding_weight.default")
    return ConstantTransform(interp::packQ4EmbeddingWeight);
  if (n.target == "vkqc.swap_nibbles.default")
    return ConstantTransform(interp::swapNibbles);
  if (n.target == "vkqc.int4tensor_to_q4_linear.default")
    return ConstantTransform(interp::int4TensorToQ4Linear);
  if (n.target == "vkqc.pad_columns.default") {
    int64_t align = *asInt(n.arg("align"));
    return ConstantTransform([align](const interp::Tensor &t) { return interp::padColumns(t, align); });
  }
  if (n.target == "vkqc.q4_weight_sums.default") {
    int64_t group = *asInt(n.arg("group_size"));
    return ConstantTransform([group](const interp::Tensor &t) { return interp::q4WeightSums(t, group); });
  }
  if (n.target == "vkqc.transpose_pad_scales.default") {
    int64_t align = *asInt(n.arg("align"));
    return ConstantTransform([align](const interp::Tensor &t) { return interp::transposePadScales(t, align); });
  }
  return std::nullopt;
}

std::string layoutName(const Node &n) {
  llvm::StringRef t(n.target);
  t.consume_front("vkqc.");
  t.consume_back(".default");
  std::string name = t.str();
  for (const NamedArg &a : n.args)
    if (auto i = asInt(a.value))
      name += "_" + a.name + std::to_string(*i);
  return name;
}

class PackWeightsPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    Rewriter rw(g);
    std::vector<Node *> layoutNodes;
    for (const auto &n : g.nodes)
      if (layoutTransform(*n))
        layoutNodes.push_back(n.get());
    for (Node *n : layoutNodes) {
      Value *source = n->operands().front();
      if (!source->isConstant()) {
        ctx.note("pack-weights", n->name, "kept", "its operand is computed, not a constant");
        continue;
      }
      DerivedKind kind = n->target == "vkqc.q4_weight_sums.default" ? DerivedKind::Summary
                                                                     : DerivedKind::Layout;
      std::string resultName = n->results[0]->name;
      std::optional<std::vector<int64_t>> shape = n->results[0]->staticShape();
      if (!shape)
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       n->name + ": a layout op over a constant must have a static shape");
      llvm::Expected<DerivedConstant> packed =
          deriveConstant(rw, source, layoutName(*n), kind, resultName + "_tmp",
                         DerivedType{n->results[0]->dtype, *shape}, *layoutTransform(*n));
      if (!packed)
        return packed.takeError();
      ctx.note("pack-weights", packed->value->name, packed->reused ? "shared" : "packed",
               layoutName(*n) + " of " + source->stateName +
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
