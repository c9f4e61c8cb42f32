// What the graph interpreter knows at a point of execution: the tensor or integer of every
// live value, and the bindings of the shape symbols.
#pragma once

#include "compiler/interp/SymbolBindings.h"
#include "compiler/ir/Graph.h"
#include "compiler/semantics/Tensor.h"

#include <unordered_map>
#include <variant>

namespace vkqc::interp {

/// The runtime value of an IR Value: a tensor, or the integer of a SymInt value.
using RuntimeValue = std::variant<Tensor, int64_t>;

struct Environment {
  std::unordered_map<const Value *, RuntimeValue> values;
  SymbolBindings bindings;
};

} // namespace vkqc::interp
