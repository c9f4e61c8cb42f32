#include "compiler/ir/SymExpr.h"

#include "TestSupport.h"

using namespace vkqc;
using namespace vkqc::test;

namespace {
SymExpr parseOk(llvm::StringRef text) { return valueOrFail(parseSympy(text)); }
std::string parseError(llvm::StringRef text) { return errorOf(parseSympy(text)); }
} // namespace

TEST_CASE("sympy srepr of export sizes parses", "[symexpr]") {
  CHECK(parseOk("Symbol('s70', positive=True, integer=True)").str() == "s70");
  CHECK(parseOk("Integer(64)").constant() == 64);
  CHECK(parseOk("Mul(Integer(64), Symbol('s70', positive=True, integer=True))").str() == "64*s70");
  CHECK(parseOk("Add(Symbol('s0', integer=True), Integer(-1))").str() == "(s0 + -1)");
  CHECK(parseOk("FloorDiv(Symbol('s0'), Integer(2))").str() == "floordiv(s0, 2)");
  CHECK(parseOk("Pow(Symbol('s70', positive=True, integer=True), Integer(2))").str() ==
        "pow(s70, 2)");
  CHECK(parseOk("Max(Integer(1), Symbol('s1'))").symbols() == std::vector<std::string>{"s1"});
}

TEST_CASE("constant sympy expressions fold", "[symexpr]") {
  CHECK(parseOk("Mul(Integer(4), Integer(8))").constant() == 32);
  CHECK(parseOk("Add(Integer(4), Mul(Integer(2), Integer(3)))").constant() == 10);
  CHECK(parseOk("FloorDiv(Integer(-7), Integer(2))").constant() == -4);
  CHECK(parseOk("Mod(Integer(-7), Integer(2))").constant() == 1);
  CHECK(parseOk("Pow(Integer(2), Integer(10))").constant() == 1024);
}

TEST_CASE("symbolic expressions evaluate with bindings", "[symexpr]") {
  SymExpr e = parseOk("Add(Mul(Integer(64), Symbol('s70')), Integer(3))");
  CHECK(valueOrFail(e.evaluate({{"s70", 7}})) == 451);
  CHECK_THAT(errorOf(e.evaluate({})), Catch::Contains("symbol 's70' has no value"));
}

TEST_CASE("bad sympy text is refused with a location", "[symexpr]") {
  CHECK_THAT(parseError("Frob(1)"), Catch::Contains("unsupported sympy function 'Frob'"));
  CHECK_THAT(parseError("Integer(99999999999999999999)"), Catch::Contains("fits in 64 bits"));
  CHECK_THAT(parseError("Mul(Integer(4611686018427387904), Integer(4))"),
             Catch::Contains("overflow"));
  CHECK_THAT(parseError("FloorDiv(Integer(1), Integer(0))"), Catch::Contains("division by zero"));
  CHECK_THAT(parseError("Symbol('s0'"), Catch::Contains("expected ')'"));
  CHECK_THAT(parseError("Symbol('a b')"), Catch::Contains("symbol names"));
  CHECK_THAT(parseError("Integer(1) junk"), Catch::Contains("trailing"));
  CHECK_THAT(parseError(""), Catch::Contains("expected Symbol"));
}

TEST_CASE("deep nesting is refused, not recursed into", "[symexpr]") {
  std::string deep;
  for (int i = 0; i < 10000; ++i)
    deep += "Add(";
  deep += "Integer(1)";
  for (int i = 0; i < 10000; ++i)
    deep += ")";
  CHECK_THAT(parseError(deep), Catch::Contains("nested too deeply"));
}
