// Shape and data-movement ops. Every result is a fresh contiguous tensor.
#include "compiler/semantics/KernelSupport.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

namespace vkqc::interp {

llvm::Expected<Tensor> clone(const Tensor &x) {
  std::vector<int64_t> identity(static_cast<size_t>(x.numel()));
  std::iota(identity.begin(), identity.end(), 0);
  return gatherElements(x, x.shape(), identity);
}

llvm::Expected<Shape> reshapeTarget(const Shape &from, llvm::ArrayRef<int64_t> shape) {
  Shape target(shape.begin(), shape.end());
  int64_t inferred = -1, known = 1, numel = numelOf(from);
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (inferred >= 0)
        return kernelError("reshape: more than one -1 in " + shapeString(shape));
      inferred = static_cast<int64_t>(i);
    } else if (target[i] < 0) {
      return kernelError("reshape: invalid size in " + shapeString(shape));
    } else {
      if (target[i] != 0 && known > INT64_MAX / target[i])
        return kernelError("reshape: element count of " + shapeString(shape) + " overflows");
      known *= target[i];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || numel % known != 0)
      return kernelError("reshape: cannot infer -1 in " + shapeString(shape) +
                         " for an input of shape " + shapeString(from));
    target[inferred] = numel / known;
  } else if (known != numel) {
    return kernelError("reshape: shape " + shapeString(shape) + " is invalid for an input of " +
                       "shape " + shapeString(from));
  }
  return target;
}

llvm::Expected<Tensor> reshape(const Tensor &x, llvm::ArrayRef<int64_t> shape) {
  llvm::Expected<Shape> target = reshapeTarget(x.shape(), shape);
  if (!target)
    return target.takeError();
  auto copy = clone(x);
  if (!copy)
    return copy.takeError();
  return copy->reshaped(*target);
}

llvm::Expected<Tensor> permute(const Tensor &x, llvm::ArrayRef<int64_t> dims) {
  if (static_cast<int64_t>(dims.size()) != x.rank())
    return kernelError("permute: " + llvm::Twine(dims.size()) + " dims for a rank " +
                       llvm::Twine(x.rank()) + " tensor");
  Shape inStrides = contiguousStrides(x.shape());
  Shape outShape, strides;
  std::vector<bool> seen(x.rank(), false);
  for (int64_t d : dims) {
    auto dim = normalizeDim(d, x.rank(), "permute");
    if (!dim)
      return dim.takeError();
    if (seen[*dim])
      return kernelError("permute: dim " + llvm::Twine(d) + " repeated");
    seen[*dim] = true;
    outShape.push_back(x.dim(*dim));
    strides.push_back(inStrides[*dim]);
  }
  return gatherElements(x, outShape, stridedSourceIndex(outShape, strides, 0));
}

llvm::Expected<Tensor> transpose(const Tensor &x, int64_t dim0, int64_t dim1) {
  if (x.rank() == 0)
    return clone(x);
  auto d0 = normalizeDim(dim0, x.rank(), "transpose");
  if (!d0)
    return d0.takeError();
  auto d1 = normalizeDim(dim1, x.rank(), "transpose");
  if (!d1)
    return d1.takeError();
  std::vector<int64_t> order(static_cast<size_t>(x.rank()));
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[*d0], order[*d1]);
  return permute(x, order);
}

llvm::Expected<Tensor> unsqueeze(const Tensor &x, int64_t dim) {
  auto d = normalizeDim(dim, x.rank() + 1, "unsqueeze");
  if (!d)
    return d.takeError();
  Shape shape = x.shape();
  shape.insert(shape.begin() + *d, 1);
  auto copy = clone(x);
  if (!copy)
    return copy.takeError();
  return copy->reshaped(shape);
}

llvm::Expected<Tensor> expand(const Tensor &x, llvm::ArrayRef<int64_t> sizes) {
  if (static_cast<int64_t>(sizes.size()) < x.rank())
    return kernelError("expand: " + shapeString(sizes) + " has fewer dims than " +
                       shapeString(x.shape()));
  size_t lead = sizes.size() - x.shape().size();
  Shape outShape(sizes.begin(), sizes.end());
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i < lead) {
      if (sizes[i] < 0)
        return kernelError("expand: -1 is not allowed for a new leading dim");
      continue;
    }
    int64_t have = x.shape()[i - lead];
    if (sizes[i] == -1)
      outShape[i] = have;
    else if (have != sizes[i] && have != 1)
      return kernelError("expand: cannot expand " + shapeString(x.shape()) + " to " +
                         shapeString(sizes));
  }
  if (auto n = checkedNumel(outShape, "expand"); !n)
    return n.takeError();
  return gatherElements(x, outShape, broadcastSourceIndex(x.shape(), outShape));
}

llvm::Expected<Tensor> slice(const Tensor &x, int64_t dim, std::optional<int64_t> start,
                             std::optional<int64_t> end, int64_t step) {
  if (x.rank() == 0)
    return kernelError("slice: cannot slice a 0-d tensor");
  auto d = normalizeDim(dim, x.rank(), "slice");
  if (!d)
    return d.takeError();
  if (step <= 0)
    return kernelError("slice: step must be positive, got " + llvm::Twine(step));
  int64_t size = x.dim(*d);
  auto [first, last] = sliceBounds(size, start, end);

  Shape outShape = x.shape();
  outShape[*d] = (last - first + step - 1) / step;
  Shape strides = contiguousStrides(x.shape());
  int64_t offset = first * strides[*d];
  strides[*d] *= step;
  return gatherElements(x, outShape, stridedSourceIndex(outShape, strides, offset));
}

llvm::Expected<Tensor> cat(llvm::ArrayRef<Tensor> tensors, int64_t dim) {
  // PyTorch skips legacy 1-D empty tensors when other inputs have a real shape.
  std::vector<Tensor> parts;
  for (const Tensor &t : tensors)
    if (!(t.rank() == 1 && t.numel() == 0))
      parts.push_back(t);
  if (parts.empty())
    return tensors.empty() ? llvm::Expected<Tensor>(kernelError("cat: no tensors"))
                           : clone(tensors.front());
  const Tensor &first = parts.front();
  if (first.rank() == 0)
    return kernelError("cat: zero-dimensional tensors cannot be concatenated");
  auto d = normalizeDim(dim, first.rank(), "cat");
  if (!d)
    return d.takeError();

  DType resultDtype = first.dtype();
  Shape outShape = first.shape();
  outShape[*d] = 0;
  for (const Tensor &t : parts) {
    if (t.rank() != first.rank())
      return kernelError("cat: tensors of rank " + llvm::Twine(t.rank()) + " and " +
                         llvm::Twine(first.rank()));
    for (int64_t i = 0; i < t.rank(); ++i)
      if (i != *d && t.dim(i) != first.dim(i))
        return kernelError("cat: shapes " + shapeString(first.shape()) + " and " +
                           shapeString(t.shape()) + " differ outside dim " + llvm::Twine(*d));
    outShape[*d] += t.dim(*d);
    resultDtype = promoteTypes(resultDtype, t.dtype());
  }

  Tensor result(resultDtype, outShape);
  DimLines out = linesAlong(outShape, *d);
  int64_t position = 0;
  for (const Tensor &t : parts) {
    auto part = toDType(t, resultDtype);
    if (!part)
      return part.takeError();
    DimLines in = linesAlong(t.shape(), *d);
    size_t elementSize = dtypeSize(resultDtype);
    size_t runBytes = static_cast<size_t>(in.size * in.inner) * elementSize;
    for (int64_t o = 0; o < in.outer && runBytes > 0; ++o) // an empty part has no data
      std::memcpy(result.mutableData<uint8_t>() + out.at(o, position, 0) * elementSize,
                  part->data<uint8_t>() + in.at(o, 0, 0) * elementSize, runBytes);
    position += in.size;
  }
  return result;
}

llvm::Expected<Tensor> diff(const Tensor &x, int64_t n, int64_t dim,
                            const std::optional<Tensor> &prepend,
                            const std::optional<Tensor> &append) {
  if (x.rank() == 0)
    return kernelError("diff: needs a tensor of at least one dim");
  if (n < 0)
    return kernelError("diff: order must be non-negative, got " + llvm::Twine(n));
  auto d = normalizeDim(dim, x.rank(), "diff");
  if (!d)
    return d.takeError();
  std::vector<Tensor> parts;
  for (const std::optional<Tensor> &t : {prepend, std::optional<Tensor>(x), append}) {
    if (!t)
      continue;
    if (t->rank() != x.rank())
      return kernelError("diff: prepend/append must have the input's rank");
    parts.push_back(*t);
  }
  auto current = cat(parts, *d);
  for (int64_t i = 0; i < n && current; ++i) {
    auto later = slice(*current, *d, 1, std::nullopt);
    auto earlier = slice(*current, *d, 0, -1);
    if (!later || !earlier)
      return llvm::joinErrors(later.takeError(), earlier.takeError());
    // Bool differences are logical xor.
    current = current->dtype() == DType::Bool ? ne(*later, *earlier) : sub(*later, *earlier);
  }
  return current;
}

llvm::Expected<Tensor> index(const Tensor &x, llvm::ArrayRef<std::optional<Tensor>> indices) {
  if (static_cast<int64_t>(indices.size()) > x.rank())
    return kernelError("index: " + llvm::Twine(indices.size()) + " indices for a rank " +
                       llvm::Twine(x.rank()) + " tensor");
  std::vector<int64_t> indexedDims;
  Shape indexShape;
  for (size_t d = 0; d < indices.size(); ++d) {
    if (!indices[d])
      continue;
    DType t = indices[d]->dtype();
    if (isFloatingPoint(t) || t == DType::Bool || t == DType::UInt8)
      return kernelError("index: index tensors must be integers (bool masks are not "
                         "supported), got " +
                         nameOf(t));
    auto shape = indexedDims.empty() ? llvm::Expected<Shape>(indices[d]->shape())
                                     : broadcastShapes(indexShape, indices[d]->shape(), "index");
    if (!shape)
      return shape.takeError();
    indexShape = *shape;
    indexedDims.push_back(static_cast<int64_t>(d));
  }
  if (indexedDims.empty())
    return clone(x);

  // Adjacent indexed dims put the broadcast index dims in their place; otherwise they go
  // first (numpy's rule).
  bool adjacent =
      indexedDims.back() - indexedDims.front() + 1 == static_cast<int64_t>(indexedDims.size());
  int64_t insertAt = adjacent ? indexedDims.front() : 0;
  std::vector<int64_t> keptDims; // x dims not indexed, in order
  std::vector<bool> isIndexed(x.rank(), false);
  for (int64_t d : indexedDims)
    isIndexed[d] = true;
  for (int64_t d = 0; d < x.rank(); ++d)
    if (!isIndexed[d])
      keptDims.push_back(d);

  Shape outShape;
  for (size_t k = 0; k < keptDims.size(); ++k) {
    if (static_cast<int64_t>(k) == insertAt)
      outShape.insert(outShape.end(), indexShape.begin(), indexShape.end());
    outShape.push_back(x.dim(keptDims[k]));
  }
  if (static_cast<int64_t>(keptDims.size()) <= insertAt)
    outShape.insert(outShape.end(), indexShape.begin(), indexShape.end());
  auto total = checkedNumel(outShape, "index");
  if (!total)
    return total.takeError();

  std::vector<std::vector<int64_t>> indexSource;
  for (int64_t d : indexedDims)
    indexSource.push_back(broadcastSourceIndex(indices[d]->shape(), indexShape));
  Shape xStrides = contiguousStrides(x.shape());
  Shape outStrides = contiguousStrides(outShape);
  int64_t indexRank = static_cast<int64_t>(indexShape.size());
  Shape indexStrides = contiguousStrides(indexShape);

  std::vector<int64_t> source(static_cast<size_t>(*total));
  for (int64_t flat = 0; flat < *total; ++flat) {
    int64_t offset = 0, indexFlat = 0;
    for (int64_t od = 0; od < static_cast<int64_t>(outShape.size()); ++od) {
      int64_t coordinate = (flat / outStrides[od]) % outShape[od];
      if (od >= insertAt && od < insertAt + indexRank) {
        indexFlat += coordinate * indexStrides[od - insertAt];
      } else {
        int64_t keptPosition = od < insertAt ? od : od - indexRank;
        offset += coordinate * xStrides[keptDims[keptPosition]];
      }
    }
    for (size_t k = 0; k < indexedDims.size(); ++k) {
      int64_t d = indexedDims[k];
      int64_t i = indices[d]->getInt(indexSource[k][indexFlat]);
      if (i < -x.dim(d) || i >= x.dim(d))
        return kernelError("index: index " + llvm::Twine(i) + " is out of bounds for dim " +
                           llvm::Twine(d) + " of size " + llvm::Twine(x.dim(d)));
      offset += (i < 0 ? i + x.dim(d) : i) * xStrides[d];
    }
    source[flat] = offset;
  }
  return gatherElements(x, outShape, source);
}

llvm::Expected<Tensor> arange(const Scalar &start, const Scalar &end, const Scalar &step,
                              std::optional<DType> dtype) {
  bool allIntegers = !start.isFloat() && !end.isFloat() && !step.isFloat();
  DType resultDtype = dtype.value_or(allIntegers ? DType::Int64 : DType::Float32);
  double first = start.toDouble(), last = end.toDouble(), by = step.toDouble();
  if (by == 0 || !std::isfinite(first) || !std::isfinite(last) || !std::isfinite(by))
    return kernelError("arange: step must be nonzero and bounds finite");
  if ((by > 0 && last < first) || (by < 0 && last > first))
    return kernelError("arange: bounds inconsistent with the step sign");
  double count = std::ceil((last - first) / by);
  if (count > static_cast<double>(INT64_MAX / 16))
    return kernelError("arange: too many elements");
  Tensor result(resultDtype, {static_cast<int64_t>(count)});
  for (int64_t i = 0; i < result.numel(); ++i) {
    if (allIntegers && !isFloatingPoint(resultDtype))
      result.setInt(i, start.i + i * step.i);
    else
      result.setDouble(i, first + static_cast<double>(i) * by);
  }
  return result;
}

llvm::Expected<Tensor> arange(const Scalar &end, std::optional<DType> dtype) {
  return arange(Scalar::ofInt(0), end, Scalar::ofInt(1), dtype);
}

llvm::Expected<Tensor> full(llvm::ArrayRef<int64_t> shape, const Scalar &value,
                            std::optional<DType> dtype) {
  if (auto n = checkedNumel(shape, "full"); !n)
    return n.takeError();
  DType defaultDtype = value.kind == Scalar::Kind::Bool  ? DType::Bool
                       : value.kind == Scalar::Kind::Int ? DType::Int64
                                                         : DType::Float32;
  Tensor result(dtype.value_or(defaultDtype), Shape(shape.begin(), shape.end()));
  for (int64_t i = 0; i < result.numel(); ++i) {
    if (value.isFloat())
      result.setDouble(i, value.f);
    else
      result.setInt(i, value.i);
  }
  return result;
}

llvm::Expected<Tensor> newOnes(const Tensor &self, llvm::ArrayRef<int64_t> shape,
                               std::optional<DType> dtype) {
  return full(shape, Scalar::ofInt(1), dtype.value_or(self.dtype()));
}

} // namespace vkqc::interp
