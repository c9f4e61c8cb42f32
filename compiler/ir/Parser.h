// Reads the `.vkir` text that printGraph (Printer.h) writes back into a Graph, so a dump
// can be fed to `vkqc opt` and a pass tested on ten hand-written lines. Printing what
// was parsed gives the same bytes again.
//
// The text never holds a weight, only what its bytes are: an archive entry with a
// checksum (`storage #0 "data/weights/weight_5" 65536 B xxh64=...`), a layout derived
// from an earlier storage (`"data/weights/weight_5@pack_q4_linear_weight(i8[128, 128]+0)"`),
// or, for small constants, the bytes themselves (`storage #1 "w" 4 B dense<0x0000803f>`).
// A StorageResolver supplies the first two kinds; the checksums and sizes are checked.
//
// The text is user input: every problem is an llvm::Error `<buffer>:<line>:<column>: <what>`,
// never a crash. What parses is structurally sound (values defined before use, every
// schema argument present and of its kind, results as the schema returns them); the
// verifier checks the rest.
#pragma once

#include "compiler/ir/Graph.h"

#include "llvm/Support/Error.h"

#include <memory>

namespace vkqc {

/// How a derived storage is made again from its source.
struct DerivedLayout {
  DerivedKind kind = DerivedKind::Layout;
  StorageProducer producer; // writes the derived storage's bytes
};

/// Where the bytes of the storages a text names, and does not hold inline, come from.
class StorageResolver {
public:
  virtual ~StorageResolver() = default;
  /// The bytes of archive entry `entry` (`data/weights/weight_5`); they outlive the graph.
  virtual llvm::Expected<llvm::ArrayRef<uint8_t>> archiveEntry(llvm::StringRef entry) = 0;
  /// How `source` becomes layout `tag` (`pack_q4_linear_weight(i8[64, 32]+0)`): a storage
  /// of `size` bytes.
  virtual llvm::Expected<DerivedLayout> derivedLayout(const Storage &source, llvm::StringRef tag,
                                                      uint64_t size) = 0;
};

struct ParseOptions {
  /// Null: only storages whose bytes are written inline can be read.
  StorageResolver *storages = nullptr;
  /// The line number of the text's first line (a split of a larger file).
  unsigned firstLine = 1;
};

/// Parses one graph. `bufferName` names the text in errors. Without a header comment
/// (`// vkqc IR of ...`) the graph's source name is the buffer's file name. A node's name
/// is not in the text: a node is named after its first result (or its target, when it has
/// none).
llvm::Expected<std::unique_ptr<Graph>> parseGraph(llvm::StringRef text, llvm::StringRef bufferName,
                                                  const ParseOptions &options = {});

} // namespace vkqc
