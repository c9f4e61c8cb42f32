// Consistency checks of a PteProgram before it is written: every index it
// contains must point at something, so the writer never emits a .pte that
// the runtime would reject or misread.
#pragma once

#include "serialize/PteProgram.h"

#include "llvm/Support/Error.h"

namespace vkqc::serialize {

/// Success, or an error naming the first dangling index or inconsistent field.
llvm::Error checkPteProgram(const PteProgram &program);

} // namespace vkqc::serialize
