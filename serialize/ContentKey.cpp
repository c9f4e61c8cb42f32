#include "serialize/ContentKey.h"

#include "llvm/ADT/StringExtras.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace vkqc::serialize {

// OpenSSL's SHA-256 uses the CPU's SHA extensions where they exist: about 3.5 times the
// throughput of llvm::SHA256 here, and every constant byte of a model is hashed once.
//
// The hashing runs on LLVM's worker threads, which can still be exiting (and freeing their
// OpenSSL thread state) while OpenSSL's own atexit handler frees the same state: a double
// free at exit. OpenSSL is therefore initialized without that handler; the process is
// ending anyway.
std::string contentKey(llvm::ArrayRef<uint8_t> bytes) {
  static const bool initialized = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;
  (void)initialized;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return llvm::toHex(llvm::ArrayRef<uint8_t>(digest, length), /*LowerCase=*/true);
}

} // namespace vkqc::serialize
