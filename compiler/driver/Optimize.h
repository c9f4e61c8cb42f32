// `vkqc opt`: passes run on `.vkir` text, as mlir-opt runs them on MLIR. The text is
// parsed (Parser.h), verified, run through exactly the passes asked for, and printed; a
// pass test is a few hand-written lines and a FileCheck.
//
// Constants: a small one is written inline (`dense<0x...>`); one that names an archive
// entry is read from the archive given (--archive), its size and checksum checked; a
// derived layout is made again from its source (rebuildDerivedLayout).
#pragma once

#include "compiler/driver/PassManager.h"
#include "compiler/import/ModelArchive.h"
#include "compiler/ir/Parser.h"

namespace vkqc {

enum class ReportFormat { None, Text, Json };

struct OptRequest {
  std::string inputPath = "-"; // "-": stdin
  /// The .pt2 (or models/model.json) whose entries the text's storages name; empty: every
  /// constant of the text must be inline.
  std::string archivePath;
  /// Each part of the input between `// -----` lines is a graph of its own (mlir-opt's
  /// --split-input-file); the outputs are joined by the same line.
  bool splitInputFile = false;
  /// The passes to run: exactly `pipeline.passes`, none when it is empty (parse, verify,
  /// print). `compileTo` is not used.
  PipelineOptions pipeline;
  PassOptions options;
  ReportFormat report = ReportFormat::None;
};

struct OptResult {
  std::string text;   // the IR after the passes
  std::string report; // each graph's --report, when one was asked for
};

/// The storages of a .vkir text: entries of `archive` (null: the text names none; the
/// path is for messages), and layouts made again from their source.
std::unique_ptr<StorageResolver> archiveStorages(ModelArchive *archive, std::string archivePath);

/// The line that splits the input with --split-input-file.
constexpr llvm::StringLiteral kSplitMarker = "// -----";

/// Runs the request into `result`; dumps and timings go to `log`. A graph that fails does
/// not stop the others (as in mlir-opt, `result` holds what the others printed, a failed
/// part printing nothing between its markers): the error holds one message per failing
/// graph, `<file>:<line>:<column>: <what>` for a problem in the text,
/// `<file>[:<first line of its part>]: <what>` for a pass.
llvm::Error runOpt(const OptRequest &request, OptResult &result, llvm::raw_ostream &log);

} // namespace vkqc
