// Kernels of the vkqc layout ops: int4 weights, scales and weight sums rearranged into
// the layouts the Vulkan kernels read (executorch-vulkan-facts §5). The interpreter runs
// them, and pack-weights runs the same functions on constants at compile time.
#pragma once

#include "compiler/interp/Tensor.h"

#include "llvm/Support/Error.h"

namespace vkqc::interp {

/// i8 [N, K] with values in [-8, 7] -> u8 [N, align8(K)/2]: low nibble = even k, q + 8.
llvm::Expected<Tensor> packQ4LinearWeight(const Tensor &weight);
/// i8 [N, K] -> i32 [K/groupSize, align8(N)]: per-group sums, zero padded along N.
llvm::Expected<Tensor> q4WeightSums(const Tensor &weight, int64_t groupSize);
/// [N, G] -> [G, alignUp(N, align)], zero padded.
llvm::Expected<Tensor> transposePadScales(const Tensor &scales, int64_t align);
/// u8 legacy embedding bytes (even element high) -> linear layout (even element low).
llvm::Expected<Tensor> swapNibbles(const Tensor &weight);

} // namespace vkqc::interp
