// Content-addressed keys for named data: the lowercase hex SHA-256 of the
// bytes, as ExecuTorch's named data store computes them.
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>
#include <string>

namespace vkqc::serialize {

/// Lowercase hexadecimal SHA-256 of `bytes` (64 characters).
std::string contentKey(llvm::ArrayRef<uint8_t> bytes);

/// The keys of two byte strings, hashed side by side (Sha256.h): faster than one at a time.
std::array<std::string, 2> contentKeys(llvm::ArrayRef<uint8_t> first,
                                       llvm::ArrayRef<uint8_t> second);

} // namespace vkqc::serialize
