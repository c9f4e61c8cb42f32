// The vkqc IR: one graph of nodes in topological order over typed values.
//
// A Value is a tensor (dtype + symbolic shape) or a symbolic integer. It is defined by
// exactly one node result or is a graph input. Graph inputs are user inputs or constants
// (parameters, buffers, lifted tensor constants) that point at a ConstantTensor.
// A Node has a target (`aten.linear.default`), its schema, every schema argument by name
// (defaults filled) and its results.
#pragma once

#include "compiler/ir/Argument.h"
#include "compiler/ir/Constants.h"
#include "compiler/ir/OpSchema.h"
#include "compiler/ir/SymExpr.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vkqc {

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
};

/// Where a node runs, decided by the partition pass.
enum class Placement { Unassigned, Vulkan, Cpu };

class Node {
public:
  std::string name;
  std::string target;
  const OpSchema *schema = nullptr;
  std::vector<NamedArg> args; // in schema order, every schema argument present
  std::vector<Value *> results;
  Placement placement = Placement::Unassigned;
  /// The compiled shader variants a Vulkan node runs, set by select-kernels.
  std::vector<std::string> kernels;

  /// The op's kind (its row of the op table).
  OpKind kind() const { return *schema->kind; }
  bool is(OpKind k) const { return schema && schema->kind == k; }

  const ArgValue &arg(llvm::StringRef argName) const;
  ArgValue &arg(llvm::StringRef argName);
  bool hasArg(llvm::StringRef argName) const;
  Value *tensorArg(llvm::StringRef argName) const { return asTensor(arg(argName)); }
  /// Every Value the node reads (tensors, tensor lists, symbolic ints), in argument order.
  std::vector<Value *> operands() const;
  /// How many of the node's operand slots hold `v` (operands() without building the list:
  /// use checks run over every node, many times in a pass).
  unsigned readCount(const Value *v) const;
  /// Replace every read of `from` with `to`.
  void replaceUses(Value *from, Value *to);
};

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
  std::map<std::string, SymbolRange> symbols;
  std::vector<Value *> inputs; // signature order: constants first, user inputs last
  std::vector<Value *> outputs;
  std::vector<std::unique_ptr<Node>> nodes; // topological order
  ConstantPool constants;

  /// Creates a value owned by the graph. Names must be unique; the caller checks.
  Value *createValue(std::string name);
  Value *findValue(llvm::StringRef name) const;
  /// Renames `v` to `name`, which must not be taken.
  void renameValue(Value *v, llvm::StringRef name);
  /// A value name not yet used, derived from `base`.
  std::string uniqueName(llvm::StringRef base) const;
  const std::vector<std::unique_ptr<Value>> &values() const { return values_; }

  /// Appends a node built by the caller; its results must be values of this graph.
  Node *appendNode(std::unique_ptr<Node> node);
  /// Inserts a node immediately before `before`.
  Node *insertNodeBefore(Node *before, std::unique_ptr<Node> node);
  /// Removes a node (its results must be unused) and forgets its result values.
  void eraseNode(Node *node);
  /// Removes a graph input (it must be unused).
  void eraseInput(Value *input);
  /// Replace every use of `from` (node operands and graph outputs) by `to`.
  void replaceAllUses(Value *from, Value *to);

  /// Number of nodes reading `v`, plus one per graph output slot holding it.
  std::map<const Value *, int> useCounts() const;

private:
  std::vector<std::unique_ptr<Value>> values_;
  std::map<std::string, Value *, std::less<>> valuesByName_;
};

/// Builds a node from a schema, filling every argument from `given` or the schema default.
/// Used by passes that create nodes; the importer has its own checked path.
std::unique_ptr<Node> makeNode(Graph &g, const OpSchema &schema, std::string name,
                               std::vector<NamedArg> given);

} // namespace vkqc
