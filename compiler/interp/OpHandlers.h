// The dispatch table of the graph interpreter: one short handler per op target.
#pragma once

#include "compiler/interp/NodeArguments.h"

namespace vkqc::interp {

using OpHandler = llvm::Expected<OpResults> (*)(NodeArguments &args);

/// The handler of `target` ("aten.linear.default"), or null when the interpreter has none.
OpHandler findOpHandler(llvm::StringRef target);

} // namespace vkqc::interp
