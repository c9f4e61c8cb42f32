// Lowers a partitioned graph to an ExecuTorch program description (serialize/PteProgram.h).
//
// Consecutive Vulkan nodes become one VulkanBackend DelegateCall whose blob holds the
// VkGraph (every schema argument, output last), the constants as named data keyed by the
// SHA-256 of their bytes, and the SPIR-V of the kernel variants select-kernels chose.
// CPU nodes become KernelCalls of the ExecuTorch out-variant operators in CpuOperators.def.
// CPU-side tensors are memory planned into one buffer with their upper-bound sizes.
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

/// Lowers `g` (after the full pipeline: every node placed, Vulkan nodes with kernels).
llvm::Expected<serialize::PteProgram> lowerToPte(const Graph &g, LoweringStats *stats = nullptr);

} // namespace vkqc
