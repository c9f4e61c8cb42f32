#include "compiler/target/TargetLimits.h"

#include "compiler/ir/Printer.h"

#include <map>

namespace vkqc {

namespace {
// The most elements `v` can hold, with every symbol at the top of its range.
std::optional<int64_t> maxElements(const Graph &g, const Value &v) {
  std::map<std::string, int64_t> top;
  for (const auto &[name, range] : g.symbols) {
    if (!range.max)
      return std::nullopt;
    top[name] = *range.max;
  }
  int64_t n = 1;
  for (const SymExpr &d : v.shape) {
    llvm::Expected<int64_t> size = d.evaluate(top);
    if (!size) {
      llvm::consumeError(size.takeError());
      return std::nullopt;
    }
    if (__builtin_mul_overflow(n, *size, &n))
      return std::nullopt;
  }
  return n;
}

} // namespace

std::string tensorProblem(const Graph &g, const Value &v, const Target &t) {
  switch (v.dtype) {
  case DType::Float32:
  case DType::Int32:
  case DType::Int64: // indices; the runtime narrows them to int32
  case DType::Bool:  // attention masks, read as bytes of 32-bit words
    break;
  case DType::Float16:
    if (!t.fp16)
      return "%" + v.name + " is f16 and target " + t.name + " has no fp16 arithmetic";
    break;
  case DType::Int8:
  case DType::UInt8:
    if (!t.int8Storage)
      return "%" + v.name + " is 8-bit and target " + t.name + " has no 8-bit storage";
    break;
  default:
    return "%" + v.name + " is " + std::string(dtypeName(v.dtype)) + ", which no Vulkan kernel reads";
  }
  std::optional<int64_t> n = maxElements(g, v);
  if (!n)
    return "%" + v.name + " has an unbounded size";
  if (*n > t.maxBufferElements)
    return "%" + v.name + " " + typeToString(v) + " holds up to " + std::to_string(*n) +
           " elements, over the " + std::to_string(t.maxBufferElements) + "-element buffer limit of " + t.name;
  return "";
}

std::string nodeTensorProblem(const Graph &g, const Node &n, const Target &t) {
  for (const Value *v : n.operands())
    if (v->isTensor())
      if (std::string problem = tensorProblem(g, *v, t); !problem.empty())
        return problem;
  for (const Value *r : n.results)
    if (std::string problem = tensorProblem(g, *r, t); !problem.empty())
      return problem;
  return "";
}

} // namespace vkqc
