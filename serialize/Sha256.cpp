#include "serialize/Sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace vkqc::serialize {

// OpenSSL's SHA-256 uses the CPU's SHA extensions where they exist: about 3.5 times the
// throughput of llvm::SHA256 here, and every constant byte of a model is hashed once.
//
// The hashing runs on LLVM's worker threads, which can still be exiting (and freeing their
// OpenSSL thread state) while OpenSSL's own atexit handler frees the same state: a double
// free at exit. OpenSSL is therefore initialized without that handler; the process is
// ending anyway.
Sha256Digest sha256(llvm::ArrayRef<uint8_t> bytes) {
  static const bool initialized = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;
  (void)initialized;
  Sha256Digest digest;
  unsigned length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

namespace {
#if defined(__x86_64__)
constexpr uint32_t kInitialHash[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

bool cpuHasShaExtensions() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_SSSE3) || !(ecx & bit_SSE4_1))
    return false;
  return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_SHA);
}

/// The hash state as the SHA instructions hold it: words A, B, E, F and C, D, G, H.
struct State {
  __m128i abef, cdgh;
};

[[gnu::target("sha,sse4.1")]] State initialState() {
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i *>(kInitialHash));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i *>(kInitialHash + 4));
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1), efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  return {_mm_alignr_epi8(cdab, efgh, 8), _mm_blend_epi16(efgh, cdab, 0xF0)};
}

[[gnu::target("sha,sse4.1")]] Sha256Digest digestOf(State state) {
  __m128i feba = _mm_shuffle_epi32(state.abef, 0x1B), dchg = _mm_shuffle_epi32(state.cdgh, 0xB1);
  uint32_t words[8];
  _mm_storeu_si128(reinterpret_cast<__m128i *>(words), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i *>(words + 4), _mm_alignr_epi8(dchg, feba, 8));
  Sha256Digest digest;
  for (int i = 0; i < 8; ++i)
    for (int b = 0; b < 4; ++b)
      digest[4 * i + b] = static_cast<uint8_t>(words[i] >> (24 - 8 * b)); // big-endian
  return digest;
}

/// Runs `blocks` 64-byte blocks of each of `Lanes` strings through their states. The lanes'
/// rounds are independent, so the CPU overlaps them: the loops over lanes are unrolled.
template <int Lanes>
[[gnu::target("sha,sse4.1")]] void compress(State *state, const uint8_t *const *data,
                                            size_t blocks) {
  const __m128i bigEndianWords = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  for (size_t b = 0; b < blocks; ++b) {
    State saved[Lanes];
    __m128i w[Lanes][4]; // the message schedule: four groups of four words, in turn
#pragma GCC unroll 4
    for (int l = 0; l < Lanes; ++l) {
      saved[l] = state[l];
      for (int j = 0; j < 4; ++j)
        w[l][j] = _mm_shuffle_epi8(
            _mm_loadu_si128(reinterpret_cast<const __m128i *>(data[l] + 64 * b + 16 * j)),
            bigEndianWords);
    }
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) { // rounds 4j .. 4j + 3
      __m128i k = _mm_load_si128(reinterpret_cast<const __m128i *>(kRoundConstants + 4 * j));
#pragma GCC unroll 4
      for (int l = 0; l < Lanes; ++l) {
        __m128i wk = _mm_add_epi32(w[l][j % 4], k);
        state[l].cdgh = _mm_sha256rnds2_epu32(state[l].cdgh, state[l].abef, wk);
        state[l].abef =
            _mm_sha256rnds2_epu32(state[l].abef, state[l].cdgh, _mm_shuffle_epi32(wk, 0x0E));
        if (j < 12) { // group j + 4 from groups j .. j + 3
          __m128i sum = _mm_add_epi32(_mm_sha256msg1_epu32(w[l][j % 4], w[l][(j + 1) % 4]),
                                      _mm_alignr_epi8(w[l][(j + 3) % 4], w[l][(j + 2) % 4], 4));
          w[l][j % 4] = _mm_sha256msg2_epu32(sum, w[l][(j + 3) % 4]);
        }
      }
    }
#pragma GCC unroll 4
    for (int l = 0; l < Lanes; ++l) {
      state[l].abef = _mm_add_epi32(state[l].abef, saved[l].abef);
      state[l].cdgh = _mm_add_epi32(state[l].cdgh, saved[l].cdgh);
    }
  }
}

/// Hashes what follows `wholeBlocks` of `bytes` (already in `state`) with SHA-256's padding:
/// 0x80, zeros, the length in bits as a big-endian 64-bit number; one or two blocks.
[[gnu::target("sha,sse4.1")]] Sha256Digest finish(State state, llvm::ArrayRef<uint8_t> bytes,
                                                  size_t wholeBlocks) {
  size_t blocks = bytes.size() / 64, restSize = bytes.size() % 64;
  const uint8_t *rest = bytes.data() + 64 * wholeBlocks;
  compress<1>(&state, &rest, blocks - wholeBlocks);
  uint8_t tail[128] = {};
  if (restSize)
    std::memcpy(tail, bytes.data() + 64 * blocks, restSize);
  tail[restSize] = 0x80;
  size_t tailSize = restSize < 56 ? 64 : 128;
  uint64_t bits = static_cast<uint64_t>(bytes.size()) * 8;
  for (int i = 0; i < 8; ++i)
    tail[tailSize - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  const uint8_t *tailData = tail;
  compress<1>(&state, &tailData, tailSize / 64);
  return digestOf(state);
}

[[gnu::target("sha,sse4.1")]] std::array<Sha256Digest, 2>
shaExtensionsPair(llvm::ArrayRef<uint8_t> first, llvm::ArrayRef<uint8_t> second) {
  State states[2] = {initialState(), initialState()};
  size_t together = std::min(first.size(), second.size()) / 64;
  const uint8_t *data[2] = {first.data(), second.data()};
  compress<2>(states, data, together);
  return {finish(states[0], first, together), finish(states[1], second, together)};
}
#endif
} // namespace

std::array<Sha256Digest, 2> sha256Pair(llvm::ArrayRef<uint8_t> first,
                                       llvm::ArrayRef<uint8_t> second) {
#if defined(__x86_64__)
  static const bool shaExtensions = cpuHasShaExtensions();
  if (shaExtensions)
    return shaExtensionsPair(first, second);
#endif
  return {sha256(first), sha256(second)};
}

} // namespace vkqc::serialize
