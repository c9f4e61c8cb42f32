#include "compiler/ir/Rewriter.h"

#include "llvm/Support/ErrorHandling.h"

#include <algorithm>

namespace vkqc {

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
  Node *created = g_.insertNodeBefore(insertionPoint_, std::move(node));
  changed_ = true;
  if (listener_)
    listener_->nodeCreated(created);
  return result;
}

void Rewriter::retarget(Node *node, llvm::StringRef target, std::vector<NamedArg> args) {
  const OpSchema *schema = lookupOpSchema(target);
  if (!schema)
    llvm::report_fatal_error("Rewriter::retarget: no schema for " + target);
  std::unique_ptr<Node> made = makeNode(g_, *schema, node->name, std::move(args));
  node->target = made->target;
  node->schema = made->schema;
  node->setArgs(made->args());
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
  node->setArg(arg, std::move(value));
  changed_ = true;
}

void Rewriter::replaceUsesIn(Node *node, Value *from, Value *to) {
  node->replaceUsesOf(from, to);
  changed_ = true;
}

void Rewriter::setDType(Value *v, DType dtype) {
  v->dtype = dtype;
  changed_ = true;
}

void Rewriter::setPlacement(Node *node, Placement placement) {
  if (node->placement == placement)
    return;
  node->placement = placement;
  changed_ = true;
}

void Rewriter::moveBefore(Node *node, Node *before) {
  if (node == before || node->nextNode() == before)
    return; // already there
  g_.moveBefore(node, before);
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
  const std::vector<Value *> &inputs = g_.inputs();
  auto firstUser =
      std::find_if(inputs.begin(), inputs.end(), [](const Value *in) { return !in->isConstant(); });
  g_.insertInput(firstUser - inputs.begin(), v);
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
  if (insertionPoint_ == node) // keep inserting where the erased node was
    insertionPoint_ = node->nextNode();
  if (listener_)
    listener_->nodeErased(node);
  g_.eraseNode(node);
  changed_ = true;
}

bool Rewriter::eraseIfUnused(Node *node) {
  for (const Value *r : node->results)
    if (r->isUsed())
      return false;
  eraseNode(node);
  return true;
}

bool Rewriter::eraseInputIfUnused(Value *input) {
  if (!input->isConstant() || input->isUsed())
    return false;
  g_.eraseInput(input);
  changed_ = true;
  return true;
}

} // namespace vkqc
