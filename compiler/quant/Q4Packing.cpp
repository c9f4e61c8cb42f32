#include "compiler/quant/Q4Packing.h"

#include "llvm/ADT/Twine.h"

#include <cstring>

namespace vkqc::quant {

namespace {
llvm::Error packingError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Checks that `have` elements make a [rows, cols] matrix (dims non-negative, no overflow).
llvm::Error checkMatrix(size_t have, int64_t rows, int64_t cols, llvm::StringRef what) {
  if (rows < 0 || cols < 0 || (cols != 0 && rows > INT64_MAX / cols))
    return packingError(what + ": invalid matrix [" + llvm::Twine(rows) + ", " +
                        llvm::Twine(cols) + "]");
  if (static_cast<uint64_t>(rows * cols) != have)
    return packingError(what + ": expected " + llvm::Twine(rows * cols) + " elements, got " +
                        llvm::Twine(static_cast<uint64_t>(have)));
  return llvm::Error::success();
}

uint8_t nibbleOf(int8_t q) { return static_cast<uint8_t>(q + 8) & 0xF; }
} // namespace

int64_t alignUp(int64_t value, int64_t align) { return (value + align - 1) / align * align; }

int8_t unpackQ4Element(const uint8_t *row, int64_t k, bool lowNibbleFirst) {
  uint8_t byte = row[k / 2];
  bool low = (k % 2 == 0) == lowNibbleFirst;
  return static_cast<int8_t>((low ? byte & 0xF : byte >> 4) - 8);
}

llvm::Expected<std::vector<uint8_t>> packQ4Linear(llvm::ArrayRef<int8_t> q, int64_t n,
                                                  int64_t k) {
  if (auto err = checkMatrix(q.size(), n, k, "packQ4Linear"))
    return err;
  int64_t rowBytes = alignUp(k, 8) / 2;
  // Padding elements are q = 0, i.e. nibble 8.
  std::vector<uint8_t> packed(static_cast<size_t>(n * rowBytes), 0x88);
  // A value is int4 when q + 8 fits in a nibble: one OR over all of them, checked once
  // (the loop stays branch-free, and weights are hundreds of MB).
  uint8_t outside = 0;
  for (int64_t r = 0; r < n; ++r) {
    const int8_t *row = q.data() + r * k;
    uint8_t *out = packed.data() + r * rowBytes;
    for (int64_t j = 0; j < k / 2; ++j) {
      uint8_t lo = static_cast<uint8_t>(row[2 * j] + 8), hi = static_cast<uint8_t>(row[2 * j + 1] + 8);
      outside |= (lo | hi) & 0xF0;
      out[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
    if (k % 2) {
      uint8_t lo = static_cast<uint8_t>(row[k - 1] + 8);
      outside |= lo & 0xF0;
      out[k / 2] = static_cast<uint8_t>((out[k / 2] & 0xF0) | lo);
    }
  }
  if (outside)
    for (size_t i = 0; i < q.size(); ++i)
      if (q[i] < -8 || q[i] > 7)
        return packingError("packQ4Linear: value " + llvm::Twine(q[i]) + " at [" +
                            llvm::Twine(static_cast<int64_t>(i) / k) + ", " +
                            llvm::Twine(static_cast<int64_t>(i) % k) + "] is not int4");
  return packed;
}

llvm::Expected<std::vector<int8_t>> unpackQ4Linear(llvm::ArrayRef<uint8_t> packed, int64_t n,
                                                   int64_t k) {
  if (k < 0)
    return packingError("unpackQ4Linear: negative K");
  int64_t rowBytes = alignUp(k, 8) / 2;
  if (auto err = checkMatrix(packed.size(), n, rowBytes, "unpackQ4Linear"))
    return err;
  std::vector<int8_t> q(static_cast<size_t>(n * k));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c)
      q[r * k + c] = unpackQ4Element(packed.data() + r * rowBytes, c, true);
  return q;
}

std::vector<uint8_t> swapNibbles(llvm::ArrayRef<uint8_t> packed) {
  std::vector<uint8_t> swapped(packed.size());
  for (size_t i = 0; i < packed.size(); ++i)
    swapped[i] = static_cast<uint8_t>((packed[i] << 4) | (packed[i] >> 4));
  return swapped;
}

llvm::Expected<std::vector<int32_t>> computeWeightSums(llvm::ArrayRef<int8_t> q, int64_t n,
                                                       int64_t k, int64_t groupSize) {
  if (auto err = checkMatrix(q.size(), n, k, "computeWeightSums"))
    return err;
  if (groupSize <= 0 || k % groupSize != 0)
    return packingError("computeWeightSums: group size " + llvm::Twine(groupSize) +
                        " does not divide K = " + llvm::Twine(k));
  int64_t groups = k / groupSize, paddedN = alignUp(n, 8);
  std::vector<int32_t> sums(static_cast<size_t>(groups * paddedN), 0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t g = 0; g < groups; ++g) {
      const int8_t *group = q.data() + r * k + g * groupSize;
      int32_t sum = 0;
      for (int64_t i = 0; i < groupSize; ++i)
        sum += group[i];
      sums[g * paddedN + r] = sum;
    }
  return sums;
}

llvm::Expected<std::vector<uint8_t>> transposePadScales(llvm::ArrayRef<uint8_t> bytes,
                                                        size_t elementSize, int64_t n,
                                                        int64_t g, int64_t align) {
  if (elementSize == 0 || bytes.size() % elementSize != 0 || align <= 0)
    return packingError("transposePadScales: invalid element size or alignment");
  if (auto err = checkMatrix(bytes.size() / elementSize, n, g, "transposePadScales"))
    return err;
  int64_t paddedN = alignUp(n, align);
  std::vector<uint8_t> out(static_cast<size_t>(g * paddedN) * elementSize, 0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < g; ++c)
      std::memcpy(out.data() + (c * paddedN + r) * elementSize,
                  bytes.data() + (r * g + c) * elementSize, elementSize);
  return out;
}

llvm::Expected<std::vector<uint8_t>> padLastDim(llvm::ArrayRef<uint8_t> bytes, int64_t rows,
                                                int64_t cols, size_t elementSize,
                                                int64_t align) {
  if (elementSize == 0 || bytes.size() % elementSize != 0 || align <= 0)
    return packingError("padLastDim: invalid element size or alignment");
  if (auto err = checkMatrix(bytes.size() / elementSize, rows, cols, "padLastDim"))
    return err;
  int64_t paddedCols = alignUp(cols, align);
  std::vector<uint8_t> out(static_cast<size_t>(rows * paddedCols) * elementSize, 0);
  for (int64_t r = 0; r < rows; ++r)
    std::memcpy(out.data() + r * paddedCols * elementSize,
                bytes.data() + r * cols * elementSize, static_cast<size_t>(cols) * elementSize);
  return out;
}

} // namespace vkqc::quant
