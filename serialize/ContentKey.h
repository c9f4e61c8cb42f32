// Content-addressed keys for named data: the lowercase hex SHA-256 of the
// bytes, as ExecuTorch's named data store computes them.
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <string>

namespace vkqc::serialize {

/// Lowercase hexadecimal SHA-256 of `bytes` (64 characters).
std::string contentKey(llvm::ArrayRef<uint8_t> bytes);

} // namespace vkqc::serialize
