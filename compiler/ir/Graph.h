// The vkqc IR: one graph of nodes in topological order over typed values.
//
// A Value is a tensor (dtype + symbolic shape) or a symbolic integer. It is defined by
// exactly one node result or is a graph input. Graph inputs are user inputs or constants
// (parameters, buffers, lifted tensor constants) that point at a ConstantTensor.
// A Node has a target (`aten.linear.default`), its schema, every schema argument by name
// (defaults filled) and its results.
//
// Every value knows its users (use lists): the graph keeps them exact through every
// mutation it offers (inserting, erasing and moving nodes, setting arguments, replacing
// uses, graph outputs), which is why a node's arguments and the graph's lists are private.
// Nodes live in a std::list, so inserting, erasing and moving one is O(1) and never moves
// another.
#pragma once

#include "compiler/ir/Argument.h"
#include "compiler/ir/Constants.h"
#include "compiler/ir/OpSchema.h"
#include "compiler/ir/SymExpr.h"

#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vkqc {

class Graph;
class Node;

using Dims = std::vector<SymExpr>;

enum class InputKind { User, Parameter, Buffer, Constant };
std::string_view inputKindName(InputKind k);

class Value {
public:
  enum class Kind { Tensor, SymInt };

  std::string name;
  Kind kind = Kind::Tensor;
  DType dtype = DType::Float32; // tensors
  Dims shape;                   // tensors
  SymExpr symValue;             // SymInt values: what the integer is, e.g. `s70`

  Node *definingNode = nullptr; // null for graph inputs
  // Graph inputs only:
  std::optional<InputKind> inputKind;
  std::string stateName;   // FQN of a parameter/buffer/constant
  ConstantTensor constant; // for parameter/buffer/constant inputs

  bool isTensor() const { return kind == Kind::Tensor; }
  bool isConstant() const { return inputKind && *inputKind != InputKind::User; }
  /// Dims all constant: the static shape, else nullopt.
  std::optional<std::vector<int64_t>> staticShape() const;

  /// The nodes of the graph reading this value, one entry per operand slot holding it (a
  /// node reading it twice is listed twice). The order carries no meaning.
  const std::vector<Node *> &users() const { return users_; }
  /// How many graph output slots hold it.
  unsigned outputUses() const { return outputUses_; }
  size_t numUses() const { return users_.size() + outputUses_; }
  bool isUsed() const { return numUses() != 0; }
  bool hasOneUse() const { return numUses() == 1; }

private:
  friend class Graph;
  friend class Node;
  std::vector<Node *> users_;
  unsigned outputUses_ = 0;
  std::list<std::unique_ptr<Value>>::iterator self_; // its place in the graph's values
};

/// Where a node runs, decided by the partition pass.
enum class Placement { Unassigned, Vulkan, Cpu };

class Node {
public:
  std::string name;
  std::string target;
  const OpSchema *schema = nullptr;
  std::vector<Value *> results;
  Placement placement = Placement::Unassigned;
  /// The compiled shader variants a Vulkan node runs, set by select-kernels.
  std::vector<std::string> kernels;

  /// The op's kind (its row of the op table).
  OpKind kind() const { return *schema->kind; }
  bool is(OpKind k) const { return schema && schema->kind == k; }

  /// In schema order, every schema argument present.
  const std::vector<NamedArg> &args() const { return args_; }
  const ArgValue &arg(llvm::StringRef argName) const;
  bool hasArg(llvm::StringRef argName) const;
  Value *tensorArg(llvm::StringRef argName) const { return asTensor(arg(argName)); }
  /// Every Value the node reads (tensors, tensor lists, symbolic ints), in argument order.
  std::vector<Value *> operands() const;

  /// Sets argument `argName`, which the node must have. The use lists follow.
  void setArg(llvm::StringRef argName, ArgValue value);
  /// Replaces every argument (a node being built, a retarget). The use lists follow.
  void setArgs(std::vector<NamedArg> args);
  /// Every read of `from` now reads `to`.
  void replaceUsesOf(Value *from, Value *to);

  /// The graph holding the node; null while it is being built.
  const Graph *graph() const { return graph_; }
  /// The neighbours in the graph's order; null at either end (or outside a graph).
  Node *nextNode() const;
  Node *prevNode() const;

private:
  friend class Graph;
  void addUses();
  void dropUses();
  void addUse(Value *v);
  void dropUse(Value *v);

  std::vector<NamedArg> args_;
  Graph *graph_ = nullptr;
  std::list<std::unique_ptr<Node>>::iterator self_; // its place in the graph's nodes
};

using NodeList = std::list<std::unique_ptr<Node>>;
using ValueList = std::list<std::unique_ptr<Value>>;

struct ExportInfo {
  std::string schemaVersion; // "8.17"
  std::string torchVersion;
  std::string sourceName; // what the user passed (for headers)
};

class Graph {
public:
  Graph() = default;
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  ExportInfo info;
  ConstantPool constants;

  const std::map<std::string, SymbolRange> &symbols() const { return symbols_; }
  /// Declares symbol `name` (or gives it a new range).
  void setSymbol(const std::string &name, SymbolRange range) { symbols_[name] = range; }

  /// Signature order: constants first, user inputs last.
  const std::vector<Value *> &inputs() const { return inputs_; }
  void addInput(Value *v) { inputs_.push_back(v); }
  /// Inserts `v` at position `index` of the inputs.
  void insertInput(size_t index, Value *v);

  const std::vector<Value *> &outputs() const { return outputs_; }
  void addOutput(Value *v);
  void setOutput(size_t index, Value *v);

  /// Topological order.
  const NodeList &nodes() const { return nodes_; }
  Node *firstNode() const { return nodes_.empty() ? nullptr : nodes_.front().get(); }
  Node *lastNode() const { return nodes_.empty() ? nullptr : nodes_.back().get(); }

  /// Creates a value owned by the graph. Names must be unique; the caller checks.
  Value *createValue(std::string name);
  Value *findValue(llvm::StringRef name) const;
  /// Renames `v` to `name`, which must not be taken.
  void renameValue(Value *v, llvm::StringRef name);
  /// A value name not yet used, derived from `base`.
  std::string uniqueName(llvm::StringRef base) const;
  /// In creation order.
  const ValueList &values() const { return values_; }

  /// Appends a node built by the caller; its results must be values of this graph.
  Node *appendNode(std::unique_ptr<Node> node) {
    return insertNodeBefore(nullptr, std::move(node));
  }
  /// Inserts a node immediately before `before` (null: at the end).
  Node *insertNodeBefore(Node *before, std::unique_ptr<Node> node);
  /// Moves `node` immediately before `before` (null: to the end).
  void moveBefore(Node *node, Node *before);
  /// Removes a node (its results must be unused) and forgets its result values.
  void eraseNode(Node *node);
  /// Removes a graph input (it must be unused).
  void eraseInput(Value *input);
  /// Replace every use of `from` (node operands and graph outputs) by `to`.
  void replaceAllUses(Value *from, Value *to);

private:
  std::map<std::string, SymbolRange> symbols_;
  std::vector<Value *> inputs_;
  std::vector<Value *> outputs_;
  NodeList nodes_;
  ValueList values_;
  std::map<std::string, Value *, std::less<>> valuesByName_;
};

/// Whether every value's use list matches the operands and outputs that hold it; the
/// first mismatch is described in `why` (the verifier's check of the bookkeeping).
bool useListsMatch(const Graph &g, std::string &why);

/// Builds a node from a schema, filling every argument from `given` or the schema default.
/// Used by passes that create nodes; the importer has its own checked path.
std::unique_ptr<Node> makeNode(Graph &g, const OpSchema &schema, std::string name,
                               std::vector<NamedArg> given);

} // namespace vkqc
