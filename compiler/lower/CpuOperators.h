// IR targets <-> the ExecuTorch operators of CPU KernelCalls (CpuOperators.def).
#pragma once

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace vkqc {

struct CpuOperator {
  std::string target;   // "aten.add.Tensor"
  std::string name;     // "aten::add"
  std::string overload; // "out"
};

/// The ExecuTorch operator of an IR target that runs on the CPU, if it has one.
const CpuOperator *cpuOperatorForTarget(llvm::StringRef target);
/// The IR target behind an ExecuTorch operator name and overload.
const CpuOperator *cpuOperatorForName(llvm::StringRef name, llvm::StringRef overload);

} // namespace vkqc
