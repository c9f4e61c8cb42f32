// SHA-256 digests: of one byte string through OpenSSL, and of two at once.
//
// Two at once, with the CPU's SHA extensions: one string's SHA-256 is a chain: each round waits for
// the one before, so a core's SHA unit sits idle between rounds (OpenSSL, one string: 1.8 GB/s per
// core here). The rounds of two strings are independent and interleave: 2.6 GB/s per core. A
// model's delegate constants are hundreds of MB of many separate strings, every byte hashed once,
// so the writer hashes them two at a time. OpenSSL has no API for this (its multi-buffer SHA-256
// serves only its TLS ciphers), hence our own rounds, checked against OpenSSL in tests.
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <cstdint>

namespace vkqc::serialize {

using Sha256Digest = std::array<uint8_t, 32>;

/// The SHA-256 digest of `bytes` (OpenSSL).
Sha256Digest sha256(llvm::ArrayRef<uint8_t> bytes);

/// The SHA-256 digests of `first` and `second`: side by side on a CPU with the SHA
/// extensions, else one after the other through OpenSSL.
std::array<Sha256Digest, 2> sha256Pair(llvm::ArrayRef<uint8_t> first,
                                       llvm::ArrayRef<uint8_t> second);

} // namespace vkqc::serialize
