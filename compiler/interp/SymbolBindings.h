// Binding a graph's shape symbols (`s70`) to integers from the user inputs' real shapes,
// and evaluating symbolic shapes under those bindings.
#pragma once

#include "compiler/ir/Graph.h"
#include "compiler/semantics/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <map>
#include <string>

namespace vkqc::interp {

using SymbolBindings = std::map<std::string, int64_t>;

/// Binds every symbol that appears as a whole dim of a user input, checks it against its
/// range in `g.symbols()`, then checks every dim of every input (constants, repeated symbols,
/// compound expressions) against the actual shapes. Errors name the input and the dim.
llvm::Expected<SymbolBindings> bindInputSymbols(const Graph &g,
                                                llvm::ArrayRef<const Value *> userInputs,
                                                llvm::ArrayRef<Shape> actualShapes);

/// `dims` with every symbol replaced by its binding.
llvm::Expected<Shape> evaluateShape(const Dims &dims, const SymbolBindings &bindings);

/// Binds `symbol` to `value` after checking its range; errors begin with `where`.
llvm::Error bindSymbol(const Graph &g, const std::string &symbol, int64_t value,
                       SymbolBindings &bindings, const llvm::Twine &where);

} // namespace vkqc::interp
