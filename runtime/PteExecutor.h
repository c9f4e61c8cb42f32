// Runs a .pte that vkqc wrote: the "forward" plan's chain in order, CPU KernelCalls on the
// reference interpreter (compiler/interp op handlers) and VulkanBackend DelegateCalls on a
// Vulkan device through the kernel runners, with pipelines built from the SPIR-V the
// delegate blob carries.
//
// Every tensor is produced at its real shape (the program's sizes are upper bounds; memory
// planning is ignored). For every delegate op the executor decides the shader variant the
// runner will use (shaders/KernelVariants.h) and requires that variant's SPIR-V in the
// blob; the embedded words must be the compiled-in module whose reflection gives the
// bindings. Errors read "<where>: <what>", e.g.
// "instruction 3 (delegate 0) op 2 (et_vk.linear_q4gsw.default): ...".
#pragma once

#include "runtime/VulkanContext.h"
#include "serialize/PteView.h"
#include "shaders/KernelVariants.h"

#include "compiler/semantics/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace vkqc::vk {

struct RunOptions {
  /// The execution plan to run.
  std::string method = "forward";
  /// Tile set of the tiled linear variants; unset: the one whose SPIR-V the delegate
  /// carries (the compile target decided it), the default tiles when it carries both.
  std::optional<shaders::LinearTiles> linearTiles;
};

/// What one run did (for `vkqc run` summaries and tests).
struct RunStats {
  int instructions = 0;
  int cpuKernels = 0;
  int delegateCalls = 0;
  int vulkanOps = 0;
  /// Every shader variant a delegate op ran, in first-use order.
  std::vector<std::string> variantsUsed;
};

/// Runs plan `options.method` of `pte` (read by serialize::readPte from `fileBytes`, which
/// must outlive the call: constants are viewed in place) on `inputs`, one tensor per plan
/// input in order. Inputs are checked against the plan: count, dtype, rank, and sizes
/// (equal where static, within the upper bound where DYNAMIC_BOUND). Returns one tensor per
/// plan output.
llvm::Expected<std::vector<interp::Tensor>>
runPte(const serialize::PteView &pte, llvm::ArrayRef<uint8_t> fileBytes,
       llvm::ArrayRef<interp::Tensor> inputs, VulkanContext &context,
       const RunOptions &options = {}, RunStats *stats = nullptr);

/// Reads the .pte at `path` and runs it (errors about the file start with the path).
llvm::Expected<std::vector<interp::Tensor>>
runPteFile(llvm::StringRef path, llvm::ArrayRef<interp::Tensor> inputs, VulkanContext &context,
           const RunOptions &options = {}, RunStats *stats = nullptr);

/// The text of `vkqc run --list-devices`: one DeviceInfo::describe() line per device
/// (index first, the index --device=N takes), or "no Vulkan devices\n".
std::string formatDeviceList(llvm::ArrayRef<DeviceInfo> devices);
/// listDevices() formatted; an error when the loader or instance is unavailable.
llvm::Expected<std::string> describeDevices();

} // namespace vkqc::vk
