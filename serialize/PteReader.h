// Reads a .pte file defensively: sizes, identifier, extended header and
// every segment are checked against the file, and the Program flatbuffer and
// each Vulkan delegate blob are verified before anything is read from them.
#pragma once

#include "serialize/PteView.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace vkqc::serialize {

/// The structured content of the .pte bytes `file`; a corrupt or truncated
/// file gives an error "<where>: <what>".
llvm::Expected<PteView> readPte(llvm::ArrayRef<uint8_t> file);

/// readPte of the file at `path`; errors read "<path>: <where>: <what>".
llvm::Expected<PteView> readPteFile(llvm::StringRef path);

} // namespace vkqc::serialize
