// Text forms of the IR: the stable `.vkir` dump and Graphviz.
#pragma once

#include "compiler/ir/Graph.h"

#include "llvm/Support/raw_ostream.h"

namespace vkqc {

/// Constants a pass made (owned storages) up to this size print their bytes inline.
constexpr uint64_t kMaxInlineStorageBytes = 16384;

/// Writes the `.vkir` text: same graph, same text, always; parseGraph (Parser.h) reads it
/// back. Constants print as their storage: an archive entry or a derived layout with a
/// checksum of its bytes, never as data, except the small ones a pass made
/// (`dense<0x...>`, up to kMaxInlineStorageBytes).
void printGraph(const Graph &g, llvm::raw_ostream &os);
std::string graphToString(const Graph &g);

/// Writes the graph as a Graphviz digraph (one box per node, edges along values).
void printDot(const Graph &g, llvm::raw_ostream &os);

/// Text of one argument value as the printer writes it (`[1, 32]`, `%x`, `i8`, `None`).
std::string argToString(const ArgValue &v);
/// `%name`, or `%"name"` when the name holds characters other than letters, digits, `_`,
/// `.` and `$`.
std::string valueRef(const Value &v);
/// `f32[1, s70, 128]`, or `sym(s70)` for a symbolic integer.
std::string typeToString(const Value &v);

} // namespace vkqc
