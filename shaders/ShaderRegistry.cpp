#include "shaders/Shaders.h"

namespace vkqc::shaders {

const ShaderVariant *findShader(llvm::StringRef name) {
  for (const ShaderVariant &variant : allShaders())
    if (name == variant.name)
      return &variant;
  return nullptr;
}

} // namespace vkqc::shaders
