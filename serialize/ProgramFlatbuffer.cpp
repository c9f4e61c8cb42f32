#include "serialize/ProgramFlatbuffer.h"

#include "serialize/SerializeError.h"

#include "llvm/ADT/STLExtras.h"

namespace vkqc::serialize {

namespace fb = executorch_flatbuffer;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

namespace {

/// Force-aligned like ExecuTorch's Buffer/BackendDelegateInlineData vectors.
constexpr size_t kInlineDataAlignment = 16;
/// The builder's hard limit is 2 GiB; stay well below it instead of aborting.
constexpr uint64_t kMaxInlineBytes = uint64_t(1) << 30;

/// One EValue per PteValue alternative.
struct EValueEncoder {
  FlatBufferBuilder &fbb;

  Offset<fb::EValue> operator()(const PteNull &) {
    return fb::CreateEValue(fbb, fb::KernelTypes::Null, fb::CreateNull(fbb).Union());
  }
  Offset<fb::EValue> operator()(const PteInt &v) {
    return fb::CreateEValue(fbb, fb::KernelTypes::Int, fb::CreateInt(fbb, v.value).Union());
  }
  Offset<fb::EValue> operator()(const PteDouble &v) {
    return fb::CreateEValue(fbb, fb::KernelTypes::Double, fb::CreateDouble(fbb, v.value).Union());
  }
  Offset<fb::EValue> operator()(const PteBool &v) {
    return fb::CreateEValue(fbb, fb::KernelTypes::Bool, fb::CreateBool(fbb, v.value).Union());
  }
  Offset<fb::EValue> operator()(const PteString &v) {
    return fb::CreateEValue(fbb, fb::KernelTypes::String,
                            fb::CreateStringDirect(fbb, v.value.c_str()).Union());
  }
  Offset<fb::EValue> operator()(const PteTensor &t) {
    Offset<fb::AllocationDetails> allocation;
    if (t.allocation)
      allocation = fb::CreateAllocationDetails(fbb, t.allocation->memoryId,
                                               static_cast<uint32_t>(t.allocation->offset),
                                               static_cast<uint32_t>(t.allocation->offset >> 32));
    auto tensor = fb::CreateTensorDirect(fbb, t.scalarType, /*storage_offset=*/0, &t.sizes,
                                         &t.dimOrder, /*requires_grad=*/false, t.dataBufferIndex,
                                         allocation, /*layout=*/0, t.shapeDynamism);
    return fb::CreateEValue(fbb, fb::KernelTypes::Tensor, tensor.Union());
  }
  Offset<fb::EValue> operator()(const PteIntList &v) {
    return fb::CreateEValue(fbb, fb::KernelTypes::IntList,
                            fb::CreateIntListDirect(fbb, &v.items).Union());
  }
  Offset<fb::EValue> operator()(const PteDoubleList &v) {
    return fb::CreateEValue(fbb, fb::KernelTypes::DoubleList,
                            fb::CreateDoubleListDirect(fbb, &v.items).Union());
  }
  Offset<fb::EValue> operator()(const PteBoolList &v) {
    std::vector<uint8_t> items(v.items.begin(), v.items.end());
    return fb::CreateEValue(fbb, fb::KernelTypes::BoolList,
                            fb::CreateBoolListDirect(fbb, &items).Union());
  }
  Offset<fb::EValue> operator()(const PteTensorList &v) {
    return fb::CreateEValue(fbb, fb::KernelTypes::TensorList,
                            fb::CreateTensorListDirect(fbb, &v.items).Union());
  }
  Offset<fb::EValue> operator()(const PteOptionalTensorList &v) {
    return fb::CreateEValue(fbb, fb::KernelTypes::OptionalTensorList,
                            fb::CreateOptionalTensorListDirect(fbb, &v.items).Union());
  }
};

struct InstructionEncoder {
  FlatBufferBuilder &fbb;

  Offset<fb::Instruction> operator()(const PteKernelCall &call) {
    auto args = fb::CreateKernelCallDirect(fbb, call.operatorIndex, &call.args);
    return fb::CreateInstruction(fbb, fb::InstructionArguments::KernelCall, args.Union());
  }
  Offset<fb::Instruction> operator()(const PteDelegateCall &call) {
    auto args = fb::CreateDelegateCallDirect(fbb, call.delegateIndex, &call.args);
    return fb::CreateInstruction(fbb, fb::InstructionArguments::DelegateCall, args.Union());
  }
  Offset<fb::Instruction> operator()(const PteMoveCall &call) {
    auto args = fb::CreateMoveCall(fbb, call.from, call.to);
    return fb::CreateInstruction(fbb, fb::InstructionArguments::MoveCall, args.Union());
  }
  Offset<fb::Instruction> operator()(const PteJumpFalseCall &call) {
    auto args = fb::CreateJumpFalseCall(fbb, call.conditionValueIndex, call.destinationInstruction);
    return fb::CreateInstruction(fbb, fb::InstructionArguments::JumpFalseCall, args.Union());
  }
  Offset<fb::Instruction> operator()(const PteFreeCall &call) {
    auto args = fb::CreateFreeCall(fbb, call.valueIndex);
    return fb::CreateInstruction(fbb, fb::InstructionArguments::FreeCall, args.Union());
  }
};

Offset<fb::Chain> encodeChain(FlatBufferBuilder &fbb, const PteChain &chain) {
  std::vector<Offset<fb::Instruction>> instructions;
  for (const PteInstruction &instruction : chain.instructions)
    instructions.push_back(std::visit(InstructionEncoder{fbb}, instruction));
  // The stock emitter writes empty chain inputs/outputs and no stack traces.
  std::vector<int32_t> none;
  return fb::CreateChainDirect(fbb, &none, &none, &instructions);
}

Offset<fb::BackendDelegate> encodeDelegate(FlatBufferBuilder &fbb, const PteDelegate &delegate,
                                           DelegateDataReference reference) {
  std::vector<Offset<fb::CompileSpec>> specs;
  for (const PteCompileSpec &spec : delegate.compileSpecs)
    specs.push_back(fb::CreateCompileSpecDirect(fbb, spec.key.c_str(), &spec.value));
  auto processed = fb::CreateBackendDelegateDataReference(fbb, reference.location, reference.index);
  return fb::CreateBackendDelegateDirect(fbb, delegate.id.c_str(), processed, &specs);
}

Offset<fb::ExecutionPlan> encodePlan(FlatBufferBuilder &fbb, const PteExecutionPlan &plan,
                                     llvm::ArrayRef<DelegateDataReference> references) {
  std::vector<Offset<fb::EValue>> values;
  for (const PteValue &value : plan.values)
    values.push_back(std::visit(EValueEncoder{fbb}, value));
  std::vector<Offset<fb::Chain>> chains;
  for (const PteChain &chain : plan.chains)
    chains.push_back(encodeChain(fbb, chain));
  std::vector<Offset<fb::Operator>> operators;
  for (const PteOperator &op : plan.operators)
    operators.push_back(fb::CreateOperatorDirect(fbb, op.name.c_str(), op.overload.c_str()));
  std::vector<Offset<fb::BackendDelegate>> delegates;
  for (auto [delegate, reference] : llvm::zip(plan.delegates, references))
    delegates.push_back(encodeDelegate(fbb, delegate, reference));
  auto containerMeta = fb::CreateContainerMetadataDirect(
      fbb, plan.containerMeta.encodedInputs.c_str(), plan.containerMeta.encodedOutputs.c_str());
  return fb::CreateExecutionPlanDirect(fbb, plan.name.c_str(), containerMeta, &values, &plan.inputs,
                                       &plan.outputs, &chains, &operators, &delegates,
                                       &plan.nonConstBufferSizes,
                                       /*non_const_buffer_device=*/nullptr);
}

Offset<flatbuffers::Vector<Offset<fb::BackendDelegateInlineData>>>
encodeInlineDelegateData(FlatBufferBuilder &fbb, llvm::ArrayRef<llvm::ArrayRef<uint8_t>> blobs) {
  std::vector<Offset<fb::BackendDelegateInlineData>> inlineData;
  for (llvm::ArrayRef<uint8_t> blob : blobs) {
    fbb.ForceVectorAlignment(blob.size(), sizeof(uint8_t), kInlineDataAlignment);
    auto data = fbb.CreateVector(blob.data(), blob.size());
    inlineData.push_back(fb::CreateBackendDelegateInlineData(fbb, data));
  }
  return fbb.CreateVector(inlineData);
}

} // namespace

llvm::Expected<std::vector<uint8_t>> encodeProgramFlatbuffer(const PteProgram &program,
                                                             const SegmentLayout &layout) {
  uint64_t inlineBytes = 0;
  for (llvm::ArrayRef<uint8_t> blob : layout.inlineDelegateData)
    inlineBytes += blob.size();
  if (inlineBytes > kMaxInlineBytes)
    return serializeError("program", "inline delegate data too large for a flatbuffer (" +
                                         llvm::Twine(inlineBytes) + " bytes)");

  FlatBufferBuilder fbb;
  std::vector<Offset<fb::ExecutionPlan>> plans;
  for (auto [plan, references] : llvm::zip(program.plans, layout.delegateReferences))
    plans.push_back(encodePlan(fbb, plan, references));
  auto inlineData = encodeInlineDelegateData(fbb, layout.inlineDelegateData);

  std::vector<Offset<fb::DataSegment>> segments;
  for (auto [size, offset] : llvm::zip(layout.segmentSizes, layout.segmentOffsets))
    segments.push_back(fb::CreateDataSegment(fbb, offset, size));
  auto constantSegment =
      fb::CreateSubsegmentOffsetsDirect(fbb, /*segment_index=*/0, &layout.constantOffsets);
  std::vector<Offset<fb::NamedData>> namedData;
  for (auto [entry, segmentIndex] :
       llvm::zip(program.namedData.entries(), layout.namedDataSegmentIndices))
    namedData.push_back(fb::CreateNamedDataDirect(fbb, entry.key.c_str(), segmentIndex));

  // constant_buffer is deprecated: written empty, as the stock serializer does.
  std::vector<Offset<fb::Buffer>> noConstantBuffers;
  auto root = fb::CreateProgram(fbb, /*version=*/0, fbb.CreateVector(plans),
                                fbb.CreateVector(noConstantBuffers), inlineData,
                                fbb.CreateVector(segments), constantSegment,
                                /*mutable_data_segments=*/0, fbb.CreateVector(namedData));
  fb::FinishProgramBuffer(fbb, root);
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

} // namespace vkqc::serialize
