// partition: decide for every node whether it runs on Vulkan or on the CPU.
//
// A node runs on Vulkan when its op is in compiler/target/VulkanOps.def, every tensor it
// reads or writes has a dtype the target supports, and no such tensor can grow past the
// target's storage-buffer limit (symbolic sizes are taken at the top of their range).
// choose_qparams_affine goes where its users go: on Vulkan only when they all run there.
// The report says why each CPU node is on the CPU. Consecutive Vulkan nodes become one
// delegate when the program is written.
#include "compiler/ir/Printer.h"
#include "compiler/target/TargetLimits.h"
#include "passes/Pass.h"

#include <set>

namespace vkqc {

namespace {
const std::set<std::string> &vulkanOps() {
  static const std::set<std::string> ops = {
#define VKQC_VULKAN_OP(TARGET, NOTE) TARGET,
#include "compiler/target/VulkanOps.def"
  };
  return ops;
}

class PartitionPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    llvm::Expected<const Target *> target = lookupTarget(ctx.options.target);
    if (!target)
      return target.takeError();
    std::map<const Value *, std::vector<const Node *>> users;
    for (const auto &n : g.nodes)
      for (const Value *v : n->operands())
        users[v].push_back(n.get());

    // Backwards, so a node's users are placed before it.
    for (size_t i = g.nodes.size(); i-- > 0;) {
      Node &n = *g.nodes[i];
      std::string why = cpuReason(g, n, **target, users);
      n.placement = why.empty() ? Placement::Vulkan : Placement::Cpu;
      ctx.note("partition", n.name, why.empty() ? "vulkan" : "cpu", why.empty() ? n.target : why);
    }
    return true;
  }

private:
  static std::string cpuReason(const Graph &g, const Node &n, const Target &t,
                               std::map<const Value *, std::vector<const Node *>> &users) {
    if (!vulkanOps().count(n.target))
      return "no Vulkan kernel for " + n.target;
    if (std::string problem = nodeTensorProblem(g, n, t); !problem.empty())
      return problem;
    if (n.target == "torchao.choose_qparams_affine.default")
      for (const Value *r : n.results)
        for (const Node *u : users[r])
          if (u->placement != Placement::Vulkan)
            return "its result %" + r->name + " feeds " + u->name + ", which runs on the CPU";
    return "";
  }
};
} // namespace

std::unique_ptr<Pass> createPartitionPass() { return std::make_unique<PartitionPass>(); }

} // namespace vkqc
