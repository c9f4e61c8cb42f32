#include "compiler/import/Crc32.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace vkqc {

namespace {
#if defined(__x86_64__)
/// The widest carry-less multiply the CPU and the OS (saved YMM/ZMM state) allow.
Crc32Kernel cpuKernel() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_PCLMUL) || !(ecx & bit_SSE4_1))
    return Crc32Kernel::Zlib;
  unsigned savedState = 0; // XCR0: which register files the OS saves
  if (ecx & bit_OSXSAVE) {
    unsigned hi;
    __asm__("xgetbv" : "=a"(savedState), "=d"(hi) : "c"(0));
  }
  bool osSavesYmm = (savedState & 0x6) == 0x6;   // SSE, AVX
  bool osSavesZmm = (savedState & 0xe6) == 0xe6; // and opmask and both ZMM halves
  if (!osSavesYmm || !__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(ecx & bit_VPCLMULQDQ))
    return Crc32Kernel::Pclmul;
  if (osSavesZmm && (ebx & bit_AVX512F))
    return Crc32Kernel::Avx512;
  return (ebx & bit_AVX2) ? Crc32Kernel::Vpclmul256 : Crc32Kernel::Pclmul;
}

// Constants of the bit-reflected CRC-32 polynomial 0x04C11DB7 (Intel's paper): to carry a
// 128-bit lane D bits further, its low half is multiplied by x^(D+32) mod P(x) and its high
// half by x^(D-32) mod P(x), both bit-reflected and shifted left by one; then P(x) and the
// Barrett constant floor(x^64 / P(x)) for the last reduction.
alignas(16) constexpr uint64_t kFold64[2] = {0x0154442bd4, 0x01c6e41596};  // D = 4 x 128 bits
alignas(16) constexpr uint64_t kFold16[2] = {0x01751997d0, 0x00ccaa009e};  // D = 128 bits
alignas(16) constexpr uint64_t kFold4[2] = {0x0163cd6124, 0};              // 64 -> 32 bits
alignas(16) constexpr uint64_t kBarrett[2] = {0x01db710641, 0x01f7011641}; // P(x), mu
constexpr uint64_t kFold128[2] = {0x01e88ef372, 0x014a7fe880};             // D = 4 x 256 bits
constexpr uint64_t kFold256[2] = {0x011542778a, 0x01322d1430};             // D = 4 x 512 bits

/// One fold step: `x` carried 128 bits further (both halves multiplied by the fold
/// constants of that distance), xored with the next 16 bytes.
[[gnu::target("pclmul,sse4.1")]] inline __m128i fold(__m128i x, __m128i k, __m128i next) {
  __m128i low = _mm_clmulepi64_si128(x, k, 0x00);
  __m128i high = _mm_clmulepi64_si128(x, k, 0x11);
  return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

[[gnu::target("pclmul,sse4.1")]] inline __m128i load16(const uint8_t *at) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i *>(at));
}

/// The CRC register of the lanes x0..x3 (the next 64 bytes' worth of remainder, x0 first),
/// then of the `size` bytes at `p` (a multiple of 16): folded into one lane, then reduced
/// to 32 bits (Barrett).
[[gnu::target("pclmul,sse4.1")]] uint32_t finish(__m128i x0, __m128i x1, __m128i x2, __m128i x3,
                                                 const uint8_t *p, size_t size) {
  const __m128i k16 = _mm_load_si128(reinterpret_cast<const __m128i *>(kFold16));
  __m128i x = fold(fold(fold(x0, k16, x1), k16, x2), k16, x3);
  for (; size >= 16; p += 16, size -= 16)
    x = fold(x, k16, load16(p));

  // 128 -> 64 bits, then 64 -> 32 (still a multiple of the CRC's remainder), then Barrett.
  const __m128i mask32 = _mm_setr_epi32(-1, 0, -1, 0);
  x = _mm_xor_si128(_mm_srli_si128(x, 8), _mm_clmulepi64_si128(x, k16, 0x10));
  const __m128i k4 = _mm_load_si128(reinterpret_cast<const __m128i *>(kFold4));
  x = _mm_xor_si128(_mm_srli_si128(x, 4), _mm_clmulepi64_si128(_mm_and_si128(x, mask32), k4, 0x00));
  const __m128i barrett = _mm_load_si128(reinterpret_cast<const __m128i *>(kBarrett));
  __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x, mask32), barrett, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), barrett, 0x00);
  return static_cast<uint32_t>(_mm_extract_epi32(_mm_xor_si128(x, t), 1));
}

/// The CRC register after `size` bytes (a multiple of 16, at least 64) from `state`
/// (zlib's CRC inverted): four 128-bit lanes folded side by side, 64 bytes a step.
[[gnu::target("pclmul,sse4.1")]] uint32_t foldSse(const uint8_t *p, size_t size, uint32_t state) {
  __m128i x0 = _mm_xor_si128(load16(p), _mm_cvtsi32_si128(static_cast<int>(state)));
  __m128i x1 = load16(p + 16), x2 = load16(p + 32), x3 = load16(p + 48);
  p += 64;
  size -= 64;
  const __m128i k64 = _mm_load_si128(reinterpret_cast<const __m128i *>(kFold64));
  for (; size >= 64; p += 64, size -= 64) {
    x0 = fold(x0, k64, load16(p));
    x1 = fold(x1, k64, load16(p + 16));
    x2 = fold(x2, k64, load16(p + 32));
    x3 = fold(x3, k64, load16(p + 48));
  }
  return finish(x0, x1, x2, x3, p, size);
}

[[gnu::target("avx2,vpclmulqdq")]] inline __m256i fold256(__m256i x, __m256i k, __m256i next) {
  __m256i low = _mm256_clmulepi64_epi128(x, k, 0x00);
  __m256i high = _mm256_clmulepi64_epi128(x, k, 0x11);
  return _mm256_xor_si256(_mm256_xor_si256(low, high), next);
}

[[gnu::target("avx2")]] inline __m256i load32(const uint8_t *at) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(at));
}

/// Same, `size` at least 128: eight lanes in four 256-bit registers, 128 bytes a step (for
/// CPUs with VPCLMULQDQ but no AVX-512, such as AMD's Zen 3: about twice foldSse's throughput).
[[gnu::target("avx2,vpclmulqdq,pclmul,sse4.1")]] uint32_t
foldVpclmul256(const uint8_t *p, size_t size, uint32_t state) {
  __m256i x0 = _mm256_xor_si256(load32(p),
                                _mm256_zextsi128_si256(_mm_cvtsi32_si128(static_cast<int>(state))));
  __m256i x1 = load32(p + 32), x2 = load32(p + 64), x3 = load32(p + 96);
  p += 128;
  size -= 128;
  const long long lo = static_cast<long long>(kFold128[0]),
                  hi = static_cast<long long>(kFold128[1]);
  const __m256i k128 = _mm256_set_epi64x(hi, lo, hi, lo);
  for (; size >= 128; p += 128, size -= 128) {
    x0 = fold256(x0, k128, load32(p));
    x1 = fold256(x1, k128, load32(p + 32));
    x2 = fold256(x2, k128, load32(p + 64));
    x3 = fold256(x3, k128, load32(p + 96));
  }
  // The eight lanes, in stream order, then the last bytes (under 128): finish() folds them
  // one 128-bit lane at a time.
  alignas(32) uint8_t rest[256];
  _mm256_store_si256(reinterpret_cast<__m256i *>(rest), x0);
  _mm256_store_si256(reinterpret_cast<__m256i *>(rest + 32), x1);
  _mm256_store_si256(reinterpret_cast<__m256i *>(rest + 64), x2);
  _mm256_store_si256(reinterpret_cast<__m256i *>(rest + 96), x3);
  std::memcpy(rest + 128, p, size);
  _mm256_zeroupper(); // before finish()'s legacy-SSE code (see foldAvx512)
  return finish(load16(rest), load16(rest + 16), load16(rest + 32), load16(rest + 48), rest + 64,
                64 + size);
}

[[gnu::target("avx512f,vpclmulqdq")]] inline __m512i fold512(__m512i x, __m512i k, __m512i next) {
  __m512i low = _mm512_clmulepi64_epi128(x, k, 0x00);
  __m512i high = _mm512_clmulepi64_epi128(x, k, 0x11);
  return _mm512_ternarylogic_epi64(low, high, next, 0x96); // low ^ high ^ next
}

/// The fold constants `k` in each 128-bit lane. (Not _mm512_broadcast_i32x4, nor
/// _mm512_extracti32x4_epi32 below: GCC 12's headers make them warn -Wuninitialized.)
[[gnu::target("avx512f")]] inline __m512i everyLane(const uint64_t k[2]) {
  long long lo = static_cast<long long>(k[0]), hi = static_cast<long long>(k[1]);
  return _mm512_set_epi64(hi, lo, hi, lo, hi, lo, hi, lo);
}

/// Same, `size` at least 256: sixteen lanes in four 512-bit registers, 256 bytes a step
/// (about three times foldSse's throughput, faster than the input's pages can be read).
[[gnu::target("avx512f,vpclmulqdq,pclmul,sse4.1")]] uint32_t
foldAvx512(const uint8_t *p, size_t size, uint32_t state) {
  __m512i x0 = _mm512_xor_si512(_mm512_loadu_si512(p),
                                _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(state))));
  __m512i x1 = _mm512_loadu_si512(p + 64), x2 = _mm512_loadu_si512(p + 128),
          x3 = _mm512_loadu_si512(p + 192);
  p += 256;
  size -= 256;
  const __m512i k256 = everyLane(kFold256);
  for (; size >= 256; p += 256, size -= 256) {
    x0 = fold512(x0, k256, _mm512_loadu_si512(p));
    x1 = fold512(x1, k256, _mm512_loadu_si512(p + 64));
    x2 = fold512(x2, k256, _mm512_loadu_si512(p + 128));
    x3 = fold512(x3, k256, _mm512_loadu_si512(p + 192));
  }
  // Four registers into one (each 512 bits after the one before), then its four lanes.
  const __m512i k64 = everyLane(kFold64);
  __m512i x = fold512(fold512(fold512(x0, k64, x1), k64, x2), k64, x3);
  for (; size >= 64; p += 64, size -= 64)
    x = fold512(x, k64, _mm512_loadu_si512(p));
  alignas(64) uint8_t lanes[64];
  _mm512_store_si512(lanes, x);
  // Clean upper register state before any SSE code runs again: GCC 12 leaves it dirty on
  // the tail call to finish(), and every legacy-SSE instruction this thread runs afterwards
  // (the packers' loops) then pays for it: about 0.4 s of CPU in the 16-layer benchmark
  // compile, for one 256-byte fold of model.json on the main thread.
  _mm256_zeroupper();
  return finish(load16(lanes), load16(lanes + 16), load16(lanes + 32), load16(lanes + 48), p, size);
}
#endif

} // namespace

Crc32Kernel fastestCrc32Kernel() {
#if defined(__x86_64__)
  static const Crc32Kernel kernel = cpuKernel();
  return kernel;
#else
  return Crc32Kernel::Zlib;
#endif
}

uint32_t crc32Using(Crc32Kernel kernel, llvm::ArrayRef<uint8_t> bytes, uint32_t crc) {
  size_t folded = bytes.size() & ~size_t(15);
#if defined(__x86_64__)
  if (kernel == Crc32Kernel::Avx512 && folded >= 256)
    crc = ~foldAvx512(bytes.data(), folded, ~crc);
  else if (kernel == Crc32Kernel::Vpclmul256 && folded >= 128)
    crc = ~foldVpclmul256(bytes.data(), folded, ~crc);
  else if (kernel != Crc32Kernel::Zlib && folded >= 64)
    crc = ~foldSse(bytes.data(), folded, ~crc);
  else
    folded = 0;
#else
  folded = 0;
#endif
  bytes = bytes.drop_front(folded);
  return bytes.empty() ? crc : static_cast<uint32_t>(crc32_z(crc, bytes.data(), bytes.size()));
}

uint32_t crc32(llvm::ArrayRef<uint8_t> bytes, uint32_t crc) {
  return crc32Using(fastestCrc32Kernel(), bytes, crc);
}

uint32_t crc32Combine(uint32_t crcA, uint32_t crcB, uint64_t lengthB) {
  return static_cast<uint32_t>(crc32_combine64(crcA, crcB, static_cast<z_off64_t>(lengthB)));
}

} // namespace vkqc
