#include "compiler/driver/Summary.h"

#include "compiler/ir/Printer.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace vkqc {

void printSummary(const Graph &g, llvm::raw_ostream &os) {
  os << g.info.sourceName << ": export schema " << g.info.schemaVersion << ", torch "
     << g.info.torchVersion << "\n";
  for (const auto &[name, range] : g.symbols())
    os << "  symbol " << name << " in [" << (range.min ? std::to_string(*range.min) : "-inf")
       << ", " << (range.max ? std::to_string(*range.max) : "inf") << "]\n";

  std::set<const Storage *> storages;
  uint64_t constantBytes = 0;
  int constants = 0;
  for (const Value *in : g.inputs()) {
    if (!in->isConstant()) {
      os << "  input %" << in->name << ": " << typeToString(*in) << "\n";
      continue;
    }
    ++constants;
    if (storages.insert(in->constant.storage).second)
      constantBytes += in->constant.storage->size();
  }
  os << fmt::format("  constants: {} named, {} storages, {} bytes\n", constants, storages.size(),
                    constantBytes);
  if (storages.size() < static_cast<size_t>(constants))
    os << fmt::format(
        "  shared storages: {} names read bytes another name also reads (tied weights)\n",
        constants - static_cast<int>(storages.size()));

  std::map<std::string, int> byTarget;
  for (const auto &n : g.nodes())
    ++byTarget[n->target];
  os << "  nodes: " << g.nodes().size() << "\n";
  for (const auto &[target, count] : byTarget)
    os << fmt::format("    {:>5}  {}\n", count, target);
  for (const Value *out : g.outputs())
    os << "  output %" << out->name << ": " << typeToString(*out) << "\n";
}

} // namespace vkqc
