// Helpers shared by the kernel implementations (not part of the kernel API).
#pragma once

#include "compiler/semantics/Kernels.h"

#include "llvm/ADT/Twine.h"

#include <optional>
#include <utility>
#include <vector>

namespace vkqc::interp {

/// An llvm::Error carrying `message` (kernels prefix it with the op name).
llvm::Error kernelError(const llvm::Twine &message);

/// The dtype's IR name ("f32", ...) for messages.
llvm::StringRef nameOf(DType dtype);

/// Shape formatted like "[2, 3]" for messages.
std::string shapeString(llvm::ArrayRef<int64_t> shape);

/// Wrap a possibly negative dim into [0, rank); an error names `op` when out of range.
llvm::Expected<int64_t> normalizeDim(int64_t dim, int64_t rank, llvm::StringRef op);

/// Overflow-checked element count of a shape with non-negative dims.
llvm::Expected<int64_t> checkedNumel(llvm::ArrayRef<int64_t> shape, llvm::StringRef op);

/// c10::promoteTypes for the dtypes vkqc knows.
DType promoteTypes(DType a, DType b);
/// PyTorch's result_type over operands: dimensioned tensors outrank 0-d tensors, which
/// outrank wrapped numbers, unless a lower rank brings a higher category (bool<int<float).
DType resultType(llvm::ArrayRef<Operand> operands);
/// The dtype PyTorch computes in for `dtype` (f32 for f16/bf16).
DType opmathType(DType dtype);

/// numpy broadcasting of two shapes.
llvm::Expected<Shape> broadcastShapes(const Shape &a, const Shape &b, llvm::StringRef op);
/// For every element of `out` (row-major), the flat index of the element of a tensor of
/// shape `in` that broadcasting maps to it. `in` must be broadcastable to `out`.
std::vector<int64_t> broadcastSourceIndex(const Shape &in, const Shape &out);

/// For every element of `out` (row-major), `offset + sum(index[d] * strides[d])`: the
/// source element of a strided view (strides may be 0 for broadcast dims).
std::vector<int64_t> stridedSourceIndex(const Shape &out, const Shape &strides, int64_t offset);

/// A new tensor of `shape` and `source`'s dtype whose element i is `source`'s element
/// `sourceIndex[i]`: the one data-movement primitive behind permute, slice, expand, ...
Tensor gatherElements(const Tensor &source, const Shape &shape,
                      llvm::ArrayRef<int64_t> sourceIndex);

/// The shape a view/reshape of a `from`-shaped tensor to `shape` has: one -1 inferred from
/// the element count, which must match.
llvm::Expected<Shape> reshapeTarget(const Shape &from, llvm::ArrayRef<int64_t> shape);

/// PyTorch's slice bounds over a dim of `size`: negative bounds wrap once, then clamp into
/// [0, size] with end >= start. Returns (start, end).
std::pair<int64_t, int64_t> sliceBounds(int64_t size, std::optional<int64_t> start,
                                        std::optional<int64_t> end);

/// torch.matmul's view of its operands: a 1-D a is a row [1, K], a 1-D b a column [K, 1]
/// (that dim is dropped from the result again); the batch dims broadcast.
struct MatmulShapes {
  Shape aBatch, bBatch, batch; // batch dims of a, b and the result
  int64_t m = 0, k = 0, n = 0;
  Shape result;
};
/// The error says what is wrong without the op name ("shapes [2, 3] and [4, 5] cannot be
/// multiplied", "batch dims of ... do not broadcast"); operands must have rank >= 1.
llvm::Expected<MatmulShapes> matmulShapes(const Shape &a, const Shape &b);

/// Row-major strides of a contiguous tensor of `shape`.
Shape contiguousStrides(const Shape &shape);

/// A contiguous tensor seen as [outer, size, inner] around one dim: element k of line
/// (o, i) is at flat index (o * size + k) * inner + i.
struct DimLines {
  int64_t outer = 1;
  int64_t size = 1;
  int64_t inner = 1;
  int64_t at(int64_t o, int64_t k, int64_t i) const { return (o * size + k) * inner + i; }
};
DimLines linesAlong(const Shape &shape, int64_t dim);

/// All elements as doubles (exact for every float dtype).
std::vector<double> toDoubles(const Tensor &t);

/// A 0-d tensor holding `s` (f64, i64 or bool).
Tensor scalarTensor(const Scalar &s);

/// Checks that `t` has a floating-point dtype.
llvm::Error requireFloat(const Tensor &t, llvm::StringRef op, llvm::StringRef what);

/// Gather-then-dequantize of a 4-bit packed table weight u8 [V, D/2] with scales [V, G]
/// (or [V] for one group): out[..., c] = (q - zp) * scale for the rows named by `indices`,
/// cast to `outDtype`. With `arithmeticDtype` unset the steps round to PyTorch's promoted
/// dtypes (int8 - zp, then * scale: quantized_decomposed); with it set every operand is
/// first cast to it (ExecuTorch's `q.float() * scales.float()`). Serves the legacy
/// embedding_4bit and et_vk.embedding_q4gsw.
llvm::Expected<Tensor> gatherDequantQ4Rows(const Tensor &weight, const Tensor &scales,
                                           const std::optional<Tensor> &zeroPoints,
                                           int64_t groupSize, const Tensor &indices,
                                           bool lowNibbleFirst,
                                           std::optional<DType> arithmeticDtype, DType outDtype,
                                           llvm::StringRef op);

} // namespace vkqc::interp
