// partition: decide for every node whether it runs on Vulkan or on the CPU.
//
// A node runs on Vulkan when its op's row of the op table (compiler/ir/Ops.def) has a
// Vulkan rule, its tensors have the dtypes the rule allows, its arguments pass the op's
// guard below, no tensor can grow past the target's storage-buffer limit (symbolic sizes
// are taken at the top of their range), and every tensor ExecuTorch's implementation reads
// as a texture fits one. choose_qparams_affine goes where its users go: on Vulkan
// only when they all run there. The report says why each CPU node is on the CPU; the
// schedule pass then orders the nodes so the Vulkan ones form few delegate regions.
#include "compiler/ir/Printer.h"
#include "compiler/ir/Rewriter.h"
#include "compiler/pass/Pass.h"
#include "compiler/target/TargetLimits.h"
#include "patterns/QuantMatchers.h" // isVulkanComputeDType

#include <map>

namespace vkqc {

namespace {
// Why the tensors of `n` break the op's operand rule, or "".
std::string operandProblem(const Node &n, VulkanRule rule) {
  if (rule == VulkanRule::Quantized)
    return "";
  // Integer positions cast to float (RoPE's position_ids.float()) run on Vulkan too.
  const Value *positions =
      n.is(OpKind::aten__to_copy_default) && isVulkanComputeDType(n.results[0]->dtype)
          ? n.tensorArg("self")
          : nullptr;
  auto problem = [&](const Value &v) -> std::string {
    if (!v.isTensor() || isVulkanComputeDType(v.dtype) ||
        (&v == positions && (v.dtype == DType::Int32 || v.dtype == DType::Int64)))
      return "";
    std::string what =
        v.dtype == DType::Bool || isIntegral(v.dtype)
            ? " (integer and bool tensors build the attention mask and positions on the CPU)"
            : "";
    return "%" + v.name + " is " + std::string(dtypeName(v.dtype)) +
           "; its Vulkan kernel takes f32/f16" + what;
  };
  for (const Value *v : n.operands())
    if (std::string p = problem(*v); !p.empty())
      return p;
  for (const Value *r : n.results)
    if (std::string p = problem(*r); !p.empty())
      return p;
  return "";
}

// Per-op argument guards: what the kernels (vkqc's and ExecuTorch's) do not implement.
std::string argumentProblem(const Node &n) {
  if (n.is(OpKind::aten_mean_dim)) {
    std::optional<std::vector<int64_t>> dims = asLiteralInts(n.arg("dim"));
    if (!dims || dims->size() != 1)
      return "mean over " + argToString(n.arg("dim")) +
             ": the Vulkan kernel reduces exactly one dim";
    const Value *self = n.tensorArg("self");
    int64_t rank = static_cast<int64_t>(self->shape.size());
    if (((*dims)[0] != -1 && (*dims)[0] != rank - 1) || !std::get<bool>(n.arg("keepdim")))
      return "mean over dim " + std::to_string((*dims)[0]) +
             " keepdim=" + argToString(n.arg("keepdim")) +
             ": ExecuTorch's Vulkan mean keeps the last dim";
  }
  if (n.is(OpKind::aten_gelu_default) && std::get<std::string>(n.arg("approximate")) != "tanh")
    return "gelu(approximate='" + std::get<std::string>(n.arg("approximate")) +
           "'): ExecuTorch's Vulkan gelu computes the tanh approximation";
  if (n.is(OpKind::aten__to_copy_default) && isFloatingPoint(n.tensorArg("self")->dtype))
    return "a float-to-float copy: ExecuTorch runs it as an image blit, which never resizes";
  // ExecuTorch's float linear prepacks its weight and bias (constants only) and batches
  // over dim -3 at most.
  if (n.is(OpKind::aten_linear_default)) {
    const Value *w = n.tensorArg("weight"), *b = n.tensorArg("bias"), *x = n.tensorArg("input");
    if (!w->isConstant() || w->shape.size() != 2 || (b && !b->isConstant()))
      return "a linear whose weight or bias is computed: ExecuTorch's Vulkan linear reads "
             "constants";
    if (x->shape.size() > 3)
      return "a linear over a " + std::to_string(x->shape.size()) +
             "-D input: ExecuTorch's batches over dim -3 only";
  }
  // ExecuTorch's fused linears compute the rows of size(-2) only.
  if (n.is(OpKind::et_vk_linear_q4gsw_default) || n.is(OpKind::et_vk_linear_dq8ca_q4gsw_default)) {
    const Value *x = n.tensorArg(n.is(OpKind::et_vk_linear_q4gsw_default) ? "self" : "input");
    for (size_t i = 0; i + 2 < x->shape.size(); ++i)
      if (x->shape[i] != SymExpr(1))
        return "%" + x->name + " " + typeToString(*x) +
               " has a batch dim other than 1; ExecuTorch's fused linear computes the rows of dim "
               "-2 only";
  }
  if (n.is(OpKind::aten_slice_copy_Tensor)) {
    std::optional<int64_t> step = asInt(n.arg("step"));
    if (!step || *step < 1)
      return "slice step " + argToString(n.arg("step")) + " is not a literal >= 1";
  }
  if (n.is(OpKind::aten_mean_dim) || n.is(OpKind::aten__to_copy_default))
    if (n.hasArg("dtype") && !isNone(n.arg("dtype")) &&
        !isVulkanComputeDType(std::get<DType>(n.arg("dtype"))))
      return "dtype=" + argToString(n.arg("dtype")) + " is not a float dtype";
  return "";
}

// A tensor ExecuTorch's implementation reads or writes as a 3-D texture must fit one.
std::string textureArgProblem(const Graph &g, const Node &n, const Target &t) {
  auto check = [&](const Value *v) -> std::string {
    if (!v || !v->isTensor() || v->isConstant())
      return "";
    std::string problem = textureProblem(g, *v, t);
    return problem.empty() ? ""
                           : problem + " (ExecuTorch's " + n.target + " reads it as a texture)";
  };
  for (const std::string &arg : n.schema->vulkanTextureArgs) {
    if (arg == "out") {
      for (const Value *r : n.results)
        if (std::string p = check(r); !p.empty())
          return p;
    } else if (std::string p = check(n.tensorArg(arg)); !p.empty()) {
      return p;
    }
  }
  return "";
}

class PartitionPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    llvm::Expected<const Target *> target = lookupTarget(ctx.options.target);
    if (!target)
      return target.takeError();
    // Every node's users in graph order: the first CPU user of a choose_qparams is named.
    std::map<const Value *, std::vector<const Node *>> users;
    for (const auto &n : g.nodes())
      for (const Value *v : n->operands())
        users[v].push_back(n.get());

    // Backwards, so a node's users are placed before it.
    Rewriter rw(g);
    for (Node *n = g.lastNode(); n; n = n->prevNode()) {
      std::string why = cpuReason(g, *n, **target, users);
      rw.setPlacement(n, why.empty() ? Placement::Vulkan : Placement::Cpu);
      ctx.note("partition", n->name, why.empty() ? "vulkan" : "cpu", why.empty() ? n->target : why);
    }
    return rw.changed();
  }

private:
  static std::string cpuReason(const Graph &g, const Node &n, const Target &t,
                               std::map<const Value *, std::vector<const Node *>> &users) {
    if (n.schema->vulkan == VulkanRule::None)
      return "no Vulkan kernel for " + n.target;
    if (std::string problem = operandProblem(n, n.schema->vulkan); !problem.empty())
      return problem;
    if (std::string problem = argumentProblem(n); !problem.empty())
      return problem;
    if (std::string problem = nodeTensorProblem(g, n, t); !problem.empty())
      return problem;
    if (std::string problem = textureArgProblem(g, n, t); !problem.empty())
      return problem;
    if (n.is(OpKind::torchao_choose_qparams_affine_default))
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
