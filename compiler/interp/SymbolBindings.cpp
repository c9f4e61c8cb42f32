#include "compiler/interp/SymbolBindings.h"

#include "llvm/ADT/Twine.h"

namespace vkqc::interp {

namespace {
std::string rangeText(const SymbolRange &r) {
  auto bound = [](const std::optional<int64_t> &b, const char *inf) {
    return b ? std::to_string(*b) : std::string(inf);
  };
  return "[" + bound(r.min, "-inf") + ", " + bound(r.max, "inf") + "]";
}

llvm::Error inputError(const Value &input, size_t dim, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "input %" + input.name + " dim " + llvm::Twine(dim) + ": " + what);
}
} // namespace

llvm::Error bindSymbol(const Graph &g, const std::string &symbol, int64_t value,
                       SymbolBindings &bindings, const llvm::Twine &where) {
  auto range = g.symbols().find(symbol);
  if (range != g.symbols().end()) {
    const SymbolRange &r = range->second;
    if ((r.min && value < *r.min) || (r.max && value > *r.max))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     where + ": " + symbol + " = " + llvm::Twine(value) +
                                         " is outside its range " + rangeText(r));
  }
  bindings[symbol] = value;
  return llvm::Error::success();
}

llvm::Expected<SymbolBindings> bindInputSymbols(const Graph &g,
                                                llvm::ArrayRef<const Value *> userInputs,
                                                llvm::ArrayRef<Shape> actualShapes) {
  SymbolBindings bindings;
  // First pass: a dim that is exactly a symbol defines it (the first such dim wins; the
  // second pass checks the others agree).
  for (size_t i = 0; i < userInputs.size(); ++i) {
    const Value &input = *userInputs[i];
    const Shape &actual = actualShapes[i];
    if (input.shape.size() != actual.size())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "input %" + input.name + ": expected rank " +
                                         llvm::Twine(input.shape.size()) +
                                         ", got a tensor of rank " + llvm::Twine(actual.size()));
    for (size_t d = 0; d < actual.size(); ++d) {
      const SymExpr &dim = input.shape[d];
      if (dim.kind() != SymExpr::Kind::Symbol || bindings.count(dim.symbolName()))
        continue;
      std::string where = "input %" + input.name + " dim " + std::to_string(d);
      if (llvm::Error e = bindSymbol(g, dim.symbolName(), actual[d], bindings, where))
        return e;
    }
  }
  // Second pass: every dim must now evaluate to the actual size.
  for (size_t i = 0; i < userInputs.size(); ++i) {
    const Value &input = *userInputs[i];
    for (size_t d = 0; d < actualShapes[i].size(); ++d) {
      llvm::Expected<int64_t> expected = input.shape[d].evaluate(bindings);
      if (!expected)
        return inputError(input, d, llvm::toString(expected.takeError()));
      if (*expected != actualShapes[i][d])
        return inputError(input, d,
                          "expected " + llvm::Twine(*expected) + " (" + input.shape[d].str() +
                              "), got " + llvm::Twine(actualShapes[i][d]));
    }
  }
  return bindings;
}

llvm::Expected<Shape> evaluateShape(const Dims &dims, const SymbolBindings &bindings) {
  Shape shape;
  for (const SymExpr &dim : dims) {
    llvm::Expected<int64_t> size = dim.evaluate(bindings);
    if (!size)
      return size.takeError();
    shape.push_back(*size);
  }
  return shape;
}

} // namespace vkqc::interp
