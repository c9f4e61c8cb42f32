// Fuzzes the sympy srepr size parser (parseSympy), then prints, lists and evaluates what
// it accepted, with its symbols bound to small and to huge values.
#include "tests/fuzz/FuzzSupport.h"

#include "compiler/ir/SymExpr.h"

using namespace vkqc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<SymExpr> e = parseSympy(text);
  if (!e) {
    // Messages quote the text as given; the importer escapes them (JsonRef::error) and
    // fuzz_model_json checks the one-line contract there.
    llvm::consumeError(e.takeError());
    return 0;
  }
  (void)e->str();
  std::vector<std::string> symbols = e->symbols();
  for (int64_t value : {int64_t(0), int64_t(3), int64_t(-7), INT64_MAX, INT64_MIN}) {
    std::map<std::string, int64_t> bindings;
    for (const std::string &s : symbols)
      bindings[s] = value;
    llvm::Expected<int64_t> v = e->evaluate(bindings);
    if (!v)
      llvm::consumeError(v.takeError());
  }
  return 0;
}
