// Constant data: weights, buffers and lifted constants.
//
// A Storage is one run of bytes, normally a view into the mmapped input archive (no
// weight byte is copied at import). Several named constants may share one Storage: that
// is how tied weights arrive. Passes that need the bytes in another layout create a new
// owned Storage through the ConstantPool; they never write into a view.
#pragma once

#include "compiler/ir/DType.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vkqc {

struct Storage {
  int id = 0;
  std::string origin; // archive entry (`data/weights/weight_3`) or `derived:<what>`
  llvm::ArrayRef<uint8_t> bytes;
  std::vector<uint8_t> owned; // backing bytes when the storage was created by a pass
};

/// A tensor over a Storage: contiguous, row-major, starting `byteOffset` bytes in.
struct ConstantTensor {
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  Storage *storage = nullptr;
  uint64_t byteOffset = 0;

  int64_t numel() const;
  uint64_t byteSize() const { return static_cast<uint64_t>(numel()) * dtypeSize(dtype); }
  llvm::ArrayRef<uint8_t> bytes() const {
    return storage->bytes.slice(byteOffset, byteSize());
  }
};

/// Owns every Storage of a graph.
class ConstantPool {
public:
  /// A storage that views bytes owned elsewhere (the mmapped archive).
  Storage *addView(std::string origin, llvm::ArrayRef<uint8_t> bytes);
  /// A storage that owns `bytes` (a repacked layout, a materialized copy).
  Storage *addOwned(std::string origin, std::vector<uint8_t> bytes);
  const std::vector<std::unique_ptr<Storage>> &storages() const { return storages_; }

  /// Claims `storage` for an in-place rewrite into `layoutTag`. Returns true the first
  /// time (the caller rewrites), false when the same layout was already claimed (the
  /// caller reuses it), and an error when another layout was claimed: that storage must
  /// then be copied, never rewritten twice.
  llvm::Expected<bool> claimLayout(const Storage *storage, llvm::StringRef layoutTag);
  /// The layout tag claimed for `storage`, or empty.
  std::string claimedLayout(const Storage *storage) const;

private:
  std::vector<std::unique_ptr<Storage>> storages_;
  std::map<int, std::string> layoutClaims_;
};

} // namespace vkqc
