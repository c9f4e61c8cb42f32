// A GPU target: the limits and capabilities that decide delegation and kernel variants.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vkqc {

struct Target {
  std::string name;
  std::vector<std::string> aliases;
  int64_t maxBufferElements;
  int64_t maxImageExtent2D;
  int64_t maxImageExtent3D;
  bool fp16;
  bool int8Storage;
  bool int8DotProduct;
  std::string description;
};

/// Every target of Targets.def, in table order.
const std::vector<Target> &allTargets();
/// The target named `name` or one of its aliases; an error lists the known names.
llvm::Expected<const Target *> lookupTarget(llvm::StringRef name);

} // namespace vkqc
