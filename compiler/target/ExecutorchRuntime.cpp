#include "compiler/target/ExecutorchRuntime.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/Twine.h"

namespace vkqc {

bool executorchHasVulkanOp(llvm::StringRef name) {
  static const llvm::StringSet<> ops = {
#define VKQC_ET_VULKAN_OP(NAME) NAME,
#include "compiler/target/ExecutorchRuntime.def"
  };
  return ops.contains(name);
}

bool executorchHasCpuKernel(llvm::StringRef name, llvm::StringRef overload) {
  static const llvm::StringSet<> kernels = {
#define VKQC_ET_CPU_KERNEL(NAME) NAME,
#include "compiler/target/ExecutorchRuntime.def"
  };
  return kernels.contains(overload.empty() ? name.str()
                                           : (llvm::Twine(name) + "." + overload).str());
}

} // namespace vkqc
