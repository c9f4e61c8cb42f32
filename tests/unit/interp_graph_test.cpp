// The graph interpreter on small hand-built graphs: what it computes and every way it
// refuses a bad input or a bad graph (with the culprit named).
#include "compiler/interp/Interpreter.h"

#include "TestSupport.h"
#include "TestTensors.h"

#include <cmath>
#include <cstring>

using namespace vkqc;
using namespace vkqc::interp;
using namespace vkqc::interp::testing;
using namespace vkqc::test;

namespace {

Value *tensorValue(Graph &g, const std::string &name, DType dtype, Dims shape) {
  Value *v = g.createValue(name);
  v->dtype = dtype;
  v->shape = std::move(shape);
  return v;
}

Node *addNode(Graph &g, llvm::StringRef target, const std::string &name, std::vector<NamedArg> args,
              std::vector<Value *> results) {
  auto node = makeNode(g, *lookupOpSchema(target), name, std::move(args));
  node->results = std::move(results);
  return g.appendNode(std::move(node));
}

/// x: f32[s0, 4] (s0 in [2, 8]), w: parameter f32[4] = {1, 2, 3, 4}
///   n = sym_size(x, 0); y = x * 2.0; z = y + w; out = view(z, [n, 2, -1])
struct SmallGraph {
  std::unique_ptr<Graph> g = std::make_unique<Graph>();
  Value *x, *w, *n, *y, *z, *out;

  SmallGraph() {
    SymExpr s0 = SymExpr::symbol("s0");
    g->setSymbol("s0", SymbolRange{2, 8});
    w = tensorValue(*g, "w", DType::Float32, {SymExpr(4)});
    w->inputKind = InputKind::Parameter;
    w->stateName = "w";
    std::vector<uint8_t> bytes(4 * sizeof(float));
    const float weights[4] = {1, 2, 3, 4};
    std::memcpy(bytes.data(), weights, bytes.size());
    w->constant = ConstantTensor{DType::Float32, {4}, g->constants.addOwned("w", bytes), 0};
    x = tensorValue(*g, "x", DType::Float32, {s0, SymExpr(4)});
    x->inputKind = InputKind::User;
    g->addInput(w);
    g->addInput(x);

    n = g->createValue("n");
    n->kind = Value::Kind::SymInt;
    n->symValue = s0;
    addNode(*g, "aten.sym_size.int", "n", {{"self", x}, {"dim", int64_t(0)}}, {n});
    y = tensorValue(*g, "y", DType::Float32, {s0, SymExpr(4)});
    addNode(*g, "aten.mul.Tensor", "y", {{"self", x}, {"other", 2.0}}, {y});
    z = tensorValue(*g, "z", DType::Float32, {s0, SymExpr(4)});
    addNode(*g, "aten.add.Tensor", "z", {{"self", y}, {"other", w}}, {z});
    out = tensorValue(*g, "out", DType::Float32, {s0, SymExpr(2), SymExpr(2)});
    IntList sizes = {SymIntArg{0, n}, SymIntArg{2, nullptr}, SymIntArg{-1, nullptr}};
    addNode(*g, "aten.view.default", "out", {{"self", z}, {"size", sizes}}, {out});
    g->addOutput(out);
  }
};

Tensor rows(int64_t count, int64_t width = 4, DType dtype = DType::Float32) {
  std::vector<double> values;
  for (int64_t i = 0; i < count * width; ++i)
    values.push_back(static_cast<double>(i));
  return makeTensor(dtype, {count, width}, values);
}

std::string runError(const Graph &g, std::vector<Tensor> inputs) {
  return errorOf(interpretGraph(g, inputs));
}

} // namespace

TEST_CASE("a small graph runs with symbolic sizes, wrapped scalars and constants", "[interp]") {
  SmallGraph s;
  std::vector<Tensor> outputs = valueOrFail(interpretGraph(*s.g, {rows(3)}));
  REQUIRE(outputs.size() == 1);
  CHECK(outputs[0].shape() == Shape{3, 2, 2});
  CHECK(outputs[0].dtype() == DType::Float32); // 2.0 is a wrapped number: no promotion
  CHECK(valuesOf(outputs[0]) == std::vector<double>{1, 4, 7, 10, 9, 12, 15, 18, 17, 20, 23, 26});
}

TEST_CASE("user inputs must match the graph's inputs", "[interp]") {
  SmallGraph s;
  CHECK_THAT(runError(*s.g, {rows(3, 4, DType::Int64)}),
             Catch::Contains("input %x: expected dtype f32, got i64"));
  CHECK_THAT(runError(*s.g, {makeTensor(DType::Float32, {12}, std::vector<double>(12, 0))}),
             Catch::Contains("input %x: expected rank 2, got a tensor of rank 1"));
  CHECK_THAT(runError(*s.g, {rows(3, 5)}),
             Catch::Contains("input %x dim 1: expected 4 (4), got 5"));
  CHECK_THAT(runError(*s.g, {rows(9)}),
             Catch::Contains("input %x dim 0: s0 = 9 is outside its range [2, 8]"));
  CHECK_THAT(runError(*s.g, {rows(1)}), Catch::Contains("s0 = 1 is outside its range"));
  CHECK_THAT(runError(*s.g, {}), Catch::Contains("the graph takes 1 user inputs, got 0"));
}

TEST_CASE("a symbol used twice must bind consistently", "[interp]") {
  SmallGraph s;
  s.x->shape = {SymExpr::symbol("s0"), SymExpr::symbol("s0")};
  CHECK_THAT(runError(*s.g, {rows(3, 4)}),
             Catch::Contains("input %x dim 1: expected 3 (s0), got 4"));
}

TEST_CASE("a result that contradicts its declared shape or dtype names the node", "[interp]") {
  SmallGraph s;
  SECTION("shape") {
    s.z->shape = {SymExpr::symbol("s0"), SymExpr(5)};
    CHECK_THAT(runError(*s.g, {rows(3)}),
               Catch::Contains("node %z (aten.add.Tensor): result %z is declared [3, 5] but "
                               "the op gave [3, 4]"));
  }
  SECTION("dtype") {
    s.y->dtype = DType::Float16;
    CHECK_THAT(runError(*s.g, {rows(3)}),
               Catch::Contains("node %y (aten.mul.Tensor): result %y is declared f16 but the "
                               "op gave f32"));
  }
  SECTION("symbolic int") {
    s.n->symValue = SymExpr(7);
    CHECK_THAT(runError(*s.g, {rows(3)}),
               Catch::Contains("result %n is declared 7 = 7 but the op gave 3"));
  }
}

TEST_CASE("an op outside the op table is an error, not a crash", "[interp]") {
  SmallGraph s;
  static const OpSchema frobnicate =
      valueOrFail(parseOpSchema("aten::frobnicate(Tensor self, Tensor other) -> Tensor"));
  nodeAt(*s.g, 1)->target = frobnicate.target; // aten.mul's arguments, a schema of no row
  nodeAt(*s.g, 1)->schema = &frobnicate;
  CHECK_THAT(runError(*s.g, {rows(3)}),
             Catch::Contains("node %y (aten.frobnicate.default): the interpreter has no "
                             "handler for this target"));
}

TEST_CASE("arguments the kernels cannot take are errors naming the argument", "[interp]") {
  SmallGraph s;
  SECTION("a string where a number goes") {
    nodeAt(*s.g, 1)->setArg("other", std::string("oops"));
    CHECK_THAT(runError(*s.g, {rows(3)}),
               Catch::Contains("node %y (aten.mul.Tensor): argument 'other': expected a "
                               "tensor or a number, got string"));
  }
  SECTION("a symbolic int where a tensor goes") {
    nodeAt(*s.g, 2)->setArg("self", s.n);
    CHECK_THAT(runError(*s.g, {rows(3)}), Catch::Contains("node %z (aten.add.Tensor)"));
  }
  SECTION("a kernel's own refusal") {
    nodeAt(*s.g, 3)->setArg("size", IntList{SymIntArg{-1, nullptr}, SymIntArg{-1, nullptr}});
    CHECK_THAT(runError(*s.g, {rows(3)}),
               Catch::Contains("node %out (aten.view.default): reshape: more than one -1"));
  }
}

TEST_CASE("_assert_tensor_metadata checks the dtype", "[interp]") {
  SmallGraph s;
  addNode(*s.g, "aten._assert_tensor_metadata.default", "check",
          {{"a", s.out}, {"dtype", DType::BFloat16}}, {});
  CHECK_THAT(runError(*s.g, {rows(3)}),
             Catch::Contains("node %check (aten._assert_tensor_metadata.default): tensor has "
                             "dtype f32, the assertion wants bf16"));
  s.g->lastNode()->setArg("dtype", DType::Float32);
  CHECK(valueOrFail(interpretGraph(*s.g, {rows(3)})).size() == 1);
}

TEST_CASE("every op of the op table (Ops.def) has a handler", "[interp]") {
  SmallGraph s;
  for (const OpSchema &schema : allOpSchemas()) {
    INFO(schema.target);
    // A handler-less target fails with "no handler"; one with a handler fails later
    // (its arguments here are nonsense) or not at all.
    auto g = std::make_unique<Graph>();
    std::vector<NamedArg> args;
    for (const SchemaArg &a : schema.args)
      args.push_back({a.name, a.defaultValue.value_or(ArgValue(NoneArg()))});
    auto node = std::make_unique<Node>();
    node->name = "probe";
    node->target = schema.target;
    node->schema = &schema;
    node->setArgs(std::move(args));
    g->appendNode(std::move(node));
    std::string message = errorText(interpretGraph(*g, {}).takeError());
    CHECK_THAT(message, !Catch::Contains("no handler"));
  }
}

TEST_CASE("compareTensors measures in double and NaN fails every tolerance", "[interp]") {
  Tensor a = makeTensor(DType::Float32, {2, 2}, {1, 2, 3, 4});
  Comparison same = valueOrFail(compareTensors(a, a));
  CHECK(same.cosine == Approx(1.0).epsilon(1e-15));
  CHECK(same.maxAbsError == 0);
  CHECK(same.maxAbsExpected == 4);
  CHECK(same.shapesMatch);
  CHECK(meetsTolerance(same, {0.99999, 1e-4}));

  Tensor off = makeTensor(DType::Float32, {2, 2}, {1, 2, 3, 4.5});
  Comparison c = valueOrFail(compareTensors(off, a));
  CHECK(c.maxAbsError == 0.5);
  CHECK(!meetsTolerance(c, {0.9, 1e-4}));
  CHECK(meetsTolerance(c, {0.9, std::nullopt}));

  Tensor withNaN = makeTensor(DType::Float32, {2, 2}, {1, 2, NAN, 4});
  Comparison n = valueOrFail(compareTensors(withNaN, a));
  CHECK(std::isnan(n.cosine));
  CHECK(std::isnan(n.maxAbsError));
  CHECK(!meetsTolerance(n, {-1.0, std::nullopt}));

  Comparison reshaped = valueOrFail(compareTensors(a.reshaped({4}), a));
  CHECK(!reshaped.shapesMatch);
  CHECK(!meetsTolerance(reshaped, {0.0, std::nullopt}));
  Comparison shorter = valueOrFail(compareTensors(makeTensor(DType::Float32, {1}, {1}), a));
  CHECK(!shorter.shapesMatch);
  CHECK(std::isnan(shorter.cosine));
}
