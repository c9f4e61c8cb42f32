// `vkqc run --dump-values DIR`: every tensor a node computes, written as DIR/<value>.npy
// (the value's IR name), for comparing with PyTorch node by node (tools/compare_with_torch.py).
#pragma once

#include "compiler/interp/Interpreter.h"

#include <memory>
#include <string>

namespace vkqc::interp {

/// Writes each observed tensor under `dir`; the first failure is kept (later tensors are
/// skipped) and returned by finish().
class ValueDumper {
public:
  /// Creates `dir` (and its parents).
  static llvm::Expected<std::unique_ptr<ValueDumper>> create(llvm::StringRef dir);
  TensorObserver observer();
  /// The first write error, or success; how many tensors were written.
  llvm::Error finish();
  size_t written() const { return written_; }

private:
  explicit ValueDumper(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  llvm::Error error_ = llvm::Error::success();
  bool failed_ = false;
  size_t written_ = 0;
};

} // namespace vkqc::interp
