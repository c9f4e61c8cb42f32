// schedule: order the nodes so the Vulkan nodes form as few contiguous regions as the
// data dependencies allow; each region becomes one delegate call when the program is
// written.
//
// List scheduling in phases: run every CPU node that is ready (all its operands
// computed), repeatedly, then every ready Vulkan node, repeatedly, and alternate until
// all nodes ran. A decoder's CPU work (mask and position construction) depends only on
// the inputs, so it all runs in the first phase and the whole decoder becomes one
// region. Within a phase, ready nodes keep their original relative order, so a graph
// that needs no reordering is left as it is.
#include "compiler/ir/Rewriter.h"
#include "compiler/pass/Pass.h"

#include <map>
#include <set>

namespace vkqc {

namespace {
class SchedulePass : public Pass {
public:
  llvm::Expected<bool> run(Graph &g, PassContext &ctx) override {
    std::vector<Node *> nodes; // the order before scheduling
    for (const auto &n : g.nodes())
      nodes.push_back(n.get());
    size_t count = nodes.size();
    std::map<const Value *, size_t> producer;
    for (size_t i = 0; i < count; ++i)
      for (const Value *r : nodes[i]->results)
        producer[r] = i;
    // waiting[i]: operands of node i not computed yet; readers[i]: nodes reading i's results.
    std::vector<size_t> waiting(count, 0);
    std::vector<std::vector<size_t>> readers(count);
    for (size_t i = 0; i < count; ++i) {
      std::set<size_t> from;
      for (const Value *v : nodes[i]->operands())
        if (auto it = producer.find(v); it != producer.end())
          from.insert(it->second);
      waiting[i] = from.size();
      for (size_t p : from)
        readers[p].push_back(i);
    }
    std::set<size_t> ready[2]; // [0] CPU, [1] Vulkan; ordered by original position
    auto side = [&](size_t i) { return nodes[i]->placement == Placement::Vulkan ? 1 : 0; };
    for (size_t i = 0; i < count; ++i)
      if (waiting[i] == 0)
        ready[side(i)].insert(i);

    std::vector<size_t> order;
    int phase = 0;
    std::vector<std::pair<size_t, size_t>> regions; // [begin, end) in `order`
    while (order.size() < count) {
      if (ready[0].empty() && ready[1].empty())
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "schedule: the graph has a cycle (node '" +
                                           nodes[order.size()]->name + "')");
      if (ready[phase].empty()) {
        phase = 1 - phase;
        continue;
      }
      size_t first = order.size();
      while (!ready[phase].empty()) {
        size_t i = *ready[phase].begin();
        ready[phase].erase(ready[phase].begin());
        order.push_back(i);
        for (size_t r : readers[i])
          if (--waiting[r] == 0)
            ready[side(r)].insert(r);
      }
      if (phase == 1)
        regions.push_back({first, order.size()});
      phase = 1 - phase;
    }

    // Each node in turn to the end, so the list ends up in `order`; nothing moves (and
    // nothing changed) when the graph was already in that order.
    Rewriter rw(g);
    bool reordered = false;
    for (size_t k = 0; k < count && !reordered; ++k)
      reordered = order[k] != k;
    for (size_t k = 0; k < count && reordered; ++k)
      rw.moveBefore(nodes[order[k]], nullptr);
    for (size_t r = 0; r < regions.size(); ++r) {
      auto [begin, end] = regions[r];
      const std::string &first = nodes[order[begin]]->name, &last = nodes[order[end - 1]]->name;
      ctx.note("schedule", first, "region",
               "Vulkan region " + std::to_string(r) + ": " + std::to_string(end - begin) +
                   " nodes, " + first + " .. " + last);
    }
    return rw.changed();
  }
};
} // namespace

std::unique_ptr<Pass> createSchedulePass() { return std::make_unique<SchedulePass>(); }

} // namespace vkqc
