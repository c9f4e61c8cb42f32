// fuse-quantized: rewrite quantized embeddings and linears (and RMSNorm) into the Vulkan
// backend's fused ops with the patterns of patterns/Patterns.def. A node no pattern takes stays as
// it is (it still computes the right answer) and the report says why each pattern refused it.
#include "patterns/PatternDriver.h"

namespace vkqc {

namespace {
class FuseQuantizedPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    PatternDriver driver(allPatterns());
    // A root no pattern took without a reason (a mul that is no norm's weight) is not noted.
    return driver.run(g, ctx.options, [&](const std::string &root, const PatternOutcome &o) {
      if (o.rewrittenBy.empty())
        ctx.note("fuse-quantized", root, "rejected", o.reasons);
      else
        ctx.note("fuse-quantized", root, "fused",
                 o.reasons.empty() ? o.rewrittenBy : o.rewrittenBy + " (" + o.reasons + ")");
    });
  }
};
} // namespace

std::unique_ptr<Pass> createFuseQuantizedPass() { return std::make_unique<FuseQuantizedPass>(); }

} // namespace vkqc
