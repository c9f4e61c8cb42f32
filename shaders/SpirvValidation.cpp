#include "shaders/SpirvValidation.h"

#include "llvm/ADT/Twine.h"

#include <spirv-tools/libspirv.hpp>

#include <string>

namespace vkqc::shaders {

llvm::Error validateSpirv(llvm::ArrayRef<uint32_t> words, llvm::StringRef what) {
  spvtools::SpirvTools tools(SPV_ENV_VULKAN_1_1);
  std::string messages;
  tools.SetMessageConsumer(
      [&](spv_message_level_t, const char *, const spv_position_t &position, const char *message) {
        messages += "  word " + std::to_string(position.index) + ": " + message + "\n";
      });
  if (tools.Validate(words.data(), words.size()))
    return llvm::Error::success();
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "spirv-val rejected " + what + ":\n" + messages);
}

} // namespace vkqc::shaders
