// The passes of the pipeline: Passes.def, one row each.
#pragma once

#include "compiler/pass/Pass.h"

#include <memory>
#include <string>
#include <vector>

namespace vkqc {

struct PassInfo {
  std::string name;
  std::string summary;
  std::unique_ptr<Pass> (*create)();
};

/// Every pass from Passes.def, in pipeline order.
const std::vector<PassInfo> &allPasses();
const PassInfo *lookupPass(llvm::StringRef name);

} // namespace vkqc
