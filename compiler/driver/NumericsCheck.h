// --verify-numerics: run the reference interpreter on the IR after import and after every
// pass, and name the first pass whose outputs drift beyond tolerance from the stage before.
#pragma once

#include "compiler/interp/Interpreter.h"
#include "compiler/pass/Pass.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace vkqc {

/// The per-pass tolerance the contract sets: cosine >= 0.9999 when everything computes
/// in f32, 0.999 when f16 (or a bf16/f16 checkpoint) is involved.
interp::Tolerance perPassTolerance(const Graph &source, const PassOptions &options);

class NumericsChecker {
public:
  NumericsChecker(std::vector<interp::Tensor> inputs, interp::Tolerance tolerance,
                  llvm::raw_ostream &log)
      : inputs_(std::move(inputs)), tolerance_(tolerance), log_(log) {}

  /// Interprets `g` (the IR after `stage`) and compares its outputs with the previous
  /// stage's; an error names `stage` when they drift beyond tolerance.
  llvm::Error check(const Graph &g, llvm::StringRef stage);

  /// The outputs of the last stage checked.
  const std::vector<interp::Tensor> &lastOutputs() const { return previous_; }

private:
  std::vector<interp::Tensor> inputs_;
  interp::Tolerance tolerance_;
  llvm::raw_ostream &log_;
  std::vector<interp::Tensor> previous_;
  std::string previousStage_;
};

} // namespace vkqc
