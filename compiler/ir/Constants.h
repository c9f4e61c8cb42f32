// Constant data: weights, buffers and lifted constants.
//
// A Storage is one run of bytes, normally a view into the mmapped input archive (no
// weight byte is copied at import). Several named constants may share one Storage: that
// is how tied weights arrive. Passes that need the bytes in another layout register a
// derived Storage through the ConstantPool: its bytes are produced on demand, straight
// into the output file when the program is written, so no second copy of all weights is
// ever resident. Nothing ever writes into a view.
#pragma once

#include "compiler/ir/DType.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vkqc {

/// What a derived storage holds: the source's values in another layout or dtype, or a
/// quantity computed from them (weight sums), which is not a second copy of the data.
enum class DerivedKind { Layout, Summary };

/// Writes a derived storage's bytes into `dst`, which has exactly the storage's size.
using StorageProducer = std::function<llvm::Error(llvm::MutableArrayRef<uint8_t> dst)>;

class Storage {
public:
  int id = 0;
  std::string origin; // archive entry (`data/weights/weight_3`) or `<source>@<layout>`

  uint64_t size() const { return size_; }
  /// True for a storage computed from another one (a packed layout, a cast).
  bool isDerived() const { return static_cast<bool>(producer_); }
  /// True for bytes the pool holds itself (made by a pass, or written inline in a .vkir
  /// text): neither a view of the archive nor derived. The printer writes small ones inline.
  bool isOwned() const { return owned_; }
  /// The bytes; a derived storage computes them on first use and keeps them (the
  /// interpreter and printers). Writers use writeTo instead.
  llvm::Expected<llvm::ArrayRef<uint8_t>> data() const;
  /// Writes the bytes into `dst` (size() bytes) without keeping a copy.
  llvm::Error writeTo(llvm::MutableArrayRef<uint8_t> dst) const;

  /// A yes/no fact about the bytes (`name` says which, and which slice), computed once:
  /// the bytes never change, and patterns ask the same question of a tied table for each
  /// of its users (scanning hundreds of MB each time).
  bool memoizedFact(const std::string &name, const std::function<bool()> &compute) const;

private:
  friend class ConstantPool;
  llvm::ArrayRef<uint8_t> view_;
  uint64_t size_ = 0;
  StorageProducer producer_;
  bool owned_ = false;
  mutable std::vector<uint8_t> materialized_;
  mutable bool isMaterialized_ = false;
  mutable std::map<std::string, bool> facts_;
};

/// A tensor over a Storage: contiguous, row-major, starting `byteOffset` bytes in.
struct ConstantTensor {
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  Storage *storage = nullptr;
  uint64_t byteOffset = 0;

  int64_t numel() const;
  uint64_t byteSize() const { return static_cast<uint64_t>(numel()) * dtypeSize(dtype); }
  /// The tensor's bytes (computing a derived storage on first use).
  llvm::Expected<llvm::ArrayRef<uint8_t>> data() const;
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
  /// Registers `source` in `layoutTag`: `size` bytes that `producer` writes on demand.
  Storage *addDerived(const Storage *source, llvm::StringRef layoutTag, DerivedKind kind,
                      uint64_t size, StorageProducer producer);
  /// Every tag of `kind` derived from `source`, in the order they were created.
  std::vector<std::string> derivedTags(const Storage *source, DerivedKind kind) const;

private:
  std::vector<std::unique_ptr<Storage>> storages_;
  std::map<std::pair<int, std::string>, Storage *> derived_;
  std::map<int, std::vector<std::pair<std::string, DerivedKind>>> tagsBySource_;
};

} // namespace vkqc
