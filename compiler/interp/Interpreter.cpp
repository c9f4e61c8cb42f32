#include "compiler/interp/Interpreter.h"

#include "compiler/interp/Environment.h"
#include "compiler/interp/OpHandlers.h"

#include "llvm/ADT/Twine.h"

#include <limits>

namespace vkqc::interp {

namespace {

llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// `cause` prefixed with the node it happened in.
llvm::Error nodeError(const Node &node, llvm::Error cause) {
  return error("node %" + node.name + " (" + node.target +
               "): " + llvm::toString(std::move(cause)));
}

std::string dtypeText(DType dtype) { return std::string(dtypeName(dtype)); }

std::string shapeText(const Shape &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

/// A read-only view of a constant input's bytes, after checking they are all there.
llvm::Expected<Tensor> constantView(const Value &v) {
  const ConstantTensor &c = v.constant;
  if (!c.storage)
    return error("constant %" + v.name + " has no storage");
  uint64_t available = c.storage->size();
  if (c.byteOffset > available || c.byteSize() > available - c.byteOffset)
    return error("constant %" + v.name + " reaches past the end of its storage");
  if (c.dtype != v.dtype || v.staticShape() != std::optional<Shape>(c.shape))
    return error("constant %" + v.name + " data does not match its declared dtype and shape");
  llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = c.data();
  if (!bytes)
    return error("constant %" + v.name + ": " + llvm::toString(bytes.takeError()));
  return Tensor::view(c.dtype, c.shape, bytes->data());
}

/// Puts the constants and the user inputs into `env` and binds the shape symbols.
llvm::Error bindInputs(const Graph &g, llvm::ArrayRef<Tensor> userInputs, Environment &env) {
  std::vector<const Value *> userValues;
  for (const Value *v : g.inputs()) {
    if (!v)
      return error("the graph has a null input");
    if (!v->isConstant())
      userValues.push_back(v);
  }
  if (userValues.size() != userInputs.size())
    return error("the graph takes " + llvm::Twine(userValues.size()) + " user inputs, got " +
                 llvm::Twine(userInputs.size()));
  std::vector<Shape> shapes;
  for (size_t i = 0; i < userValues.size(); ++i) {
    const Value &v = *userValues[i];
    if (!v.isTensor())
      return error("input %" + v.name + " is a symbolic int; only tensor inputs are supported");
    if (!userInputs[i].defined())
      return error("input %" + v.name + " has no data");
    if (userInputs[i].dtype() != v.dtype)
      return error("input %" + v.name + ": expected dtype " + dtypeText(v.dtype) + ", got " +
                   dtypeText(userInputs[i].dtype()));
    shapes.push_back(userInputs[i].shape());
  }
  llvm::Expected<SymbolBindings> bindings = bindInputSymbols(g, userValues, shapes);
  if (!bindings)
    return bindings.takeError();
  env.bindings = std::move(*bindings);
  for (size_t i = 0; i < userValues.size(); ++i)
    env.values[userValues[i]] = userInputs[i];
  for (const Value *v : g.inputs()) {
    if (!v->isConstant())
      continue;
    llvm::Expected<Tensor> view = constantView(*v);
    if (!view)
      return view.takeError();
    env.values[v] = std::move(*view);
  }
  return llvm::Error::success();
}

/// A tensor result must have its Value's dtype and (evaluated) shape: a mismatch means a
/// pass or the importer declared something the op does not compute.
llvm::Error checkTensorResult(const Value &v, const RuntimeValue &result,
                              const SymbolBindings &bindings) {
  const Tensor *t = std::get_if<Tensor>(&result);
  if (!t)
    return error("result %" + v.name + " is declared a tensor but the op gave an integer");
  if (t->dtype() != v.dtype)
    return error("result %" + v.name + " is declared " + dtypeText(v.dtype) + " but the op gave " +
                 dtypeText(t->dtype()));
  llvm::Expected<Shape> declared = evaluateShape(v.shape, bindings);
  if (!declared)
    return error("result %" + v.name + ": " + llvm::toString(declared.takeError()));
  if (*declared != t->shape())
    return error("result %" + v.name + " is declared " + shapeText(*declared) +
                 " but the op gave " + shapeText(t->shape()));
  return llvm::Error::success();
}

/// A SymInt result must equal its declared expression; a bare symbol not yet bound (one
/// no input shape mentions) is bound here.
llvm::Error checkSymIntResult(const Graph &g, const Value &v, const RuntimeValue &result,
                              SymbolBindings &bindings) {
  const int64_t *i = std::get_if<int64_t>(&result);
  if (!i)
    return error("result %" + v.name + " is declared a symbolic int but the op gave a tensor");
  const SymExpr &declared = v.symValue;
  if (declared.kind() == SymExpr::Kind::Symbol && !bindings.count(declared.symbolName()))
    return bindSymbol(g, declared.symbolName(), *i, bindings, "result %" + v.name);
  llvm::Expected<int64_t> expected = declared.evaluate(bindings);
  if (!expected)
    return error("result %" + v.name + ": " + llvm::toString(expected.takeError()));
  if (*expected != *i)
    return error("result %" + v.name + " is declared " + declared.str() + " = " +
                 llvm::Twine(*expected) + " but the op gave " + llvm::Twine(*i));
  return llvm::Error::success();
}

llvm::Error checkResults(const Graph &g, const Node &node, const OpResults &results,
                         SymbolBindings &bindings) {
  if (results.size() != node.results.size())
    return error("the op gave " + llvm::Twine(results.size()) + " results, the node has " +
                 llvm::Twine(node.results.size()));
  for (size_t i = 0; i < results.size(); ++i) {
    if (!node.results[i])
      return error("result " + llvm::Twine(i) + " of the node is null");
    const Value &v = *node.results[i];
    llvm::Error e = v.isTensor() ? checkTensorResult(v, results[i], bindings)
                                 : checkSymIntResult(g, v, results[i], bindings);
    if (e)
      return e;
  }
  return llvm::Error::success();
}

constexpr size_t kLiveToTheEnd = std::numeric_limits<size_t>::max();

/// For every value read by a node or returned, the index of the last node reading it
/// (kLiveToTheEnd for graph outputs).
std::unordered_map<const Value *, size_t> lastUses(const Graph &g) {
  std::unordered_map<const Value *, size_t> last;
  size_t i = 0;
  for (const auto &n : g.nodes()) {
    for (const Value *v : n->operands())
      last[v] = i;
    ++i;
  }
  for (const Value *v : g.outputs())
    last[v] = kLiveToTheEnd;
  return last;
}

/// Runs one node and stores its checked results in `env`.
llvm::Error runNode(const Graph &g, const Node &node, Environment &env,
                    const TensorObserver &observer) {
  // Every row has a handler (tested); a schema from outside the table has none.
  OpHandler handler = node.schema->kind ? findOpHandler(*node.schema->kind) : nullptr;
  if (!handler)
    return error("the interpreter has no handler for this target");
  NodeArguments args(node, env);
  llvm::Expected<OpResults> results = handler(args);
  if (!results)
    return results.takeError();
  if (llvm::Error e = checkResults(g, node, *results, env.bindings))
    return e;
  for (size_t i = 0; i < results->size(); ++i) {
    const Tensor *t = std::get_if<Tensor>(&(*results)[i]);
    if (observer && t)
      observer(*node.results[i], *t);
    env.values[node.results[i]] = std::move((*results)[i]);
  }
  return llvm::Error::success();
}

/// Drops what no later node reads: the operands node `index` read last, and its results
/// that nothing reads at all.
void releaseDeadValues(const Node &node, size_t index,
                       const std::unordered_map<const Value *, size_t> &lastUse, Environment &env) {
  for (const Value *v : node.operands())
    if (lastUse.at(v) == index)
      env.values.erase(v);
  for (const Value *v : node.results)
    if (!lastUse.count(v))
      env.values.erase(v);
}

} // namespace

llvm::Expected<std::vector<Tensor>> interpretGraph(const Graph &g,
                                                   llvm::ArrayRef<Tensor> userInputs) {
  return interpretGraph(g, userInputs, TensorObserver());
}

llvm::Expected<std::vector<Tensor>>
interpretGraph(const Graph &g, llvm::ArrayRef<Tensor> userInputs, const TensorObserver &observer) {
  Environment env;
  if (llvm::Error e = bindInputs(g, userInputs, env))
    return e;
  std::unordered_map<const Value *, size_t> lastUse = lastUses(g);
  size_t i = 0;
  for (const auto &n : g.nodes()) {
    if (llvm::Error e = runNode(g, *n, env, observer))
      return nodeError(*n, std::move(e));
    releaseDeadValues(*n, i++, lastUse, env);
  }
  std::vector<Tensor> outputs;
  for (const Value *v : g.outputs()) {
    if (!v)
      return error("the graph has a null output");
    auto it = env.values.find(v);
    const Tensor *t = it == env.values.end() ? nullptr : std::get_if<Tensor>(&it->second);
    if (!t)
      return error("output %" + v->name + " is not a computed tensor");
    outputs.push_back(*t);
  }
  return outputs;
}

} // namespace vkqc::interp
