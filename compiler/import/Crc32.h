// CRC-32 as zip archives store it (the polynomial and conventions of zlib's crc32()).
//
// Every weight byte of a `.pt2` is checked once, so this is on the compile's budget: on
// x86-64 the bytes are folded by carry-less multiplication (Gopal et al., "Fast CRC
// Computation for Generic Polynomials Using PCLMULQDQ Instruction", Intel, 2009), 256 at a
// time with AVX-512 VPCLMULQDQ (34 GB/s from the page cache on an AVX-512 machine, zlib's
// table-driven code 4.6 GB/s), 128 at a time with 256-bit VPCLMULQDQ where the CPU has it
// without AVX-512, else 64 at a time with PCLMULQDQ (12 GB/s); elsewhere, and for the last
// bytes, zlib computes it.
#pragma once

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace vkqc {

/// The CRC-32 of `bytes` continued from `crc`, the CRC-32 of the bytes before them
/// (0 for none): crc32(b, crc32(a)) is the CRC-32 of a followed by b, as in zlib.
uint32_t crc32(llvm::ArrayRef<uint8_t> bytes, uint32_t crc = 0);

/// How crc32() computes: zlib, or folding with PCLMULQDQ, 256-bit (AVX2) VPCLMULQDQ or
/// AVX-512 VPCLMULQDQ.
enum class Crc32Kernel { Zlib, Pclmul, Vpclmul256, Avx512 };
/// The fastest kernel this CPU runs (crc32 uses it); each one before it runs here too.
Crc32Kernel fastestCrc32Kernel();
/// crc32() with `kernel`, which must run here (tests compare the kernels).
uint32_t crc32Using(Crc32Kernel kernel, llvm::ArrayRef<uint8_t> bytes, uint32_t crc = 0);

/// The CRC-32 of A followed by B, from A's and B's CRC-32 and B's length (zlib's
/// crc32_combine64): chunks of one entry hashed apart are joined with it.
uint32_t crc32Combine(uint32_t crcA, uint32_t crcB, uint64_t lengthB);

} // namespace vkqc
