// The one way passes and patterns change a graph: create nodes, redirect uses, erase.
//
// It keeps the graph well-formed step by step (new nodes go before an insertion point, so
// topological order holds) and records whether anything changed, which is what a pass
// returns: the pass manager skips the verifier and the change dump when nothing did.
#pragma once

#include "compiler/ir/Graph.h"

namespace vkqc {

/// Told of the nodes a Rewriter creates and erases (a pattern driver's worklist).
class RewriteListener {
public:
  virtual ~RewriteListener() = default;
  virtual void nodeCreated(Node *) {}
  virtual void nodeErased(Node *) {}
};

class Rewriter {
public:
  explicit Rewriter(Graph &g) : g_(g) {}

  Graph &graph() { return g_; }
  bool changed() const { return changed_; }
  void setListener(RewriteListener *listener) { listener_ = listener; }

  /// New nodes are inserted immediately before `node` (null: at the end).
  void setInsertionPoint(Node *node) { insertionPoint_ = node; }

  /// Creates a node of `target` (a schema in OpSchemas.def) with the given arguments
  /// (the rest from schema defaults) and one tensor result of `dtype` and `shape`, named
  /// after `nameHint`. Returns the result.
  Value *createOp(llvm::StringRef target, std::vector<NamedArg> args, DType dtype, Dims shape,
                  llvm::StringRef nameHint);

  /// Makes `node` an op of `target` with `args` (the rest from schema defaults), keeping its
  /// name, results and place: a rename into another form of the same computation.
  void retarget(Node *node, llvm::StringRef target, std::vector<NamedArg> args);

  /// The same, naming the op by its kind.
  Value *createOp(OpKind kind, std::vector<NamedArg> args, DType dtype, Dims shape,
                  llvm::StringRef nameHint);
  void retarget(Node *node, OpKind kind, std::vector<NamedArg> args);

  /// Sets argument `arg` of `node` to `value` (same kind, as the schema takes it).
  void setArgument(Node *node, llvm::StringRef arg, ArgValue value);
  /// Every read of `from` by `node` now reads `to`.
  void replaceUsesIn(Node *node, Value *from, Value *to);

  /// Gives the tensor `v` another dtype.
  void setDType(Value *v, DType dtype);
  /// Sets where `node` runs.
  void setPlacement(Node *node, Placement placement);
  /// Moves `node` immediately before `before` (null: to the end); the caller keeps the
  /// order topological.
  void moveBefore(Node *node, Node *before);

  /// Creates a graph input holding a constant (after the existing constant inputs).
  Value *createConstant(llvm::StringRef nameHint, std::string stateName, ConstantTensor constant);

  /// Every use of `from` (node operands and graph outputs) now reads `to`.
  void replaceAllUsesWith(Value *from, Value *to);
  /// Gives `v` the name `name`, which must be free.
  void renameValue(Value *v, llvm::StringRef name);
  /// Erases `node`; its results must be unused.
  void eraseNode(Node *node);
  /// Erases `node` if nothing reads its results; returns whether it did.
  bool eraseIfUnused(Node *node);
  /// Erases a constant input if nothing reads it.
  bool eraseInputIfUnused(Value *input);

private:
  Graph &g_;
  Node *insertionPoint_ = nullptr;
  RewriteListener *listener_ = nullptr;
  bool changed_ = false;
};

} // namespace vkqc
