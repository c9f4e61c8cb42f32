// Matchers for the pieces the quantized patterns share: an int4 weight dequantized from
// constants, and a per-token int8 activation quant-dequant chain. Pure: they read the
// graph and constant data, and record why they reject.
#pragma once

#include "patterns/Pattern.h"

namespace vkqc {

/// `dequantize_affine(qdata, [1, G], scales, zero_point, int8, -8, 7, out)` over constants.
struct Q4WeightDequant {
  Node *dequant = nullptr;
  Value *qdata = nullptr;     // i8 [rows, cols], values in [-8, 7]
  Value *scales = nullptr;    // float [rows, cols / G]
  Value *zeroPoint = nullptr; // null, or a constant that is zero everywhere
  int64_t rows = 0, cols = 0, groupSize = 0;
  DType outputDType = DType::Float32;
};

/// Matches the weight of a quantized embedding or linear.
std::optional<Q4WeightDequant> matchQ4WeightDequant(const Value *weight, MatchTrace &why);

/// `(s, zp) = choose_qparams_affine(a, ...)`, `q = quantize_affine(a, s, zp, int8)`,
/// `x = dequantize_affine(q, s, zp, int8)`, all per token (block [1, ..., 1, K]).
struct DynamicActivationQuant {
  Value *input = nullptr; // a: the float activation
  Node *chooseQParams = nullptr;
  Value *scale = nullptr;
  Value *zeroPoint = nullptr; // int8 or float: the kernels have a variant for each
  Node *quantize = nullptr;
  Node *dequantize = nullptr;
};

/// Matches the activation operand `x` of an 8da4w linear.
std::optional<DynamicActivationQuant> matchDynamicActivationQuant(const Value *x, MatchTrace &why);

/// A bias the kernels can take: none, or a constant [n] of the compute dtype.
bool isAcceptableBias(const ArgValue &bias, int64_t n, DType dtype, MatchTrace &why);

/// The fused op would read and write the tensors `root` reads and writes: they must all
/// fit the --target (dtype, buffer limit), else the fused op could not be delegated and
/// no CPU kernel would run it. Records the reason when they do not.
/// `weight`, when given, is the dequantized weight the fused op replaces by its packed
/// int4 table: the table is checked instead.
bool fitsTarget(const Graph &g, const Node &root, const PassOptions &options, MatchTrace &why,
                const Q4WeightDequant *weight = nullptr);
/// Whether every value fits the 3-D texture ExecuTorch's fused op reads it as (the op
/// table's `:texture` arguments, e.g. linear_dq8ca_q4gsw's activation scales).
bool texturesFit(const Graph &g, llvm::ArrayRef<const Value *> values, const PassOptions &options,
                 MatchTrace &why);

/// The dtypes a Vulkan kernel computes in.
bool isVulkanComputeDType(DType t);

/// The literal integer an argument holds, if any.
std::optional<int64_t> literalInt(const ArgValue &v);

} // namespace vkqc
