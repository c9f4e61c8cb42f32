// Shared pieces of the libFuzzer harnesses (tests/fuzz/README.md).
#pragma once

#include "compiler/import/ModelArchive.h"

#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vkqc::fuzz {

/// Consumes an error the way `vkqc compile` reports it and checks the contract: a
/// non-empty, single-line message (the tool prints exactly one line). Aborts otherwise,
/// so a violation is a finding.
void checkErrorMessage(llvm::Error err);

/// What `vkqc compile` does after opening the archive: import, verify, join the weights'
/// CRC-32 checks, and (when all of that passed) print the graph, which reads every
/// constant's bytes for its checksum. Errors are checked with checkErrorMessage.
void importVerifyPrint(ModelArchive &archive);

/// An archive held in memory: entry name -> bytes.
class MapArchive : public ModelArchive {
public:
  std::map<std::string, std::vector<uint8_t>, std::less<>> entries;

  bool hasEntry(llvm::StringRef entry) const override;
  llvm::Expected<std::string> readText(llvm::StringRef entry) override;
  llvm::Expected<llvm::ArrayRef<uint8_t>> mapEntry(llvm::StringRef entry) override;
};

/// Reads an extracted archive directory (tests/lit/Inputs/mini) into a MapArchive.
std::unique_ptr<MapArchive> loadDirectoryArchive(llvm::StringRef root);

/// `<source>/tests/...` paths, fixed at configure time (VKQC_SOURCE_DIR).
std::string sourcePath(llvm::StringRef relative);

} // namespace vkqc::fuzz
