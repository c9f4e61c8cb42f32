#include "serialize/ContentKey.h"

#include "serialize/Sha256.h"

#include "llvm/ADT/StringExtras.h"

namespace vkqc::serialize {

namespace {
std::string hex(const Sha256Digest &digest) { return llvm::toHex(digest, /*LowerCase=*/true); }
} // namespace

std::string contentKey(llvm::ArrayRef<uint8_t> bytes) { return hex(sha256(bytes)); }

std::array<std::string, 2> contentKeys(llvm::ArrayRef<uint8_t> first,
                                       llvm::ArrayRef<uint8_t> second) {
  std::array<Sha256Digest, 2> digests = sha256Pair(first, second);
  return {hex(digests[0]), hex(digests[1])};
}

} // namespace vkqc::serialize
