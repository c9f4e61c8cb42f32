#include "serialize/ContentKey.h"

#include "llvm/ADT/StringExtras.h"

#include <openssl/evp.h>

namespace vkqc::serialize {

// OpenSSL's SHA-256 uses the CPU's SHA extensions where they exist: about 3.5 times the
// throughput of llvm::SHA256 here, and every constant byte of a model is hashed once.
std::string contentKey(llvm::ArrayRef<uint8_t> bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return llvm::toHex(llvm::ArrayRef<uint8_t>(digest, length), /*LowerCase=*/true);
}

} // namespace vkqc::serialize
