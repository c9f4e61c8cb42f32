// Fuzzes the op schema parser (parseOpSchema), then looks the result up the way the
// importer does.
#include "tests/fuzz/FuzzSupport.h"

#include "compiler/ir/OpSchema.h"

using namespace vkqc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<OpSchema> s = parseOpSchema(text);
  if (!s) {
    llvm::consumeError(s.takeError()); // only the built-in table is parsed in vkqc
    return 0;
  }
  for (const SchemaArg &a : s->args) {
    (void)argTypeName(a.type);
    (void)s->argIndex(a.name);
  }
  (void)lookupOpSchema(s->target);
  return 0;
}
