// The compute shaders compiled into vkqc at build time (see shaders/README.md): look a
// variant up by its ExecuTorch-style name, or list them all.
#pragma once

#include "shaders/ShaderTypes.h"

namespace vkqc::shaders {

/// Every compiled variant, in Shaders.def order.
llvm::ArrayRef<ShaderVariant> allShaders();

/// The variant named `name`, or nullptr.
const ShaderVariant *findShader(llvm::StringRef name);

} // namespace vkqc::shaders
