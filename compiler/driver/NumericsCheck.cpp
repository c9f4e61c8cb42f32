#include "compiler/driver/NumericsCheck.h"

#include <fmt/format.h>

namespace vkqc {

interp::Tolerance perPassTolerance(const Graph &source, const PassOptions &options) {
  bool halfPrecision = options.computeDType != DType::Float32;
  for (const auto &v : source.values())
    if (v->isTensor() && (v->dtype == DType::BFloat16 || v->dtype == DType::Float16))
      halfPrecision = true;
  // --weight-only-linear drops an 8da4w export's activation quantization on purpose:
  // fuse-quantized then makes a nearby program, held to the half-precision bound.
  bool dropsQuantization = options.weightOnlyLinear;
  return interp::Tolerance{halfPrecision || dropsQuantization ? 0.999 : 0.9999, std::nullopt};
}

llvm::Error NumericsChecker::check(const Graph &g, llvm::StringRef stage) {
  auto fail = [&](const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "--verify-numerics: " + what);
  };
  llvm::Expected<std::vector<interp::Tensor>> outputs = interp::interpretGraph(g, inputs_);
  if (!outputs)
    return fail("cannot interpret the IR after " + stage + ": " +
                llvm::toString(outputs.takeError()));
  if (!previous_.empty()) {
    if (outputs->size() != previous_.size())
      return fail(stage + " changed the number of outputs");
    for (size_t i = 0; i < outputs->size(); ++i) {
      llvm::Expected<interp::Comparison> c = interp::compareTensors((*outputs)[i], previous_[i]);
      if (!c)
        return c.takeError();
      log_ << fmt::format("verify-numerics: {:<16} output {}: cosine {:.9f}, max abs error {:.3g} "
                          "(max |value| {:.3g}) against {}\n",
                          stage.str(), i, c->cosine, c->maxAbsError, c->maxAbsExpected,
                          previousStage_);
      if (!interp::meetsTolerance(*c, tolerance_))
        return fail(
            fmt::format("pass '{}' changed output {}: cosine {:.9f} against the IR after {} "
                        "(tolerance {})",
                        stage.str(), i, c->cosine, previousStage_, tolerance_.minCosine));
    }
  }
  previous_ = std::move(*outputs);
  previousStage_ = stage.str();
  return llvm::Error::success();
}

} // namespace vkqc
