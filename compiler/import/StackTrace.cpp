#include "compiler/import/StackTrace.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Path.h"

namespace vkqc {

std::optional<std::string> nodeSourceLine(const nlohmann::json &node) {
  if (!node.is_object() || !node.contains("metadata") || !node["metadata"].is_object())
    return std::nullopt;
  const nlohmann::json &meta = node["metadata"];
  if (!meta.contains("stack_trace") || !meta["stack_trace"].is_string())
    return std::nullopt;
  llvm::StringRef trace = meta["stack_trace"].get_ref<const std::string &>();
  // Python's format: `  File "/path/x.py", line 12, in f\n    code\n`, innermost last.
  size_t at = trace.rfind("File \"");
  if (at == llvm::StringRef::npos)
    return std::nullopt;
  llvm::StringRef frame = trace.drop_front(at + 6);
  auto [file, rest] = frame.split("\", line ");
  llvm::StringRef line = rest.take_while([](char c) { return c >= '0' && c <= '9'; });
  if (file.empty() || line.empty())
    return std::nullopt;
  std::string where = (llvm::sys::path::filename(file) + ":" + line).str();
  size_t newline = rest.find('\n');
  if (newline != llvm::StringRef::npos) {
    llvm::StringRef code = rest.drop_front(newline + 1).split('\n').first.trim();
    if (!code.empty())
      where += " (" + code.str() + ")";
  }
  return where;
}

} // namespace vkqc
