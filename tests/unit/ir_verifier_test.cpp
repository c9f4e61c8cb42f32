#include "compiler/ir/Verifier.h"

#include "TestSupport.h"

using namespace vkqc;
using namespace vkqc::test;

namespace {
// x: f32[4] -> neg(x) -> output
std::unique_ptr<Graph> tinyGraph() {
  auto g = std::make_unique<Graph>();
  Value *x = g->createValue("x");
  x->dtype = DType::Float32;
  x->shape = {SymExpr(4)};
  x->inputKind = InputKind::User;
  g->addInput(x);
  Value *y = g->createValue("y");
  y->dtype = DType::Float32;
  y->shape = {SymExpr(4)};
  auto node = makeNode(*g, *lookupOpSchema("aten.neg.default"), "y", {{"self", x}});
  node->results.push_back(y);
  g->appendNode(std::move(node));
  g->addOutput(y);
  return g;
}

std::string verifyError(const Graph &g) {
  std::string text = errorText(verifyGraph(g));
  REQUIRE(!text.empty());
  return text;
}
} // namespace

TEST_CASE("a well-formed graph verifies", "[verifier]") {
  CHECK(errorText(verifyGraph(*tinyGraph())) == "");
}

TEST_CASE("the verifier rejects broken graphs with a named culprit", "[verifier]") {
  SECTION("use before definition") {
    auto g = tinyGraph();
    Value *late = g->createValue("late");
    late->shape = {SymExpr(4)};
    g->firstNode()->setArg("self", late);
    CHECK_THAT(verifyError(*g), Catch::Contains("reads '%late' before it is defined"));
  }
  SECTION("wrong argument kind") {
    auto g = tinyGraph();
    g->firstNode()->setArg("self", std::string("oops"));
    CHECK_THAT(verifyError(*g), Catch::Contains("argument 'self' expects Tensor"));
  }
  SECTION("negative size") {
    auto g = tinyGraph();
    g->outputs()[0]->shape = {SymExpr(-1)};
    CHECK_THAT(verifyError(*g), Catch::Contains("negative size"));
  }
  SECTION("undeclared symbol") {
    auto g = tinyGraph();
    g->outputs()[0]->shape = {SymExpr::symbol("s9")};
    CHECK_THAT(verifyError(*g), Catch::Contains("undeclared symbol 's9'"));
  }
  SECTION("missing argument") {
    auto g = tinyGraph();
    g->firstNode()->setArgs({});
    CHECK_THAT(verifyError(*g), Catch::Contains("has 0 arguments, schema has 1"));
  }
  SECTION("undefined output") {
    auto g = tinyGraph();
    g->setOutput(0, g->createValue("ghost"));
    CHECK_THAT(verifyError(*g), Catch::Contains("'%ghost' is not defined"));
  }
  SECTION("constant past its storage") {
    auto g = tinyGraph();
    Value *w = g->createValue("w");
    w->dtype = DType::Float32;
    w->shape = {SymExpr(4)};
    w->inputKind = InputKind::Parameter;
    static const uint8_t bytes[8] = {};
    w->constant.dtype = DType::Float32;
    w->constant.shape = {4};
    w->constant.storage = g->constants.addView("w", bytes);
    g->insertInput(0, w);
    CHECK_THAT(verifyError(*g), Catch::Contains("past the end of its storage"));
  }
}

TEST_CASE("derived layouts: registered once per (storage, tag), produced on demand",
          "[constants]") {
  ConstantPool pool;
  static const uint8_t bytes[4] = {1, 2, 3, 4};
  Storage *s = pool.addView("w", bytes);
  CHECK(pool.findDerived(s, "q4-linear") == nullptr);
  int produced = 0;
  auto fill = [&produced](uint8_t value) {
    return [&produced, value](llvm::MutableArrayRef<uint8_t> dst) {
      ++produced;
      std::fill(dst.begin(), dst.end(), value);
      return llvm::Error::success();
    };
  };
  Storage *packed = pool.addDerived(s, "q4-linear", DerivedKind::Layout, 2, fill(9));
  CHECK(produced == 0); // nothing is made until someone reads it
  CHECK(pool.findDerived(s, "q4-linear") == packed);
  Storage *other = pool.addDerived(s, "scales-transposed", DerivedKind::Layout, 1, fill(7));
  pool.addDerived(s, "sums", DerivedKind::Summary, 1, fill(1));
  CHECK(other != packed);
  CHECK(pool.derivedTags(s, DerivedKind::Layout) ==
        std::vector<std::string>{"q4-linear", "scales-transposed"});
  CHECK(pool.derivedTags(s, DerivedKind::Summary) == std::vector<std::string>{"sums"});

  uint8_t out[2] = {};
  CHECK(errorText(packed->writeTo(out)) == ""); // straight into the destination
  CHECK(out[1] == 9);
  CHECK(valueOrFail(packed->data())[0] == 9);
  CHECK(valueOrFail(packed->data())[1] == 9); // computed once, then kept
  CHECK(produced == 2);
  CHECK(valueOrFail(s->data())[0] == 1); // the source is untouched
  CHECK(packed->origin == "w@q4-linear");
  CHECK_THAT(errorText(packed->writeTo(llvm::MutableArrayRef<uint8_t>(out, 1))),
             Catch::Contains("size"));
}
