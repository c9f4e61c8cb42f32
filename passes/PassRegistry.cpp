#include "passes/PassRegistry.h"

namespace vkqc {

// Each pass defines its factory in its own file.
#define VKQC_PASS(NAME, CLASS, SUMMARY) std::unique_ptr<Pass> create##CLASS##Pass();
#include "passes/Passes.def"

const std::vector<PassInfo> &allPasses() {
  static const std::vector<PassInfo> passes = {
#define VKQC_PASS(NAME, CLASS, SUMMARY) {NAME, SUMMARY, &create##CLASS##Pass},
#include "passes/Passes.def"
  };
  return passes;
}

const PassInfo *lookupPass(llvm::StringRef name) {
  for (const PassInfo &p : allPasses())
    if (p.name == name)
      return &p;
  return nullptr;
}

} // namespace vkqc
