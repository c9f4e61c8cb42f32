#include "patterns/Pattern.h"

namespace vkqc {

// Each pattern defines its factory in its own file.
#define VKQC_PATTERN(NAME, CLASS, ANCHOR, SUMMARY)                                                 \
  std::unique_ptr<Pattern> create##CLASS##Pattern();
#include "patterns/Patterns.def"

const std::vector<PatternInfo> &allPatterns() {
  static const std::vector<PatternInfo> patterns = {
#define VKQC_PATTERN(NAME, CLASS, ANCHOR, SUMMARY) {NAME, ANCHOR, SUMMARY, &create##CLASS##Pattern},
#include "patterns/Patterns.def"
  };
  return patterns;
}

} // namespace vkqc
