#include "compiler/target/Target.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace vkqc {

namespace {
std::vector<std::string> splitAliases(llvm::StringRef list) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  list.split(parts, ',', -1, /*KeepEmpty=*/false);
  return std::vector<std::string>(parts.begin(), parts.end());
}
} // namespace

const std::vector<Target> &allTargets() {
  static const std::vector<Target> targets = {
#define VKQC_TARGET(NAME, ALIASES, BUF, IMG2, IMG3, FP16, I8, DOT, DESC)                           \
  Target{NAME, splitAliases(ALIASES), BUF, IMG2, IMG3, FP16, I8, DOT, DESC},
#include "compiler/target/Targets.def"
  };
  return targets;
}

llvm::Expected<const Target *> lookupTarget(llvm::StringRef name) {
  std::string known;
  for (const Target &t : allTargets()) {
    if (t.name == name)
      return &t;
    for (const std::string &alias : t.aliases)
      if (alias == name)
        return &t;
    known += (known.empty() ? "" : ", ") + t.name;
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "unknown target '" + name + "' (known: " + known + ")");
}

} // namespace vkqc
