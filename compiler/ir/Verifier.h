// Structural checks of the IR, run after import and after every pass.
#pragma once

#include "compiler/ir/Graph.h"

#include "llvm/Support/Error.h"

namespace vkqc {

/// Checks SSA (every value defined once, before its uses, by a node of this graph or an
/// input), topological order, argument kinds against the schema, result counts, shapes
/// (non-negative, symbols declared), constant byte ranges and that every value's use list
/// matches the operands and outputs holding it. The error names the first
/// offending node or value.
llvm::Error verifyGraph(const Graph &g);

} // namespace vkqc
