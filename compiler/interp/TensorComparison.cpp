// compareTensors and meetsTolerance (declared in Interpreter.h).
#include "compiler/interp/Interpreter.h"

#include "llvm/ADT/Twine.h"

#include <cmath>
#include <limits>

namespace vkqc::interp {

llvm::Expected<Comparison> compareTensors(const Tensor &actual, const Tensor &expected) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!actual.defined() || !expected.defined())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "cannot compare a tensor without data");
  if (actual.numel() != expected.numel()) // nothing to pair element by element
    return Comparison{nan, nan, nan, false};
  double dot = 0, actualNorm2 = 0, expectedNorm2 = 0, maxError = 0, maxExpected = 0;
  bool sawNaN = false;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    double x = actual.getDouble(i), y = expected.getDouble(i);
    sawNaN |= std::isnan(x) || std::isnan(y);
    dot += x * y;
    actualNorm2 += x * x;
    expectedNorm2 += y * y;
    maxError = std::max(maxError, std::abs(x - y));
    maxExpected = std::max(maxExpected, std::abs(y));
  }
  double cosine;
  if (actualNorm2 == 0 && expectedNorm2 == 0)
    cosine = 1.0; // two zero vectors are identical
  else
    cosine = dot / (std::sqrt(actualNorm2) * std::sqrt(expectedNorm2));
  if (sawNaN) {
    cosine = nan;
    maxError = nan;
  }
  return Comparison{cosine, maxError, maxExpected, actual.shape() == expected.shape()};
}

bool meetsTolerance(const Comparison &c, const Tolerance &t) {
  // Written as "holds" tests so that NaN (every comparison false) fails.
  bool cosineHolds = c.cosine >= t.minCosine;
  bool errorHolds =
      !t.maxErrorRelativeToMax || c.maxAbsError <= *t.maxErrorRelativeToMax * c.maxAbsExpected;
  return c.shapesMatch && cosineHolds && errorHolds;
}

} // namespace vkqc::interp
