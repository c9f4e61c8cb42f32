// Fuzzes the .vkir parser (parseGraph, `vkqc opt`'s input). Input: one selector byte, then
// the text. The selector picks the archive whose entries the text's storages may name: 0
// is tests/lit/Inputs/mini, 1.. are the .pt2 files of tests/data in name order (the
// golden dumps of tests/lit/import/golden are seeds for them). What parses is verified
// and printed, and the printed text must parse back and print the same bytes again.
#include "tests/fuzz/FuzzSupport.h"

#include "compiler/driver/Optimize.h"
#include "compiler/ir/Parser.h"
#include "compiler/ir/Printer.h"
#include "compiler/ir/Verifier.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace vkqc;

namespace {
std::vector<std::unique_ptr<ModelArchive>> &archives() {
  static std::vector<std::unique_ptr<ModelArchive>> a;
  return a;
}

llvm::Expected<std::unique_ptr<Graph>> parse(llvm::StringRef text, ModelArchive &archive) {
  std::unique_ptr<StorageResolver> storages = archiveStorages(&archive, "fuzz.pt2");
  ParseOptions options;
  options.storages = storages.get();
  return parseGraph(text, "fuzz.vkir", options);
}
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  archives().push_back(fuzz::loadDirectoryArchive(fuzz::sourcePath("tests/lit/Inputs/mini")));
  std::vector<std::string> pt2s;
  std::error_code ec;
  std::string dataDir = fuzz::sourcePath("tests/data");
  for (llvm::sys::fs::directory_iterator it(dataDir, ec), end; it != end && !ec; it.increment(ec))
    if (llvm::sys::path::extension(it->path()) == ".pt2")
      pt2s.push_back(it->path());
  std::sort(pt2s.begin(), pt2s.end());
  for (const std::string &p : pt2s) {
    llvm::Expected<std::unique_ptr<ModelArchive>> a = ModelArchive::open(p);
    if (!a) {
      std::fprintf(stderr, "fuzz: cannot open %s: %s\n", p.c_str(),
                   llvm::toString(a.takeError()).c_str());
      std::abort();
    }
    archives().push_back(std::move(*a));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  ModelArchive &archive = *archives()[data[0] % archives().size()];
  llvm::StringRef text(reinterpret_cast<const char *>(data + 1), size - 1);
  llvm::Expected<std::unique_ptr<Graph>> g = parse(text, archive);
  if (!g) {
    fuzz::checkErrorMessage(g.takeError());
    return 0;
  }
  fuzz::checkErrorMessage(verifyGraph(**g));
  std::string printed = graphToString(**g);
  llvm::Expected<std::unique_ptr<Graph>> again = parse(printed, archive);
  if (!again) {
    std::fprintf(stderr, "fuzz: the printed text does not parse back: %s\n--- printed:\n%s",
                 llvm::toString(again.takeError()).c_str(), printed.c_str());
    std::abort();
  }
  std::string reprinted = graphToString(**again);
  if (reprinted != printed) {
    std::fprintf(
        stderr,
        "fuzz: printing what was parsed changed the text\n--- printed:\n%s--- reprinted:\n%s",
        printed.c_str(), reprinted.c_str());
    std::abort();
  }
  return 0;
}
