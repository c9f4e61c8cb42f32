// One handler per op kind: read the node's arguments, call the kernel.
#include "compiler/interp/OpHandlers.h"

#include "compiler/semantics/LayoutKernels.h"

#include <array>

namespace vkqc::interp {

namespace {

using Args = NodeArguments;
using Result = llvm::Expected<OpResults>;

// ---- shared shapes of handler ------------------------------------------------------------

template <llvm::Expected<Tensor> (*Kernel)(const Tensor &)> Result unaryOp(Args &a) {
  Tensor self = a.tensor("self");
  return a.finish([&] { return Kernel(self); });
}

template <llvm::Expected<Tensor> (*Kernel)(const Operand &, const Operand &)>
Result binaryOp(Args &a) {
  Operand self = a.operand("self"), other = a.operand("other");
  return a.finish([&] { return Kernel(self, other); });
}

template <llvm::Expected<Tensor> (*Kernel)(const Operand &, const Operand &, const Scalar &)>
Result binaryWithAlpha(Args &a) {
  Operand self = a.operand("self"), other = a.operand("other");
  Scalar alpha = a.scalar("alpha");
  return a.finish([&] { return Kernel(self, other, alpha); });
}

/// view / _unsafe_view / reshape: the same kernel, the sizes under different names.
Result reshapeBy(Args &a, llvm::StringRef sizesArg) {
  Tensor self = a.tensor("self");
  std::vector<int64_t> sizes = a.integers(sizesArg);
  return a.finish([&] { return reshape(self, sizes); });
}
Result viewOp(Args &a) { return reshapeBy(a, "size"); }
Result reshapeOp(Args &a) { return reshapeBy(a, "shape"); }

// ---- aten --------------------------------------------------------------------------------

// Only the dtype is checked: sizes and strides are layout facts of eager PyTorch.
Result assertTensorMetadata(Args &a) {
  Tensor t = a.tensor("a");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&]() -> llvm::Error {
    if (!dtype || *dtype == t.dtype())
      return llvm::Error::success();
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "tensor has dtype " + std::string(dtypeName(t.dtype())) +
                                       ", the assertion wants " + std::string(dtypeName(*dtype)));
  });
}

Result toCopy(Args &a) {
  Tensor self = a.tensor("self");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&] { return dtype ? toDType(self, *dtype) : clone(self); });
}

Result arangeOp(Args &a) {
  Scalar end = a.scalar("end");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&] { return arange(end, dtype); });
}

Result bmmOp(Args &a) {
  Tensor self = a.tensor("self"), mat2 = a.tensor("mat2");
  return a.finish([&] { return bmm(self, mat2); });
}

Result catOp(Args &a) {
  std::vector<Tensor> tensors = a.tensors("tensors");
  int64_t dim = a.integer("dim");
  return a.finish([&] { return cat(tensors, dim); });
}

Result cumsumOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t dim = a.integer("dim");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&] { return cumsum(self, dim, dtype); });
}

Result diffOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t n = a.integer("n"), dim = a.integer("dim");
  std::optional<Tensor> prepend = a.optionalTensor("prepend");
  std::optional<Tensor> append = a.optionalTensor("append");
  return a.finish([&] { return diff(self, n, dim, prepend, append); });
}

// padding_idx, scale_grad_by_freq and sparse only change the backward pass.
Result embeddingOp(Args &a) {
  Tensor weight = a.tensor("weight"), indices = a.tensor("indices");
  return a.finish([&] { return embedding(weight, indices); });
}

// `implicit` only records how the expand arose.
Result expandOp(Args &a) {
  Tensor self = a.tensor("self");
  std::vector<int64_t> sizes = a.integers("size");
  return a.finish([&] { return expand(self, sizes); });
}

Result indexOp(Args &a) {
  Tensor self = a.tensor("self");
  std::vector<std::optional<Tensor>> indices = a.optionalTensors("indices");
  return a.finish([&] { return index(self, indices); });
}

Result linearOp(Args &a) {
  Tensor input = a.tensor("input"), weight = a.tensor("weight");
  std::optional<Tensor> bias = a.optionalTensor("bias");
  return a.finish([&] { return linear(input, weight, bias); });
}

Result matmulOp(Args &a) {
  Tensor self = a.tensor("self"), other = a.tensor("other");
  return a.finish([&] { return matmul(self, other); });
}

Result meanOp(Args &a) {
  Tensor self = a.tensor("self");
  std::vector<int64_t> dims = a.optionalIntegers("dim").value_or(std::vector<int64_t>());
  bool keepdim = a.boolean("keepdim");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&] { return mean(self, dims, keepdim, dtype); });
}

Result newOnesOp(Args &a) {
  Tensor self = a.tensor("self");
  std::vector<int64_t> sizes = a.integers("size");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&] { return newOnes(self, sizes, dtype); });
}

Result permuteOp(Args &a) {
  Tensor self = a.tensor("self");
  std::vector<int64_t> dims = a.integers("dims");
  return a.finish([&] { return permute(self, dims); });
}

Result powOp(Args &a) {
  Tensor self = a.tensor("self");
  Scalar exponent = a.scalar("exponent");
  return a.finish([&] { return pow(self, exponent); });
}

Result attentionOp(Args &a) {
  Tensor q = a.tensor("query"), k = a.tensor("key"), v = a.tensor("value");
  std::optional<Tensor> mask = a.optionalTensor("attn_mask");
  double dropout = a.real("dropout_p");
  bool causal = a.boolean("is_causal");
  std::optional<double> scale = a.optionalReal("scale");
  bool gqa = a.boolean("enable_gqa");
  if (dropout != 0.0)
    a.fail("dropout_p", "must be 0 for inference");
  return a.finish(
      [&] { return scaledDotProductAttention(q, k, v, mask, dropout, causal, scale, gqa); });
}

Result sliceOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t dim = a.integer("dim"), step = a.integer("step");
  std::optional<int64_t> start = a.optionalInteger("start"), end = a.optionalInteger("end");
  return a.finish([&] { return slice(self, dim, start, end, step); });
}

// softmax(x, dim, dtype) casts x to dtype first, like PyTorch.
Result softmaxOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t dim = a.integer("dim");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&]() -> llvm::Expected<Tensor> {
    if (!dtype)
      return softmax(self, dim);
    llvm::Expected<Tensor> cast = toDType(self, *dtype);
    if (!cast)
      return cast.takeError();
    return softmax(*cast, dim);
  });
}

Result whereOp(Args &a) {
  Tensor condition = a.tensor("condition");
  Operand self = a.operand("self"), other = a.operand("other");
  return a.finish([&] { return where(condition, self, other); });
}

Result fullOp(Args &a) {
  std::vector<int64_t> sizes = a.integers("size");
  Scalar value = a.scalar("fill_value");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&] { return full(sizes, value, dtype); });
}

// _softmax(x, dim, half_to_float): half_to_float (a CUDA-only fusion) must be false.
Result softmaxEdgeOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t dim = a.integer("dim");
  if (a.boolean("half_to_float"))
    a.fail("half_to_float", "is only supported on CUDA");
  return a.finish([&] { return softmax(self, dim); });
}

Result symSizeOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t dim = a.integer("dim");
  return a.finish([&]() -> llvm::Expected<int64_t> {
    if (dim < -self.rank() || dim >= self.rank())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "dim " + std::to_string(dim) + " out of range for rank " +
                                         std::to_string(self.rank()));
    return self.dim(dim);
  });
}

Result transposeOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t dim0 = a.integer("dim0"), dim1 = a.integer("dim1");
  return a.finish([&] { return transpose(self, dim0, dim1); });
}

Result unsqueezeOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t dim = a.integer("dim");
  return a.finish([&] { return unsqueeze(self, dim); });
}

// ---- other decoder families ---------------------------------------------------------------

// The dtype the node declares for its (only) result: casts and fills produce it.
DType resultDType(Args &a) {
  if (a.node().results.empty() || !a.node().results[0]->isTensor()) {
    a.fail("result", "the node declares no tensor result");
    return DType::Float32;
  }
  return a.node().results[0]->dtype;
}

// alias, contiguous, detach, lift_fresh_copy: the value itself (vkqc tensors are contiguous).
Result identityOp(Args &a) {
  Tensor self = a.tensor("self");
  return a.finish([&] { return self; });
}

// dropout at inference (train=False or p=0) is the identity.
Result dropoutOp(Args &a) {
  Tensor input = a.tensor("input");
  double p = a.real("p");
  bool train = a.boolean("train");
  if (train && p != 0.0)
    a.fail("train", "training-mode dropout is random; inference programs have none");
  return a.finish([&] { return input; });
}

// to.dtype / to.dtype_layout / to.device and type_as: a cast to the result's dtype.
Result castToResultOp(Args &a) {
  Tensor self = a.tensor("self");
  DType dtype = resultDType(a);
  return a.finish([&]() -> llvm::Expected<Tensor> {
    if (self.dtype() == dtype)
      return self;
    return toDType(self, dtype);
  });
}

Result geluOp(Args &a) {
  Tensor self = a.tensor("self");
  std::string approximate = a.string("approximate");
  return a.finish([&] { return gelu(self, approximate); });
}

Result clampOp(Args &a) {
  Tensor self = a.tensor("self");
  std::optional<Scalar> min = a.optionalScalar("min"), max = a.optionalScalar("max");
  return a.finish([&] { return clamp(self, min, max); });
}

// where.ScalarOther / ScalarSelf / Scalar: the scalar sides are wrapped numbers.
Result whereScalarOp(Args &a) {
  Tensor condition = a.tensor("condition");
  Operand self = a.operand("self"), other = a.operand("other");
  return a.finish([&] { return where(condition, self, other); });
}

template <LogicalOp Op> Result logicalOp(Args &a) {
  Tensor self = a.tensor("self"), other = a.tensor("other");
  return a.finish([&] { return logical(Op, self, other); });
}

Result logicalNotOp(Args &a) {
  Tensor self = a.tensor("self");
  return a.finish([&] { return logicalNot(self); });
}

Result bitwiseOrOp(Args &a) {
  Tensor self = a.tensor("self"), other = a.tensor("other");
  return a.finish([&] { return bitwiseOr(self, other); });
}

Result maskedFillOp(Args &a) {
  Tensor self = a.tensor("self"), mask = a.tensor("mask");
  Scalar value = a.scalar("value");
  return a.finish([&] { return maskedFill(self, mask, value); });
}

Result trilOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t diagonal = a.integer("diagonal");
  return a.finish([&] { return tril(self, diagonal); });
}

Result selectOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t dim = a.integer("dim"), index = a.integer("index");
  return a.finish([&] { return select(self, dim, index); });
}

// index_select(x, dim, index) = x[:, ..., index] along dim (aten.index with leading Nones).
Result indexSelectOp(Args &a) {
  Tensor self = a.tensor("self"), indexTensor = a.tensor("index");
  int64_t dim = a.integer("dim");
  return a.finish([&]() -> llvm::Expected<Tensor> {
    int64_t d = dim < 0 ? dim + self.rank() : dim;
    if (d < 0 || d >= self.rank() || indexTensor.rank() > 1)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "index_select: dim out of range or an index of more than 1 dim");
    std::vector<std::optional<Tensor>> indices(static_cast<size_t>(d), std::nullopt);
    indices.push_back(indexTensor);
    return index(self, indices);
  });
}

// zeros / ones / *_like / scalar_tensor: full of the result's shape and dtype.
Result fillResultOp(Args &a, double value) {
  DType dtype = resultDType(a);
  std::vector<int64_t> shape;
  if (a.node().hasArg("size"))
    shape = a.integers("size");
  else if (a.node().hasArg("self"))
    shape = a.tensor("self").shape();
  return a.finish([&] { return full(shape, Scalar::ofFloat(value), dtype); });
}
Result zerosOp(Args &a) { return fillResultOp(a, 0.0); }
Result onesOp(Args &a) { return fillResultOp(a, 1.0); }

Result fullLikeOp(Args &a) {
  Tensor self = a.tensor("self");
  Scalar value = a.scalar("fill_value");
  DType dtype = resultDType(a);
  return a.finish([&] { return full(self.shape(), value, dtype); });
}

Result scalarTensorOp(Args &a) {
  Scalar s = a.scalar("s");
  DType dtype = resultDType(a);
  return a.finish([&] { return full({}, s, dtype); });
}

Result arangeStartOp(Args &a) {
  Scalar start = a.scalar("start"), end = a.scalar("end");
  Scalar step = a.node().hasArg("step") ? a.scalar("step") : Scalar::ofInt(1);
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish([&] { return arange(start, end, step, dtype); });
}

Result splitOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t splitSize = a.integer("split_size"), dim = a.integer("dim");
  return a.finish([&]() -> llvm::Expected<std::vector<Tensor>> {
    int64_t d = dim < 0 ? dim + self.rank() : dim;
    if (d < 0 || d >= self.rank())
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "split: dim out of range");
    return splitBySizes(self, splitSizes(self.dim(d), splitSize), dim);
  });
}

Result splitWithSizesOp(Args &a) {
  Tensor self = a.tensor("self");
  std::vector<int64_t> sizes = a.integers("split_sizes");
  int64_t dim = a.integer("dim");
  return a.finish([&] { return splitBySizes(self, sizes, dim); });
}

Result chunkOp(Args &a) {
  Tensor self = a.tensor("self");
  int64_t chunks = a.integer("chunks"), dim = a.integer("dim");
  return a.finish([&]() -> llvm::Expected<std::vector<Tensor>> {
    int64_t d = dim < 0 ? dim + self.rank() : dim;
    if (d < 0 || d >= self.rank() || chunks <= 0)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "chunk: dim out of range or chunks <= 0");
    return splitBySizes(self, splitSizes(self.dim(d), (self.dim(d) + chunks - 1) / chunks), dim);
  });
}

// squeeze.dim / squeeze.dims: the result's shape (the verifier checked it).
Result squeezeOp(Args &a) {
  Tensor self = a.tensor("self");
  return a.finish([&]() -> llvm::Expected<Tensor> {
    Shape out;
    int64_t rank = self.rank();
    std::vector<int64_t> dims;
    const ArgValue &dimArg = a.node().arg("dim");
    if (std::optional<int64_t> one = asInt(dimArg))
      dims.push_back(*one);
    else if (std::optional<std::vector<int64_t>> many = asLiteralInts(dimArg))
      dims = *many;
    for (int64_t &d : dims)
      d = d < 0 ? d + rank : d;
    for (int64_t i = 0; i < rank; ++i)
      if (!(llvm::is_contained(dims, i) && self.dim(i) == 1))
        out.push_back(self.dim(i));
    return self.reshaped(out);
  });
}

// ---- torchao and quantized_decomposed ----------------------------------------------------

Result chooseQParamsOp(Args &a) {
  std::optional<Tensor> input = a.optionalTensor("input");
  if (!input)
    a.fail("input", "None is not supported");
  MappingType mapping = a.parsedString("mapping_type", parseMappingType);
  std::vector<int64_t> blockSize = a.integers("block_size");
  DType target = a.dtype("target_dtype");
  std::optional<int64_t> qmin = a.optionalInteger("quant_min");
  std::optional<int64_t> qmax = a.optionalInteger("quant_max");
  std::optional<double> eps = a.optionalReal("eps");
  std::optional<DType> scaleDtype = a.optionalDType("scale_dtype");
  std::optional<DType> zeroPointDtype = a.optionalDType("zero_point_dtype");
  bool keepdim = a.boolean("keepdim");
  return a.finish([&] {
    return chooseQParamsAffine(*input, mapping, blockSize, target, qmin, qmax, eps, scaleDtype,
                               zeroPointDtype, keepdim);
  });
}

Result quantizeAffineOp(Args &a) {
  Tensor input = a.tensor("input"), scale = a.tensor("scale");
  std::vector<int64_t> blockSize = a.integers("block_size");
  std::optional<Tensor> zeroPoint = a.optionalTensor("zero_point");
  DType outputDtype = a.dtype("output_dtype");
  std::optional<int64_t> qmin = a.optionalInteger("quant_min");
  std::optional<int64_t> qmax = a.optionalInteger("quant_max");
  return a.finish(
      [&] { return quantizeAffine(input, blockSize, scale, zeroPoint, outputDtype, qmin, qmax); });
}

Result dequantizeAffineOp(Args &a) {
  Tensor input = a.tensor("input"), scale = a.tensor("scale");
  std::vector<int64_t> blockSize = a.integers("block_size");
  std::optional<Tensor> zeroPoint = a.optionalTensor("zero_point");
  DType inputDtype = a.dtype("input_dtype"), outputDtype = a.dtype("output_dtype");
  std::optional<int64_t> qmin = a.optionalInteger("quant_min");
  std::optional<int64_t> qmax = a.optionalInteger("quant_max");
  return a.finish([&] {
    return dequantizeAffine(input, blockSize, scale, zeroPoint, inputDtype, qmin, qmax,
                            outputDtype);
  });
}

Result embedding4bitOp(Args &a) {
  Tensor weight = a.tensor("weight"), scales = a.tensor("weight_scales");
  std::optional<Tensor> zeroPoints = a.optionalTensor("weight_zero_points");
  int64_t qmin = a.integer("weight_quant_min"), qmax = a.integer("weight_quant_max");
  Tensor indices = a.tensor("indices");
  std::optional<DType> dtype = a.optionalDType("dtype");
  return a.finish(
      [&] { return embedding4bit(weight, scales, zeroPoints, qmin, qmax, indices, dtype); });
}

// ---- et_vk fused ops ---------------------------------------------------------------------

// et_vk.sdpa: q, k, v [B, H, S, D] with as many k/v heads as q heads, an additive float mask.
Result etvkSdpaOp(Args &a) {
  Tensor q = a.tensor("q"), k = a.tensor("k"), v = a.tensor("v");
  std::optional<Tensor> mask = a.optionalTensor("attn_mask");
  std::optional<double> scale = a.optionalReal("scale");
  return a.finish([&]() -> llvm::Expected<Tensor> {
    if (mask && !isFloatingPoint(mask->dtype()))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "et_vk.sdpa: the mask must be an additive float mask");
    return scaledDotProductAttention(q, k, v, mask, 0.0, false, scale, false);
  });
}

// et_vk.prepack copies a constant into a device tensor: the value is unchanged.
Result prepackOp(Args &a) {
  Tensor x = a.tensor("x");
  return a.finish([&] { return x; });
}

Result linearQ4gswOp(Args &a) {
  Tensor x = a.tensor("self"), weights = a.tensor("weights");
  Tensor scales = a.tensor("weight_scales");
  int64_t groupSize = a.integer("group_size");
  std::optional<Tensor> bias = a.optionalTensor("bias");
  return a.finish([&] { return linearQ4gsw(x, weights, scales, groupSize, bias); });
}

Result linearDq8caQ4gswOp(Args &a) {
  Tensor x = a.tensor("input"), inputScales = a.tensor("input_scales");
  Tensor inputZeroPoints = a.tensor("input_zp"), weights = a.tensor("weights");
  Tensor weightSums = a.tensor("weight_sums"), scales = a.tensor("weight_scales");
  int64_t groupSize = a.integer("group_size");
  std::optional<Tensor> bias = a.optionalTensor("bias");
  return a.finish([&] {
    return linearDq8caQ4gsw(x, inputScales, inputZeroPoints, weights, weightSums, scales, groupSize,
                            bias);
  });
}

Result int4TensorLinearOp(Args &a) {
  Tensor x = a.tensor("X"), w = a.tensor("W");
  Tensor scale = a.tensor("w_scale_group"), zero = a.tensor("w_zero_group");
  return a.finish([&] { return int4TensorLinear(x, w, scale, zero); });
}

Result rmsNormOp(Args &a) {
  Tensor x = a.tensor("x"), weight = a.tensor("weight");
  double eps = a.real("eps");
  return a.finish([&] { return rmsNorm(x, weight, eps); });
}

Result embeddingQ4gswOp(Args &a) {
  Tensor weight = a.tensor("weight"), scales = a.tensor("weight_scales");
  int64_t groupSize = a.integer("group_size");
  Tensor indices = a.tensor("indices");
  bool isLinearWeight = a.boolean("is_linear_weight");
  // The kernel computes in f32 (as ExecuTorch's reference does); the node says what it
  // stores, which is the compute dtype (f16 under --dtype=fp16).
  const std::vector<Value *> &results = a.node().results;
  return a.finish([&]() -> llvm::Expected<Tensor> {
    llvm::Expected<Tensor> rows =
        embeddingQ4gsw(weight, scales, groupSize, indices, isLinearWeight);
    if (!rows || results.empty() || rows->dtype() == results[0]->dtype)
      return rows;
    return toDType(*rows, results[0]->dtype);
  });
}

// ---- vkqc layout ops (folded into constants by pack-weights) ------------------------------

Result packQ4LinearWeightOp(Args &a) {
  Tensor weight = a.tensor("weight");
  return a.finish([&] { return materialize(packQ4LinearWeight(weight)); });
}

Result packQ4EmbeddingWeightOp(Args &a) {
  Tensor weight = a.tensor("weight");
  return a.finish([&] { return materialize(packQ4EmbeddingWeight(weight)); });
}

Result q4WeightSumsOp(Args &a) {
  Tensor weight = a.tensor("weight");
  int64_t groupSize = a.integer("group_size");
  return a.finish([&] { return materialize(q4WeightSums(weight, groupSize)); });
}

Result transposePadScalesOp(Args &a) {
  Tensor scales = a.tensor("scales");
  int64_t align = a.integer("align");
  return a.finish([&] { return materialize(transposePadScales(scales, align)); });
}

Result int4TensorToQ4Op(Args &a) {
  Tensor weight = a.tensor("weight");
  return a.finish([&] { return materialize(int4TensorToQ4Linear(weight)); });
}

Result padColumnsOp(Args &a) {
  Tensor t = a.tensor("self");
  int64_t align = a.integer("align");
  return a.finish([&] { return materialize(padColumns(t, align)); });
}

Result mmOp(Args &a) {
  Tensor self = a.tensor("self"), mat2 = a.tensor("mat2");
  return a.finish([&]() -> llvm::Expected<Tensor> {
    if (self.rank() != 2 || mat2.rank() != 2)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "mm: both operands must be 2-D");
    return matmul(self, mat2);
  });
}

Result swapNibblesOp(Args &a) {
  Tensor weight = a.tensor("weight");
  return a.finish([&] { return materialize(swapNibbles(weight)); });
}

struct HandlerRow {
  OpKind kind;
  OpHandler handler;
};

const HandlerRow handlerRows[] = {
    {OpKind::aten___and___Tensor, binaryOp<bitwiseAnd>},
    {OpKind::aten___or___Tensor, bitwiseOrOp},
    {OpKind::aten_alias_default, identityOp},
    {OpKind::aten_arange_start, arangeStartOp},
    {OpKind::aten_arange_start_step, arangeStartOp},
    {OpKind::aten_bitwise_and_Tensor, binaryOp<bitwiseAnd>},
    {OpKind::aten_bitwise_or_Tensor, bitwiseOrOp},
    {OpKind::aten_chunk_default, chunkOp},
    {OpKind::aten_clamp_default, clampOp},
    {OpKind::aten_contiguous_default, identityOp},
    {OpKind::aten_detach_default, identityOp},
    {OpKind::aten_detach__default, identityOp},
    {OpKind::aten_dropout_default, dropoutOp},
    {OpKind::aten_eq_Scalar, binaryOp<eq>},
    {OpKind::aten_exp_default, unaryOp<interp::exp>},
    {OpKind::aten_full_like_default, fullLikeOp},
    {OpKind::aten_ge_Scalar, binaryOp<ge>},
    {OpKind::aten_ge_Tensor, binaryOp<ge>},
    {OpKind::aten_gelu_default, geluOp},
    {OpKind::aten_gt_Scalar, binaryOp<gt>},
    {OpKind::aten_gt_Tensor, binaryOp<gt>},
    {OpKind::aten_index_select_default, indexSelectOp},
    {OpKind::aten_le_Scalar, binaryOp<le>},
    {OpKind::aten_lift_fresh_copy_default, identityOp},
    {OpKind::aten_logical_and_default, logicalOp<LogicalOp::And>},
    {OpKind::aten_logical_not_default, logicalNotOp},
    {OpKind::aten_logical_or_default, logicalOp<LogicalOp::Or>},
    {OpKind::aten_lt_Scalar, binaryOp<lt>},
    {OpKind::aten_lt_Tensor, binaryOp<lt>},
    {OpKind::aten_masked_fill_Scalar, maskedFillOp},
    {OpKind::aten_ne_Tensor, binaryOp<ne>},
    {OpKind::aten_ones_default, onesOp},
    {OpKind::aten_ones_like_default, onesOp},
    {OpKind::aten_scalar_tensor_default, scalarTensorOp},
    {OpKind::aten_select_int, selectOp},
    {OpKind::aten_select_copy_int, selectOp},
    {OpKind::aten_split_Tensor, splitOp},
    {OpKind::aten_split_with_sizes_default, splitWithSizesOp},
    {OpKind::aten_sqrt_default, unaryOp<interp::sqrt>},
    {OpKind::aten_squeeze_dim, squeezeOp},
    {OpKind::aten_squeeze_dims, squeezeOp},
    {OpKind::aten_tanh_default, unaryOp<interp::tanh>},
    {OpKind::aten_to_device, castToResultOp},
    {OpKind::aten_to_dtype, castToResultOp},
    {OpKind::aten_to_dtype_layout, castToResultOp},
    {OpKind::aten_tril_default, trilOp},
    {OpKind::aten_type_as_default, castToResultOp},
    {OpKind::aten_where_Scalar, whereScalarOp},
    {OpKind::aten_where_ScalarOther, whereScalarOp},
    {OpKind::aten_where_ScalarSelf, whereScalarOp},
    {OpKind::aten_zeros_default, zerosOp},
    {OpKind::aten_zeros_like_default, zerosOp},
    {OpKind::aten__assert_tensor_metadata_default, assertTensorMetadata},
    {OpKind::aten__softmax_default, softmaxEdgeOp},
    {OpKind::aten__to_copy_default, toCopy},
    {OpKind::aten__unsafe_view_default, viewOp},
    {OpKind::aten_add_Tensor, binaryWithAlpha<add>},
    {OpKind::aten_arange_default, arangeOp},
    {OpKind::aten_bmm_default, bmmOp},
    {OpKind::aten_cat_default, catOp},
    {OpKind::aten_clone_default, unaryOp<clone>},
    {OpKind::aten_cos_default, unaryOp<interp::cos>},
    {OpKind::aten_cumsum_default, cumsumOp},
    {OpKind::aten_diff_default, diffOp},
    {OpKind::aten_div_Tensor, binaryOp<div>},
    {OpKind::aten_embedding_default, embeddingOp},
    {OpKind::aten_eq_Tensor, binaryOp<eq>},
    {OpKind::aten_expand_default, expandOp},
    {OpKind::aten_expand_copy_default, expandOp},
    {OpKind::aten_full_default, fullOp},
    {OpKind::aten_index_Tensor, indexOp},
    {OpKind::aten_le_Tensor, binaryOp<le>},
    {OpKind::aten_linear_default, linearOp},
    {OpKind::aten_matmul_default, matmulOp},
    {OpKind::aten_mean_dim, meanOp},
    {OpKind::aten_mm_default, mmOp},
    {OpKind::aten_mul_Tensor, binaryOp<mul>},
    {OpKind::aten_ne_Scalar, binaryOp<ne>},
    {OpKind::aten_neg_default, unaryOp<neg>},
    {OpKind::aten_new_ones_default, newOnesOp},
    {OpKind::aten_permute_default, permuteOp},
    {OpKind::aten_permute_copy_default, permuteOp},
    {OpKind::aten_pow_Tensor_Scalar, powOp},
    {OpKind::aten_reshape_default, reshapeOp},
    {OpKind::aten_rsqrt_default, unaryOp<rsqrt>},
    {OpKind::aten_scaled_dot_product_attention_default, attentionOp},
    {OpKind::aten_sigmoid_default, unaryOp<sigmoid>},
    {OpKind::aten_silu_default, unaryOp<silu>},
    {OpKind::aten_sin_default, unaryOp<interp::sin>},
    {OpKind::aten_slice_Tensor, sliceOp},
    {OpKind::aten_slice_copy_Tensor, sliceOp},
    {OpKind::aten_softmax_int, softmaxOp},
    {OpKind::aten_sub_Tensor, binaryWithAlpha<sub>},
    {OpKind::aten_sym_size_int, symSizeOp},
    {OpKind::aten_transpose_int, transposeOp},
    {OpKind::aten_unsqueeze_default, unsqueezeOp},
    {OpKind::aten_unsqueeze_copy_default, unsqueezeOp},
    {OpKind::aten_view_default, viewOp},
    {OpKind::aten_view_copy_default, viewOp},
    {OpKind::aten_where_self, whereOp},
    {OpKind::torchao_choose_qparams_affine_default, chooseQParamsOp},
    {OpKind::torchao_quantize_affine_default, quantizeAffineOp},
    {OpKind::torchao_dequantize_affine_default, dequantizeAffineOp},
    {OpKind::quantized_decomposed_embedding_4bit_dtype, embedding4bitOp},
    {OpKind::et_vk_linear_q4gsw_default, linearQ4gswOp},
    {OpKind::mslk_bf16i4bf16_rowwise_default, int4TensorLinearOp},
    {OpKind::fbgemm_bf16i4bf16_rowwise_default, int4TensorLinearOp},
    {OpKind::et_vk_linear_dq8ca_q4gsw_default, linearDq8caQ4gswOp},
    {OpKind::et_vk_embedding_q4gsw_default, embeddingQ4gswOp},
    {OpKind::et_vk_rms_norm_default, rmsNormOp},
    {OpKind::et_vk_sdpa_default, etvkSdpaOp},
    {OpKind::et_vk_prepack_default, prepackOp},
    {OpKind::vkqc_pack_q4_linear_weight_default, packQ4LinearWeightOp},
    {OpKind::vkqc_pack_q4_embedding_weight_default, packQ4EmbeddingWeightOp},
    {OpKind::vkqc_q4_weight_sums_default, q4WeightSumsOp},
    {OpKind::vkqc_transpose_pad_scales_default, transposePadScalesOp},
    {OpKind::vkqc_swap_nibbles_default, swapNibblesOp},
    {OpKind::vkqc_int4tensor_to_q4_linear_default, int4TensorToQ4Op},
    {OpKind::vkqc_pad_columns_default, padColumnsOp},
};

} // namespace

OpHandler findOpHandler(OpKind kind) {
  static const std::array<OpHandler, kNumOpKinds> byKind = [] {
    std::array<OpHandler, kNumOpKinds> table{};
    for (const HandlerRow &row : handlerRows)
      table[size_t(row.kind)] = row.handler;
    return table;
  }();
  return byKind[size_t(kind)];
}

} // namespace vkqc::interp
