#include "compiler/lower/CpuOperators.h"

#include <vector>

namespace vkqc {

namespace {
const std::vector<CpuOperator> &table() {
  static const std::vector<CpuOperator> operators = {
#define VKQC_CPU_OPERATOR(TARGET, NAME, OVERLOAD) {TARGET, NAME, OVERLOAD},
#include "compiler/lower/CpuOperators.def"
  };
  return operators;
}
} // namespace

const CpuOperator *cpuOperatorForTarget(llvm::StringRef target) {
  for (const CpuOperator &op : table())
    if (op.target == target)
      return &op;
  return nullptr;
}

const CpuOperator *cpuOperatorForName(llvm::StringRef name, llvm::StringRef overload) {
  for (const CpuOperator &op : table())
    if (op.name == name && op.overload == overload)
      return &op;
  return nullptr;
}

} // namespace vkqc
