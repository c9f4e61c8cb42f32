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
  for (const NamedArg &a : args_)
    if (a.name == argName)
      return a.value;
  llvm::report_fatal_error("node " + llvm::Twine(name) + " has no argument " + argName);
}

bool Node::hasArg(llvm::StringRef argName) const {
  return std::any_of(args_.begin(), args_.end(),
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

void Node::addUse(Value *v) {
  if (v)
    v->users_.push_back(this);
}

void Node::dropUse(Value *v) {
  if (!v)
    return;
  // From the back: a node's uses are usually the latest made.
  auto it = std::find(v->users_.rbegin(), v->users_.rend(), this);
  if (it == v->users_.rend())
    llvm::report_fatal_error("use list of %" + llvm::Twine(v->name) + " lacks " + name);
  v->users_.erase(std::next(it).base());
}

std::vector<Value *> Node::operands() const {
  std::vector<Value *> out;
  for (const NamedArg &a : args_)
    forEachValueSlot(const_cast<ArgValue &>(a.value), [&](Value *&v) { out.push_back(v); });
  return out;
}

void Node::addUses() {
  for (NamedArg &a : args_)
    forEachValueSlot(a.value, [&](Value *&v) { addUse(v); });
}

void Node::dropUses() {
  for (NamedArg &a : args_)
    forEachValueSlot(a.value, [&](Value *&v) { dropUse(v); });
}

void Node::setArg(llvm::StringRef argName, ArgValue value) {
  auto it = std::find_if(args_.begin(), args_.end(),
                         [&](const NamedArg &a) { return a.name == argName; });
  if (it == args_.end())
    llvm::report_fatal_error("node " + llvm::Twine(name) + " has no argument " + argName);
  if (graph_)
    forEachValueSlot(it->value, [&](Value *&v) { dropUse(v); });
  it->value = std::move(value);
  if (graph_)
    forEachValueSlot(it->value, [&](Value *&v) { addUse(v); });
}

void Node::setArgs(std::vector<NamedArg> args) {
  if (graph_)
    dropUses();
  args_ = std::move(args);
  if (graph_)
    addUses();
}

void Node::replaceUsesOf(Value *from, Value *to) {
  if (from == to)
    return;
  for (NamedArg &a : args_)
    forEachValueSlot(a.value, [&](Value *&v) {
      if (v != from)
        return;
      v = to;
      if (graph_) {
        dropUse(from);
        addUse(to);
      }
    });
}

Node *Node::nextNode() const {
  if (!graph_ || std::next(self_) == graph_->nodes().end())
    return nullptr;
  return std::next(self_)->get();
}

Node *Node::prevNode() const {
  if (!graph_ || self_ == graph_->nodes().begin())
    return nullptr;
  return std::prev(self_)->get();
}

Value *Graph::createValue(std::string name) {
  auto v = std::make_unique<Value>();
  v->name = std::move(name);
  valuesByName_[v->name] = v.get();
  values_.push_back(std::move(v));
  values_.back()->self_ = std::prev(values_.end());
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

void Graph::insertInput(size_t index, Value *v) {
  inputs_.insert(inputs_.begin() + std::min(index, inputs_.size()), v);
}

void Graph::addOutput(Value *v) {
  outputs_.push_back(v);
  ++v->outputUses_;
}

void Graph::setOutput(size_t index, Value *v) {
  --outputs_.at(index)->outputUses_;
  outputs_[index] = v;
  ++v->outputUses_;
}

Node *Graph::insertNodeBefore(Node *before, std::unique_ptr<Node> node) {
  if (node->graph_)
    llvm::report_fatal_error("insertNodeBefore: " + llvm::Twine(node->name) + " is in a graph");
  for (Value *r : node->results)
    r->definingNode = node.get();
  Node *n = node.get();
  n->self_ = nodes_.insert(before ? before->self_ : nodes_.end(), std::move(node));
  n->graph_ = this;
  n->addUses();
  return n;
}

void Graph::moveBefore(Node *node, Node *before) {
  if (node != before)
    nodes_.splice(before ? before->self_ : nodes_.end(), nodes_, node->self_);
}

void Graph::eraseNode(Node *node) {
  for (Value *r : node->results)
    if (r->isUsed())
      llvm::report_fatal_error("eraseNode: the result %" + llvm::Twine(r->name) + " of " +
                               node->name + " is still used");
  node->dropUses();
  for (Value *r : node->results) {
    valuesByName_.erase(r->name);
    values_.erase(r->self_);
  }
  nodes_.erase(node->self_);
}

void Graph::eraseInput(Value *input) {
  if (input->isUsed())
    llvm::report_fatal_error("eraseInput: %" + llvm::Twine(input->name) + " is still used");
  inputs_.erase(std::remove(inputs_.begin(), inputs_.end(), input), inputs_.end());
  valuesByName_.erase(input->name);
  values_.erase(input->self_);
}

void Graph::replaceAllUses(Value *from, Value *to) {
  if (from == to)
    return;
  // Each user rewrites its own slots; a user listed twice finds nothing left the second time.
  std::vector<Node *> users = from->users_;
  for (Node *n : users)
    n->replaceUsesOf(from, to);
  for (Value *&out : outputs_)
    if (out == from) {
      out = to;
      --from->outputUses_;
      ++to->outputUses_;
    }
}

bool useListsMatch(const Graph &g, std::string &why) {
  std::map<const Value *, std::map<const Node *, size_t>> reads;
  std::map<const Value *, unsigned> outputSlots;
  for (const auto &n : g.nodes())
    for (const Value *v : n->operands())
      if (v)
        ++reads[v][n.get()];
  for (const Value *v : g.outputs())
    ++outputSlots[v];
  auto check = [&](const Value &v) {
    std::map<const Node *, size_t> listed;
    for (const Node *u : v.users())
      ++listed[u];
    if (listed != reads[&v]) {
      why = "the use list of %" + v.name + " does not match the nodes reading it";
      return false;
    }
    if (v.outputUses() != outputSlots[&v]) {
      why = "the use list of %" + v.name + " miscounts the graph outputs holding it";
      return false;
    }
    return true;
  };
  for (const auto &v : g.values())
    if (!check(*v))
      return false;
  // Values read but not owned by the graph (a bad graph the verifier also refuses).
  for (const auto &[v, users] : reads)
    if (!check(*v))
      return false;
  return true;
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
  std::vector<NamedArg> args;
  if (std::optional<std::string> missing = argumentsInSchemaOrder(schema, byName, args))
    llvm::report_fatal_error("makeNode: missing argument " + llvm::Twine(*missing) + " of " +
                             schema.target);
  node->setArgs(std::move(args));
  return node;
}

} // namespace vkqc
