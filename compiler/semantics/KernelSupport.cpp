#include "compiler/semantics/KernelSupport.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>

namespace vkqc::interp {

llvm::Error kernelError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::StringRef nameOf(DType dtype) {
  std::string_view name = dtypeName(dtype);
  return llvm::StringRef(name.data(), name.size());
}

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

llvm::Expected<int64_t> normalizeDim(int64_t dim, int64_t rank, llvm::StringRef op) {
  // A 0-d tensor accepts dim 0 and -1 like PyTorch (wrap as if rank 1).
  int64_t wrapRank = std::max<int64_t>(rank, 1);
  if (dim < -wrapRank || dim >= wrapRank)
    return kernelError(op + ": dim " + llvm::Twine(dim) + " out of range for rank " +
                       llvm::Twine(rank));
  return dim < 0 ? dim + wrapRank : dim;
}

llvm::Expected<int64_t> checkedNumel(llvm::ArrayRef<int64_t> shape, llvm::StringRef op) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return kernelError(op + ": negative size in shape " + shapeString(shape));
    if (d != 0 && n > INT64_MAX / d)
      return kernelError(op + ": element count of " + shapeString(shape) + " overflows");
    n *= d;
  }
  return n;
}

namespace {
enum class Category { Bool, Integer, Floating };

Category categoryOf(DType t) {
  if (t == DType::Bool)
    return Category::Bool;
  return isFloatingPoint(t) ? Category::Floating : Category::Integer;
}

/// c10's combine_categories: the higher-priority result wins unless the lower-priority one
/// brings a higher category.
std::optional<DType> combineCategories(std::optional<DType> higher, std::optional<DType> lower) {
  if (!higher)
    return lower;
  if (!lower)
    return higher;
  if (isFloatingPoint(*higher))
    return higher;
  if (*higher == DType::Bool || isFloatingPoint(*lower))
    return promoteTypes(*higher, *lower);
  return higher;
}

std::optional<DType> promoteOptional(std::optional<DType> acc, DType t) {
  return acc ? promoteTypes(*acc, t) : t;
}
} // namespace

DType promoteTypes(DType a, DType b) {
  if (a == b)
    return a;
  if (a == DType::Bool)
    return b;
  if (b == DType::Bool)
    return a;
  Category ca = categoryOf(a), cb = categoryOf(b);
  if (ca == Category::Floating && cb == Category::Floating) {
    // f16 and bf16 have no common 16-bit type.
    if ((a == DType::Float16 && b == DType::BFloat16) ||
        (a == DType::BFloat16 && b == DType::Float16))
      return DType::Float32;
    return dtypeSize(a) >= dtypeSize(b) ? a : b;
  }
  if (ca == Category::Floating)
    return a;
  if (cb == Category::Floating)
    return b;
  // Two integers: uint8 with a signed type needs a signed type wider than 8 bits.
  if (a == DType::UInt8 || b == DType::UInt8) {
    DType other = a == DType::UInt8 ? b : a;
    return dtypeSize(other) >= 2 ? other : DType::Int16;
  }
  return dtypeSize(a) >= dtypeSize(b) ? a : b;
}

DType resultType(llvm::ArrayRef<Operand> operands) {
  std::optional<DType> dimResult, zeroDimResult, wrappedResult;
  for (const Operand &op : operands) {
    DType t = op.tensor().dtype();
    if (op.isWrappedNumber()) {
      // A Python float counts as the default dtype (f32); ints as i64, bools as bool.
      wrappedResult = promoteOptional(wrappedResult, isFloatingPoint(t) ? DType::Float32 : t);
    } else if (op.tensor().rank() == 0) {
      zeroDimResult = promoteOptional(zeroDimResult, t);
    } else {
      dimResult = promoteOptional(dimResult, t);
    }
  }
  return *combineCategories(dimResult, combineCategories(zeroDimResult, wrappedResult));
}

DType opmathType(DType dtype) {
  return dtype == DType::Float16 || dtype == DType::BFloat16 ? DType::Float32 : dtype;
}

std::pair<int64_t, int64_t> sliceBounds(int64_t size, std::optional<int64_t> start,
                                        std::optional<int64_t> end) {
  int64_t first = start.value_or(0), last = end.value_or(INT64_MAX);
  if (first < 0)
    first += size;
  if (last < 0)
    last += size;
  first = std::clamp<int64_t>(first, 0, size);
  last = std::clamp<int64_t>(last, first, size);
  return {first, last};
}

llvm::Expected<MatmulShapes> matmulShapes(const Shape &a, const Shape &b) {
  if (a.empty() || b.empty())
    return kernelError("operands must have at least one dim");
  Shape aShape = a, bShape = b;
  if (a.size() == 1)
    aShape.insert(aShape.begin(), 1);
  if (b.size() == 1)
    bShape.push_back(1);
  MatmulShapes s;
  s.m = aShape[aShape.size() - 2];
  s.k = aShape.back();
  s.n = bShape.back();
  if (bShape[bShape.size() - 2] != s.k)
    return kernelError("shapes " + shapeString(a) + " and " + shapeString(b) +
                       " cannot be multiplied");
  s.aBatch.assign(aShape.begin(), aShape.end() - 2);
  s.bBatch.assign(bShape.begin(), bShape.end() - 2);
  llvm::Expected<Shape> batch = broadcastShapes(s.aBatch, s.bBatch, "matmul");
  if (!batch) {
    llvm::consumeError(batch.takeError());
    return kernelError("batch dims of " + shapeString(a) + " and " + shapeString(b) +
                       " do not broadcast");
  }
  s.batch = *batch;
  s.result = s.batch;
  if (a.size() > 1)
    s.result.push_back(s.m);
  if (b.size() > 1)
    s.result.push_back(s.n);
  return s;
}

llvm::Expected<Shape> broadcastShapes(const Shape &a, const Shape &b, llvm::StringRef op) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return kernelError(op + ": shapes " + shapeString(a) + " and " + shapeString(b) +
                         " are not broadcastable");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> broadcastSourceIndex(const Shape &in, const Shape &out) {
  size_t lead = out.size() - in.size();
  Shape inStrides = contiguousStrides(in);
  Shape strides(out.size(), 0); // 0 where the source is broadcast
  for (size_t i = lead; i < out.size(); ++i)
    strides[i] = in[i - lead] == 1 ? 0 : inStrides[i - lead];
  return stridedSourceIndex(out, strides, 0);
}

std::vector<int64_t> stridedSourceIndex(const Shape &out, const Shape &strides, int64_t offset) {
  size_t rank = out.size();
  int64_t total = numelOf(out);
  std::vector<int64_t> source(static_cast<size_t>(total));
  Shape counter(rank, 0);
  for (int64_t flat = 0; flat < total; ++flat) {
    source[flat] = offset;
    // Odometer increment of the output multi-index, tracking the source offset.
    for (size_t d = rank; d-- > 0;) {
      if (++counter[d] < out[d]) {
        offset += strides[d];
        break;
      }
      offset -= strides[d] * (out[d] - 1);
      counter[d] = 0;
    }
  }
  return source;
}

Tensor gatherElements(const Tensor &source, const Shape &shape,
                      llvm::ArrayRef<int64_t> sourceIndex) {
  Tensor result(source.dtype(), shape);
  size_t elementSize = dtypeSize(source.dtype());
  const uint8_t *from = source.data<uint8_t>();
  uint8_t *to = result.mutableData<uint8_t>();
  for (int64_t i = 0; i < result.numel(); ++i)
    std::memcpy(to + i * elementSize, from + sourceIndex[i] * elementSize, elementSize);
  return result;
}

Shape contiguousStrides(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    strides[i - 1] = strides[i] * std::max<int64_t>(shape[i], 1);
  return strides;
}

DimLines linesAlong(const Shape &shape, int64_t dim) {
  DimLines lines;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    if (d < dim)
      lines.outer *= shape[d];
    else if (d == dim)
      lines.size = shape[d];
    else
      lines.inner *= shape[d];
  }
  return lines;
}

std::vector<double> toDoubles(const Tensor &t) {
  std::vector<double> values(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i)
    values[i] = t.getDouble(i);
  return values;
}

Tensor scalarTensor(const Scalar &s) {
  switch (s.kind) {
  case Scalar::Kind::Bool: {
    Tensor t(DType::Bool, {});
    t.setInt(0, s.i);
    return t;
  }
  case Scalar::Kind::Int: {
    Tensor t(DType::Int64, {});
    t.setInt(0, s.i);
    return t;
  }
  case Scalar::Kind::Float: {
    Tensor t(DType::Float64, {});
    t.setDouble(0, s.f);
    return t;
  }
  }
  return Tensor();
}

llvm::Error requireFloat(const Tensor &t, llvm::StringRef op, llvm::StringRef what) {
  if (isFloatingPoint(t.dtype()))
    return llvm::Error::success();
  return kernelError(op + ": " + what + " must be a floating-point tensor, got " +
                     nameOf(t.dtype()));
}

Operand::Operand(const Scalar &scalar) : tensor_(scalarTensor(scalar)), wrapped_(true) {}

} // namespace vkqc::interp
