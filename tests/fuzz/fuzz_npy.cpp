// Fuzzes the .npy reader (interp::parseNpy): the input is the whole file.
#include "tests/fuzz/FuzzSupport.h"

#include "compiler/semantics/Npy.h"

using namespace vkqc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<interp::Tensor> t = interp::parseNpy(bytes, "fuzz.npy");
  if (!t) {
    fuzz::checkErrorMessage(t.takeError());
    return 0;
  }
  // Touch every element the header promised.
  volatile double sink = 0;
  for (int64_t i = 0; i < t->numel() && i < 4096; ++i)
    sink = sink + t->getDouble(i);
  (void)sink;
  return 0;
}
