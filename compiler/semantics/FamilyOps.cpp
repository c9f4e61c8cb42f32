// Ops the other decoder families bring (Gemma, Phi-3, Mistral, eager attention, ...):
// tanh and GELU, clamp, logical ops, masked_fill, tril, and the multi-result splits.
#include "compiler/semantics/KernelSupport.h"
#include "compiler/semantics/SleefMath.h"

#include <cmath>

namespace vkqc::interp {

namespace {
/// Each element of a float tensor through `fn` in float (double for f64), rounded once to
/// the tensor's dtype, as PyTorch's opmath does.
template <typename Fn> llvm::Expected<Tensor> mapFloat(const Tensor &x, llvm::StringRef op, Fn fn) {
  if (auto err = requireFloat(x, op, "input"))
    return err;
  Tensor result(x.dtype(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    double v = x.getDouble(i);
    result.setDouble(i, x.dtype() == DType::Float64 ? fn(v) : fn(static_cast<float>(v)));
  }
  return result;
}

float tanhOf(float v) { return sleef::tanh(v); }
double tanhOf(double v) { return std::tanh(v); }
} // namespace

// PyTorch's exp kernel is MKL's vector math (VML) where PyTorch is built with MKL, not
// SLEEF: libm's correctly rounded expf is the closest vkqc has (1.0% of inputs in [-20, 20]
// a last-bit apart, against 9.4% for SLEEF).
llvm::Expected<Tensor> exp(const Tensor &x) {
  return mapFloat(x, "exp", [](auto v) { return std::exp(v); });
}

llvm::Expected<Tensor> sqrt(const Tensor &x) {
  return mapFloat(x, "sqrt", [](auto v) { return std::sqrt(v); });
}

llvm::Expected<Tensor> tanh(const Tensor &x) {
  return mapFloat(x, "tanh", [](auto v) { return tanhOf(v); });
}

llvm::Expected<Tensor> gelu(const Tensor &x, llvm::StringRef approximate) {
  if (approximate == "tanh") // PyTorch's vectorized form: 0.5 x (1 + tanh(beta (x + kappa x^3)))
    return mapFloat(x, "gelu", [](auto v) {
      using T = decltype(v);
      const T beta = static_cast<T>(M_SQRT2 * M_2_SQRTPI * 0.5), kappa = static_cast<T>(0.044715);
      T inner = beta * (v + kappa * (v * v * v));
      return static_cast<T>(0.5) * v * (static_cast<T>(1) + tanhOf(inner));
    });
  if (approximate == "none") // 0.5 x (1 + erf(x / sqrt 2))
    return mapFloat(x, "gelu", [](auto v) {
      using T = decltype(v);
      return v * static_cast<T>(0.5) *
             (static_cast<T>(1) + std::erf(v * static_cast<T>(M_SQRT1_2)));
    });
  return kernelError("gelu: approximate must be 'none' or 'tanh', got '" + approximate + "'");
}

llvm::Expected<Tensor> clamp(const Tensor &x, const std::optional<Scalar> &min,
                             const std::optional<Scalar> &max) {
  if (!min && !max)
    return kernelError("clamp: at least one of min and max must be given");
  Tensor result(x.dtype(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (isFloatingPoint(x.dtype())) {
      double v = x.getDouble(i);
      if (min && !std::isnan(v))
        v = std::max(v, roundToPrecision(min->toDouble(), x.dtype()));
      if (max && !std::isnan(v))
        v = std::min(v, roundToPrecision(max->toDouble(), x.dtype()));
      result.setDouble(i, v);
    } else {
      int64_t v = x.getInt(i);
      if (min)
        v = std::max(v, static_cast<int64_t>(min->toDouble()));
      if (max)
        v = std::min(v, static_cast<int64_t>(max->toDouble()));
      result.setInt(i, v);
    }
  }
  return result;
}

llvm::Expected<Tensor> logicalNot(const Tensor &x) {
  Tensor result(DType::Bool, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i)
    result.setInt(i, isFloatingPoint(x.dtype()) ? x.getDouble(i) == 0.0 : x.getInt(i) == 0);
  return result;
}

llvm::Expected<Tensor> logical(LogicalOp op, const Tensor &a, const Tensor &b) {
  auto shape = broadcastShapes(a.shape(), b.shape(), "logical");
  if (!shape)
    return shape.takeError();
  Tensor result(DType::Bool, *shape);
  std::vector<int64_t> ia = broadcastSourceIndex(a.shape(), *shape),
                       ib = broadcastSourceIndex(b.shape(), *shape);
  auto truth = [](const Tensor &t, int64_t j) {
    return isFloatingPoint(t.dtype()) ? t.getDouble(j) != 0.0 : t.getInt(j) != 0;
  };
  for (int64_t i = 0; i < result.numel(); ++i) {
    bool x = truth(a, ia[i]), y = truth(b, ib[i]);
    result.setInt(i, op == LogicalOp::And ? (x && y) : op == LogicalOp::Or ? (x || y) : (x != y));
  }
  return result;
}

llvm::Expected<Tensor> bitwiseOr(const Tensor &a, const Tensor &b) {
  if (isFloatingPoint(a.dtype()) || isFloatingPoint(b.dtype()))
    return kernelError("bitwise_or: operands must be bool or integer");
  auto shape = broadcastShapes(a.shape(), b.shape(), "bitwise_or");
  if (!shape)
    return shape.takeError();
  Tensor result(resultType({Operand(a), Operand(b)}), *shape);
  std::vector<int64_t> ia = broadcastSourceIndex(a.shape(), *shape),
                       ib = broadcastSourceIndex(b.shape(), *shape);
  for (int64_t i = 0; i < result.numel(); ++i)
    result.setInt(i, a.getInt(ia[i]) | b.getInt(ib[i]));
  return result;
}

llvm::Expected<Tensor> maskedFill(const Tensor &self, const Tensor &mask, const Scalar &value) {
  if (mask.dtype() != DType::Bool)
    return kernelError("masked_fill: the mask must be bool, got " + nameOf(mask.dtype()));
  auto filled = where(mask, Operand(value), Operand(self));
  if (!filled)
    return filled.takeError();
  auto shape = broadcastShapes(self.shape(), mask.shape(), "masked_fill");
  if (!shape)
    return shape.takeError();
  if (*shape != self.shape())
    return kernelError("masked_fill: the mask " + shapeString(mask.shape()) +
                       " does not broadcast to " + shapeString(self.shape()));
  if (filled->dtype() == self.dtype())
    return filled;
  return toDType(*filled, self.dtype());
}

llvm::Expected<Tensor> tril(const Tensor &x, int64_t diagonal) {
  if (x.rank() < 2)
    return kernelError("tril: the input must have at least 2 dims");
  int64_t rows = x.dim(-2), cols = x.dim(-1);
  Tensor result(x.dtype(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t c = i % cols, r = (i / cols) % rows;
    bool keep = c - r <= diagonal;
    if (isFloatingPoint(x.dtype()))
      result.setDouble(i, keep ? x.getDouble(i) : 0.0);
    else
      result.setInt(i, keep ? x.getInt(i) : 0);
  }
  return result;
}

llvm::Expected<Tensor> select(const Tensor &x, int64_t dim, int64_t index) {
  if (x.rank() < 1)
    return kernelError("select: the input has no dims");
  int64_t d = dim < 0 ? dim + x.rank() : dim;
  if (d < 0 || d >= x.rank())
    return kernelError("select: dim " + llvm::Twine(dim) + " out of range for rank " +
                       llvm::Twine(x.rank()));
  int64_t size = x.dim(d), i = index < 0 ? index + size : index;
  if (i < 0 || i >= size)
    return kernelError("select: index " + llvm::Twine(index) + " out of range for a dim of " +
                       llvm::Twine(size));
  auto one = slice(x, d, i, i + 1, 1);
  if (!one)
    return one.takeError();
  Shape shape = x.shape();
  shape.erase(shape.begin() + d);
  return one->reshaped(shape);
}

llvm::Expected<std::vector<Tensor>> splitBySizes(const Tensor &x, llvm::ArrayRef<int64_t> sizes,
                                                 int64_t dim) {
  if (x.rank() < 1)
    return kernelError("split: the input has no dims");
  int64_t d = dim < 0 ? dim + x.rank() : dim;
  if (d < 0 || d >= x.rank())
    return kernelError("split: dim " + llvm::Twine(dim) + " out of range for rank " +
                       llvm::Twine(x.rank()));
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return kernelError("split: negative size " + llvm::Twine(s));
    total += s;
  }
  if (total != x.dim(d))
    return kernelError("split: sizes sum to " + llvm::Twine(total) + ", the dim is " +
                       llvm::Twine(x.dim(d)));
  std::vector<Tensor> parts;
  int64_t start = 0;
  for (int64_t s : sizes) {
    auto part = slice(x, d, start, start + s, 1);
    if (!part)
      return part.takeError();
    parts.push_back(std::move(*part));
    start += s;
  }
  return parts;
}

std::vector<int64_t> splitSizes(int64_t length, int64_t splitSize) {
  std::vector<int64_t> sizes;
  for (int64_t start = 0; splitSize > 0 && start < length; start += splitSize)
    sizes.push_back(std::min(splitSize, length - start));
  if (sizes.empty())
    sizes.push_back(0);
  return sizes;
}

} // namespace vkqc::interp
