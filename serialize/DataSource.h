// Bytes that a segment of the .pte will hold, written straight into the output file.
//
// Large constants are not copied into the program description: a DataSource knows its
// size up front and writes its bytes into the destination only when the file is written
// (weights stream from the mmapped input, packed layouts are produced in place).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace vkqc::serialize {

struct DataSource {
  uint64_t size = 0;
  /// Writes exactly `size` bytes into `dst`; may run on any thread.
  std::function<llvm::Error(llvm::MutableArrayRef<uint8_t> dst)> write;

  /// A source that owns `bytes`.
  static DataSource fromBytes(std::vector<uint8_t> bytes);
  /// A source over bytes owned elsewhere, which must outlive the write.
  static DataSource viewOf(llvm::ArrayRef<uint8_t> bytes);
};

} // namespace vkqc::serialize
