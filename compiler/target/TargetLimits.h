// Whether a tensor can live on a target's GPU: a dtype its kernels read and a size under
// its buffer limit (symbolic sizes at the top of their range). Shared by the patterns
// (which must not fuse what the target cannot run) and the partitioner.
#pragma once

#include "compiler/ir/Graph.h"
#include "compiler/target/Target.h"

#include <string>

namespace vkqc {

/// Why `v` cannot be a Vulkan tensor on `t`, or an empty string when it can.
std::string tensorProblem(const Graph &g, const Value &v, const Target &t);

/// Why `v` cannot be an ExecuTorch width-packed 3-D texture on `t` (more than 4 dims, or
/// extents over the target's 3-D image limit at the top of its range), or "".
std::string textureProblem(const Graph &g, const Value &v, const Target &t);

/// The first problem of any tensor `n` reads or writes, or an empty string.
std::string nodeTensorProblem(const Graph &g, const Node &n, const Target &t);

} // namespace vkqc
