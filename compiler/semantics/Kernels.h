// The numeric kernels of the reference interpreter: PyTorch CPU eager semantics of every
// op in the corpus graphs and of the fused ops vkqc emits.
//
// Every kernel returns a fresh contiguous tensor, or an llvm::Error naming the op and the
// problem when shapes, dtypes or arguments are invalid. Result dtypes follow PyTorch's type
// promotion; reduced-precision float results are computed in float (PyTorch's opmath) and
// rounded to their dtype once per op.
#pragma once

#include "compiler/semantics/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace vkqc::interp {

/// A Python number argument (bool, int or float).
struct Scalar {
  enum class Kind { Bool, Int, Float };
  Kind kind = Kind::Int;
  double f = 0.0;
  int64_t i = 0;

  static Scalar ofBool(bool v) { return {Kind::Bool, v ? 1.0 : 0.0, v ? 1 : 0}; }
  static Scalar ofInt(int64_t v) { return {Kind::Int, static_cast<double>(v), v}; }
  static Scalar ofFloat(double v) { return {Kind::Float, v, static_cast<int64_t>(0)}; }
  bool isFloat() const { return kind == Kind::Float; }
  double toDouble() const { return kind == Kind::Float ? f : static_cast<double>(i); }
};

/// One operand of a binary op: a tensor, or a Scalar acting as a 0-d "wrapped number"
/// (which does not promote a tensor of the same category: f32 tensor * 2.5 stays f32).
/// Both convert implicitly, so each binary kernel serves Tensor-Tensor and Tensor-Scalar.
class Operand {
public:
  Operand(const Tensor &tensor) : tensor_(tensor) {}
  Operand(const Scalar &scalar);

  const Tensor &tensor() const { return tensor_; }
  bool isWrappedNumber() const { return wrapped_; }

private:
  Tensor tensor_;
  bool wrapped_ = false;
};

// ---- Elementwise (Elementwise.cpp) --------------------------------------------------------

enum class BinaryOp { Add, Sub, Mul, Div, Eq, Ne, Lt, Le, Gt, Ge, BitwiseAnd };

/// Broadcasting binary op; `alpha` scales `b` for Add/Sub (aten.add/sub alpha=).
llvm::Expected<Tensor> binary(BinaryOp op, const Operand &a, const Operand &b,
                              const Scalar &alpha = Scalar::ofInt(1));
llvm::Expected<Tensor> add(const Operand &a, const Operand &b,
                           const Scalar &alpha = Scalar::ofInt(1));
llvm::Expected<Tensor> sub(const Operand &a, const Operand &b,
                           const Scalar &alpha = Scalar::ofInt(1));
llvm::Expected<Tensor> mul(const Operand &a, const Operand &b);
/// True division (aten.div.Tensor without rounding_mode): integer inputs give f32.
llvm::Expected<Tensor> div(const Operand &a, const Operand &b);
llvm::Expected<Tensor> eq(const Operand &a, const Operand &b);
llvm::Expected<Tensor> ne(const Operand &a, const Operand &b);
llvm::Expected<Tensor> lt(const Operand &a, const Operand &b);
llvm::Expected<Tensor> le(const Operand &a, const Operand &b);
llvm::Expected<Tensor> gt(const Operand &a, const Operand &b);
llvm::Expected<Tensor> ge(const Operand &a, const Operand &b);
/// aten.__and__ / bitwise_and on bool or integer operands.
llvm::Expected<Tensor> bitwiseAnd(const Operand &a, const Operand &b);

llvm::Expected<Tensor> neg(const Tensor &x);
/// rsqrt/cos/sin give f32 for integer inputs (PyTorch's int-to-float unary promotion).
llvm::Expected<Tensor> rsqrt(const Tensor &x);
llvm::Expected<Tensor> cos(const Tensor &x);
llvm::Expected<Tensor> sin(const Tensor &x);
/// x * sigmoid(x); float inputs only.
llvm::Expected<Tensor> silu(const Tensor &x);
/// 1 / (1 + exp(-x)); integer inputs give f32.
llvm::Expected<Tensor> sigmoid(const Tensor &x);
/// aten.where.self: condition ? a : b, broadcasting all three, in the promoted dtype of a, b.
llvm::Expected<Tensor> where(const Tensor &condition, const Operand &a, const Operand &b);
// ---- Ops of other decoder families (FamilyOps.cpp) ---------------------------------------

/// exp in float through SLEEF; sqrt correctly rounded (as PyTorch's CPU kernels).
llvm::Expected<Tensor> exp(const Tensor &x);
llvm::Expected<Tensor> sqrt(const Tensor &x);
/// tanh in float through SLEEF (as PyTorch's CPU kernel).
llvm::Expected<Tensor> tanh(const Tensor &x);
/// aten.gelu: approximate "none" (erf) or "tanh" (PyTorch's vectorized formula).
llvm::Expected<Tensor> gelu(const Tensor &x, llvm::StringRef approximate);
/// aten.clamp with optional scalar bounds (NaN stays NaN).
llvm::Expected<Tensor> clamp(const Tensor &x, const std::optional<Scalar> &min,
                             const std::optional<Scalar> &max);
llvm::Expected<Tensor> logicalNot(const Tensor &x);
enum class LogicalOp { And, Or, Xor };
/// logical_and / logical_or / logical_xor: bool results of the operands' truth values.
llvm::Expected<Tensor> logical(LogicalOp op, const Tensor &a, const Tensor &b);
llvm::Expected<Tensor> bitwiseOr(const Tensor &a, const Tensor &b);
/// aten.masked_fill.Scalar: `value` where the bool mask (broadcast to self) is true.
llvm::Expected<Tensor> maskedFill(const Tensor &self, const Tensor &mask, const Scalar &value);
/// aten.tril: elements above the `diagonal` of the last two dims become zero.
llvm::Expected<Tensor> tril(const Tensor &x, int64_t diagonal);
/// aten.select.int: the slice at `index` of `dim`, that dim removed.
llvm::Expected<Tensor> select(const Tensor &x, int64_t dim, int64_t index);
/// Consecutive slices of `sizes` along `dim` (split_with_sizes; split and chunk via splitSizes).
llvm::Expected<std::vector<Tensor>> splitBySizes(const Tensor &x, llvm::ArrayRef<int64_t> sizes,
                                                 int64_t dim);
/// The part sizes of aten.split: `splitSize` each, the last one shorter.
std::vector<int64_t> splitSizes(int64_t length, int64_t splitSize);

/// aten.pow.Tensor_Scalar; exponent 2 is x*x exactly, like PyTorch's fast paths.
llvm::Expected<Tensor> pow(const Tensor &x, const Scalar &exponent);
/// aten._to_copy with a dtype: a PyTorch cast (float->int truncates toward zero).
llvm::Expected<Tensor> toDType(const Tensor &x, DType dtype);

// ---- Reductions (Reduction.cpp) -----------------------------------------------------------

/// aten.mean.dim; empty `dims` reduces everything. Float inputs (or an explicit float dtype).
llvm::Expected<Tensor> mean(const Tensor &x, llvm::ArrayRef<int64_t> dims, bool keepdim,
                            std::optional<DType> dtype = std::nullopt);
/// aten.cumsum; bool/integer inputs give i64 unless `dtype` is given.
llvm::Expected<Tensor> cumsum(const Tensor &x, int64_t dim,
                              std::optional<DType> dtype = std::nullopt);
/// aten._softmax / softmax.int along `dim`, numerically stable, float inputs.
llvm::Expected<Tensor> softmax(const Tensor &x, int64_t dim);

// ---- Shape and data movement (ShapeOps.cpp) -----------------------------------------------

/// reshape / view: at most one -1, inferred from the element count.
llvm::Expected<Tensor> reshape(const Tensor &x, llvm::ArrayRef<int64_t> shape);
llvm::Expected<Tensor> transpose(const Tensor &x, int64_t dim0, int64_t dim1);
llvm::Expected<Tensor> permute(const Tensor &x, llvm::ArrayRef<int64_t> dims);
llvm::Expected<Tensor> unsqueeze(const Tensor &x, int64_t dim);
/// aten.expand: -1 keeps a dim; new leading dims may be added.
llvm::Expected<Tensor> expand(const Tensor &x, llvm::ArrayRef<int64_t> sizes);
/// aten.slice.Tensor with PyTorch's wrapping and clamping of start/end (nullopt = ends).
llvm::Expected<Tensor> slice(const Tensor &x, int64_t dim, std::optional<int64_t> start,
                             std::optional<int64_t> end, int64_t step = 1);
llvm::Expected<Tensor> cat(llvm::ArrayRef<Tensor> tensors, int64_t dim);
llvm::Expected<Tensor> clone(const Tensor &x);
/// torch.diff: n-th forward difference along `dim` after concatenating prepend/append.
llvm::Expected<Tensor> diff(const Tensor &x, int64_t n, int64_t dim,
                            const std::optional<Tensor> &prepend,
                            const std::optional<Tensor> &append);
/// aten.index.Tensor: advanced indexing with broadcast integer index tensors; nullopt
/// entries (and missing trailing entries) keep their dim whole.
llvm::Expected<Tensor> index(const Tensor &x, llvm::ArrayRef<std::optional<Tensor>> indices);
/// aten.arange.start_step; dtype defaults to i64 when all bounds are integers, else f32.
llvm::Expected<Tensor> arange(const Scalar &start, const Scalar &end, const Scalar &step,
                              std::optional<DType> dtype = std::nullopt);
llvm::Expected<Tensor> arange(const Scalar &end, std::optional<DType> dtype = std::nullopt);
/// aten.full; dtype defaults from the fill value (bool, i64 or f32).
llvm::Expected<Tensor> full(llvm::ArrayRef<int64_t> shape, const Scalar &value,
                            std::optional<DType> dtype = std::nullopt);
/// aten.new_ones: ones of `self`'s dtype unless `dtype` is given.
llvm::Expected<Tensor> newOnes(const Tensor &self, llvm::ArrayRef<int64_t> shape,
                               std::optional<DType> dtype = std::nullopt);

// ---- Linear algebra (LinearAlgebra.cpp) ---------------------------------------------------

/// y = x[..., K] @ w[N, K]^T + bias[N]; all operands of one float dtype.
llvm::Expected<Tensor> linear(const Tensor &x, const Tensor &weight,
                              const std::optional<Tensor> &bias);
/// torch.matmul: 1-D, 2-D and batched operands with broadcast batch dims.
llvm::Expected<Tensor> matmul(const Tensor &a, const Tensor &b);
llvm::Expected<Tensor> bmm(const Tensor &a, const Tensor &b);
/// aten.embedding: rows of weight[V, D] gathered by integer indices of any shape.
llvm::Expected<Tensor> embedding(const Tensor &weight, const Tensor &indices);

// ---- Attention (Attention.cpp) ------------------------------------------------------------

/// aten.scaled_dot_product_attention (math path). q [..., Hq, L, E], k [..., Hkv, S, E],
/// v [..., Hkv, S, Ev]. A bool mask keeps `true`; a float mask is added to the scores.
/// Rows with every score -inf give NaN, as in PyTorch's math path.
llvm::Expected<Tensor> scaledDotProductAttention(const Tensor &q, const Tensor &k, const Tensor &v,
                                                 const std::optional<Tensor> &attnMask,
                                                 double dropoutP, bool isCausal,
                                                 std::optional<double> scale, bool enableGqa);

// ---- torchao / quantized_decomposed quant ops (QuantOps.cpp) ------------------------------

enum class MappingType { Symmetric, SymmetricNoClippingErr, Asymmetric };
/// "SYMMETRIC", "SYMMETRIC_NO_CLIPPING_ERR" or "ASYMMETRIC".
llvm::Expected<MappingType> parseMappingType(llvm::StringRef name);

/// torchao.quantize_affine: clamp(round_half_even(x * (1/scale)) + zp, qmin, qmax).
llvm::Expected<Tensor> quantizeAffine(const Tensor &input, llvm::ArrayRef<int64_t> blockSize,
                                      const Tensor &scale, const std::optional<Tensor> &zeroPoint,
                                      DType outputDtype, std::optional<int64_t> quantMin,
                                      std::optional<int64_t> quantMax);
/// torchao.dequantize_affine: ((q.to(out) - zp.to(out)) * scale).to(out).
llvm::Expected<Tensor> dequantizeAffine(const Tensor &input, llvm::ArrayRef<int64_t> blockSize,
                                        const Tensor &scale, const std::optional<Tensor> &zeroPoint,
                                        DType inputDtype, std::optional<int64_t> quantMin,
                                        std::optional<int64_t> quantMax,
                                        DType outputDtype = DType::Float32);

struct QParams {
  Tensor scale;
  Tensor zeroPoint;
};
/// torchao.choose_qparams_affine (min/max based), arithmetic in the input dtype.
llvm::Expected<QParams> chooseQParamsAffine(const Tensor &input, MappingType mappingType,
                                            llvm::ArrayRef<int64_t> blockSize, DType targetDtype,
                                            std::optional<int64_t> quantMin,
                                            std::optional<int64_t> quantMax,
                                            std::optional<double> eps,
                                            std::optional<DType> scaleDtype,
                                            std::optional<DType> zeroPointDtype, bool keepdim);

/// quantized_decomposed.embedding_4bit.dtype: weight u8 [V, D/2] with the even element in
/// the high nibble stored as q+8; scales [V] or [V, G]; dtype defaults to the scales'.
llvm::Expected<Tensor> embedding4bit(const Tensor &weight, const Tensor &scales,
                                     const std::optional<Tensor> &zeroPoints, int64_t quantMin,
                                     int64_t quantMax, const Tensor &indices,
                                     std::optional<DType> dtype);

// ---- Fused ops emitted by vkqc (FusedQuantOps.cpp) ----------------------------------------

/// et_vk.linear_q4gsw: weights u8 [N, align8(K)/2] (low nibble = even k, value q+8),
/// scales [G, align4(N)] (transposed, zero padded), bias padded to align4(N) or [N].
/// Output [..., N] in x's dtype.
llvm::Expected<Tensor> linearQ4gsw(const Tensor &x, const Tensor &weights, const Tensor &scales,
                                   int64_t groupSize, const std::optional<Tensor> &bias);
/// et_vk.linear_dq8ca_q4gsw: x is quantized per token to int8 with `inputScale` /
/// `inputZeroPoint` (shape = x's leading dims) and dequantized, as the source graph did,
/// then multiplied like linearQ4gsw. `weightSums` (i32 [G, align8(N)]) is only validated.
llvm::Expected<Tensor> linearDq8caQ4gsw(const Tensor &x, const Tensor &inputScale,
                                        const Tensor &inputZeroPoint, const Tensor &weights,
                                        const Tensor &weightSums, const Tensor &scales,
                                        int64_t groupSize, const std::optional<Tensor> &bias);
/// mslk/fbgemm bf16i4bf16_rowwise (torchao Int4Tensor): X [M, K] float, W int8 [N, K/2] two
/// signed int4 a byte (low nibble = even k), scale and zero [K/G, N]; w = q * scale + zero
/// in f32, y = X @ w^T accumulated in f32, returned in X's dtype.
llvm::Expected<Tensor> int4TensorLinear(const Tensor &x, const Tensor &weight, const Tensor &scale,
                                        const Tensor &zero);
/// et_vk.rms_norm (Normalization.cpp): over the last dim, in float,
/// x * rsqrt(mean(x^2) + eps) * weight, then cast to x's dtype (ExecuTorch's reference).
llvm::Expected<Tensor> rmsNorm(const Tensor &x, const Tensor &weight, double eps);
/// et_vk.embedding_q4gsw: weight u8 [V, D/2], scales [V, G] (or [V] / [1] for one group),
/// output f32 [..., D] computed as q.float() * scale.float() (ExecuTorch's reference, and
/// what dequantize_affine to f32 computes). `isLinearWeight` selects low-nibble-first order.
llvm::Expected<Tensor> embeddingQ4gsw(const Tensor &weight, const Tensor &scales, int64_t groupSize,
                                      const Tensor &indices, bool isLinearWeight);

} // namespace vkqc::interp
