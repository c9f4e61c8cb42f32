#include "serialize/PteProgramChecks.h"

#include "serialize/SerializeError.h"

#include "llvm/ADT/STLExtras.h"

namespace vkqc::serialize {

namespace {

llvm::Error checkIndex(int64_t index, size_t count, const llvm::Twine &where,
                       llvm::StringRef what) {
  if (index < 0 || static_cast<uint64_t>(index) >= count)
    return serializeError(where, llvm::Twine(what) + " index " + llvm::Twine(index) +
                                     " out of range (" + llvm::Twine(count) + ")");
  return llvm::Error::success();
}

llvm::Error checkValueIndices(llvm::ArrayRef<int32_t> indices, size_t valueCount,
                              const llvm::Twine &where, bool allowNone = false) {
  for (int32_t index : indices) {
    if (allowNone && index == -1)
      continue;
    if (auto err = checkIndex(index, valueCount, where, "EValue"))
      return err;
  }
  return llvm::Error::success();
}

llvm::Error checkValue(const PteValue &value, const PteExecutionPlan &plan, size_t constantCount,
                       const llvm::Twine &where) {
  size_t valueCount = plan.values.size();
  if (auto *tensor = std::get_if<PteTensor>(&value)) {
    if (tensor->dimOrder.size() != tensor->sizes.size())
      return serializeError(where, "tensor dim_order has " + llvm::Twine(tensor->dimOrder.size()) +
                                       " entries for " + llvm::Twine(tensor->sizes.size()) +
                                       " sizes");
    // Index 0 is "no constant data"; 1..constantCount are real buffers.
    if (tensor->dataBufferIndex > constantCount)
      return serializeError(where, "tensor data_buffer_idx " +
                                       llvm::Twine(tensor->dataBufferIndex) + " out of range (" +
                                       llvm::Twine(constantCount) + " constant buffers)");
    if (tensor->allocation && (tensor->allocation->memoryId == 0 ||
                               tensor->allocation->memoryId >= plan.nonConstBufferSizes.size()))
      return serializeError(where, "tensor allocation memory_id " +
                                       llvm::Twine(tensor->allocation->memoryId) +
                                       " is not a planned buffer (index 0 is reserved)");
  }
  if (auto *list = std::get_if<PteTensorList>(&value))
    return checkValueIndices(list->items, valueCount, where);
  if (auto *list = std::get_if<PteOptionalTensorList>(&value))
    return checkValueIndices(list->items, valueCount, where, /*allowNone=*/true);
  return llvm::Error::success();
}

llvm::Error checkInstruction(const PteInstruction &instruction, const PteExecutionPlan &plan,
                             const llvm::Twine &where) {
  if (auto *call = std::get_if<PteKernelCall>(&instruction)) {
    if (auto err = checkIndex(call->operatorIndex, plan.operators.size(), where, "operator"))
      return err;
    return checkValueIndices(call->args, plan.values.size(), where);
  }
  if (auto *call = std::get_if<PteDelegateCall>(&instruction)) {
    if (auto err = checkIndex(call->delegateIndex, plan.delegates.size(), where, "delegate"))
      return err;
    return checkValueIndices(call->args, plan.values.size(), where);
  }
  if (auto *move = std::get_if<PteMoveCall>(&instruction))
    return checkValueIndices({move->from, move->to}, plan.values.size(), where);
  if (auto *jump = std::get_if<PteJumpFalseCall>(&instruction))
    return checkValueIndices(jump->conditionValueIndex, plan.values.size(), where);
  return checkValueIndices(std::get<PteFreeCall>(instruction).valueIndex, plan.values.size(),
                           where);
}

llvm::Error checkPlan(const PteExecutionPlan &plan, size_t constantCount) {
  std::string where = "plan '" + plan.name + "'";
  if (plan.nonConstBufferSizes.empty() || plan.nonConstBufferSizes[0] != 0)
    return serializeError(where, "non_const_buffer_sizes must start with the reserved 0");
  for (size_t index = 0; index < plan.values.size(); ++index)
    if (auto err = checkValue(plan.values[index], plan, constantCount,
                              where + " value " + std::to_string(index)))
      return err;
  if (auto err = checkValueIndices(plan.inputs, plan.values.size(), where + " inputs"))
    return err;
  if (auto err = checkValueIndices(plan.outputs, plan.values.size(), where + " outputs"))
    return err;
  for (size_t chainIndex = 0; chainIndex < plan.chains.size(); ++chainIndex)
    for (size_t index = 0; index < plan.chains[chainIndex].instructions.size(); ++index)
      if (auto err = checkInstruction(plan.chains[chainIndex].instructions[index], plan,
                                      where + " chain " + std::to_string(chainIndex) +
                                          " instruction " + std::to_string(index)))
        return err;
  return llvm::Error::success();
}

} // namespace

llvm::Error checkPteProgram(const PteProgram &program) {
  if (program.plans.empty())
    return serializeError("program", "no execution plan");
  for (const PteExecutionPlan &plan : program.plans)
    if (auto err = checkPlan(plan, program.constantBuffers.size()))
      return err;
  return llvm::Error::success();
}

} // namespace vkqc::serialize
