// Text forms of the IR: the stable `.vkir` dump and Graphviz.
#pragma once

#include "compiler/ir/Graph.h"

#include "llvm/Support/raw_ostream.h"

namespace vkqc {

/// Writes the `.vkir` text: same graph, same text, always. Constants print as shape,
/// dtype and a checksum of their bytes, never as data.
void printGraph(const Graph &g, llvm::raw_ostream &os);
std::string graphToString(const Graph &g);

/// Writes the graph as a Graphviz digraph (one box per node, edges along values).
void printDot(const Graph &g, llvm::raw_ostream &os);

/// Text of one argument value as the printer writes it (`[1, 32]`, `%x`, `i8`, `None`).
std::string argToString(const ArgValue &v);
/// `f32[1, s70, 128]`, or `sym(s70)` for a symbolic integer.
std::string typeToString(const Value &v);

} // namespace vkqc
