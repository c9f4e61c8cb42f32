#include "compiler/ir/Graph.h"

#include "llvm/Support/ErrorHandling.h"

#include <algorithm>

namespace vkqc {

std::string_view inputKindName(InputKind k) {
  switch (k) {
  case InputKind::User:
    return "input";
  case InputKind::Parameter:
    return "param";
  case InputKind::Buffer:
    return "buffer";
  case InputKind::Constant:
    return "constant";
  }
  llvm_unreachable("unknown InputKind");
}

std::optional<std::vector<int64_t>> Value::staticShape() const {
  std::vector<int64_t> dims;
  for (const SymExpr &d : shape) {
    if (!d.isConstant())
      return std::nullopt;
    dims.push_back(d.constant());
  }
  return dims;
}

const ArgValue &Node::arg(llvm::StringRef argName) const {
  for (const NamedArg &a : args)
    if (a.name == argName)
      return a.value;
  llvm::report_fatal_error("node " + llvm::Twine(name) + " has no argument " + argName);
}

ArgValue &Node::arg(llvm::StringRef argName) {
  return const_cast<ArgValue &>(static_cast<const Node *>(this)->arg(argName));
}

bool Node::hasArg(llvm::StringRef argName) const {
  return std::any_of(args.begin(), args.end(),
                     [&](const NamedArg &a) { return a.name == argName; });
}

namespace {
// Calls `fn(Value *&)` for every value slot an argument holds.
template <typename Fn> void forEachValueSlot(ArgValue &v, Fn fn) {
  if (auto *t = std::get_if<Value *>(&v)) {
    fn(*t);
  } else if (auto *list = std::get_if<TensorListArg>(&v)) {
    for (Value *&t : list->tensors)
      if (t)
        fn(t);
  } else if (auto *ints = std::get_if<IntList>(&v)) {
    for (SymIntArg &e : *ints)
      if (e.symbol)
        fn(e.symbol);
  } else if (auto *s = std::get_if<SymIntArg>(&v)) {
    if (s->symbol)
      fn(s->symbol);
  }
}
} // namespace

std::vector<Value *> Node::operands() const {
  std::vector<Value *> out;
  for (const NamedArg &a : args)
    forEachValueSlot(const_cast<ArgValue &>(a.value), [&](Value *&v) { out.push_back(v); });
  return out;
}

unsigned Node::readCount(const Value *v) const {
  unsigned count = 0;
  for (const NamedArg &a : args)
    forEachValueSlot(const_cast<ArgValue &>(a.value), [&](Value *&slot) { count += slot == v; });
  return count;
}

void Node::replaceUses(Value *from, Value *to) {
  for (NamedArg &a : args)
    forEachValueSlot(a.value, [&](Value *&v) {
      if (v == from)
        v = to;
    });
}

Value *Graph::createValue(std::string name) {
  auto v = std::make_unique<Value>();
  v->name = std::move(name);
  valuesByName_[v->name] = v.get();
  values_.push_back(std::move(v));
  return values_.back().get();
}

Value *Graph::findValue(llvm::StringRef name) const {
  auto it = valuesByName_.find(name);
  return it == valuesByName_.end() ? nullptr : it->second;
}

void Graph::renameValue(Value *v, llvm::StringRef name) {
  if (findValue(name))
    llvm::report_fatal_error("renameValue: the name " + name + " is taken");
  valuesByName_.erase(v->name);
  v->name = name.str();
  valuesByName_[v->name] = v;
}

std::string Graph::uniqueName(llvm::StringRef base) const {
  if (!findValue(base))
    return base.str();
  for (int i = 1;; ++i) {
    std::string candidate = (base + "_" + llvm::Twine(i)).str();
    if (!findValue(candidate))
      return candidate;
  }
}

Node *Graph::appendNode(std::unique_ptr<Node> node) {
  for (Value *r : node->results)
    r->definingNode = node.get();
  nodes.push_back(std::move(node));
  return nodes.back().get();
}

Node *Graph::insertNodeBefore(Node *before, std::unique_ptr<Node> node) {
  auto it = std::find_if(nodes.begin(), nodes.end(),
                         [&](const std::unique_ptr<Node> &n) { return n.get() == before; });
  for (Value *r : node->results)
    r->definingNode = node.get();
  return nodes.insert(it, std::move(node))->get();
}

void Graph::eraseNode(Node *node) {
  for (Value *r : node->results) {
    valuesByName_.erase(r->name);
    values_.erase(std::remove_if(values_.begin(), values_.end(),
                                 [&](const std::unique_ptr<Value> &v) { return v.get() == r; }),
                  values_.end());
  }
  nodes.erase(std::remove_if(nodes.begin(), nodes.end(),
                             [&](const std::unique_ptr<Node> &n) { return n.get() == node; }),
              nodes.end());
}

void Graph::eraseInput(Value *input) {
  inputs.erase(std::remove(inputs.begin(), inputs.end(), input), inputs.end());
  valuesByName_.erase(input->name);
  values_.erase(std::remove_if(values_.begin(), values_.end(),
                               [&](const std::unique_ptr<Value> &v) { return v.get() == input; }),
                values_.end());
}

void Graph::replaceAllUses(Value *from, Value *to) {
  for (auto &n : nodes)
    n->replaceUses(from, to);
  std::replace(outputs.begin(), outputs.end(), from, to);
}

std::map<const Value *, int> Graph::useCounts() const {
  std::map<const Value *, int> counts;
  for (const auto &n : nodes)
    for (Value *v : n->operands())
      ++counts[v];
  for (Value *v : outputs)
    ++counts[v];
  return counts;
}

std::unique_ptr<Node> makeNode(Graph &g, const OpSchema &schema, std::string name,
                               std::vector<NamedArg> given) {
  auto node = std::make_unique<Node>();
  node->name = std::move(name);
  node->target = schema.target;
  node->schema = &schema;
  std::map<std::string, ArgValue> byName;
  for (NamedArg &a : given)
    byName.emplace(a.name, std::move(a.value));
  if (std::optional<std::string> missing = argumentsInSchemaOrder(schema, byName, node->args))
    llvm::report_fatal_error("makeNode: missing argument " + llvm::Twine(*missing) + " of " +
                             schema.target);
  return node;
}

} // namespace vkqc
