// The graph's use lists through every mutation API, and its node list (O(1) insert, erase,
// move; erasing while walking).
#include "compiler/ir/Rewriter.h"
#include "compiler/ir/Verifier.h"

#include "TestSupport.h"

#include <algorithm>

using namespace vkqc;
using namespace vkqc::test;

namespace {

/// x: f32[s0, 4] input; n = sym_size(x, 0); a = neg(x); b = a * a; c = cat([a, b], 1);
/// v = view(c, [n, -1]); returns v.
struct UseGraph {
  std::unique_ptr<Graph> g = std::make_unique<Graph>();
  Value *x, *n, *a, *b, *c, *v;
  Node *sizeNode, *negNode, *mulNode, *catNode, *viewNode;

  UseGraph() {
    SymExpr s0 = SymExpr::symbol("s0");
    g->setSymbol("s0", SymbolRange{1, 8});
    x = tensor("x", {s0, SymExpr(4)});
    x->inputKind = InputKind::User;
    g->addInput(x);
    n = g->createValue("n");
    n->kind = Value::Kind::SymInt;
    n->symValue = s0;
    sizeNode = add("aten.sym_size.int", {{"self", x}, {"dim", int64_t(0)}}, n);
    a = tensor("a", {s0, SymExpr(4)});
    negNode = add("aten.neg.default", {{"self", x}}, a);
    b = tensor("b", {s0, SymExpr(4)});
    mulNode = add("aten.mul.Tensor", {{"self", a}, {"other", a}}, b);
    c = tensor("c", {s0, SymExpr(8)});
    catNode = add("aten.cat.default", {{"tensors", TensorListArg{{a, b}}}, {"dim", int64_t(1)}}, c);
    v = tensor("v", {s0, SymExpr(8)});
    IntList size = {SymIntArg{0, n}, SymIntArg{-1, nullptr}};
    viewNode = add("aten.view.default", {{"self", c}, {"size", size}}, v);
    g->addOutput(v);
  }

  Value *tensor(const std::string &name, Dims shape) {
    Value *t = g->createValue(name);
    t->shape = std::move(shape);
    return t;
  }

  Node *add(llvm::StringRef target, std::vector<NamedArg> args, Value *result) {
    auto node = makeNode(*g, *lookupOpSchema(target), result->name, std::move(args));
    node->results.push_back(result);
    return g->appendNode(std::move(node));
  }
};

size_t readsBy(const Value *v, const Node *user) {
  return std::count(v->users().begin(), v->users().end(), user);
}

void requireConsistent(const Graph &g) {
  std::string why;
  INFO(why);
  REQUIRE(useListsMatch(g, why));
  REQUIRE(errorText(verifyGraph(g)) == "");
}

std::vector<std::string> order(const Graph &g) {
  std::vector<std::string> names;
  for (const auto &n : g.nodes())
    names.push_back(n->name);
  return names;
}

} // namespace

TEST_CASE("use lists: every operand slot, tensor lists, symbolic sizes and outputs", "[ir][uses]") {
  UseGraph s;
  requireConsistent(*s.g);
  CHECK(s.x->numUses() == 2); // sym_size and neg
  CHECK(readsBy(s.a, s.mulNode) == 2);
  CHECK(readsBy(s.a, s.catNode) == 1);
  CHECK(s.a->numUses() == 3);
  CHECK(s.b->hasOneUse());
  CHECK(readsBy(s.n, s.viewNode) == 1); // through the size list
  CHECK(s.v->users().empty());
  CHECK(s.v->outputUses() == 1);
  CHECK(s.v->isUsed());
}

TEST_CASE("use lists follow every mutation API", "[ir][uses]") {
  UseGraph s;
  SECTION("setArg") {
    s.mulNode->setArg("other", s.x);
    CHECK(readsBy(s.a, s.mulNode) == 1);
    CHECK(readsBy(s.x, s.mulNode) == 1);
    s.catNode->setArg("tensors", TensorListArg{{s.b, s.b, s.x}});
    CHECK(readsBy(s.a, s.catNode) == 0);
    CHECK(readsBy(s.b, s.catNode) == 2);
    CHECK(readsBy(s.x, s.catNode) == 1);
    s.viewNode->setArg("size", IntList{SymIntArg{-1, nullptr}, SymIntArg{8, nullptr}});
    CHECK(!s.n->isUsed());
  }
  SECTION("setArgs") {
    s.mulNode->setArgs({{"self", s.x}, {"other", s.x}});
    CHECK(readsBy(s.a, s.mulNode) == 0);
    CHECK(readsBy(s.x, s.mulNode) == 2);
  }
  SECTION("replaceUsesOf") {
    s.mulNode->replaceUsesOf(s.a, s.x);
    CHECK(readsBy(s.a, s.mulNode) == 0);
    CHECK(readsBy(s.x, s.mulNode) == 2);
    s.mulNode->replaceUsesOf(s.x, s.x); // no-op
    CHECK(readsBy(s.x, s.mulNode) == 2);
  }
  SECTION("replaceAllUses, outputs included") {
    s.g->replaceAllUses(s.a, s.x);
    CHECK(!s.a->isUsed());
    CHECK(s.x->numUses() == 5);
    s.g->replaceAllUses(s.v, s.c);
    CHECK(s.g->outputs()[0] == s.c);
    CHECK(s.v->outputUses() == 0);
    CHECK(s.c->outputUses() == 1);
    CHECK(s.c->numUses() == 2);
  }
  SECTION("addOutput and setOutput") {
    s.g->addOutput(s.b);
    s.g->addOutput(s.b);
    CHECK(s.b->outputUses() == 2);
    s.g->setOutput(1, s.a);
    CHECK(s.b->outputUses() == 1);
    CHECK(s.a->outputUses() == 1);
  }
  SECTION("insertNodeBefore and eraseNode") {
    Value *d = s.tensor("d", s.a->shape);
    auto sin = makeNode(*s.g, *lookupOpSchema("aten.sin.default"), "d", {{"self", s.a}});
    sin->results.push_back(d);
    CHECK(readsBy(s.a, sin.get()) == 0); // a node being built holds no uses
    Node *sinNode = s.g->insertNodeBefore(s.mulNode, std::move(sin));
    CHECK(readsBy(s.a, sinNode) == 1);
    CHECK(sinNode->prevNode() == s.negNode);
    CHECK(sinNode->nextNode() == s.mulNode);
    s.g->eraseNode(sinNode); // its result is unused
    CHECK(s.a->numUses() == 3);
    CHECK(!s.g->findValue("d"));
  }
  requireConsistent(*s.g);
}

TEST_CASE("the Rewriter keeps use lists and tells its listener", "[ir][uses]") {
  UseGraph s;
  struct Recorder : RewriteListener {
    std::vector<std::string> created, erased;
    void nodeCreated(Node *n) override { created.push_back(n->name); }
    void nodeErased(Node *n) override { erased.push_back(n->name); }
  } recorder;
  Rewriter rw(*s.g);
  rw.setListener(&recorder);
  CHECK(!rw.changed());

  // b = a * a becomes b' = sin(a); the old node goes once nothing reads it.
  rw.setInsertionPoint(s.mulNode);
  Value *sin = rw.createOp("aten.sin.default", {{"self", s.a}}, DType::Float32, s.b->shape, "b");
  CHECK(sin->name == "b_1");
  CHECK(readsBy(s.a, sin->definingNode) == 1);
  CHECK(!rw.eraseIfUnused(s.mulNode)); // cat still reads b
  rw.replaceAllUsesWith(s.b, sin);
  CHECK(rw.eraseIfUnused(s.mulNode));
  CHECK(s.a->numUses() == 2); // sin and cat
  CHECK(recorder.created == std::vector<std::string>{"b_1"});
  CHECK(recorder.erased == std::vector<std::string>{"b"});

  rw.setArgument(s.catNode, "tensors", TensorListArg{{sin, sin}});
  CHECK(readsBy(sin, s.catNode) == 2);
  CHECK(readsBy(s.a, s.catNode) == 0);
  rw.replaceUsesIn(s.catNode, sin, s.a);
  CHECK(readsBy(s.a, s.catNode) == 2);
  CHECK(rw.changed());
  requireConsistent(*s.g);
}

TEST_CASE("unused constants go, used ones stay", "[ir][uses]") {
  UseGraph s;
  Rewriter rw(*s.g);
  static const uint8_t bytes[16] = {};
  ConstantTensor data{DType::Float32, {4}, s.g->constants.addView("w", bytes), 0};
  Value *w = rw.createConstant("w", "w", data);
  CHECK(s.g->inputs().front() == w); // constants before user inputs
  rw.setArgument(s.mulNode, "other", w);
  CHECK(!rw.eraseInputIfUnused(w));
  rw.setArgument(s.mulNode, "other", s.a);
  CHECK(rw.eraseInputIfUnused(w));
  CHECK(s.g->inputs().size() == 1);
  requireConsistent(*s.g);
}

TEST_CASE("nodes: moved and erased in place, erased while walking", "[ir][nodes]") {
  UseGraph s;
  const std::vector<std::string> built = {"n", "a", "b", "c", "v"};
  REQUIRE(order(*s.g) == built);

  s.g->moveBefore(s.sizeNode, nullptr); // to the end
  CHECK(order(*s.g) == std::vector<std::string>{"a", "b", "c", "v", "n"});
  s.g->moveBefore(s.sizeNode, s.viewNode);
  CHECK(order(*s.g) == std::vector<std::string>{"a", "b", "c", "n", "v"});
  Rewriter rw(*s.g);
  rw.moveBefore(s.sizeNode, s.viewNode); // already there
  CHECK(!rw.changed());
  rw.moveBefore(s.sizeNode, s.negNode);
  CHECK(rw.changed());
  CHECK(order(*s.g) == built);
  CHECK(s.g->firstNode() == s.sizeNode);
  CHECK(s.g->lastNode() == s.viewNode);

  // Backwards, erasing each node whose results nothing reads: everything but the output's
  // producers goes in one sweep once the output moves to x.
  s.g->setOutput(0, s.x);
  for (Node *n = s.g->lastNode(); n;) {
    Node *prev = n->prevNode();
    if (std::none_of(n->results.begin(), n->results.end(),
                     [](const Value *r) { return r->isUsed(); }))
      s.g->eraseNode(n);
    n = prev;
  }
  CHECK(s.g->nodes().empty());
  CHECK(s.x->outputUses() == 1);
  CHECK(s.x->users().empty());
  requireConsistent(*s.g);
}
