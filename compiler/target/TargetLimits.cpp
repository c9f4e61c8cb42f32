#include "compiler/target/TargetLimits.h"

#include "compiler/ir/Printer.h"

#include <map>

namespace vkqc {

namespace {
// The most elements `v` can hold, with every symbol at the top of its range.
std::optional<int64_t> maxElements(const Graph &g, const Value &v) {
  std::map<std::string, int64_t> top;
  for (const auto &[name, range] : g.symbols()) {
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

// `v`'s sizes with every symbol at the top of its range.
std::optional<std::vector<int64_t>> maxShape(const Graph &g, const Value &v) {
  std::map<std::string, int64_t> top;
  for (const auto &[name, range] : g.symbols()) {
    if (!range.max)
      return std::nullopt;
    top[name] = *range.max;
  }
  std::vector<int64_t> dims;
  for (const SymExpr &d : v.shape) {
    llvm::Expected<int64_t> size = d.evaluate(top);
    if (!size) {
      llvm::consumeError(size.takeError());
      return std::nullopt;
    }
    dims.push_back(*size);
  }
  return dims;
}
} // namespace

std::string textureProblem(const Graph &g, const Value &v, const Target &t) {
  if (v.shape.size() > 4)
    return "%" + v.name + " has " + std::to_string(v.shape.size()) +
           " dims; a 3-D texture holds at most 4";
  std::optional<std::vector<int64_t>> dims = maxShape(g, v);
  if (!dims)
    return "%" + v.name + " has an unbounded size";
  // ExecuTorch's width-packed texture of [N, C, H, W]: (ceil(W / 4), H, C * N) texels.
  std::vector<int64_t> whcn(4, 1);
  for (size_t i = 0; i < dims->size(); ++i)
    whcn[i] = (*dims)[dims->size() - 1 - i];
  int64_t extents[3] = {(whcn[0] + 3) / 4, whcn[1], whcn[2] * whcn[3]};
  for (int64_t e : extents)
    if (e > t.maxImageExtent3D)
      return "%" + v.name + " " + typeToString(v) + " needs a texture of " +
             std::to_string(extents[0]) + "x" + std::to_string(extents[1]) + "x" +
             std::to_string(extents[2]) + " texels, over the " +
             std::to_string(t.maxImageExtent3D) + "-texel 3-D image limit of " + t.name;
  return "";
}

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
    return "%" + v.name + " is " + std::string(dtypeName(v.dtype)) +
           ", which no Vulkan kernel reads";
  }
  std::optional<int64_t> n = maxElements(g, v);
  if (!n)
    return "%" + v.name + " has an unbounded size";
  if (*n > t.maxBufferElements)
    return "%" + v.name + " " + typeToString(v) + " holds up to " + std::to_string(*n) +
           " elements, over the " + std::to_string(t.maxBufferElements) +
           "-element buffer limit of " + t.name;
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
