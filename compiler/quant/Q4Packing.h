// 4-bit weight packing in ExecuTorch Vulkan's layouts (pure functions on raw buffers).
//
// "Linear" packing (pack_4bit_weight_tensor): row r of an int4 matrix [N, K] becomes
// align8(K)/2 bytes; byte j holds element 2j in its low nibble and 2j+1 in its high nibble,
// each stored as q + 8, with the K padding holding q = 0.
// The legacy embedding packing puts the even element in the high nibble instead.
//
// Each layout is written into a caller's buffer of exactly its size (`...Into`): the
// compiler points it at the constant's place in the output file, so no temporary copy of a
// weight is made. The vector-returning forms allocate that buffer, for tests and tools.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace vkqc::quant {

/// Round `value` up to a multiple of `align` (> 0).
int64_t alignUp(int64_t value, int64_t align);

/// The signed int4 value of element `k` of a packed row (`lowNibbleFirst` = linear layout).
int8_t unpackQ4Element(const uint8_t *row, int64_t k, bool lowNibbleFirst);

/// Whether every value is in [-8, 7].
bool allInt4(llvm::ArrayRef<int8_t> q);

/// int8 values in [-8, 7], row-major [N, K] -> u8 [N, align8(K)/2] in the linear layout.
llvm::Error packQ4LinearInto(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k,
                             llvm::MutableArrayRef<uint8_t> dst);
llvm::Expected<std::vector<uint8_t>> packQ4Linear(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k);
/// int8 values in [-8, 7], row-major [N, K] with K even -> u8 [N, K/2] in the layout of
/// quantized_decomposed.embedding_4bit (even element in the high nibble, no padding).
llvm::Error packQ4EmbeddingInto(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k,
                                llvm::MutableArrayRef<uint8_t> dst);
/// Inverse of packQ4Linear: u8 [N, align8(K)/2] -> int8 [N, K] (padding trimmed).
llvm::Expected<std::vector<int8_t>> unpackQ4Linear(llvm::ArrayRef<uint8_t> packed, int64_t n,
                                                   int64_t k);
/// Exchanges the two nibbles of every byte (legacy embedding layout <-> linear layout).
llvm::Error swapNibblesInto(llvm::ArrayRef<uint8_t> packed, llvm::MutableArrayRef<uint8_t> dst);
std::vector<uint8_t> swapNibbles(llvm::ArrayRef<uint8_t> packed);

/// torchao Int4Tensor qdata (two signed int4 a byte, low nibble = even k) -> the linear
/// layout (q + 8 a nibble, same order): every nibble's sign bit flipped.
llvm::Error int4TensorToQ4LinearInto(llvm::ArrayRef<uint8_t> qdata,
                                     llvm::MutableArrayRef<uint8_t> dst);
/// Row-major [rows, cols] elements of `elementSize` bytes -> [rows, alignUp(cols, align)],
/// zero padded.
llvm::Error padColumnsInto(llvm::ArrayRef<uint8_t> bytes, size_t elementSize, int64_t rows,
                           int64_t cols, int64_t align, llvm::MutableArrayRef<uint8_t> dst);

/// Per-group sums of int4 weights [N, K]: i32 [G, align8(N)], sums[g, n] = sum of
/// q[n, g*groupSize .. (g+1)*groupSize), zero padded along N (little-endian bytes in `dst`).
llvm::Error computeWeightSumsInto(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k, int64_t groupSize,
                                  llvm::MutableArrayRef<uint8_t> dst);
llvm::Expected<std::vector<int32_t>> computeWeightSums(llvm::ArrayRef<int8_t> q, int64_t n,
                                                       int64_t k, int64_t groupSize);

/// Scales [N, G] (elements of `elementSize` bytes) -> [G, alignUp(N, align)], zero padded.
llvm::Error transposePadScalesInto(llvm::ArrayRef<uint8_t> bytes, size_t elementSize, int64_t n,
                                   int64_t g, int64_t align, llvm::MutableArrayRef<uint8_t> dst);
llvm::Expected<std::vector<uint8_t>> transposePadScales(llvm::ArrayRef<uint8_t> bytes,
                                                        size_t elementSize, int64_t n, int64_t g,
                                                        int64_t align = 4);

} // namespace vkqc::quant
