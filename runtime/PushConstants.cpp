#include "runtime/PushConstants.h"

#include "runtime/VulkanError.h"

#include <cstring>
#include <limits>

namespace vkqc::vk {

PushConstants::PushConstants(const shaders::ShaderVariant &variant)
    : variant_(variant), bytes_(variant.pushConstantSize, 0),
      assigned_(variant.pushConstants.size(), false) {}

void PushConstants::store(llvm::StringRef member, const void *value) {
  for (size_t i = 0; i < variant_.pushConstants.size(); ++i)
    if (member == variant_.pushConstants[i].name) {
      std::memcpy(bytes_.data() + variant_.pushConstants[i].offset, value, 4);
      assigned_[i] = true;
      return;
    }
  problems_ += " unknown member '" + member.str() + "';";
}

PushConstants &PushConstants::set(llvm::StringRef member, int64_t value) {
  const shaders::PushConstantMember *m = variant_.findPushConstant(member);
  if (m && m->type == shaders::ElementType::Float32)
    return setFloat(member, static_cast<float>(value));
  if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max())
    problems_ += " '" + member.str() + "' = " + std::to_string(value) + " exceeds int32;";
  int32_t narrow = static_cast<int32_t>(value);
  store(member, &narrow);
  return *this;
}

PushConstants &PushConstants::setFloat(llvm::StringRef member, float value) {
  store(member, &value);
  return *this;
}

llvm::Expected<std::vector<uint8_t>> PushConstants::bytes() const {
  std::string problems = problems_;
  for (size_t i = 0; i < assigned_.size(); ++i)
    if (!assigned_[i])
      problems += " '" + std::string(variant_.pushConstants[i].name) + "' is not set;";
  if (!problems.empty())
    return runtimeError("push constants of " + llvm::Twine(variant_.name) + ":" + problems);
  return bytes_;
}

} // namespace vkqc::vk
