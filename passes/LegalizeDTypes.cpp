// legalize-dtypes: compute every float in one dtype the Vulkan kernels support.
//
// --dtype picks the compute dtype (f32 default, f16). Every float value of another float
// dtype (a bf16 checkpoint, or f32 under --dtype=fp16) becomes the compute dtype: float
// constants are cast once through the constant registry, node results are retyped, and
// dtype arguments (dequantize_affine's output_dtype, _to_copy's dtype, choose_qparams'
// scale_dtype, ...) are rewritten. So every dequantize_affine produces the compute dtype
// and no bf16 tensor can reach a kernel (the frozen-bf16 output_dtype bug of ExecuTorch
// PR #18957 cannot happen).
//
// Zero points keep the dtype they were exported with (int8, or float in older exports):
// the kernels have a variant for each, and later passes read it from the IR.
#include "compiler/semantics/Kernels.h"
#include "passes/DerivedConstants.h"

#include <set>

namespace vkqc {

namespace {
// Arguments that carry zero points, and the dtype arguments that name a zero point's dtype.
bool isZeroPointArg(llvm::StringRef name) {
  return name == "zero_point" || name == "input_zp" || name == "weight_zero_points";
}
bool isZeroPointDTypeArg(llvm::StringRef name) { return name == "zero_point_dtype"; }

// choose_qparams_affine rounds its zero points to integers in [quant_min, quant_max]; a
// float zero point of a range within +-2048 is exact in f16 too, so it follows the compute
// dtype (the 8da4w kernels read the activation's zero point as int8 or in its own dtype).
bool exactInComputeDType(const Node &n, DType compute) {
  if (!n.is(OpKind::torchao_choose_qparams_affine_default) || !isFloatingPoint(n.results[1]->dtype))
    return false;
  std::optional<int64_t> qmin = asInt(n.arg("quant_min")), qmax = asInt(n.arg("quant_max"));
  return compute == DType::Float32 ||
         (compute == DType::Float16 && qmin && qmax && *qmin >= -2048 && *qmax <= 2048);
}

std::set<const Value *> zeroPointValues(const Graph &g, DType compute) {
  std::set<const Value *> zps, exact;
  for (const auto &n : g.nodes()) {
    if (exactInComputeDType(*n, compute))
      exact.insert(n->results[1]);
    for (const NamedArg &a : n->args())
      if (isZeroPointArg(a.name))
        if (const Value *v = asTensor(a.value))
          zps.insert(v);
    if (n->is(OpKind::torchao_choose_qparams_affine_default))
      zps.insert(n->results[1]);
  }
  for (const Value *v : exact)
    zps.erase(v);
  return zps;
}

class LegalizeDTypesPass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    const DType compute = ctx.options.computeDType;
    auto needsChange = [&](DType t) { return isFloatingPoint(t) && t != compute; };
    std::set<const Value *> zeroPoints = zeroPointValues(g, compute);
    Rewriter rw(g);

    // Float constants: a cast copy, made once per storage.
    for (Value *in : std::vector<Value *>(g.inputs())) {
      if (!in->isConstant() || !needsChange(in->dtype) || zeroPoints.count(in))
        continue;
      llvm::Expected<DerivedConstant> cast = deriveConstant(
          rw, in, "cast_" + std::string(dtypeName(compute)), DerivedKind::Layout,
          in->name + "_" + std::string(dtypeName(compute)),
          DerivedType{compute, in->constant.shape},
          [compute](const interp::Tensor &t) -> llvm::Expected<interp::LayoutResult> {
            llvm::Expected<interp::Tensor> cast = interp::toDType(t, compute);
            if (!cast)
              return cast.takeError();
            return interp::layoutOf(std::move(*cast));
          });
      if (!cast)
        return cast.takeError();
      ctx.note("legalize-dtypes", in->name, "cast",
               std::string(dtypeName(in->dtype)) + " -> " + std::string(dtypeName(compute)));
      rw.replaceAllUsesWith(in, cast->value);
      rw.eraseInputIfUnused(in);
    }
    // Float user inputs: cast on entry, so everything downstream computes in one dtype.
    for (Value *in : std::vector<Value *>(g.inputs())) {
      if (in->isConstant() || !needsChange(in->dtype))
        continue;
      rw.setInsertionPoint(g.firstNode());
      Value *cast =
          rw.createOp(OpKind::aten__to_copy_default, {{"self", in}, {"dtype", compute}}, compute,
                      in->shape, in->name + "_" + std::string(dtypeName(compute)));
      Node *castNode = cast->definingNode;
      rw.replaceAllUsesWith(in, cast);
      rw.replaceUsesIn(castNode, cast, in); // the cast itself still reads the input
      ctx.note("legalize-dtypes", in->name, "cast", "user input cast to the compute dtype");
    }
    // Node results and dtype arguments.
    for (const auto &n : g.nodes()) {
      bool retyped = false;
      for (const NamedArg &a : n->args()) { // setArgument changes a value, never the list
        const DType *d = std::get_if<DType>(&a.value);
        if (d && needsChange(*d) &&
            (!isZeroPointDTypeArg(a.name) || exactInComputeDType(*n, compute))) {
          rw.setArgument(n.get(), a.name, compute);
          retyped = true;
        }
      }
      for (Value *r : n->results)
        if (r->isTensor() && needsChange(r->dtype) && !zeroPoints.count(r)) {
          rw.setDType(r, compute);
          retyped = true;
        }
      if (retyped)
        ctx.note("legalize-dtypes", n->name, "retyped",
                 "computes in " + std::string(dtypeName(compute)));
    }
    return rw.changed();
  }
};
} // namespace

std::unique_ptr<Pass> createLegalizeDTypesPass() { return std::make_unique<LegalizeDTypesPass>(); }

} // namespace vkqc
