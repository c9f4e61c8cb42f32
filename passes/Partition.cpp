// partition: decide for every node whether it runs on Vulkan or on the CPU.
//
// A node runs on Vulkan when its op is in compiler/target/VulkanOps.def, every tensor it
// reads or writes has a dtype the target supports, and no such tensor can grow past the
// target's storage-buffer limit (symbolic sizes are taken at the top of their range).
// choose_qparams_affine goes where its users go: on Vulkan only when they all run there.
// The report says why each CPU node is on the CPU. Consecutive Vulkan nodes become one
// delegate when the program is written.
#include "compiler/ir/Printer.h"
#include "compiler/target/Target.h"
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

// The most elements `v` can hold, with every symbol at the top of its range.
std::optional<int64_t> maxElements(const Graph &g, const Value &v) {
  std::map<std::string, int64_t> top;
  for (const auto &[name, range] : g.symbols) {
    if (!range.max)
      return std::nullopt;
    top[name] = *range.max;
  }
  int64_t n = 1;
  for (const SymExpr &d : v.shape) {
    llvm::Expected<int64_t> size = d.evaluate(top);
    if (!size) {
      llvm::consumeError(size.takeError());
      return std::nullopt;
    }
    if (__builtin_mul_overflow(n, *size, &n))
      return std::nullopt;
  }
  return n;
}

// Why a tensor cannot live on the GPU, or empty.
std::string tensorProblem(const Graph &g, const Value &v, const Target &t) {
  switch (v.dtype) {
  case DType::Float32:
  case DType::Int32:
  case DType::Int64: // indices; the runtime narrows them to int32
    break;
  case DType::Float16:
    if (!t.fp16)
      return "%" + v.name + " is f16 and target " + t.name + " has no fp16 arithmetic";
    break;
  case DType::Int8:
  case DType::UInt8:
    if (!t.int8Storage)
      return "%" + v.name + " is 8-bit and target " + t.name + " has no 8-bit storage";
    break;
  default:
    return "%" + v.name + " is " + std::string(dtypeName(v.dtype)) + ", which no Vulkan kernel reads";
  }
  std::optional<int64_t> n = maxElements(g, v);
  if (!n)
    return "%" + v.name + " has an unbounded size";
  if (*n > t.maxBufferElements)
    return "%" + v.name + " " + typeToString(v) + " holds up to " + std::to_string(*n) +
           " elements, over the " + std::to_string(t.maxBufferElements) + "-element buffer limit of " + t.name;
  return "";
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
    std::vector<const Value *> tensors;
    for (const Value *v : n.operands())
      if (v->isTensor())
        tensors.push_back(v);
    for (const Value *r : n.results)
      tensors.push_back(r);
    for (const Value *v : tensors)
      if (std::string problem = tensorProblem(g, *v, t); !problem.empty())
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
