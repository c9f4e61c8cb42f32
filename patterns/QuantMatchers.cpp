#include "patterns/QuantMatchers.h"

#include "compiler/quant/Q4gswContract.h"

#include "compiler/ir/Printer.h"
#include "compiler/quant/Q4Packing.h"
#include "compiler/target/TargetLimits.h"

#include "llvm/Support/Parallel.h"

#include <cstring>
#include <numeric>

namespace vkqc {

namespace {
bool isTarget(const Value *v, OpKind kind) {
  return v && v->definingNode && v->definingNode->is(kind);
}

std::string name(const Value *v) { return "%" + v->name; }

// True when every element is zero (for floats, either sign).
bool allZero(const ConstantTensor &c, llvm::ArrayRef<uint8_t> bytes) {
  size_t elem = dtypeSize(c.dtype);
  bool isFloat = isFloatingPoint(c.dtype);
  if (!isFloat) // every byte zero: the first, and each equal to the one before (libc's memcmp)
    return bytes.empty() ||
           (bytes[0] == 0 && std::memcmp(bytes.data(), bytes.data() + 1, bytes.size() - 1) == 0);
  for (size_t i = 0; i < bytes.size(); i += elem)
    for (size_t b = 0; b < elem; ++b) {
      uint8_t byte = bytes[i + b];
      if (isFloat && b == elem - 1)
        byte &= 0x7f; // little-endian: the sign bit lives in the last byte
      if (byte)
        return false;
    }
  return true;
}

// Weights are large (hundreds of MB): scan them in parallel chunks.
bool allInInt4Range(llvm::ArrayRef<uint8_t> bytes) {
  constexpr size_t kChunk = 1 << 20;
  size_t chunks = (bytes.size() + kChunk - 1) / kChunk;
  std::vector<size_t> index(chunks);
  std::iota(index.begin(), index.end(), 0);
  unsigned outside = llvm::parallelTransformReduce(
      index, 0u, [](unsigned a, unsigned b) { return a | b; },
      [&](size_t i) {
        llvm::ArrayRef<uint8_t> chunk =
            bytes.slice(i * kChunk, std::min(kChunk, bytes.size() - i * kChunk));
        return unsigned(!quant::allInt4(
            llvm::ArrayRef<int8_t>(reinterpret_cast<const int8_t *>(chunk.data()), chunk.size())));
      });
  return outside == 0;
}

bool isPerTokenBlock(const ArgValue &blockArg, const Value *input) {
  std::optional<std::vector<int64_t>> block = asLiteralInts(blockArg);
  if (!block || block->size() != input->shape.size() || block->empty())
    return false;
  const SymExpr &last = input->shape.back();
  if (!last.isConstant() || block->back() != last.constant())
    return false;
  for (size_t i = 0; i + 1 < block->size(); ++i)
    if ((*block)[i] != 1)
      return false;
  return true;
}
} // namespace

std::optional<int64_t> literalInt(const ArgValue &v) { return asInt(v); }

bool isVulkanComputeDType(DType t) { return t == DType::Float32 || t == DType::Float16; }

std::optional<Q4WeightDequant> matchQ4WeightDequant(const Value *weight, MatchTrace &why) {
  if (!isTarget(weight, OpKind::torchao_dequantize_affine_default))
    return why.reject("the weight " + name(weight) +
                      " is not produced by torchao.dequantize_affine");
  const Node &dq = *weight->definingNode;
  Q4WeightDequant m;
  m.dequant = const_cast<Node *>(&dq);
  m.qdata = dq.tensorArg("input");
  m.scales = dq.tensorArg("scale");
  m.zeroPoint = dq.tensorArg("zero_point");
  m.outputDType = std::get<DType>(dq.arg("output_dtype"));

  if (!m.qdata->isConstant())
    return why.reject("the quantized weight " + name(m.qdata) + " is not a constant");
  if (std::get<DType>(dq.arg("input_dtype")) != DType::Int8 || m.qdata->dtype != DType::Int8)
    return why.reject("the weight is not int8-held (input_dtype " +
                      std::string(dtypeName(std::get<DType>(dq.arg("input_dtype")))) + ")");
  std::optional<int64_t> qmin = literalInt(dq.arg("quant_min"));
  std::optional<int64_t> qmax = literalInt(dq.arg("quant_max"));
  if (qmin != -8 || qmax != 7)
    return why.reject("quant range [" + argToString(dq.arg("quant_min")) + ", " +
                      argToString(dq.arg("quant_max")) + "] is not int4 [-8, 7]");
  const std::vector<int64_t> &shape = m.qdata->constant.shape;
  if (shape.size() != 2)
    return why.reject("the quantized weight is not 2-D");
  m.rows = shape[0];
  m.cols = shape[1];
  std::optional<std::vector<int64_t>> block = asLiteralInts(dq.arg("block_size"));
  if (!block || block->size() != 2 || (*block)[0] != 1 || (*block)[1] <= 0)
    return why.reject("block_size " + argToString(dq.arg("block_size")) +
                      " is not [1, group_size]");
  m.groupSize = (*block)[1];
  if (m.cols % m.groupSize != 0)
    return why.reject("group size " + std::to_string(m.groupSize) + " does not divide " +
                      std::to_string(m.cols));
  if (!m.scales->isConstant() || !isFloatingPoint(m.scales->dtype))
    return why.reject("the scales " + name(m.scales) + " are not a float constant");
  if (m.scales->constant.shape != std::vector<int64_t>{m.rows, m.cols / m.groupSize})
    return why.reject("the scales are not [" + std::to_string(m.rows) + ", " +
                      std::to_string(m.cols / m.groupSize) + "]");
  if (m.zeroPoint) {
    // The kernels are symmetric: they have no weight zero point at all.
    if (!m.zeroPoint->isConstant())
      return why.reject("the weight zero point is not a constant");
    llvm::Expected<llvm::ArrayRef<uint8_t>> zp = m.zeroPoint->constant.data();
    if (!zp)
      return why.reject("cannot read the weight zero point: " + llvm::toString(zp.takeError()));
    const ConstantTensor &z = m.zeroPoint->constant;
    if (!z.storage->memoizedFact("zero of " + std::to_string(z.byteOffset) + "+" +
                                     std::to_string(zp->size()),
                                 [&] { return allZero(z, *zp); }))
      return why.reject("the weight zero point is not zero everywhere (asymmetric weights; the "
                        "q4gsw kernels are symmetric)");
  }
  // quant_min/quant_max do not clamp in dequantize_affine: check the data itself.
  llvm::Expected<llvm::ArrayRef<uint8_t>> q = m.qdata->constant.data();
  if (!q)
    return why.reject("cannot read the quantized weight: " + llvm::toString(q.takeError()));
  const ConstantTensor &c = m.qdata->constant;
  if (!c.storage->memoizedFact("int4 range of " + std::to_string(c.byteOffset) + "+" +
                                   std::to_string(q->size()),
                               [&] { return allInInt4Range(*q); }))
    return why.reject("the quantized weight holds values outside [-8, 7]");
  if (!isVulkanComputeDType(m.outputDType))
    return why.reject("the weight dequantizes to " + std::string(dtypeName(m.outputDType)) +
                      "; Vulkan kernels compute in f32 or f16 (run legalize-dtypes first)");
  return m;
}

std::optional<DynamicActivationQuant> matchDynamicActivationQuant(const Value *x, MatchTrace &why) {
  if (!isTarget(x, OpKind::torchao_dequantize_affine_default))
    return why.reject("the activation " + name(x) + " is not dequantized from int8");
  DynamicActivationQuant m;
  m.dequantize = x->definingNode;
  Value *q = m.dequantize->tensorArg("input");
  if (!isTarget(q, OpKind::torchao_quantize_affine_default))
    return why.reject("the activation is not quantized by torchao.quantize_affine");
  m.quantize = q->definingNode;
  m.input = m.quantize->tensorArg("input");
  m.scale = m.quantize->tensorArg("scale");
  m.zeroPoint = m.quantize->tensorArg("zero_point");
  if (!m.scale || !m.zeroPoint || m.dequantize->tensorArg("scale") != m.scale ||
      m.dequantize->tensorArg("zero_point") != m.zeroPoint)
    return why.reject("quantize and dequantize of the activation use different qparams");
  if (!isTarget(m.scale, OpKind::torchao_choose_qparams_affine_default) ||
      m.scale->definingNode != m.zeroPoint->definingNode ||
      m.scale->definingNode->results[0] != m.scale ||
      m.scale->definingNode->results[1] != m.zeroPoint)
    return why.reject("the activation qparams do not come from one choose_qparams_affine");
  m.chooseQParams = m.scale->definingNode;
  if (m.chooseQParams->tensorArg("input") != m.input)
    return why.reject("choose_qparams_affine reads another tensor than the one quantized");
  for (const Node *n : {m.chooseQParams, m.quantize, m.dequantize})
    if (!isPerTokenBlock(n->arg("block_size"), m.input))
      return why.reject(n->name + " is not per token (block_size " +
                        argToString(n->arg("block_size")) + ")");
  const Node *dq = m.dequantize;
  if (std::get<DType>(m.quantize->arg("output_dtype")) != DType::Int8 ||
      std::get<DType>(dq->arg("input_dtype")) != DType::Int8)
    return why.reject("the activation is not quantized to int8");
  for (const Node *n : {const_cast<const Node *>(m.quantize), dq})
    if (literalInt(n->arg("quant_min")) != -128 || literalInt(n->arg("quant_max")) != 127)
      return why.reject(n->name + " does not use the int8 range [-128, 127]");
  // The kernels have a variant for an int8 zero point and one for a zero point held in
  // the activation's dtype; anything else (int32, f32 zero points of f16 activations) has none.
  DType zp = m.zeroPoint->dtype;
  if (zp != DType::Int8 && zp != m.input->dtype)
    return why.reject("the activation zero point is " + std::string(dtypeName(zp)) +
                      "; the kernels read int8 (zpint8) or the activation dtype " +
                      std::string(dtypeName(m.input->dtype)) + " (zpinherit)");
  if (!isVulkanComputeDType(m.input->dtype) || !isVulkanComputeDType(m.scale->dtype))
    return why.reject("the activation or its scale is not f32/f16");
  return m;
}

bool fitsTarget(const Graph &g, const Node &root, const PassOptions &options, MatchTrace &why,
                const Q4WeightDequant *weight) {
  llvm::Expected<const Target *> target = lookupTarget(options.target);
  if (!target) {
    why.reject(llvm::toString(target.takeError()));
    return false;
  }
  // The fused op never sees the dequantized float weight: it reads the packed int4 table
  // (u8 [rows, cols / 2]), so that is what must fit.
  const Value *dequantized = weight ? weight->dequant->results[0] : nullptr;
  std::string problem;
  for (const Value *v : root.operands())
    if (problem.empty() && v->isTensor() && v != dequantized)
      problem = tensorProblem(g, *v, **target);
  for (const Value *r : root.results)
    if (problem.empty())
      problem = tensorProblem(g, *r, **target);
  if (problem.empty() && weight) {
    Value packed;
    packed.name = weight->qdata->name + " packed";
    packed.dtype = DType::UInt8;
    packed.shape = {SymExpr(weight->rows), SymExpr(quant::q4gswRowBytes(weight->cols))};
    problem = tensorProblem(g, packed, **target);
  }
  if (!problem.empty())
    why.reject(problem + " (it could not run on the GPU)");
  return problem.empty();
}

bool texturesFit(const Graph &g, llvm::ArrayRef<const Value *> values, const PassOptions &options,
                 MatchTrace &why) {
  llvm::Expected<const Target *> target = lookupTarget(options.target);
  if (!target) {
    why.reject(llvm::toString(target.takeError()));
    return false;
  }
  for (const Value *v : values)
    if (std::string problem = textureProblem(g, *v, **target); !problem.empty()) {
      why.reject(problem + " (the fused op reads it as a texture)");
      return false;
    }
  return true;
}

bool isAcceptableBias(const ArgValue &bias, int64_t n, DType dtype, MatchTrace &why) {
  if (isNone(bias))
    return true;
  const Value *b = asTensor(bias);
  if (!b || !b->isConstant()) {
    why.reject("the bias is not a constant");
    return false;
  }
  if (b->constant.shape != std::vector<int64_t>{n} || b->dtype != dtype) {
    why.reject("the bias is not a " + std::string(dtypeName(dtype)) + " [" + std::to_string(n) +
               "]");
    return false;
  }
  return true;
}

} // namespace vkqc
