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

/// What a derived storage holds: the source's values in another layout or dtype, or a
/// quantity computed from them (weight sums), which is not a second copy of the data.
enum class DerivedKind { Layout, Summary };

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

/// Owns every Storage of a graph, and is the one registry of layout changes.
///
/// Passes never rewrite a storage in place (a view may be the read-only mmapped input,
/// and another name may share it: tied weights). A pass that needs a constant in another
/// layout asks for the derived storage keyed by (source storage, layout tag): the first
/// request creates it, later ones get the same storage back. So a tied weight packed for
/// two users is packed once, and a storage wanted in two layouts gets a second copy
/// instead of being corrupted for its other user.
class ConstantPool {
public:
  /// A storage that views bytes owned elsewhere (the mmapped archive).
  Storage *addView(std::string origin, llvm::ArrayRef<uint8_t> bytes);
  /// A storage that owns `bytes` (test fixtures, materialized results).
  Storage *addOwned(std::string origin, std::vector<uint8_t> bytes);
  const std::vector<std::unique_ptr<Storage>> &storages() const { return storages_; }

  /// The storage already derived from `source` in `layoutTag`, or null.
  Storage *findDerived(const Storage *source, llvm::StringRef layoutTag) const;
  /// Records `bytes` as `source` in `layoutTag` and returns the new storage.
  Storage *addDerived(const Storage *source, llvm::StringRef layoutTag, DerivedKind kind,
                      std::vector<uint8_t> bytes);
  /// Every tag of `kind` derived from `source`, in the order they were created.
  std::vector<std::string> derivedTags(const Storage *source, DerivedKind kind) const;

private:
  std::vector<std::unique_ptr<Storage>> storages_;
  std::map<std::pair<int, std::string>, Storage *> derived_;
  std::map<int, std::vector<std::pair<std::string, DerivedKind>>> tagsBySource_;
};

} // namespace vkqc
