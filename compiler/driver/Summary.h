// A short human-readable summary of a graph: what `vkqc compile` prints by default.
#pragma once

#include "compiler/ir/Graph.h"

#include "llvm/Support/raw_ostream.h"

namespace vkqc {

void printSummary(const Graph &g, llvm::raw_ostream &os);

} // namespace vkqc
