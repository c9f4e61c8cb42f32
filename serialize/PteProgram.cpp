#include "serialize/PteProgram.h"

namespace vkqc::serialize {

uint32_t PteProgram::addConstantBuffer(std::vector<uint8_t> bytes) {
  return addConstantBuffer(DataSource::fromBytes(std::move(bytes)));
}

uint32_t PteProgram::addConstantBuffer(DataSource data) {
  constantBuffers.push_back(std::move(data));
  // Entry 0 of the serialized constant segment is the reserved empty buffer.
  return static_cast<uint32_t>(constantBuffers.size());
}

} // namespace vkqc::serialize
