// The graph interpreter: runs a vkqc IR Graph on the CPU with the reference kernels, and
// compares its results against expected tensors.
#pragma once

#include "compiler/ir/Graph.h"
#include "compiler/semantics/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <optional>
#include <vector>

namespace vkqc::interp {

/// Runs `g` on `userInputs` (the graph's User inputs, in the order they appear in
/// g.inputs()) and returns one tensor per graph output. Constants are read in place (outputs
/// that are constants view the graph's storage). Shape symbols bind from the inputs'
/// shapes and must lie in their ranges; every node result must have the dtype and shape
/// its Value declares. Every failure is an Error naming the input or node.
llvm::Expected<std::vector<Tensor>> interpretGraph(const Graph &g,
                                                   llvm::ArrayRef<Tensor> userInputs);

/// Sees every tensor a node computes, right after it is checked (for dumps and numerics
/// debugging).
using TensorObserver = std::function<void(const Value &result, const Tensor &tensor)>;
llvm::Expected<std::vector<Tensor>>
interpretGraph(const Graph &g, llvm::ArrayRef<Tensor> userInputs, const TensorObserver &observer);

/// How close `actual` is to `expected`, computed in double over all elements.
struct Comparison {
  double cosine;      // of the flattened vectors; NaN when any element is NaN
  double maxAbsError; // NaN when any element is NaN
  double maxAbsExpected;
  bool shapesMatch;
};
/// Different element counts give shapesMatch false and NaN measures; a tensor without
/// data is an Error.
llvm::Expected<Comparison> compareTensors(const Tensor &actual, const Tensor &expected);

/// Acceptance limits: cosine at least `minCosine` and, when set, maxAbsError at most
/// `maxErrorRelativeToMax * maxAbsExpected`.
struct Tolerance {
  double minCosine;
  std::optional<double> maxErrorRelativeToMax;
};
/// True when shapes match and every limit holds; NaN results always fail.
bool meetsTolerance(const Comparison &c, const Tolerance &t);

} // namespace vkqc::interp
