#include "runtime/TensorCompare.h"

#include "runtime/VulkanError.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace vkqc::vk {

double ErrorStats::relativeMaxError() const {
  if (maxAbsExpected == 0)
    return maxAbsError == 0 ? 0 : INFINITY;
  return maxAbsError / maxAbsExpected;
}

std::string ErrorStats::describe() const {
  std::ostringstream os;
  os << "max abs error " << maxAbsError << " (relative " << relativeMaxError()
     << " of max |expected| " << maxAbsExpected << "), cosine " << cosine << ", " << mismatches
     << " inexact elements";
  return os.str();
}

llvm::Expected<ErrorStats> compareTensors(const interp::Tensor &actual,
                                          const interp::Tensor &expected) {
  if (actual.shape() != expected.shape())
    return runtimeError("compareTensors: shapes differ");
  ErrorStats stats;
  double dot = 0, actualNorm = 0, expectedNorm = 0;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    double a = actual.getDouble(i), e = expected.getDouble(i);
    stats.maxAbsError = std::max(stats.maxAbsError, std::fabs(a - e));
    stats.maxAbsExpected = std::max(stats.maxAbsExpected, std::fabs(e));
    stats.mismatches += a != e;
    dot += a * e;
    actualNorm += a * a;
    expectedNorm += e * e;
  }
  if (actualNorm > 0 || expectedNorm > 0)
    stats.cosine = dot / std::sqrt(actualNorm * expectedNorm);
  return stats;
}

} // namespace vkqc::vk
