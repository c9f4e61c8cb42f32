// insert-prepack: a constant read by a Vulkan op that does not prepack it itself reaches the
// op through et_vk.prepack, which copies it into a device tensor (ExecuTorch's
// insert_prepack_nodes). The op table says which arguments each op prepacks itself
// (VULKAN_TENSORS `:constant`); a constant anywhere else would be a TensorRef where
// ExecuTorch's op needs a tensor, and its graph build aborts.
#include "compiler/ir/Rewriter.h"
#include "compiler/pass/Pass.h"

namespace vkqc {

namespace {
class InsertPrepackPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    Rewriter rw(g);
    std::map<Value *, Value *> prepacked; // constant -> its device tensor
    std::vector<Node *> nodes;
    for (const auto &n : g.nodes())
      nodes.push_back(n.get());
    for (Node *n : nodes) {
      if (n->placement != Placement::Vulkan)
        continue;
      for (const NamedArg &a : std::vector<NamedArg>(n->args())) {
        if (n->schema->isVulkanConstantArg(a.name))
          continue;
        auto devicePrepacked = [&](Value *v) -> Value * {
          if (!v || !v->isTensor() || !v->isConstant())
            return v;
          Value *&p = prepacked[v];
          if (!p) {
            rw.setInsertionPoint(n);
            p = rw.createOp(OpKind::et_vk_prepack_default, {{"x", v}}, v->dtype, v->shape,
                            v->name + "_prepacked");
            rw.setPlacement(p->definingNode, Placement::Vulkan);
            ctx.note("insert-prepack", p->name, "prepacked",
                     "%" + v->name + " read by " + n->name + " (" + a.name + ")");
          }
          return p;
        };
        if (Value *v = asTensor(a.value); v && devicePrepacked(v) != v) {
          rw.setArgument(n, a.name, devicePrepacked(v));
        } else if (const auto *list = std::get_if<TensorListArg>(&a.value)) {
          TensorListArg items = *list;
          for (Value *&item : items.tensors)
            item = devicePrepacked(item);
          if (items.tensors != list->tensors)
            rw.setArgument(n, a.name, items);
        }
      }
    }
    return rw.changed();
  }
};
} // namespace

std::unique_ptr<Pass> createInsertPrepackPass() { return std::make_unique<InsertPrepackPass>(); }

} // namespace vkqc
