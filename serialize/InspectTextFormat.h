// Renders the inspect document (JSON) as indented, YAML-like text, so that
// `vkqc inspect` text and --json come from one description of the file.
#pragma once

#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

namespace vkqc::serialize {

/// Objects become "key: value" lines (nested objects indented), arrays of
/// scalars "[a, b]", arrays of objects "- " items whose scalar fields share
/// one line.
void printAsText(const nlohmann::ordered_json &document, llvm::raw_ostream &os);

} // namespace vkqc::serialize
