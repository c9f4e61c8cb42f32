// linear, matmul, bmm and embedding. Float32 products sum in the order of PyTorch's BLAS
// (TorchCpuMath.h: bit-identical to PyTorch's CPU linear); other dtypes accumulate in double
// and round once to the result dtype.
#include "compiler/semantics/KernelSupport.h"
#include "compiler/semantics/TorchCpuMath.h"

namespace vkqc::interp {

namespace {
double dot(const double *a, int64_t aStride, const double *b, int64_t bStride, int64_t k) {
  double sum = 0.0;
  for (int64_t i = 0; i < k; ++i)
    sum += a[i * aStride] * b[i * bStride];
  return sum;
}

llvm::Error requireSameFloat(const Tensor &a, const Tensor &b, llvm::StringRef op) {
  if (auto err = requireFloat(a, op, "first operand"))
    return err;
  if (a.dtype() != b.dtype())
    return kernelError(op + ": expected operands of one dtype, got " + nameOf(a.dtype()) + " and " +
                       nameOf(b.dtype()));
  return llvm::Error::success();
}
} // namespace

llvm::Expected<Tensor> linear(const Tensor &x, const Tensor &weight,
                              const std::optional<Tensor> &bias) {
  if (auto err = requireSameFloat(x, weight, "linear"))
    return err;
  if (x.rank() < 1 || weight.rank() != 2 || x.dim(-1) != weight.dim(1))
    return kernelError("linear: input " + shapeString(x.shape()) + " and weight " +
                       shapeString(weight.shape()) + " do not match ([..., K] and [N, K])");
  int64_t n = weight.dim(0), k = weight.dim(1);
  if (bias) {
    if (bias->dtype() != x.dtype())
      return kernelError("linear: bias dtype " + nameOf(bias->dtype()) +
                         " differs from input dtype " + nameOf(x.dtype()));
    if (bias->numel() != n || bias->rank() > 1)
      return kernelError("linear: bias " + shapeString(bias->shape()) + " for " + llvm::Twine(n) +
                         " outputs");
  }
  Shape outShape = x.shape();
  outShape.back() = n;
  Tensor result(x.dtype(), outShape);
  int64_t rows = numelOf(Shape(x.shape().begin(), x.shape().end() - 1));
  if (x.dtype() == DType::Float32) { // addmm: the bias first, then the products
    const float *xs = x.data<float>(), *ws = weight.data<float>();
    const float *bs = bias ? bias->data<float>() : nullptr;
    float *out = result.mutableData<float>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < n; ++j)
        out[r * n + j] = mklDot(xs + r * k, 1, ws + j * k, 1, k, bs ? bs[j] : 0.0f, bs != nullptr);
    return result;
  }
  std::vector<double> xs = toDoubles(x), ws = toDoubles(weight);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) {
      double sum = dot(xs.data() + r * k, 1, ws.data() + j * k, 1, k);
      result.setDouble(r * n + j, bias ? sum + bias->getDouble(j) : sum);
    }
  return result;
}

llvm::Expected<Tensor> matmul(const Tensor &a, const Tensor &b) {
  if (auto err = requireSameFloat(a, b, "matmul"))
    return err;
  llvm::Expected<MatmulShapes> s = matmulShapes(a.shape(), b.shape());
  if (!s)
    return kernelError("matmul: " + llvm::toString(s.takeError()));
  int64_t m = s->m, k = s->k, n = s->n;
  std::vector<int64_t> aSource = broadcastSourceIndex(s->aBatch, s->batch);
  std::vector<int64_t> bSource = broadcastSourceIndex(s->bBatch, s->batch);
  Tensor result(a.dtype(), s->result);
  if (a.dtype() == DType::Float32) {
    const float *as = a.data<float>(), *bs = b.data<float>();
    float *out = result.mutableData<float>();
    for (size_t p = 0; p < aSource.size(); ++p) {
      const float *aMatrix = as + aSource[p] * m * k;
      const float *bMatrix = bs + bSource[p] * k * n;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j)
          out[(static_cast<int64_t>(p) * m + i) * n + j] =
              mklDot(aMatrix + i * k, 1, bMatrix + j, n, k);
    }
    return result;
  }
  std::vector<double> as = toDoubles(a), bs = toDoubles(b);
  for (size_t p = 0; p < aSource.size(); ++p) {
    const double *aMatrix = as.data() + aSource[p] * m * k;
    const double *bMatrix = bs.data() + bSource[p] * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        result.setDouble((static_cast<int64_t>(p) * m + i) * n + j,
                         dot(aMatrix + i * k, 1, bMatrix + j, n, k));
  }
  return result;
}

llvm::Expected<Tensor> bmm(const Tensor &a, const Tensor &b) {
  if (a.rank() != 3 || b.rank() != 3 || a.dim(0) != b.dim(0))
    return kernelError("bmm: expected [B, M, K] and [B, K, N], got " + shapeString(a.shape()) +
                       " and " + shapeString(b.shape()));
  return matmul(a, b);
}

llvm::Expected<Tensor> embedding(const Tensor &weight, const Tensor &indices) {
  if (weight.rank() != 2)
    return kernelError("embedding: weight must be 2-D, got " + shapeString(weight.shape()));
  if (isFloatingPoint(indices.dtype()) || indices.dtype() == DType::Bool)
    return kernelError("embedding: indices must be integers, got " + nameOf(indices.dtype()));
  int64_t rows = weight.dim(0), width = weight.dim(1);
  Shape outShape = indices.shape();
  outShape.push_back(width);
  std::vector<int64_t> source;
  source.reserve(static_cast<size_t>(indices.numel() * width));
  for (int64_t i = 0; i < indices.numel(); ++i) {
    int64_t row = indices.getInt(i);
    if (row < 0 || row >= rows)
      return kernelError("embedding: index " + llvm::Twine(row) + " out of range for " +
                         llvm::Twine(rows) + " rows");
    for (int64_t c = 0; c < width; ++c)
      source.push_back(row * width + c);
  }
  return gatherElements(weight, outShape, source);
}

} // namespace vkqc::interp
