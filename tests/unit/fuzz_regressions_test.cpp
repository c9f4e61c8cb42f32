// Replays tests/fuzz/regressions/{sympy,npy,opschema} through the entry points their
// libFuzzer harnesses call (tests/fuzz/fuzz_*.cpp), in the normal build. The model_json
// and pt2 inputs are replayed through `vkqc compile` by
// tests/lit/errors/malformed-fuzz-regressions.test.
#include "compiler/ir/OpSchema.h"
#include "compiler/ir/SymExpr.h"
#include "compiler/semantics/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <catch2/catch.hpp>

#include <climits>
#include <string>
#include <vector>

using namespace vkqc;

namespace {
std::vector<std::string> regressionInputs(llvm::StringRef harness) {
  std::string dir = std::string(VKQC_TEST_DATA_DIR) + "/../fuzz/regressions/" + harness.str();
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    files.push_back(it->path());
  return files;
}

std::string contents(const std::string &path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  REQUIRE(buf);
  return (*buf)->getBuffer().str();
}

// A refusal is fine; what the harness catches (UB, overflow, hangs) aborts under the
// sanitizers (scripts/sanitize.sh) or never returns.
template <typename T> void consume(llvm::Expected<T> e) {
  if (!e) {
    std::string message = llvm::toString(e.takeError());
    CHECK_FALSE(message.empty());
  }
}
} // namespace

TEST_CASE("fuzz regressions: sympy sizes", "[fuzz]") {
  std::vector<std::string> files = regressionInputs("sympy");
  CHECK(files.size() >= 3);
  for (const std::string &f : files) {
    INFO(f);
    llvm::Expected<SymExpr> e = parseSympy(contents(f));
    if (!e) {
      llvm::consumeError(e.takeError());
      continue;
    }
    (void)e->str();
    std::vector<std::string> symbols = e->symbols();
    for (int64_t value : {int64_t(0), int64_t(3), int64_t(-7), INT64_MAX, INT64_MIN}) {
      std::map<std::string, int64_t> bindings;
      for (const std::string &s : symbols)
        bindings[s] = value;
      consume(e->evaluate(bindings));
    }
  }
}

TEST_CASE("fuzz regressions: sympy Mod and Pow fold without overflow or hangs", "[fuzz]") {
  SymExpr mod = llvm::cantFail(parseSympy("Mod(Symbol('s1'), Integer(61))"));
  CHECK(llvm::cantFail(mod.evaluate({{"s1", INT64_MIN}})) == 53); // floor mod: -2^63 mod 61
  CHECK(llvm::cantFail(mod.evaluate({{"s1", -1}})) == 60);
  SymExpr pow = llvm::cantFail(parseSympy("Pow(Integer(-1), Integer(9223372036854775807))"));
  CHECK(pow.constant() == -1);
}

TEST_CASE("fuzz regressions: npy", "[fuzz]") {
  std::vector<std::string> files = regressionInputs("npy");
  CHECK(files.size() >= 2);
  for (const std::string &f : files) {
    INFO(f);
    llvm::Expected<interp::Tensor> t = interp::parseNpy(contents(f), "regression.npy");
    if (!t) {
      std::string message = llvm::toString(t.takeError());
      CHECK(message.find('\n') == std::string::npos); // one line
      continue;
    }
    (void)t->numel();
  }
}

TEST_CASE("fuzz regressions: op schemas", "[fuzz]") {
  for (const std::string &f : regressionInputs("opschema")) {
    INFO(f);
    consume(parseOpSchema(contents(f)));
  }
}
