// Error statistics between a GPU result and its CPU reference (tests, and later
// `vkqc run` checking a device against the interpreter).
#pragma once

#include "compiler/semantics/Tensor.h"

#include "llvm/Support/Error.h"

#include <string>

namespace vkqc::vk {

struct ErrorStats {
  double maxAbsError = 0;    // max |actual - expected|
  double maxAbsExpected = 0; // max |expected|
  double cosine = 1;         // cosine similarity (1 when both are all zero)
  int64_t mismatches = 0;    // elements that are not bit-equal after conversion to double

  /// maxAbsError / maxAbsExpected (0 when expected is all zero and so is the error).
  double relativeMaxError() const;
  std::string describe() const;
};

/// Compares two tensors of the same shape (any dtypes); an error when shapes differ.
llvm::Expected<ErrorStats> compareTensors(const interp::Tensor &actual,
                                          const interp::Tensor &expected);

} // namespace vkqc::vk
