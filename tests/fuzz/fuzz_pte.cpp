// Fuzzes the .pte reader behind `vkqc inspect`: the input is the whole file. The reader
// must verify before it reads (flatbuffers verifier, extended header, segments, VH00 and
// VkGraph blobs), and inspect must print whatever the reader accepted.
#include "tests/fuzz/FuzzSupport.h"

#include "serialize/Inspect.h"
#include "serialize/PteReader.h"

#include "llvm/Support/raw_ostream.h"

using namespace vkqc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<serialize::PteView> view = serialize::readPte(llvm::ArrayRef<uint8_t>(data, size));
  if (!view) {
    fuzz::checkErrorMessage(view.takeError());
    return 0;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  serialize::printInspect(*view, os, /*json=*/false);
  serialize::printInspect(*view, os, /*json=*/true);
  return 0;
}
