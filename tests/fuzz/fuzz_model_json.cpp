// Fuzzes the model.json importer. Input: one selector byte, then the bytes of
// models/model.json. The selector picks the archive that serves every other entry (the
// weights config and weight files): 0 is tests/lit/Inputs/mini, 1.. are the corpus .pt2
// files of tests/data in name order, so real-model seeds reach nodes and constants.
#include "tests/fuzz/FuzzSupport.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace vkqc;

namespace {

constexpr llvm::StringLiteral kModelJson = "models/model.json";

// models/model.json from the fuzz input, everything else from a base archive.
class OverlayArchive : public ModelArchive {
public:
  OverlayArchive(ModelArchive &base, llvm::ArrayRef<uint8_t> model) : base_(base), model_(model) {}
  bool hasEntry(llvm::StringRef e) const override { return e == kModelJson || base_.hasEntry(e); }
  llvm::Expected<std::string> readText(llvm::StringRef e) override {
    if (e == kModelJson)
      return std::string(model_.begin(), model_.end());
    return base_.readText(e);
  }
  llvm::Expected<llvm::ArrayRef<uint8_t>> mapEntry(llvm::StringRef e) override {
    if (e == kModelJson)
      return model_;
    return base_.mapEntry(e);
  }

private:
  ModelArchive &base_;
  llvm::ArrayRef<uint8_t> model_;
};

std::vector<std::unique_ptr<ModelArchive>> &bases() {
  static std::vector<std::unique_ptr<ModelArchive>> b;
  return b;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  bases().push_back(fuzz::loadDirectoryArchive(fuzz::sourcePath("tests/lit/Inputs/mini")));
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
    bases().push_back(std::move(*a));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  ModelArchive &base = *bases()[data[0] % bases().size()];
  OverlayArchive archive(base, llvm::ArrayRef<uint8_t>(data + 1, size - 1));
  fuzz::importVerifyPrint(archive);
  return 0;
}
