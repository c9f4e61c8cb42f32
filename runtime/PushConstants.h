// Push-constant bytes filled by member name, placed at the offsets the variant's reflected
// push-constant block gives, so host code cannot drift from the GLSL layout.
#pragma once

#include "shaders/ShaderTypes.h"

#include <string>
#include <vector>

namespace vkqc::vk {

class PushConstants {
public:
  explicit PushConstants(const shaders::ShaderVariant &variant);

  /// Sets an int32 member; a float member gets `value` converted.
  PushConstants &set(llvm::StringRef member, int64_t value);
  PushConstants &setFloat(llvm::StringRef member, float value);

  /// The bytes, or an error naming unknown, out-of-range or unset members.
  llvm::Expected<std::vector<uint8_t>> bytes() const;

private:
  void store(llvm::StringRef member, const void *value);

  const shaders::ShaderVariant &variant_;
  std::vector<uint8_t> bytes_;
  std::vector<bool> assigned_;
  std::string problems_;
};

} // namespace vkqc::vk
