// Encodes a PteProgram as the Program flatbuffer ("ET12"), given where its
// segments go. The result has no extended header yet (PteWriter adds it).
#pragma once

#include "serialize/PteProgram.h"
#include "serialize/SegmentLayout.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace vkqc::serialize {

llvm::Expected<std::vector<uint8_t>> encodeProgramFlatbuffer(const PteProgram &program,
                                                             const SegmentLayout &layout);

} // namespace vkqc::serialize
