// torch.export program (export schema 8.x) -> vkqc IR.
#pragma once

#include "compiler/import/ModelArchive.h"
#include "compiler/ir/Graph.h"

#include "llvm/Support/Error.h"

#include <memory>

namespace vkqc {

/// A graph together with the archive whose mapped bytes its constants view.
struct ImportedModel {
  std::unique_ptr<ModelArchive> archive;
  std::unique_ptr<Graph> graph;
};

/// Reads `path` (a `.pt2` or an extracted `models/model.json`) into a graph. Errors are
/// "<where>: <what>", where <where> names an archive entry and JSON pointer. The weights'
/// CRC-32 checks may still be running: see ModelArchive::verifyIntegrity.
llvm::Expected<ImportedModel> importModel(llvm::StringRef path, const ArchiveOptions &options = {});
/// Same, from an archive already opened (tests, fuzzing).
llvm::Expected<std::unique_ptr<Graph>> importFromArchive(ModelArchive &archive,
                                                         llvm::StringRef sourceName);

} // namespace vkqc
