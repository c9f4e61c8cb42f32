// scaled_dot_product_attention with the semantics of PyTorch's math path.
#include "compiler/semantics/KernelSupport.h"

#include <cmath>
#include <limits>

namespace vkqc::interp {

namespace {
/// Checks q/k/v shapes and returns the number of query heads per kv head (1 without GQA).
llvm::Expected<int64_t> checkAttentionShapes(const Tensor &q, const Tensor &k, const Tensor &v,
                                             bool enableGqa) {
  auto mismatch = [&](const llvm::Twine &why) {
    return kernelError("scaled_dot_product_attention: " + why + " (q " + shapeString(q.shape()) +
                       ", k " + shapeString(k.shape()) + ", v " + shapeString(v.shape()) + ")");
  };
  if (q.rank() < 2 || k.rank() != q.rank() || v.rank() != q.rank())
    return mismatch("q, k and v must have one rank >= 2");
  if (q.dim(-1) != k.dim(-1) || k.dim(-2) != v.dim(-2))
    return mismatch("head dims or key/value lengths differ");
  for (int64_t d = 0; d < q.rank() - 2; ++d) {
    if (k.dim(d) != v.dim(d))
      return mismatch("k and v batch dims differ");
    bool headsDim = d == q.rank() - 3;
    if (q.dim(d) != k.dim(d) && !(headsDim && enableGqa))
      return mismatch("batch dims differ");
  }
  if (q.rank() < 3)
    return 1;
  int64_t qHeads = q.dim(-3), kvHeads = k.dim(-3);
  if (kvHeads == 0 || qHeads % kvHeads != 0)
    return mismatch("query heads must be a multiple of key/value heads");
  return qHeads / kvHeads;
}
} // namespace

llvm::Expected<Tensor> scaledDotProductAttention(const Tensor &q, const Tensor &k, const Tensor &v,
                                                 const std::optional<Tensor> &attnMask,
                                                 double dropoutP, bool isCausal,
                                                 std::optional<double> scale, bool enableGqa) {
  llvm::StringRef op = "scaled_dot_product_attention";
  if (auto err = requireFloat(q, op, "query"))
    return err;
  if (k.dtype() != q.dtype() || v.dtype() != q.dtype())
    return kernelError(op + ": q, k and v must have one dtype");
  if (dropoutP != 0.0)
    return kernelError(op + ": dropout_p must be 0 for inference");
  if (isCausal && attnMask)
    return kernelError(op + ": attn_mask must not be given with is_causal");
  auto groupSize = checkAttentionShapes(q, k, v, enableGqa);
  if (!groupSize)
    return groupSize.takeError();

  int64_t queries = q.dim(-2), keys = k.dim(-2), headDim = q.dim(-1), valueDim = v.dim(-1);
  Shape scoreShape(q.shape().begin(), q.shape().end() - 2);
  scoreShape.push_back(queries);
  scoreShape.push_back(keys);
  std::vector<int64_t> maskSource;
  if (attnMask) {
    if (attnMask->dtype() != DType::Bool && !isFloatingPoint(attnMask->dtype()))
      return kernelError(op + ": attn_mask must be bool or float");
    auto shape = broadcastShapes(attnMask->shape(), scoreShape, op);
    if (!shape)
      return shape.takeError();
    if (*shape != scoreShape)
      return kernelError(op + ": attn_mask " + shapeString(attnMask->shape()) +
                         " does not broadcast to " + shapeString(scoreShape));
    maskSource = broadcastSourceIndex(attnMask->shape(), scoreShape);
  }
  double scaleValue = scale.value_or(1.0 / std::sqrt(static_cast<double>(headDim)));

  Shape outShape = q.shape();
  outShape.back() = valueDim;
  Tensor result(q.dtype(), outShape);
  std::vector<double> qs = toDoubles(q), ks = toDoubles(k), vs = toDoubles(v);
  int64_t batches = numelOf(Shape(q.shape().begin(), q.shape().end() - 2));
  int64_t qHeads = q.rank() >= 3 ? q.dim(-3) : 1;
  std::vector<double> weights(static_cast<size_t>(keys));
  const double negInf = -std::numeric_limits<double>::infinity();

  for (int64_t b = 0; b < batches; ++b) {
    // The kv head serving query head h is h / groupSize (repeat_interleave of kv heads).
    int64_t kvBatch = (b / qHeads) * (qHeads / *groupSize) + (b % qHeads) / *groupSize;
    const double *kBase = ks.data() + kvBatch * keys * headDim;
    const double *vBase = vs.data() + kvBatch * keys * valueDim;
    for (int64_t i = 0; i < queries; ++i) {
      const double *query = qs.data() + (b * queries + i) * headDim;
      double maxScore = negInf;
      for (int64_t j = 0; j < keys; ++j) {
        double score = 0.0;
        for (int64_t e = 0; e < headDim; ++e)
          score += query[e] * kBase[j * headDim + e];
        score *= scaleValue;
        if (isCausal && j > i)
          score = negInf;
        if (attnMask) {
          int64_t m = maskSource[(b * queries + i) * keys + j];
          if (attnMask->dtype() == DType::Bool)
            score = attnMask->getInt(m) ? score : negInf;
          else
            score += attnMask->getDouble(m);
        }
        weights[j] = score;
        maxScore = std::fmax(maxScore, score);
      }
      // Stable softmax; an all -inf row yields NaN (-inf - -inf), like PyTorch.
      double sum = 0.0;
      for (int64_t j = 0; j < keys; ++j) {
        weights[j] = std::exp(weights[j] - maxScore);
        sum += weights[j];
      }
      for (int64_t e = 0; e < valueDim; ++e) {
        double acc = 0.0;
        for (int64_t j = 0; j < keys; ++j)
          acc += weights[j] * vBase[j * valueDim + e];
        result.setDouble((b * queries + i) * valueDim + e, acc / sum);
      }
    }
  }
  return result;
}

} // namespace vkqc::interp
