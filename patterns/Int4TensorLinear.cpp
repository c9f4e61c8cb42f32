// int4tensor-linear: a torchao Int4Tensor linear (Int4WeightOnlyConfig version 2, PLAIN
// layout), as MSLK's (or, before 2026, fbgemm's) kernel computes it:
//
//   %y = mslk.bf16i4bf16_rowwise(%x : [M, K], %w : i8[N, K/2], %s : [K/G, N], %z : [K/G, N])
//        with w[n, k] = q[n, k] * s[k/G, n] + z[k/G, n], q the signed nibble (low = even k)
// =>
//   %y = aten.add(et_vk.linear_q4gsw(%x, vkqc.int4tensor_to_q4_linear(%w), vkqc.pad_columns(%s),
//   G),
//                 aten.mm(aten.mm(%x, %group_sums : [K, K/G] of 0/1), %z))
//
// since sum_k x[m, k] * w[n, k] = sum_k x[m, k] * q[n, k] * s[g, n] + sum_g z[g, n] * (sum of
// x[m, k] over group g). The int4 kernel reads the weight as q + 8 nibbles, the same order
// (every nibble's sign bit flipped), and scales [K/G, N] already as it wants them (padded);
// the zero term is two small matrix products (K/G columns) on a constant 0/1 matrix.
// ExecuTorch's runtime runs all three ops (its et_vk.linear_weight_int4 is not in its
// registry, and its linear_qcs4w is per channel), and so does vkqc's.
#include "compiler/ir/Printer.h"
#include "compiler/quant/Q4Packing.h"
#include "compiler/semantics/Tensor.h"
#include "patterns/LinearOperands.h"

namespace vkqc {

namespace {
struct Int4TensorLinearMatch {
  Node *linear;
  Value *input, *qdata, *scale, *zero;
  int64_t n, k, groupSize;
};

class Int4TensorLinearPattern : public TypedPattern<Int4TensorLinearMatch> {
public:
  std::optional<Int4TensorLinearMatch> match(const Graph &g, const Node &root,
                                             const PassOptions &options,
                                             MatchTrace &why) const override {
    Value *x = root.tensorArg("X"), *w = root.tensorArg("W");
    Value *s = root.tensorArg("w_scale_group"), *z = root.tensorArg("w_zero_group");
    if (!w->isConstant() || !s->isConstant() || !z->isConstant())
      return why.reject("the Int4Tensor qdata, scale and zero point are not all constants");
    if (x->shape.size() != 2 || w->shape.size() != 2 ||
        (w->dtype != DType::Int8 && w->dtype != DType::UInt8))
      return why.reject("not an Int4Tensor PLAIN linear: X " + typeToString(*x) + ", W " +
                        typeToString(*w));
    DType out = root.results[0]->dtype;
    if (!isVulkanComputeDType(x->dtype) || x->dtype != out || s->dtype != out || z->dtype != out)
      return why.reject(
          "the activation, scale, zero point and output dtypes differ, or are not f32/f16");
    int64_t n = w->constant.shape[0], k = w->constant.shape[1] * 2;
    if (s->constant.shape.size() != 2 || s->constant.shape != z->constant.shape ||
        s->constant.shape[1] != n || k % s->constant.shape[0] != 0)
      return why.reject("scale and zero point are not [K / G, N] for K = " + std::to_string(k) +
                        ", N = " + std::to_string(n));
    int64_t groupSize = k / s->constant.shape[0];
    if (k % 8 != 0)
      return why.reject("in features K=" + std::to_string(k) +
                        " is not a multiple of 8 (the q4gsw weight layout)");
    Q4WeightDequant shape;
    shape.rows = n;
    shape.cols = k;
    shape.groupSize = groupSize;
    if (!linearShapesSupported(shape, why) || !fitsTarget(g, root, options, why))
      return std::nullopt;
    why.found("Int4Tensor PLAIN (qdata " + typeToString(*w) + " signed nibbles, scale and zero " +
              typeToString(*s) + ", group " + std::to_string(groupSize) +
              ") as et_vk.linear_q4gsw (q + 8 nibbles, scales padded) + aten.mm zero term: "
              "ExecuTorch has no int4 "
              "linear with float zero points, and this form runs in both runtimes");
    return Int4TensorLinearMatch{const_cast<Node *>(&root), x, w, s, z, n, k, groupSize};
  }

  void rewrite(Rewriter &rw, const Int4TensorLinearMatch &m) const override {
    DType dtype = m.input->dtype;
    const SymExpr &rows = m.input->shape[0];
    int64_t groups = m.k / m.groupSize;
    Value *weights =
        rw.createOp(OpKind::vkqc_int4tensor_to_q4_linear_default, {{"weight", m.qdata}},
                    DType::UInt8, {SymExpr(m.n), SymExpr(m.k / 2)}, m.qdata->name + "_q4");
    Value *scales = rw.createOp(
        OpKind::vkqc_pad_columns_default, {{"self", m.scale}, {"align", int64_t(4)}}, dtype,
        {SymExpr(groups), SymExpr(quant::alignUp(m.n, 4))}, m.scale->name + "_padded");
    Value *product = rw.createOp(OpKind::et_vk_linear_q4gsw_default,
                                 {{"self", m.input},
                                  {"weights", weights},
                                  {"weight_scales", scales},
                                  {"group_size", m.groupSize},
                                  {"bias", NoneArg{}}},
                                 dtype, {rows, SymExpr(m.n)}, m.linear->name + "_q4gsw");
    Value *groupSums =
        rw.createOp(OpKind::aten_mm_default,
                    {{"self", m.input}, {"mat2", groupSumMatrix(rw, m.k, m.groupSize, dtype)}},
                    dtype, {rows, SymExpr(groups)}, m.linear->name + "_group_sums");
    Value *zeroTerm = rw.createOp(OpKind::aten_mm_default, {{"self", groupSums}, {"mat2", m.zero}},
                                  dtype, {rows, SymExpr(m.n)}, m.linear->name + "_zero_term");
    rw.retarget(m.linear, OpKind::aten_add_Tensor, {{"self", product}, {"other", zeroTerm}});
  }

private:
  // [K, K / G] of 0 and 1: column g sums the activations of group g. One per (K, G, dtype).
  static Value *groupSumMatrix(Rewriter &rw, int64_t k, int64_t groupSize, DType dtype) {
    std::string name = "int4tensor_group_sums_k" + std::to_string(k) + "_g" +
                       std::to_string(groupSize) + "_" + std::string(dtypeName(dtype));
    if (Value *existing = rw.graph().findValue(name))
      return existing;
    int64_t groups = k / groupSize;
    interp::Tensor t(dtype, {k, groups});
    for (int64_t r = 0; r < k; ++r)
      for (int64_t c = 0; c < groups; ++c)
        t.setDouble(r * groups + c, r / groupSize == c ? 1.0 : 0.0);
    const uint8_t *raw = static_cast<const uint8_t *>(t.raw());
    ConstantTensor c;
    c.dtype = dtype;
    c.shape = {k, groups};
    c.storage = rw.graph().constants.addOwned("vkqc:" + name,
                                              std::vector<uint8_t>(raw, raw + t.byteSize()));
    return rw.createConstant(name, "int4tensor." + name, c);
  }
};
} // namespace

std::unique_ptr<Pattern> createInt4TensorLinearPattern() {
  return std::make_unique<Int4TensorLinearPattern>();
}

} // namespace vkqc
