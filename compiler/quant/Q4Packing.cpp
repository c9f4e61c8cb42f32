#include "compiler/quant/Q4Packing.h"

#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vkqc::quant {

namespace {
llvm::Error packingError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Checks that `have` elements make a [rows, cols] matrix (dims non-negative, no overflow).
llvm::Error checkMatrix(size_t have, int64_t rows, int64_t cols, llvm::StringRef what) {
  if (rows < 0 || cols < 0 || (cols != 0 && rows > INT64_MAX / cols))
    return packingError(what + ": invalid matrix [" + llvm::Twine(rows) + ", " + llvm::Twine(cols) +
                        "]");
  if (static_cast<uint64_t>(rows * cols) != have)
    return packingError(what + ": expected " + llvm::Twine(rows * cols) + " elements, got " +
                        llvm::Twine(static_cast<uint64_t>(have)));
  return llvm::Error::success();
}

/// Checks that the destination holds exactly the layout's bytes.
llvm::Error checkDestination(size_t have, uint64_t want, llvm::StringRef what) {
  if (have != want)
    return packingError(what + ": the destination holds " +
                        llvm::Twine(static_cast<uint64_t>(have)) + " bytes, the layout " +
                        llvm::Twine(want));
  return llvm::Error::success();
}

/// The vector form of a write-into layout: a buffer of `bytes` bytes, filled by `into`.
template <typename T, typename Into>
llvm::Expected<std::vector<T>> intoVector(uint64_t bytes, Into into) {
  std::vector<T> out(bytes / sizeof(T));
  if (auto err =
          into(llvm::MutableArrayRef<uint8_t>(reinterpret_cast<uint8_t *>(out.data()), bytes)))
    return err;
  return out;
}

int64_t packedRowBytes(int64_t k) { return alignUp(k, 8) / 2; }

// The bulk of each row goes through SSE2 (x86-64's baseline), 16 or 32 values at a time:
// the default -O2 build does not vectorize these loops by itself, and weights are hundreds
// of MB. The scalar loops take the rest of each row, and every value on other CPUs.
/// Packs the first 32 * floor(k / 32) values of a row into `out` (two per byte, q + 8,
/// the even one high if `highFirst`); returns how many values it packed. Sets `outside`
/// when one of them is not int4.
int64_t packRowBulk(const int8_t *row, int64_t k, bool highFirst, uint8_t *out, bool &outside) {
#if defined(__SSE2__)
  const __m128i eight = _mm_set1_epi8(8), lowBytes = _mm_set1_epi16(0x00FF);
  __m128i seen = _mm_setzero_si128();
  int64_t j = 0;
  for (; j + 32 <= k; j += 32) {
    __m128i halves[2];
    for (int h = 0; h < 2; ++h) {
      // Each 16-bit lane holds a pair (b0 | b1 << 8) of nibbles q + 8; one byte packs it.
      __m128i v =
          _mm_add_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(row + j + 16 * h)), eight);
      seen = _mm_or_si128(seen, v);
      __m128i pair = highFirst ? _mm_or_si128(_mm_slli_epi16(v, 4), _mm_srli_epi16(v, 8))
                               : _mm_or_si128(v, _mm_srli_epi16(v, 4));
      halves[h] = _mm_and_si128(pair, lowBytes);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i *>(out + j / 2),
                     _mm_packus_epi16(halves[0], halves[1]));
  }
  __m128i high = _mm_and_si128(seen, _mm_set1_epi8(static_cast<char>(0xF0)));
  outside |= _mm_movemask_epi8(_mm_cmpeq_epi8(high, _mm_setzero_si128())) != 0xFFFF;
  return j;
#else
  (void)row, (void)k, (void)highFirst, (void)out, (void)outside;
  return 0;
#endif
}

/// The sum of `size` int8 values.
template <typename Size> int32_t groupSum(const int8_t *values, Size size) {
  int64_t i = 0;
  int32_t total = 0;
#if defined(__SSE2__)
  // Bytes + 128 are unsigned; psadbw against zero adds 8 of them into each 64-bit lane.
  const __m128i bias = _mm_set1_epi8(static_cast<char>(0x80)), zero = _mm_setzero_si128();
  __m128i lanes = zero;
  for (; i + 16 <= size; i += 16)
    lanes = _mm_add_epi64(
        lanes,
        _mm_sad_epu8(
            _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i *>(values + i)), bias),
            zero));
  lanes = _mm_add_epi64(lanes, _mm_unpackhi_epi64(lanes, lanes));
  total = _mm_cvtsi128_si32(lanes) - 128 * static_cast<int32_t>(i); // a group's sum fits int32
#endif
  for (; i < size; ++i)
    total += values[i];
  return total;
}

/// Weight sums of a [n, k] matrix into the [k / groupSize, paddedN] layout. `groupSize` is
/// a compile-time constant for the common size (32), which unrolls the per-group loop.
template <typename GroupSize>
void weightSumsInto(const int8_t *q, int64_t n, int64_t k, GroupSize groupSize, int64_t paddedN,
                    uint8_t *dst) {
  // Rows are read in order, a block at a time, and each block's sums are transposed out of
  // a small buffer: reading a group of every row in turn instead jumps between rows and ran
  // at a third of the speed.
  constexpr int64_t kRowBlock = 16;
  int64_t groups = k / groupSize;
  std::vector<int32_t> block(static_cast<size_t>(kRowBlock * groups));
  for (int64_t r0 = 0; r0 < n; r0 += kRowBlock) {
    int64_t rows = std::min(kRowBlock, n - r0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t g = 0; g < groups; ++g)
        block[r * groups + g] = groupSum(q + (r0 + r) * k + g * groupSize, groupSize);
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t r = 0; r < rows; ++r)
        std::memcpy(dst + (g * paddedN + r0 + r) * 4, &block[r * groups + g],
                    4); // little-endian host
  }
}
} // namespace

bool allInt4(llvm::ArrayRef<int8_t> q) {
  size_t i = 0;
  bool outside = false;
#if defined(__SSE2__)
  // q + 8 is a nibble exactly for int4 values: OR all of them, test the high bits once.
  const __m128i eight = _mm_set1_epi8(8);
  __m128i seen = _mm_setzero_si128();
  for (; i + 16 <= q.size(); i += 16)
    seen = _mm_or_si128(
        seen,
        _mm_add_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(q.data() + i)), eight));
  __m128i high = _mm_and_si128(seen, _mm_set1_epi8(static_cast<char>(0xF0)));
  outside = _mm_movemask_epi8(_mm_cmpeq_epi8(high, _mm_setzero_si128())) != 0xFFFF;
#endif
  for (; i < q.size(); ++i)
    outside |= static_cast<uint8_t>(q[i] + 8) > 15;
  return !outside;
}

int64_t alignUp(int64_t value, int64_t align) { return (value + align - 1) / align * align; }

int8_t unpackQ4Element(const uint8_t *row, int64_t k, bool lowNibbleFirst) {
  uint8_t byte = row[k / 2];
  bool low = (k % 2 == 0) == lowNibbleFirst;
  return static_cast<int8_t>((low ? byte & 0xF : byte >> 4) - 8);
}

namespace {
/// Packs rows of int4 values two per byte, `rowBytes` bytes per row (the tail padded with
/// q = 0, nibble 8); `highFirst` puts the even element in the high nibble.
llvm::Error packQ4Rows(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k, int64_t rowBytes,
                       bool highFirst, llvm::StringRef what, llvm::MutableArrayRef<uint8_t> dst) {
  if (auto err = checkMatrix(q.size(), n, k, what))
    return err;
  if (auto err = checkDestination(dst.size(), static_cast<uint64_t>(n * rowBytes), what))
    return err;
  // A value is int4 when q + 8 fits in a nibble: checked for all of them at once, after
  // the loops (weights are hundreds of MB).
  bool outside = false;
  for (int64_t r = 0; r < n; ++r) {
    const int8_t *row = q.data() + r * k;
    uint8_t *out = dst.data() + r * rowBytes;
    for (int64_t j = packRowBulk(row, k, highFirst, out, outside); j < k; ++j) { // the tail
      uint8_t nibble = static_cast<uint8_t>(row[j] + 8);
      outside |= nibble > 15;
      bool high = (j % 2 == 1) != highFirst;
      uint8_t other = j % 2 ? out[j / 2] : 0;
      out[j / 2] = static_cast<uint8_t>(other | (high ? nibble << 4 : nibble));
    }
    // Then the padding: q = 0 is nibble 8.
    if (k % 2)
      out[k / 2] |= highFirst ? 0x08 : 0x80;
    std::memset(out + (k + 1) / 2, 0x88, static_cast<size_t>(rowBytes - (k + 1) / 2));
  }
  if (outside)
    for (size_t i = 0; i < q.size(); ++i)
      if (q[i] < -8 || q[i] > 7)
        return packingError(what + ": value " + llvm::Twine(q[i]) + " at [" +
                            llvm::Twine(static_cast<int64_t>(i) / k) + ", " +
                            llvm::Twine(static_cast<int64_t>(i) % k) + "] is not int4");
  return llvm::Error::success();
}
} // namespace

llvm::Error packQ4LinearInto(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k,
                             llvm::MutableArrayRef<uint8_t> dst) {
  return packQ4Rows(q, n, k, packedRowBytes(k), /*highFirst=*/false, "packQ4Linear", dst);
}

llvm::Error packQ4EmbeddingInto(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k,
                                llvm::MutableArrayRef<uint8_t> dst) {
  if (k % 2)
    return packingError("packQ4Embedding: odd width " + llvm::Twine(k));
  return packQ4Rows(q, n, k, k / 2, /*highFirst=*/true, "packQ4Embedding", dst);
}

llvm::Expected<std::vector<uint8_t>> packQ4Linear(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k) {
  if (auto err = checkMatrix(q.size(), n, k, "packQ4Linear"))
    return err;
  return intoVector<uint8_t>(
      static_cast<uint64_t>(n * packedRowBytes(k)),
      [&](llvm::MutableArrayRef<uint8_t> dst) { return packQ4LinearInto(q, n, k, dst); });
}

llvm::Expected<std::vector<int8_t>> unpackQ4Linear(llvm::ArrayRef<uint8_t> packed, int64_t n,
                                                   int64_t k) {
  if (k < 0)
    return packingError("unpackQ4Linear: negative K");
  int64_t rowBytes = packedRowBytes(k);
  if (auto err = checkMatrix(packed.size(), n, rowBytes, "unpackQ4Linear"))
    return err;
  std::vector<int8_t> q(static_cast<size_t>(n * k));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      q[r * k + c] = unpackQ4Element(packed.data() + r * rowBytes, c, true);
  return q;
}

llvm::Error swapNibblesInto(llvm::ArrayRef<uint8_t> packed, llvm::MutableArrayRef<uint8_t> dst) {
  if (auto err = checkDestination(dst.size(), packed.size(), "swapNibbles"))
    return err;
  for (size_t i = 0; i < packed.size(); ++i)
    dst[i] = static_cast<uint8_t>((packed[i] << 4) | (packed[i] >> 4));
  return llvm::Error::success();
}

llvm::Error int4TensorToQ4LinearInto(llvm::ArrayRef<uint8_t> qdata,
                                     llvm::MutableArrayRef<uint8_t> dst) {
  if (auto err = checkDestination(dst.size(), qdata.size(), "int4TensorToQ4Linear"))
    return err;
  // A two's-complement nibble b holds q = b - 16 * (b >= 8); q + 8 = b ^ 8.
  for (size_t i = 0; i < qdata.size(); ++i)
    dst[i] = static_cast<uint8_t>(qdata[i] ^ 0x88);
  return llvm::Error::success();
}

llvm::Error padColumnsInto(llvm::ArrayRef<uint8_t> bytes, size_t elementSize, int64_t rows,
                           int64_t cols, int64_t align, llvm::MutableArrayRef<uint8_t> dst) {
  if (elementSize == 0 || bytes.size() % elementSize != 0 || align <= 0)
    return packingError("padColumns: invalid element size or alignment");
  if (auto err = checkMatrix(bytes.size() / elementSize, rows, cols, "padColumns"))
    return err;
  int64_t padded = alignUp(cols, align);
  if (auto err = checkDestination(dst.size(), static_cast<uint64_t>(rows * padded) * elementSize,
                                  "padColumns"))
    return err;
  size_t rowBytes = static_cast<size_t>(cols) * elementSize,
         paddedBytes = static_cast<size_t>(padded) * elementSize;
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(dst.data() + r * paddedBytes, bytes.data() + r * rowBytes, rowBytes);
    std::memset(dst.data() + r * paddedBytes + rowBytes, 0, paddedBytes - rowBytes);
  }
  return llvm::Error::success();
}

std::vector<uint8_t> swapNibbles(llvm::ArrayRef<uint8_t> packed) {
  std::vector<uint8_t> swapped(packed.size());
  llvm::cantFail(swapNibblesInto(packed, swapped));
  return swapped;
}

llvm::Error computeWeightSumsInto(llvm::ArrayRef<int8_t> q, int64_t n, int64_t k, int64_t groupSize,
                                  llvm::MutableArrayRef<uint8_t> dst) {
  if (auto err = checkMatrix(q.size(), n, k, "computeWeightSums"))
    return err;
  if (groupSize <= 0 || k % groupSize != 0)
    return packingError("computeWeightSums: group size " + llvm::Twine(groupSize) +
                        " does not divide K = " + llvm::Twine(k));
  int64_t groups = k / groupSize, paddedN = alignUp(n, 8);
  if (auto err = checkDestination(dst.size(), static_cast<uint64_t>(groups * paddedN) * 4,
                                  "computeWeightSums"))
    return err;
  if (groupSize == 32)
    weightSumsInto(q.data(), n, k, std::integral_constant<int64_t, 32>{}, paddedN, dst.data());
  else
    weightSumsInto(q.data(), n, k, groupSize, paddedN, dst.data());
  for (int64_t g = 0; g < groups; ++g) // the N padding
    std::memset(dst.data() + (g * paddedN + n) * 4, 0, static_cast<size_t>(paddedN - n) * 4);
  return llvm::Error::success();
}

llvm::Expected<std::vector<int32_t>> computeWeightSums(llvm::ArrayRef<int8_t> q, int64_t n,
                                                       int64_t k, int64_t groupSize) {
  if (auto err = checkMatrix(q.size(), n, k, "computeWeightSums"))
    return err;
  if (groupSize <= 0 || k % groupSize != 0)
    return computeWeightSumsInto(q, n, k, groupSize, {}); // reports the group size
  return intoVector<int32_t>(static_cast<uint64_t>(k / groupSize * alignUp(n, 8)) * 4,
                             [&](llvm::MutableArrayRef<uint8_t> dst) {
                               return computeWeightSumsInto(q, n, k, groupSize, dst);
                             });
}

llvm::Error transposePadScalesInto(llvm::ArrayRef<uint8_t> bytes, size_t elementSize, int64_t n,
                                   int64_t g, int64_t align, llvm::MutableArrayRef<uint8_t> dst) {
  if (elementSize == 0 || bytes.size() % elementSize != 0 || align <= 0)
    return packingError("transposePadScales: invalid element size or alignment");
  if (auto err = checkMatrix(bytes.size() / elementSize, n, g, "transposePadScales"))
    return err;
  int64_t paddedN = alignUp(n, align);
  if (auto err = checkDestination(dst.size(), static_cast<uint64_t>(g * paddedN) * elementSize,
                                  "transposePadScales"))
    return err;
  // `size` is a compile-time constant for the common element sizes: a memcpy of a run-time
  // size was a library call for each of the 37M scales of the 16-layer benchmark model.
  // A block of rows at a time: the block stays in cache while each of its columns is
  // written out, where whole columns read all rows again for each column.
  auto transpose = [&](auto size) {
    constexpr int64_t kRowBlock = 16;
    for (int64_t r0 = 0; r0 < n; r0 += kRowBlock) {
      int64_t r1 = std::min(n, r0 + kRowBlock);
      for (int64_t c = 0; c < g; ++c) {
        uint8_t *row = dst.data() + c * paddedN * size;
        for (int64_t r = r0; r < r1; ++r)
          std::memcpy(row + r * size, bytes.data() + (r * g + c) * size, size);
      }
    }
    for (int64_t c = 0; c < g; ++c)
      std::memset(dst.data() + (c * paddedN + n) * size, 0,
                  static_cast<size_t>(paddedN - n) * size);
  };
  switch (elementSize) {
  case 2:
    transpose(std::integral_constant<size_t, 2>{});
    break;
  case 4:
    transpose(std::integral_constant<size_t, 4>{});
    break;
  default:
    transpose(elementSize);
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<uint8_t>> transposePadScales(llvm::ArrayRef<uint8_t> bytes,
                                                        size_t elementSize, int64_t n, int64_t g,
                                                        int64_t align) {
  if (elementSize == 0 || bytes.size() % elementSize != 0 || align <= 0)
    return transposePadScalesInto(bytes, elementSize, n, g, align, {}); // reports them
  if (auto err = checkMatrix(bytes.size() / elementSize, n, g, "transposePadScales"))
    return err;
  return intoVector<uint8_t>(static_cast<uint64_t>(g * alignUp(n, align)) * elementSize,
                             [&](llvm::MutableArrayRef<uint8_t> dst) {
                               return transposePadScalesInto(bytes, elementSize, n, g, align, dst);
                             });
}

} // namespace vkqc::quant
