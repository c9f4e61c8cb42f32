// The dispatch table of the graph interpreter: one short handler per op kind.
#pragma once

#include "compiler/interp/NodeArguments.h"

namespace vkqc::interp {

using OpHandler = llvm::Expected<OpResults> (*)(NodeArguments &args);

/// The handler of an op, or null when the interpreter has none.
OpHandler findOpHandler(OpKind kind);

} // namespace vkqc::interp
