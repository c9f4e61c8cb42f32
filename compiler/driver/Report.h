// The compile report (--report): what each pass did to each node and constant, and why.
#pragma once

#include "compiler/pass/Pass.h"

#include "llvm/Support/raw_ostream.h"

namespace vkqc {

/// Text: per pass, counts by action, then one line per entry.
void printReportText(const Graph &g, const PassContext &ctx, llvm::raw_ostream &os);
/// JSON: {"source", "passes": {pass: {action: count}}, "entries": [{pass, subject, action,
/// detail}]}.
void printReportJson(const Graph &g, const PassContext &ctx, llvm::raw_ostream &os);

} // namespace vkqc
