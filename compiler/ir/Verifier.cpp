#include "compiler/ir/Verifier.h"

#include "compiler/ir/Printer.h"

#include <set>

namespace vkqc {

namespace {
llvm::Error fail(const llvm::Twine &where, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), where + ": " + what);
}

// Does the argument's value have a kind the schema type allows?
bool argKindMatches(const SchemaArg &sa, const ArgValue &v) {
  if (isNone(v))
    return sa.optional;
  switch (sa.type) {
  case ArgType::Tensor: // a Python number passed where a Tensor goes is a wrapped scalar
    return std::holds_alternative<Value *>(v) || std::holds_alternative<int64_t>(v) ||
           std::holds_alternative<double>(v) || std::holds_alternative<bool>(v);
  case ArgType::TensorList:
  case ArgType::OptionalTensorList:
    return std::holds_alternative<TensorListArg>(v);
  case ArgType::Int:
    return std::holds_alternative<int64_t>(v) || std::holds_alternative<SymIntArg>(v);
  case ArgType::IntList:
    return std::holds_alternative<IntList>(v);
  case ArgType::Float:
    return std::holds_alternative<double>(v) || std::holds_alternative<int64_t>(v);
  case ArgType::FloatList:
    return std::holds_alternative<std::vector<double>>(v);
  case ArgType::Bool:
    return std::holds_alternative<bool>(v);
  case ArgType::BoolList:
    return std::holds_alternative<std::vector<bool>>(v);
  case ArgType::String:
    return std::holds_alternative<std::string>(v);
  case ArgType::Scalar:
    return std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v) ||
           std::holds_alternative<bool>(v) || std::holds_alternative<SymIntArg>(v);
  case ArgType::ScalarType:
    return std::holds_alternative<DType>(v);
  case ArgType::Device:
    return std::holds_alternative<DeviceArg>(v);
  case ArgType::Layout:
    return std::holds_alternative<LayoutArg>(v);
  case ArgType::MemoryFormat:
    return std::holds_alternative<MemoryFormatArg>(v);
  }
  return false;
}

llvm::Error checkShape(const Graph &g, const Value &v, const llvm::Twine &where) {
  for (const SymExpr &d : v.shape) {
    if (d.isConstant() && d.constant() < 0)
      return fail(where, "value '%" + v.name + "' has a negative size " + d.str());
    for (const std::string &sym : d.symbols())
      if (!g.symbols().count(sym))
        return fail(where, "value '%" + v.name + "' uses undeclared symbol '" + sym + "'");
  }
  return llvm::Error::success();
}
} // namespace

llvm::Error verifyGraph(const Graph &g) {
  std::set<const Value *> defined;
  std::set<std::string> names;
  auto define = [&](const Value *v, const llvm::Twine &where) -> llvm::Error {
    if (!names.insert(v->name).second)
      return fail(where, "value '%" + v->name + "' is defined twice");
    defined.insert(v);
    return checkShape(g, *v, where);
  };

  for (const Value *in : g.inputs()) {
    std::string where = "input '%" + in->name + "'";
    if (!in->inputKind || in->definingNode)
      return fail(where, "graph input is not marked as an input");
    if (auto err = define(in, where))
      return err;
    if (in->isConstant()) {
      const ConstantTensor &c = in->constant;
      if (!c.storage)
        return fail(where, "constant has no storage");
      if (c.byteOffset > c.storage->size() || c.byteSize() > c.storage->size() - c.byteOffset)
        return fail(where, "constant bytes run past the end of its storage");
      std::optional<std::vector<int64_t>> shape = in->staticShape();
      if (!shape || *shape != c.shape || in->dtype != c.dtype)
        return fail(where, "constant type does not match its data");
    }
  }

  for (const auto &n : g.nodes()) {
    std::string where = "node '" + n->name + "' (" + n->target + ")";
    if (!n->schema || n->schema->target != n->target)
      return fail(where, "node has no schema for its target");
    if (n->args().size() != n->schema->args.size())
      return fail(where, "node has " + llvm::Twine(n->args().size()) + " arguments, schema has " +
                             llvm::Twine(n->schema->args.size()));
    for (size_t i = 0; i < n->args().size(); ++i) {
      const SchemaArg &sa = n->schema->args[i];
      if (n->args()[i].name != sa.name)
        return fail(where, "argument " + llvm::Twine(i) + " is '" + n->args()[i].name +
                               "', schema says '" + sa.name + "'");
      if (!argKindMatches(sa, n->args()[i].value))
        return fail(where, "argument '" + sa.name + "' expects " +
                               std::string(argTypeName(sa.type)) + (sa.optional ? "?" : "") +
                               ", got " + argToString(n->args()[i].value));
    }
    for (const Value *operand : n->operands()) {
      if (!defined.count(operand))
        return fail(where, "reads '%" + operand->name +
                               "' before it is defined (undefined value or a cycle)");
    }
    for (const NamedArg &a : n->args()) {
      const SchemaArg *sa = n->schema->arg(a.name);
      bool wantsTensor = sa->type == ArgType::Tensor;
      if (const Value *t = asTensor(a.value); t && wantsTensor != t->isTensor())
        return fail(where, "argument '" + a.name + "' gets '%" + t->name + "' of the wrong kind");
    }
    bool tensorList =
        n->schema->returns.size() == 1 && n->schema->returns[0] == ReturnType::TensorList;
    if (!tensorList && n->results.size() != n->schema->returns.size())
      return fail(where, "node has " + llvm::Twine(n->results.size()) + " results, schema has " +
                             llvm::Twine(n->schema->returns.size()));
    for (size_t i = 0; i < n->results.size(); ++i) {
      const Value *r = n->results[i];
      bool wantTensor = tensorList || n->schema->returns[i] == ReturnType::Tensor;
      if (r->isTensor() != wantTensor)
        return fail(where, "result '%" + r->name + "' has the wrong kind");
      if (r->definingNode != n.get())
        return fail(where, "result '%" + r->name + "' does not point back at its node");
      if (auto err = define(r, where))
        return err;
    }
  }

  if (g.outputs().empty())
    return fail("graph", "has no outputs");
  for (const Value *out : g.outputs())
    if (!defined.count(out))
      return fail("graph output", "'%" + out->name + "' is not defined");
  // The use lists are the graph's own bookkeeping: a mismatch is a bug in a mutation API,
  // and every later use check would be wrong.
  if (std::string why; !useListsMatch(g, why))
    return fail("graph", why);
  return llvm::Error::success();
}

} // namespace vkqc
