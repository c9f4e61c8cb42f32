// The weight operands both quantized linear patterns build: the packed int4 weight and
// the transposed, padded scales (and, for 8da4w, the per-group weight sums).
#pragma once

#include "patterns/QuantMatchers.h"

namespace vkqc {

struct PackedLinearWeight {
  Value *packed; // u8 [N, align8(K)/2]
  Value *scales; // [K/G, align4(N)]
};

/// Creates the layout ops that turn a matched int4 weight into the kernels' operands.
PackedLinearWeight createPackedLinearWeight(Rewriter &rw, const Q4WeightDequant &w);
/// Creates the per-group weight sums i32 [K/G, align8(N)].
Value *createWeightSums(Rewriter &rw, const Q4WeightDequant &w);

/// The q4gsw shape contract (compiler/quant/Q4gswContract.h), recording why it fails.
bool linearShapesSupported(const Q4WeightDequant &w, MatchTrace &why);

} // namespace vkqc
