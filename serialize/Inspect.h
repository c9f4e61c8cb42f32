// `vkqc inspect model.pte [--json]`: a summary of what a .pte contains.
#pragma once

#include "serialize/PteView.h"

#include "llvm/Support/raw_ostream.h"

namespace vkqc::serialize {

/// Prints header, segments, plans (values, instructions, delegates with their
/// VkGraph census), named data and totals, as indented text or as JSON. The
/// output depends only on `view`: same file, same text.
void printInspect(const PteView &view, llvm::raw_ostream &os, bool json);

} // namespace vkqc::serialize
