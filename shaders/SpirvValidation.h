// spirv-val in-process (SPIRV-Tools), for the build-time shader compiler and the tests.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace vkqc::shaders {

/// Validates a module for the Vulkan 1.1 environment vkqc compiles for; the error holds
/// every validator message and names `what` (the variant).
llvm::Error validateSpirv(llvm::ArrayRef<uint32_t> words, llvm::StringRef what);

} // namespace vkqc::shaders
