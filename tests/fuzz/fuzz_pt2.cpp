// Fuzzes the .pt2 reader: the input is the whole zip archive (ModelArchive::openZipBuffer),
// then the model.json, weights/constants configs and weight entries it holds are imported,
// verified and printed (printing reads every mapped constant for its checksum).
#include "tests/fuzz/FuzzSupport.h"

using namespace vkqc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<std::unique_ptr<ModelArchive>> archive =
      ModelArchive::openZipBuffer(llvm::ArrayRef<uint8_t>(data, size), "fuzz.pt2");
  if (!archive) {
    fuzz::checkErrorMessage(archive.takeError());
    return 0;
  }
  fuzz::importVerifyPrint(**archive);
  return 0;
}
