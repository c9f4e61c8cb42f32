// Broadcasting binary ops, unary math and dtype casts.
#include "compiler/semantics/KernelSupport.h"
#include "compiler/semantics/SleefMath.h"

#include <cmath>

namespace vkqc::interp {

namespace {
llvm::StringRef binaryOpName(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "add";
  case BinaryOp::Sub:
    return "sub";
  case BinaryOp::Mul:
    return "mul";
  case BinaryOp::Div:
    return "div";
  case BinaryOp::Eq:
    return "eq";
  case BinaryOp::Ne:
    return "ne";
  case BinaryOp::Lt:
    return "lt";
  case BinaryOp::Le:
    return "le";
  case BinaryOp::Gt:
    return "gt";
  case BinaryOp::Ge:
    return "ge";
  case BinaryOp::BitwiseAnd:
    return "bitwise_and";
  }
  return "binary";
}

bool isComparison(BinaryOp op) {
  return op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt || op == BinaryOp::Le ||
         op == BinaryOp::Gt || op == BinaryOp::Ge;
}

/// Element `j` of an operand as a float op sees it: tensors are cast to the common dtype,
/// while a wrapped number keeps opmath precision (PyTorch reads it at full precision).
double floatOperand(const Operand &o, int64_t j, DType compute) {
  double v = o.tensor().getDouble(j);
  return roundToPrecision(v, o.isWrappedNumber() ? opmathType(compute) : compute);
}

double applyFloat(BinaryOp op, double x, double y, double alpha) {
  switch (op) {
  case BinaryOp::Add:
    return x + alpha * y;
  case BinaryOp::Sub:
    return x - alpha * y;
  case BinaryOp::Mul:
    return x * y;
  case BinaryOp::Div:
    return x / y;
  case BinaryOp::Eq:
    return x == y;
  case BinaryOp::Ne:
    return x != y;
  case BinaryOp::Lt:
    return x < y;
  case BinaryOp::Le:
    return x <= y;
  case BinaryOp::Gt:
    return x > y;
  case BinaryOp::Ge:
    return x >= y;
  case BinaryOp::BitwiseAnd:
    break; // rejected for floats before we get here
  }
  return 0.0;
}

/// Integer arithmetic wraps modulo 2^64 (then to the result width), never UB.
int64_t applyInt(BinaryOp op, int64_t x, int64_t y, int64_t alpha) {
  auto wrap = [](uint64_t v) { return static_cast<int64_t>(v); };
  uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
  uint64_t ua = static_cast<uint64_t>(alpha);
  switch (op) {
  case BinaryOp::Add:
    return wrap(ux + ua * uy);
  case BinaryOp::Sub:
    return wrap(ux - ua * uy);
  case BinaryOp::Mul:
    return wrap(ux * uy);
  case BinaryOp::Eq:
    return x == y;
  case BinaryOp::Ne:
    return x != y;
  case BinaryOp::Lt:
    return x < y;
  case BinaryOp::Le:
    return x <= y;
  case BinaryOp::Gt:
    return x > y;
  case BinaryOp::Ge:
    return x >= y;
  case BinaryOp::BitwiseAnd:
    return x & y;
  case BinaryOp::Div:
    break; // true division always computes in float
  }
  return 0;
}
} // namespace

llvm::Expected<Tensor> binary(BinaryOp op, const Operand &a, const Operand &b,
                              const Scalar &alpha) {
  llvm::StringRef name = binaryOpName(op);
  DType common = resultType({a, b});
  if (op == BinaryOp::BitwiseAnd && isFloatingPoint(common))
    return kernelError(name + ": operands must be bool or integer, got " + nameOf(common));
  if (op == BinaryOp::Sub && common == DType::Bool)
    return kernelError("sub: subtraction of bool tensors is not supported");
  if (alpha.isFloat() && !isFloatingPoint(common))
    return kernelError(name + ": alpha must not be a float for integral operands");

  // True division of integers happens in the default float dtype.
  DType compute = op == BinaryOp::Div && !isFloatingPoint(common) ? DType::Float32 : common;
  DType resultDtype = isComparison(op) ? DType::Bool : compute;

  auto shape = broadcastShapes(a.tensor().shape(), b.tensor().shape(), name);
  if (!shape)
    return shape.takeError();
  Tensor result(resultDtype, *shape);
  std::vector<int64_t> ia = broadcastSourceIndex(a.tensor().shape(), *shape);
  std::vector<int64_t> ib = broadcastSourceIndex(b.tensor().shape(), *shape);

  if (isFloatingPoint(compute)) {
    double alphaValue = roundToPrecision(alpha.toDouble(), opmathType(compute));
    for (int64_t i = 0; i < result.numel(); ++i) {
      double x = floatOperand(a, ia[i], compute);
      double y = floatOperand(b, ib[i], compute);
      result.setDouble(i, applyFloat(op, x, y, alphaValue));
    }
  } else {
    for (int64_t i = 0; i < result.numel(); ++i)
      result.setInt(i, applyInt(op, a.tensor().getInt(ia[i]), b.tensor().getInt(ib[i]), alpha.i));
  }
  return result;
}

llvm::Expected<Tensor> add(const Operand &a, const Operand &b, const Scalar &alpha) {
  return binary(BinaryOp::Add, a, b, alpha);
}
llvm::Expected<Tensor> sub(const Operand &a, const Operand &b, const Scalar &alpha) {
  return binary(BinaryOp::Sub, a, b, alpha);
}
llvm::Expected<Tensor> mul(const Operand &a, const Operand &b) {
  return binary(BinaryOp::Mul, a, b);
}
llvm::Expected<Tensor> div(const Operand &a, const Operand &b) {
  return binary(BinaryOp::Div, a, b);
}
llvm::Expected<Tensor> eq(const Operand &a, const Operand &b) { return binary(BinaryOp::Eq, a, b); }
llvm::Expected<Tensor> ne(const Operand &a, const Operand &b) { return binary(BinaryOp::Ne, a, b); }
llvm::Expected<Tensor> lt(const Operand &a, const Operand &b) { return binary(BinaryOp::Lt, a, b); }
llvm::Expected<Tensor> le(const Operand &a, const Operand &b) { return binary(BinaryOp::Le, a, b); }
llvm::Expected<Tensor> gt(const Operand &a, const Operand &b) { return binary(BinaryOp::Gt, a, b); }
llvm::Expected<Tensor> ge(const Operand &a, const Operand &b) { return binary(BinaryOp::Ge, a, b); }
llvm::Expected<Tensor> bitwiseAnd(const Operand &a, const Operand &b) {
  return binary(BinaryOp::BitwiseAnd, a, b);
}

namespace {
/// Applies `fn` to every element in PyTorch's opmath type: double for f64, float otherwise
/// (so f16/bf16 are computed in float and rounded once). Integer inputs become f32 when
/// `integersToFloat`, and are rejected otherwise.
template <typename Fn>
llvm::Expected<Tensor> unaryFloat(const Tensor &x, llvm::StringRef op, bool integersToFloat,
                                  Fn fn) {
  DType resultDtype = x.dtype();
  if (!isFloatingPoint(resultDtype)) {
    if (!integersToFloat)
      return kernelError(op + ": not implemented for " + nameOf(x.dtype()));
    resultDtype = DType::Float32;
  }
  Tensor result(resultDtype, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    double v = x.getDouble(i);
    if (resultDtype == DType::Float64)
      result.setDouble(i, fn(v));
    else
      result.setDouble(i, fn(static_cast<float>(v)));
  }
  return result;
}
} // namespace

llvm::Expected<Tensor> neg(const Tensor &x) {
  if (x.dtype() == DType::Bool)
    return kernelError("neg: negation of a bool tensor is not supported");
  Tensor result(x.dtype(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (isFloatingPoint(x.dtype()))
      result.setDouble(i, -x.getDouble(i));
    else
      result.setInt(i, static_cast<int64_t>(0 - static_cast<uint64_t>(x.getInt(i))));
  }
  return result;
}

llvm::Expected<Tensor> rsqrt(const Tensor &x) {
  return unaryFloat(x, "rsqrt", true, [](auto v) { return decltype(v)(1) / std::sqrt(v); });
}

namespace {
// Float math as PyTorch's CPU kernels do it (SleefMath.h); doubles through libm.
float floatCos(float v) { return sleef::cos(v); }
double floatCos(double v) { return std::cos(v); }
float floatSin(float v) { return sleef::sin(v); }
double floatSin(double v) { return std::sin(v); }
float floatExp(float v) { return sleef::exp(v); }
double floatExp(double v) { return std::exp(v); }
} // namespace

llvm::Expected<Tensor> cos(const Tensor &x) {
  return unaryFloat(x, "cos", true, [](auto v) { return floatCos(v); });
}

llvm::Expected<Tensor> sin(const Tensor &x) {
  return unaryFloat(x, "sin", true, [](auto v) { return floatSin(v); });
}

// PyTorch's vectorized silu: x / (1 + exp(-x)).
llvm::Expected<Tensor> silu(const Tensor &x) {
  return unaryFloat(x, "silu", false, [](auto v) { return v / (decltype(v)(1) + floatExp(-v)); });
}

// PyTorch's vectorized sigmoid: 1 / (1 + exp(-x)).
llvm::Expected<Tensor> sigmoid(const Tensor &x) {
  return unaryFloat(x, "sigmoid", true,
                    [](auto v) { return decltype(v)(1) / (decltype(v)(1) + floatExp(-v)); });
}

llvm::Expected<Tensor> where(const Tensor &condition, const Operand &a, const Operand &b) {
  if (condition.dtype() != DType::Bool)
    return kernelError("where: the condition must be bool, got " + nameOf(condition.dtype()));
  DType common = resultType({a, b});
  auto ab = broadcastShapes(a.tensor().shape(), b.tensor().shape(), "where");
  if (!ab)
    return ab.takeError();
  auto shape = broadcastShapes(condition.shape(), *ab, "where");
  if (!shape)
    return shape.takeError();
  Tensor result(common, *shape);
  std::vector<int64_t> ic = broadcastSourceIndex(condition.shape(), *shape);
  std::vector<int64_t> ia = broadcastSourceIndex(a.tensor().shape(), *shape);
  std::vector<int64_t> ib = broadcastSourceIndex(b.tensor().shape(), *shape);
  for (int64_t i = 0; i < result.numel(); ++i) {
    const Operand &pick = condition.getInt(ic[i]) ? a : b;
    int64_t j = condition.getInt(ic[i]) ? ia[i] : ib[i];
    if (isFloatingPoint(common))
      result.setDouble(i, pick.tensor().getDouble(j));
    else
      result.setInt(i, pick.tensor().getInt(j));
  }
  return result;
}

namespace {
/// Integer power by squaring, wrapping like PyTorch's integral pow.
int64_t integerPow(int64_t base, int64_t exponent) {
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  for (uint64_t e = static_cast<uint64_t>(exponent); e; e >>= 1) {
    if (e & 1)
      result *= b;
    b *= b;
  }
  return static_cast<int64_t>(result);
}

/// PyTorch's pow fast paths (exact products / sqrt) and std::pow elsewhere.
template <typename T> T floatPow(T x, T e) {
  if (e == T(2))
    return x * x;
  if (e == T(3))
    return x * x * x;
  if (e == T(0.5))
    return std::sqrt(x);
  if (e == T(-0.5))
    return T(1) / std::sqrt(x);
  if (e == T(-1))
    return T(1) / x;
  if (e == T(-2))
    return T(1) / (x * x);
  return std::pow(x, e);
}
} // namespace

llvm::Expected<Tensor> pow(const Tensor &x, const Scalar &exponent) {
  DType resultDtype = resultType({Operand(x), Operand(exponent)});
  if (!isFloatingPoint(resultDtype)) {
    if (exponent.i < 0)
      return kernelError("pow: integers to negative integer powers are not allowed");
    Tensor result(resultDtype, x.shape());
    for (int64_t i = 0; i < x.numel(); ++i)
      result.setInt(i, integerPow(x.getInt(i), exponent.i));
    return result;
  }
  double e = exponent.toDouble();
  Tensor result(resultDtype, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    double v = roundToPrecision(x.getDouble(i), resultDtype);
    if (resultDtype == DType::Float64)
      result.setDouble(i, floatPow(v, e));
    else
      result.setDouble(i, floatPow(static_cast<float>(v), static_cast<float>(e)));
  }
  return result;
}

llvm::Expected<Tensor> toDType(const Tensor &x, DType dtype) {
  Tensor result(dtype, x.shape());
  // Integer-to-integer casts go through int64 so no precision is lost on the way.
  bool integerCopy = !isFloatingPoint(x.dtype()) && !isFloatingPoint(dtype);
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (integerCopy)
      result.setInt(i, x.getInt(i));
    else
      result.setDouble(i, x.getDouble(i));
  }
  return result;
}

} // namespace vkqc::interp
