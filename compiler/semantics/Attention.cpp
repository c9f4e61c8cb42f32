// scaled_dot_product_attention. Float32 computes what PyTorch's CPU flash attention computes
// (the kernel it picks for float on CPU: aten/src/ATen/native/cpu/FlashAttentionKernel.cpp),
// bit for bit on the corpus; other dtypes use the math path's formula in double.
#include "compiler/semantics/KernelSupport.h"
#include "compiler/semantics/TorchCpuMath.h"

#include <algorithm>
#include <cmath>
#include <functional>
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

/// What the attention of one query row reads: its keys and values (row-major [keys, dim]), its
/// additive mask (0 or -inf for a bool mask) and the scale.
struct AttentionRow {
  const float *query;
  const float *keys;
  const float *values;
  int64_t numKeys, headDim, valueDim;
  float scale;
  std::function<float(int64_t key)> mask; // added to each scaled score
};

/// Flash attention's online softmax for one query row, over blocks of 512 keys: the scores of
/// a block (MKL's dot products, scaled, masked), exp_u20 of score - running max for the
/// block's whole 16-float vectors and expf for its tail, summed in 16 lanes; the output
/// rescaled by exp(old max - new max) between blocks and divided by the sum at the end. A
/// fully masked row gives zeros.
void flashAttentionRow(const AttentionRow &row, float *out) {
  constexpr int64_t kKeyBlock = 512;
  const float negInf = -std::numeric_limits<float>::infinity();
  float runningMax = negInf, runningSum = 0.0f;
  std::vector<float> dst(static_cast<size_t>(row.valueDim), 0.0f);
  std::vector<float> weights(static_cast<size_t>(std::min(row.numKeys, kKeyBlock)));
  for (int64_t n = 0; n < row.numKeys; n += kKeyBlock) {
    int64_t blockKeys = std::min(kKeyBlock, row.numKeys - n);
    float blockMax = negInf;
    for (int64_t j = 0; j < blockKeys; ++j) {
      float score = mklDot(row.query, 1, row.keys + (n + j) * row.headDim, 1, row.headDim);
      weights[j] = score * row.scale + row.mask(n + j);
      blockMax = std::max(blockMax, weights[j]);
    }
    float max = std::max(runningMax, blockMax);
    if (max == negInf) { // every key so far masked
      std::fill(weights.begin(), weights.begin() + blockKeys, 0.0f);
    } else {
      float lanes[kAvx512FloatLanes] = {};
      int64_t vectorKeys = blockKeys / kAvx512FloatLanes * kAvx512FloatLanes;
      for (int64_t j = 0; j < vectorKeys; ++j) {
        weights[j] = expU20(weights[j] - max);
        lanes[j % kAvx512FloatLanes] += weights[j];
      }
      float blockSum = reduceLanes16(lanes);
      for (int64_t j = vectorKeys; j < blockKeys; ++j) {
        weights[j] = std::exp(weights[j] - max);
        blockSum += weights[j];
      }
      float rescale = std::exp(runningMax - max);
      runningSum = std::fma(rescale, runningSum, blockSum);
      runningMax = max;
      if (n > 0)
        for (float &d : dst)
          d *= rescale;
    }
    for (int64_t e = 0; e < row.valueDim; ++e)
      dst[e] = mklDot(weights.data(), 1, row.values + n * row.valueDim + e, row.valueDim, blockKeys,
                      dst[e], n > 0);
  }
  float reciprocal = 1.0f / (runningSum == 0.0f ? 1.0f : runningSum);
  for (int64_t e = 0; e < row.valueDim; ++e)
    out[e] = dst[e] * reciprocal;
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
  int64_t batches = numelOf(Shape(q.shape().begin(), q.shape().end() - 2));
  int64_t qHeads = q.rank() >= 3 ? q.dim(-3) : 1;
  // What the mask does to the score of key j for query i of batch row b: hides it (is_causal
  // past the query, a false bool entry) or adds the float mask's value.
  struct MaskEntry {
    bool hidden;
    double add;
  };
  auto maskAt = [&](int64_t b, int64_t i, int64_t j) -> MaskEntry {
    if (isCausal && j > i)
      return {true, 0.0};
    if (!attnMask)
      return {false, 0.0};
    int64_t m = maskSource[(b * queries + i) * keys + j];
    if (attnMask->dtype() == DType::Bool)
      return {attnMask->getInt(m) == 0, 0.0};
    return {false, attnMask->getDouble(m)};
  };
  // The kv head serving query head h is h / groupSize (repeat_interleave of kv heads).
  auto kvBatchOf = [&](int64_t b) {
    return (b / qHeads) * (qHeads / *groupSize) + (b % qHeads) / *groupSize;
  };
  if (q.dtype() == DType::Float32) {
    const float negInf = -std::numeric_limits<float>::infinity();
    for (int64_t b = 0; b < batches; ++b)
      for (int64_t i = 0; i < queries; ++i) {
        AttentionRow row{q.data<float>() + (b * queries + i) * headDim,
                         k.data<float>() + kvBatchOf(b) * keys * headDim,
                         v.data<float>() + kvBatchOf(b) * keys * valueDim,
                         keys,
                         headDim,
                         valueDim,
                         static_cast<float>(scaleValue),
                         [&](int64_t j) -> float {
                           MaskEntry e = maskAt(b, i, j);
                           return e.hidden ? negInf : static_cast<float>(e.add);
                         }};
        flashAttentionRow(row, result.mutableData<float>() + (b * queries + i) * valueDim);
      }
    return result;
  }
  std::vector<double> qs = toDoubles(q), ks = toDoubles(k), vs = toDoubles(v);
  std::vector<double> weights(static_cast<size_t>(keys));
  const double negInf = -std::numeric_limits<double>::infinity();

  for (int64_t b = 0; b < batches; ++b) {
    int64_t kvBatch = kvBatchOf(b);
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
        MaskEntry e = maskAt(b, i, j);
        score = e.hidden ? negInf : score + e.add;
        weights[j] = score;
        maxScore = std::fmax(maxScore, score);
      }
      // Stable softmax; an all -inf row gives zeros, as PyTorch's flash attention does.
      double sum = 0.0;
      for (int64_t j = 0; j < keys; ++j) {
        weights[j] = maxScore == negInf ? 0.0 : std::exp(weights[j] - maxScore);
        sum += weights[j];
      }
      if (sum == 0.0)
        sum = 1.0;
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
