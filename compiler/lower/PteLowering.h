// Lowers a partitioned graph to an ExecuTorch program description (serialize/PteProgram.h).
//
// Consecutive Vulkan nodes become one VulkanBackend DelegateCall whose blob holds the
// VkGraph (every schema argument, output last), the constants as named data keyed by the
// SHA-256 of their bytes, and the SPIR-V of the kernel variants select-kernels chose.
// Each VkGraph tensor is a width-packed 3-D texture when it fits one (ExecuTorch's default
// storage) and a buffer otherwise; an op table row can require textures (et_vk.sdpa,
// choose_qparams' results), and a tensor read in another storage than it was made in goes
// through an aten.clone, as ExecuTorch's TagMemoryMetaPass does.
// CPU nodes become KernelCalls of their ops' ExecuTorch out-variant operators (the op
// table's CPU column): the out-variant's arguments by name, the out tensors, and the
// result again (ExecuTorch's calling convention). CPU-side tensors are memory planned into
// one buffer with their upper-bound sizes.
#pragma once

#include "compiler/ir/Graph.h"
#include "serialize/PteProgram.h"

#include "llvm/Support/Error.h"

namespace vkqc {

struct LoweringStats {
  int delegates = 0;
  int vulkanOps = 0;
  int cpuKernels = 0;
  uint64_t namedDataBytes = 0;
  uint64_t cpuConstantBytes = 0;
};

struct LoweringOptions {
  std::string target = "generic"; // its texture limits decide storage
  /// --runtime=executorch: refuse an op or kernel ExecuTorch's runtime does not implement
  /// (compiler/target/ExecutorchRuntime.def) instead of writing a program it aborts on.
  bool executorchOnly = true;
};

/// Lowers `g` (after the full pipeline: every node placed, Vulkan nodes with kernels).
llvm::Expected<serialize::PteProgram> lowerToPte(const Graph &g, const LoweringOptions &options,
                                                 LoweringStats *stats = nullptr);

} // namespace vkqc
