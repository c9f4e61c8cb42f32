// to-executorch: spell every op in the forms ExecuTorch's runtime implements (exir's edge
// dialect), as ExecuTorch's own to_edge and Vulkan preprocess do, so that the lowered
// program means the same to ExecuTorch's runtime and to vkqc's.
//
// - Renames from the op table's EDGE column: view / _unsafe_view -> view_copy, unsqueeze ->
//   unsqueeze_copy, expand -> expand_copy, permute -> permute_copy, slice -> slice_copy.
// - Decompositions: reshape -> view_copy, transpose -> permute_copy (dims non-negative),
//   matmul of 3-D operands -> bmm, silu -> x * sigmoid(x), softmax -> _softmax,
//   new_ones -> full, diff -> cat + slice_copy + sub, and scaled_dot_product_attention ->
//   et_vk.sdpa (an additive float mask made from a bool one with where(mask, 0, -inf), kv
//   heads repeated when enable_gqa).
// - Identities dropped: clone, _to_copy to the same dtype, x * 1, x / 1, x + 0, x - 0.
// - A scalar `other` of a binary op becomes a one-element constant of the result dtype
//   (ExecuTorch's binary ops read tensors only).
// An op it cannot spell (matmul of other ranks, causal or dropout attention) is left as it
// is and reported; the lowering then refuses it for ExecuTorch's runtime.
#include "compiler/ir/Printer.h"
#include "compiler/ir/Rewriter.h"
#include "compiler/pass/Pass.h"
#include "compiler/semantics/Tensor.h"

#include <cmath>
#include <limits>

namespace vkqc {

namespace {

constexpr int64_t kSliceToEnd = std::numeric_limits<int64_t>::max(); // ExecuTorch's "to the end"

int64_t normalizedDim(int64_t dim, size_t rank) {
  return dim < 0 ? dim + static_cast<int64_t>(rank) : dim;
}

IntList literals(const std::vector<int64_t> &values) {
  IntList list;
  for (int64_t v : values)
    list.push_back(SymIntArg{v, nullptr});
  return list;
}

// A dim with a symbolic-int value, when the graph holds one for it, else a literal.
std::optional<SymIntArg> dimArg(const SymExpr &d,
                                const std::map<std::string, Value *> &symbolValues) {
  if (d.isConstant())
    return SymIntArg{d.constant(), nullptr};
  if (d.kind() == SymExpr::Kind::Symbol)
    if (auto it = symbolValues.find(d.symbolName()); it != symbolValues.end())
      return SymIntArg{0, it->second};
  return std::nullopt;
}

class ToExecutorch {
public:
  ToExecutorch(Graph &g, PassContext &ctx) : g_(g), ctx_(ctx), rw_(g) {
    // The symbolic ints the program computes (sym_size results): sizes that name a symbol
    // can be passed to the edge ops as those values.
    for (const auto &n : g.nodes())
      for (Value *r : n->results)
        if (!r->isTensor() && r->symValue.kind() == SymExpr::Kind::Symbol)
          symbolValues_.emplace(r->symValue.symbolName(), r);
  }

  bool run() {
    std::vector<Node *> nodes;
    for (const auto &n : g_.nodes())
      nodes.push_back(n.get());
    for (Node *n : nodes) {
      rw_.setInsertionPoint(n);
      if (dropIdentity(*n) || dropEmptyCatParts(*n))
        continue;
      const std::string &edge = n->schema->edge;
      if (edge == "decomposed")
        decompose(*n);
      else if (!edge.empty())
        rename(*n, edge);
      else
        tensorOperands(*n);
    }
    return rw_.changed();
  }

private:
  Graph &g_;
  PassContext &ctx_;
  Rewriter rw_;
  std::map<std::string, Value *> symbolValues_;
  std::map<const Value *, Value *> floatMasks_; // bool mask -> its additive float form

  void note(const Node &n, const std::string &detail) {
    ctx_.note("to-executorch", n.name, "rewritten", detail);
  }
  void keep(const Node &n, const std::string &why) {
    ctx_.note("to-executorch", n.name, "kept", why);
  }

  // ---- identities ------------------------------------------------------------------------

  // The value `n` passes through unchanged, if it is an identity here: a clone, an alias,
  // an inference dropout, a cast to the dtype it has, x * 1, x / 1, x + 0, x - 0.
  Value *identitySource(const Node &n) {
    if (n.results.size() != 1 || !n.results[0]->isTensor())
      return nullptr;
    const Value *out = n.results[0];
    OpKind t = n.kind();
    Value *self = n.hasArg("self")    ? n.tensorArg("self")
                  : n.hasArg("input") ? n.tensorArg("input")
                                      : nullptr;
    if (!self || self->dtype != out->dtype || self->shape != out->shape)
      return nullptr;
    if (t == OpKind::aten_clone_default || t == OpKind::aten__to_copy_default ||
        t == OpKind::aten_alias_default || t == OpKind::aten_contiguous_default ||
        t == OpKind::aten_detach_default || t == OpKind::aten_detach__default ||
        t == OpKind::aten_lift_fresh_copy_default || t == OpKind::aten_to_dtype ||
        t == OpKind::aten_to_dtype_layout || t == OpKind::aten_to_device ||
        t == OpKind::aten_type_as_default)
      return self;
    if (t == OpKind::aten_dropout_default) {
      std::optional<double> p = asDouble(n.arg("p"));
      return !std::get<bool>(n.arg("train")) || (p && *p == 0.0) ? self : nullptr;
    }
    if ((t == OpKind::aten_mul_Tensor || t == OpKind::aten_div_Tensor) &&
        scalarIs(n.arg("other"), 1.0))
      return self;
    if ((t == OpKind::aten_add_Tensor || t == OpKind::aten_sub_Tensor) &&
        scalarIs(n.arg("other"), 0.0))
      return self;
    return nullptr;
  }

  bool dropIdentity(Node &n) {
    Value *self = identitySource(n);
    if (!self)
      return false;
    Value *out = n.results[0];
    // A graph output that would become a graph input (or another output) keeps its node.
    auto isOutput = [](const Value *v) { return v->outputUses() != 0; };
    if (isOutput(out) && (!self->definingNode || isOutput(self)))
      return false;
    ctx_.note("to-executorch", out->name, "removed",
              n.target + " is an identity here: its uses read %" + self->name);
    rw_.replaceAllUsesWith(out, self);
    rw_.eraseNode(&n);
    return true;
  }

  static bool scalarIs(const ArgValue &a, double value) {
    if (asTensor(a))
      return false;
    std::optional<double> d = asDouble(a);
    return d && *d == value;
  }

  // ---- renames -----------------------------------------------------------------------------

  void rename(Node &n, const std::string &edge) {
    std::vector<NamedArg> args = n.args();
    OpKind edgeKind = *lookupOpSchema(edge)->kind;
    if (edgeKind == OpKind::aten_slice_copy_Tensor)
      clampSliceEnd(n, args);
    if (edgeKind ==
        OpKind::aten_permute_copy_default) // ExecuTorch's resize indexes with them as given
      for (NamedArg &a : args)
        if (a.name == "dims")
          if (std::optional<std::vector<int64_t>> dims = asLiteralInts(a.value)) {
            for (int64_t &d : *dims)
              d = normalizedDim(d, n.tensorArg("self")->shape.size());
            a.value = literals(*dims);
          }
    rw_.retarget(&n, edge, std::move(args));
    note(n, edge);
  }

  // ExecuTorch wraps slice ends past the dim modulo its size: say "to the end" instead.
  void clampSliceEnd(const Node &n, std::vector<NamedArg> &args) {
    const Value *self = n.tensorArg("self");
    std::optional<int64_t> dim = asInt(n.arg("dim"));
    std::optional<int64_t> end = asInt(n.arg("end"));
    if (!dim || !end)
      return;
    const SymExpr &size = self->shape[normalizedDim(*dim, self->shape.size())];
    if (size.isConstant() && *end >= size.constant())
      for (NamedArg &a : args)
        if (a.name == "end")
          a.value = SymIntArg{kSliceToEnd, nullptr};
  }

  // ---- decompositions ----------------------------------------------------------------------

  void decompose(Node &n) {
    OpKind t = n.kind();
    if (t == OpKind::aten_reshape_default) {
      rw_.retarget(&n, OpKind::aten_view_copy_default,
                   {{"self", n.tensorArg("self")}, {"size", n.arg("shape")}});
      note(n, n.target);
    } else if (t == OpKind::aten_transpose_int) {
      transpose(n);
    } else if (t == OpKind::aten_matmul_default) {
      matmul(n);
    } else if (t == OpKind::aten_silu_default) {
      silu(n);
    } else if (t == OpKind::aten_softmax_int) {
      softmax(n);
    } else if (t == OpKind::aten_new_ones_default) {
      newOnes(n);
    } else if (t == OpKind::aten_diff_default) {
      diff(n);
    } else if (t == OpKind::aten_scaled_dot_product_attention_default) {
      attention(n);
    } else if (t == OpKind::aten_to_dtype || t == OpKind::aten_to_dtype_layout ||
               t == OpKind::aten_to_device || t == OpKind::aten_type_as_default) {
      Value *self = n.tensorArg("self");
      DType dtype = n.results[0]->dtype;
      rw_.retarget(&n, OpKind::aten__to_copy_default, {{"self", self}, {"dtype", dtype}});
      note(n, n.target);
    } else if (t == OpKind::aten_where_ScalarOther || t == OpKind::aten_where_ScalarSelf ||
               t == OpKind::aten_where_Scalar) {
      whereScalars(n);
    } else if (t == OpKind::aten_zeros_default || t == OpKind::aten_ones_default) {
      rw_.retarget(&n, OpKind::aten_full_default,
                   {{"size", n.arg("size")},
                    {"fill_value", int64_t(t == OpKind::aten_ones_default)},
                    {"dtype", n.results[0]->dtype}});
      note(n, n.target);
    } else if (t == OpKind::aten_zeros_like_default || t == OpKind::aten_ones_like_default) {
      rw_.retarget(&n, OpKind::aten_full_like_default,
                   {{"self", n.tensorArg("self")},
                    {"fill_value", int64_t(t == OpKind::aten_ones_like_default)},
                    {"dtype", n.results[0]->dtype}});
      note(n, n.target);
    } else if (t == OpKind::aten_split_Tensor || t == OpKind::aten_split_with_sizes_default ||
               t == OpKind::aten_chunk_default) {
      split(n);
    } else if (t == OpKind::aten_squeeze_dim || t == OpKind::aten_squeeze_dims) {
      squeeze(n);
    }
  }

  // where with scalar sides: one-element constants of the result dtype (ExecuTorch's
  // where.self reads tensors).
  void whereScalars(Node &n) {
    DType dtype = n.results[0]->dtype;
    auto side = [&](const char *name) -> Value * {
      if (Value *v = n.tensorArg(name))
        return v;
      return scalarConstant(*asDouble(n.arg(name)), dtype, n.name + "_" + name);
    };
    Value *self = side("self"), *other = side("other");
    rw_.retarget(&n, OpKind::aten_where_self,
                 {{"condition", n.tensorArg("condition")}, {"self", self}, {"other", other}});
    note(n, "aten.where.self with one-element constants");
  }

  // split / split_with_sizes / chunk: one slice_copy per part, on a dim of known size.
  void split(Node &n) {
    Value *self = n.tensorArg("self");
    int64_t dim = normalizedDim(*asInt(n.arg("dim")), self->shape.size());
    if (!self->shape[dim].isConstant()) {
      keep(n, "a split of a dim of symbolic size");
      return;
    }
    int64_t start = 0;
    for (Value *part : std::vector<Value *>(n.results)) {
      if (!part->shape[dim].isConstant()) {
        keep(n, "a part of symbolic size");
        return;
      }
      int64_t size = part->shape[dim].constant();
      Value *slice = rw_.createOp(OpKind::aten_slice_copy_Tensor,
                                  {{"self", self},
                                   {"dim", dim},
                                   {"start", SymIntArg{start, nullptr}},
                                   {"end", SymIntArg{start + size, nullptr}},
                                   {"step", SymIntArg{1, nullptr}}},
                                  part->dtype, part->shape, part->name + "_slice");
      rw_.replaceAllUsesWith(part, slice);
      start += size;
    }
    ctx_.note("to-executorch", n.name, "rewritten", "one aten.slice_copy.Tensor per part");
    rw_.eraseNode(&n);
  }

  // squeeze: a view_copy to the result's sizes, when each is a literal or a symbolic int
  // the program computes.
  void squeeze(Node &n) {
    IntList size;
    for (const SymExpr &d : n.results[0]->shape) {
      std::optional<SymIntArg> a = dimArg(d, symbolValues_);
      if (!a) {
        keep(n, "a squeeze to sizes that are expressions");
        return;
      }
      size.push_back(*a);
    }
    rw_.retarget(&n, OpKind::aten_view_copy_default,
                 {{"self", n.tensorArg("self")}, {"size", size}});
    note(n, n.target);
  }

  void transpose(Node &n) {
    Value *self = n.tensorArg("self");
    size_t rank = self->shape.size();
    std::vector<int64_t> dims(rank);
    for (size_t i = 0; i < rank; ++i)
      dims[i] = static_cast<int64_t>(i);
    int64_t d0 = normalizedDim(*asInt(n.arg("dim0")), rank),
            d1 = normalizedDim(*asInt(n.arg("dim1")), rank);
    std::swap(dims[d0], dims[d1]);
    rw_.retarget(&n, OpKind::aten_permute_copy_default, {{"self", self}, {"dims", literals(dims)}});
    note(n, n.target);
  }

  // matmul of operands with the same batch dims: bmm, through 3-D views when there are
  // several batch dims (eager attention's [B, H, S, D] products).
  void matmul(Node &n) {
    Value *a = n.tensorArg("self"), *b = n.tensorArg("other");
    Value *out = n.results[0];
    size_t rank = a->shape.size();
    bool sameBatch = rank >= 3 && b->shape.size() == rank &&
                     std::equal(a->shape.begin(), a->shape.end() - 2, b->shape.begin());
    if (!sameBatch) {
      keep(n, "matmul of " + typeToString(*a) + " and " + typeToString(*b) +
                  ": ExecuTorch has bmm of operands with the same batch dims");
      return;
    }
    if (rank == 3) {
      rw_.retarget(&n, OpKind::aten_bmm_default, {{"self", a}, {"mat2", b}});
      note(n, n.target);
      return;
    }
    SymExpr batch = 1;
    for (size_t i = 0; i + 2 < rank; ++i)
      batch = product(batch, a->shape[i]);
    auto view = [&](Value *v, const Dims &shape, const std::string &name) -> Value * {
      IntList size;
      for (const SymExpr &d : shape) {
        std::optional<SymIntArg> s = dimArg(d, symbolValues_);
        if (!s)
          return nullptr;
        size.push_back(*s);
      }
      return rw_.createOp(OpKind::aten_view_copy_default, {{"self", v}, {"size", size}}, v->dtype,
                          shape, name);
    };
    const Dims &as = a->shape, &bs = b->shape;
    Value *a3 = view(a, {batch, as[rank - 2], as[rank - 1]}, n.name + "_lhs");
    Value *b3 = a3 ? view(b, {batch, bs[rank - 2], bs[rank - 1]}, n.name + "_rhs") : nullptr;
    if (!a3 || !b3) {
      keep(n, "a batched matmul whose sizes are expressions the program does not compute");
      return;
    }
    Value *c3 = rw_.createOp(OpKind::aten_bmm_default, {{"self", a3}, {"mat2", b3}}, out->dtype,
                             {batch, as[rank - 2], bs[rank - 1]}, n.name + "_bmm");
    IntList size;
    for (const SymExpr &d : out->shape) {
      std::optional<SymIntArg> s = dimArg(d, symbolValues_);
      size.push_back(s ? *s : SymIntArg{-1, nullptr});
    }
    rw_.retarget(&n, OpKind::aten_view_copy_default, {{"self", c3}, {"size", size}});
    note(n, "aten.bmm.default between 3-D views");
  }

  static SymExpr product(const SymExpr &a, const SymExpr &b) {
    llvm::Expected<SymExpr> p = SymExpr::apply(SymExpr::Kind::Mul, {a, b});
    if (!p) {
      llvm::consumeError(p.takeError());
      return a;
    }
    return *p;
  }

  void silu(Node &n) {
    Value *x = n.tensorArg("self");
    Value *sigmoid = rw_.createOp(OpKind::aten_sigmoid_default, {{"self", x}}, x->dtype, x->shape,
                                  n.name + "_sigmoid");
    rw_.retarget(&n, OpKind::aten_mul_Tensor, {{"self", x}, {"other", sigmoid}});
    note(n, "x * aten.sigmoid.default(x)");
  }

  void softmax(Node &n) {
    Value *x = n.tensorArg("self");
    if (!isNone(n.arg("dtype")) && std::get<DType>(n.arg("dtype")) != x->dtype)
      x = rw_.createOp(OpKind::aten__to_copy_default, {{"self", x}, {"dtype", n.arg("dtype")}},
                       std::get<DType>(n.arg("dtype")), x->shape, n.name + "_cast");
    rw_.retarget(&n, OpKind::aten__softmax_default,
                 {{"self", x}, {"dim", n.arg("dim")}, {"half_to_float", false}});
    note(n, n.target);
  }

  void newOnes(Node &n) {
    DType dtype = n.results[0]->dtype;
    rw_.retarget(&n, OpKind::aten_full_default,
                 {{"size", n.arg("size")}, {"fill_value", int64_t(1)}, {"dtype", dtype}});
    note(n, "aten.full.default(size, 1)");
  }

  // diff(x, n, dim, prepend, append) = n times: x[1:] - x[:-1] along dim, over cat(prepend, x,
  // append).
  void diff(Node &n) {
    Value *x = n.tensorArg("self");
    std::optional<int64_t> times = asInt(n.arg("n"));
    if (!times || *times < 1 || x->dtype == DType::Bool) {
      keep(n, "diff of " + typeToString(*x) + " n=" + argToString(n.arg("n")) +
                  " has no edge spelling here");
      return;
    }
    int64_t dim = normalizedDim(*asInt(n.arg("dim")), x->shape.size());
    std::vector<Value *> parts;
    for (const char *side : {"prepend", "self", "append"})
      if (Value *p = n.tensorArg(side))
        parts.push_back(p);
    if (parts.size() > 1) {
      Dims shape = x->shape;
      SymExpr length = 0;
      for (const Value *p : parts)
        length = addConstant(length, p->shape[dim]);
      shape[dim] = length;
      x = rw_.createOp(OpKind::aten_cat_default, {{"tensors", TensorListArg{parts}}, {"dim", dim}},
                       x->dtype, shape, n.name + "_cat");
    }
    for (int64_t step = 0; step < *times; ++step) {
      Dims shape = x->shape;
      shape[dim] = addConstant(shape[dim], SymExpr(-1));
      Value *next = rw_.createOp(OpKind::aten_slice_copy_Tensor,
                                 {{"self", x},
                                  {"dim", dim},
                                  {"start", SymIntArg{1, nullptr}},
                                  {"end", SymIntArg{kSliceToEnd, nullptr}},
                                  {"step", SymIntArg{1, nullptr}}},
                                 x->dtype, shape, n.name + "_next");
      Value *prev = rw_.createOp(OpKind::aten_slice_copy_Tensor,
                                 {{"self", x},
                                  {"dim", dim},
                                  {"start", SymIntArg{0, nullptr}},
                                  {"end", SymIntArg{-1, nullptr}},
                                  {"step", SymIntArg{1, nullptr}}},
                                 x->dtype, shape, n.name + "_prev");
      if (step + 1 == *times) {
        rw_.retarget(&n, OpKind::aten_sub_Tensor, {{"self", next}, {"other", prev}});
      } else {
        x = rw_.createOp(OpKind::aten_sub_Tensor, {{"self", next}, {"other", prev}}, x->dtype,
                         shape, n.name + "_step");
      }
    }
    note(n, "cat + slice_copy + sub");
  }

  static SymExpr addConstant(const SymExpr &a, const SymExpr &b) {
    llvm::Expected<SymExpr> sum = SymExpr::apply(SymExpr::Kind::Add, {a, b});
    if (!sum) {
      llvm::consumeError(sum.takeError());
      return a;
    }
    return *sum;
  }

  // aten.scaled_dot_product_attention -> et_vk.sdpa(q, k, v, additive mask, scale).
  void attention(Node &n) {
    Value *q = n.tensorArg("query"), *k = n.tensorArg("key"), *v = n.tensorArg("value");
    Value *mask = n.tensorArg("attn_mask");
    std::optional<double> dropout = asDouble(n.arg("dropout_p"));
    bool causal = std::get<bool>(n.arg("is_causal"));
    if (!dropout || *dropout != 0.0 || causal || q->shape.size() != 4 || k->shape.size() != 4 ||
        (mask && mask->shape.size() != 4)) {
      keep(n, "attention with dropout, is_causal or operands not 4-D: et_vk.sdpa takes [B, H, S, "
              "D] and an additive mask");
      return;
    }
    if (std::get<bool>(n.arg("enable_gqa")) && k->shape[1] != q->shape[1]) {
      k = repeatHeads(k, q->shape[1]);
      v = repeatHeads(v, q->shape[1]);
      if (!k || !v) {
        keep(n, "grouped kv heads that do not divide the query heads");
        return;
      }
    }
    Value *floatMask = mask ? additiveMask(n, mask, q->dtype) : nullptr;
    ArgValue scale = n.arg("scale");
    rw_.retarget(&n, OpKind::et_vk_sdpa_default,
                 {{"q", q},
                  {"k", k},
                  {"v", v},
                  {"attn_mask", floatMask ? ArgValue(floatMask) : ArgValue(NoneArg{})},
                  {"scale", scale}});
    note(n, n.target);
  }

  // [B, Hkv, L, D] -> [B, Hq, L, D], each kv head repeated Hq / Hkv times (repeat_kv).
  Value *repeatHeads(Value *kv, const SymExpr &queryHeads) {
    const SymExpr &heads = kv->shape[1];
    if (!heads.isConstant() || !queryHeads.isConstant() || queryHeads.constant() % heads.constant())
      return nullptr;
    int64_t rep = queryHeads.constant() / heads.constant();
    Dims unsqueezed = kv->shape;
    unsqueezed.insert(unsqueezed.begin() + 2, SymExpr(1));
    Value *u =
        rw_.createOp(OpKind::aten_unsqueeze_copy_default, {{"self", kv}, {"dim", int64_t(2)}},
                     kv->dtype, unsqueezed, kv->name + "_heads");
    Dims expanded = unsqueezed;
    expanded[2] = SymExpr(rep);
    IntList size = {SymIntArg{-1, nullptr}, SymIntArg{-1, nullptr}, SymIntArg{rep, nullptr},
                    SymIntArg{-1, nullptr}, SymIntArg{-1, nullptr}};
    Value *e = rw_.createOp(OpKind::aten_expand_copy_default, {{"self", u}, {"size", size}},
                            kv->dtype, expanded, kv->name + "_repeated");
    Dims out = kv->shape;
    out[1] = queryHeads;
    IntList viewSize;
    for (const SymExpr &d : out) {
      std::optional<SymIntArg> a = dimArg(d, symbolValues_);
      viewSize.push_back(a ? *a : SymIntArg{-1, nullptr});
    }
    return rw_.createOp(OpKind::aten_view_copy_default, {{"self", e}, {"size", viewSize}},
                        kv->dtype, out, kv->name + "_grouped");
  }

  // The additive float mask of `mask` in `dtype`: where(mask, 0, -inf) for a bool mask,
  // a cast for a float one; one per mask (every layer reads the same one).
  Value *additiveMask(const Node &n, Value *mask, DType dtype) {
    if (mask->dtype == dtype)
      return mask;
    if (auto it = floatMasks_.find(mask); it != floatMasks_.end())
      return it->second;
    // Made where the mask is made, so that every attention node after it can read it.
    Node *after = mask->definingNode;
    rw_.setInsertionPoint(after ? after->nextNode() : g_.firstNode());
    Value *result;
    if (mask->dtype == DType::Bool) {
      Value *zero = scalarConstant(0.0, dtype, "mask_zero");
      Value *minusInf =
          scalarConstant(-std::numeric_limits<double>::infinity(), dtype, "mask_minus_inf");
      result = rw_.createOp(OpKind::aten_where_self,
                            {{"condition", mask}, {"self", zero}, {"other", minusInf}}, dtype,
                            mask->shape, mask->name + "_additive");
    } else {
      result = rw_.createOp(OpKind::aten__to_copy_default, {{"self", mask}, {"dtype", dtype}},
                            dtype, mask->shape, mask->name + "_cast");
    }
    rw_.setInsertionPoint(const_cast<Node *>(&n));
    floatMasks_[mask] = result;
    return result;
  }

  // ---- scalar operands ---------------------------------------------------------------------

  // cat leaves out parts that are empty along the cat dim (Phi-3's rotary pass-through of
  // size 0): ExecuTorch's cat sizes its output from the declared parts, empty ones too.
  bool dropEmptyCatParts(Node &n) {
    if (!n.is(OpKind::aten_cat_default))
      return false;
    const TensorListArg &parts = std::get<TensorListArg>(n.arg("tensors"));
    Value *out = n.results[0];
    int64_t dim = normalizedDim(*asInt(n.arg("dim")), out->shape.size());
    TensorListArg kept;
    for (Value *p : parts.tensors)
      if (!(p->shape.size() == out->shape.size() && p->shape[dim] == SymExpr(0)))
        kept.tensors.push_back(p);
    if (kept.tensors.size() == parts.tensors.size() || kept.tensors.empty())
      return false;
    if (kept.tensors.size() == 1 && kept.tensors[0]->shape == out->shape &&
        out->outputUses() == 0) {
      ctx_.note("to-executorch", out->name, "removed",
                "a cat of one non-empty part: its uses read %" + kept.tensors[0]->name);
      rw_.replaceAllUsesWith(out, kept.tensors[0]);
      rw_.eraseNode(&n);
      return true;
    }
    rw_.setArgument(&n, "tensors", kept);
    note(n, "empty parts left out of the cat");
    return false;
  }

  void tensorOperands(Node &n) {
    bool binary = n.is(OpKind::aten_add_Tensor) || n.is(OpKind::aten_sub_Tensor) ||
                  n.is(OpKind::aten_mul_Tensor) || n.is(OpKind::aten_div_Tensor);
    if (!binary || asTensor(n.arg("other")) || n.results.size() != 1)
      return;
    std::optional<double> value = asDouble(n.arg("other"));
    if (!value)
      return;
    DType dtype = n.results[0]->dtype;
    std::vector<NamedArg> args = n.args();
    for (NamedArg &a : args)
      if (a.name == "other")
        a.value = scalarConstant(*value, dtype, n.name + "_other");
    rw_.retarget(&n, n.target, std::move(args));
    note(n, "scalar other " + argToString(n.arg("other")) + " as a one-element constant");
  }

  // A one-element constant tensor [1] holding `value` in `dtype`.
  Value *scalarConstant(double value, DType dtype, const std::string &name) {
    interp::Tensor t(dtype, {1});
    if (isFloatingPoint(dtype))
      t.setDouble(0, value);
    else
      t.setInt(0, static_cast<int64_t>(value));
    const uint8_t *raw = static_cast<const uint8_t *>(t.raw());
    Storage *storage =
        g_.constants.addOwned("vkqc:" + name, std::vector<uint8_t>(raw, raw + t.byteSize()));
    ConstantTensor c;
    c.dtype = dtype;
    c.shape = {1};
    c.storage = storage;
    return rw_.createConstant(name, "to_executorch." + name, c);
  }
};

} // namespace

namespace {
class ToExecutorchPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    return ToExecutorch(g, ctx).run();
  }
};
} // namespace

std::unique_ptr<Pass> createToExecutorchPass() { return std::make_unique<ToExecutorchPass>(); }

} // namespace vkqc
