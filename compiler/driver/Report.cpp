#include "compiler/driver/Report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

namespace vkqc {

namespace {
// pass -> action -> count, passes in the order they first reported.
std::vector<std::pair<std::string, std::map<std::string, int>>>
countsByPass(const PassContext &ctx) {
  std::vector<std::pair<std::string, std::map<std::string, int>>> out;
  for (const ReportEntry &e : ctx.report) {
    if (out.empty() || out.back().first != e.pass) {
      auto it =
          std::find_if(out.begin(), out.end(), [&](const auto &p) { return p.first == e.pass; });
      if (it == out.end()) {
        out.push_back({e.pass, {}});
        it = out.end() - 1;
      }
      ++it->second[e.action];
      continue;
    }
    ++out.back().second[e.action];
  }
  return out;
}
} // namespace

void printReportText(const Graph &g, const PassContext &ctx, llvm::raw_ostream &os) {
  os << "vkqc report for " << g.info.sourceName << "\n";
  for (const auto &[pass, counts] : countsByPass(ctx)) {
    std::string summary;
    for (const auto &[action, n] : counts)
      summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", n, action);
    os << pass << ": " << summary << "\n";
    for (const ReportEntry &e : ctx.report)
      if (e.pass == pass)
        os << fmt::format("  {:<9} {:<40} {}\n", e.action, e.subject, e.detail);
  }
}

void printReportJson(const Graph &g, const PassContext &ctx, llvm::raw_ostream &os) {
  nlohmann::ordered_json root;
  root["source"] = g.info.sourceName;
  nlohmann::ordered_json passes = nlohmann::ordered_json::object();
  for (const auto &[pass, counts] : countsByPass(ctx))
    for (const auto &[action, n] : counts)
      passes[pass][action] = n;
  root["passes"] = passes;
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const ReportEntry &e : ctx.report)
    entries.push_back(
        {{"pass", e.pass}, {"subject", e.subject}, {"action", e.action}, {"detail", e.detail}});
  root["entries"] = entries;
  os << root.dump(2) << "\n";
}

} // namespace vkqc
