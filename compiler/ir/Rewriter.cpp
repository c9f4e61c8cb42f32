#include "compiler/ir/Rewriter.h"

#include "llvm/Support/ErrorHandling.h"

#include <algorithm>

namespace vkqc {

namespace {
bool isUsed(const Graph &g, const Value *v) {
  if (std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end())
    return true;
  return std::any_of(g.nodes.begin(), g.nodes.end(),
                     [&](const std::unique_ptr<Node> &n) { return n->readCount(v) != 0; });
}
} // namespace

Value *Rewriter::createOp(llvm::StringRef target, std::vector<NamedArg> args, DType dtype,
                          Dims shape, llvm::StringRef nameHint) {
  const OpSchema *schema = lookupOpSchema(target);
  if (!schema)
    llvm::report_fatal_error("Rewriter::createOp: no schema for " + target);
  std::string name = g_.uniqueName(nameHint);
  auto node = makeNode(g_, *schema, name, std::move(args));
  Value *result = g_.createValue(name);
  result->dtype = dtype;
  result->shape = std::move(shape);
  node->results.push_back(result);
  if (insertionPoint_)
    g_.insertNodeBefore(insertionPoint_, std::move(node));
  else
    g_.appendNode(std::move(node));
  changed_ = true;
  return result;
}

void Rewriter::retarget(Node *node, llvm::StringRef target, std::vector<NamedArg> args) {
  const OpSchema *schema = lookupOpSchema(target);
  if (!schema)
    llvm::report_fatal_error("Rewriter::retarget: no schema for " + target);
  std::unique_ptr<Node> made = makeNode(g_, *schema, node->name, std::move(args));
  node->target = made->target;
  node->schema = made->schema;
  node->args = std::move(made->args);
  changed_ = true;
}

Value *Rewriter::createOp(OpKind kind, std::vector<NamedArg> args, DType dtype, Dims shape,
                          llvm::StringRef nameHint) {
  return createOp(opSchema(kind).target, std::move(args), dtype, std::move(shape), nameHint);
}

void Rewriter::retarget(Node *node, OpKind kind, std::vector<NamedArg> args) {
  retarget(node, opSchema(kind).target, std::move(args));
}

void Rewriter::setArgument(Node *node, llvm::StringRef arg, ArgValue value) {
  node->arg(arg) = std::move(value);
  changed_ = true;
}

Value *Rewriter::createConstant(llvm::StringRef nameHint, std::string stateName,
                                ConstantTensor constant) {
  Value *v = g_.createValue(g_.uniqueName(nameHint));
  v->dtype = constant.dtype;
  for (int64_t d : constant.shape)
    v->shape.push_back(SymExpr(d));
  v->inputKind = InputKind::Constant;
  v->stateName = std::move(stateName);
  v->constant = std::move(constant);
  // Constants come before user inputs, as in the export signature.
  auto firstUser = std::find_if(g_.inputs.begin(), g_.inputs.end(),
                                [](const Value *in) { return !in->isConstant(); });
  g_.inputs.insert(firstUser, v);
  changed_ = true;
  return v;
}

void Rewriter::replaceAllUsesWith(Value *from, Value *to) {
  g_.replaceAllUses(from, to);
  changed_ = true;
}

void Rewriter::renameValue(Value *v, llvm::StringRef name) {
  g_.renameValue(v, name);
  changed_ = true;
}

void Rewriter::eraseNode(Node *node) {
  if (insertionPoint_ == node) { // keep inserting where the erased node was
    auto it = std::find_if(g_.nodes.begin(), g_.nodes.end(),
                           [&](const std::unique_ptr<Node> &n) { return n.get() == node; });
    insertionPoint_ =
        (it != g_.nodes.end() && it + 1 != g_.nodes.end()) ? (it + 1)->get() : nullptr;
  }
  g_.eraseNode(node);
  changed_ = true;
}

bool Rewriter::eraseIfUnused(Node *node) {
  for (const Value *r : node->results)
    if (isUsed(g_, r))
      return false;
  eraseNode(node);
  return true;
}

bool Rewriter::eraseInputIfUnused(Value *input) {
  if (!input->isConstant() || isUsed(g_, input))
    return false;
  g_.eraseInput(input);
  changed_ = true;
  return true;
}

} // namespace vkqc
