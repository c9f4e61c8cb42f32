#include "serialize/PteReader.h"

#include "serialize/FlatbufferAccess.h"
#include "serialize/SerializeError.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

namespace vkqc::serialize {

namespace fb = executorch_flatbuffer;

namespace {

constexpr size_t kFlatbufferPrefixSize = 8; // root offset + file identifier

// ---- Values and instructions -------------------------------------------------

PteTensor readTensor(const fb::Tensor &tensor) {
  PteTensor result;
  result.scalarType = tensor.scalar_type();
  result.sizes = vectorOrEmpty(tensor.sizes());
  result.dimOrder = vectorOrEmpty(tensor.dim_order());
  result.dataBufferIndex = tensor.data_buffer_idx();
  if (const fb::AllocationDetails *allocation = tensor.allocation_info())
    result.allocation =
        PteAllocation{allocation->memory_id(), uint64_t(allocation->memory_offset_high()) << 32 |
                                                   allocation->memory_offset_low()};
  result.shapeDynamism = tensor.shape_dynamism();
  return result;
}

llvm::Expected<PteValue> readValue(const fb::EValue &value, const llvm::Twine &where) {
  // The verifier accepts a union type whose table is absent.
  if (!value.val() && value.val_type() != fb::KernelTypes::Null)
    return serializeError(where, "missing union payload");
  switch (value.val_type()) {
  case fb::KernelTypes::Null:
    return PteNull{};
  case fb::KernelTypes::Int:
    return PteInt{value.val_as_Int()->int_val()};
  case fb::KernelTypes::Bool:
    return PteBool{value.val_as_Bool()->bool_val()};
  case fb::KernelTypes::Double:
    return PteDouble{value.val_as_Double()->double_val()};
  case fb::KernelTypes::Tensor:
    return readTensor(*value.val_as_Tensor());
  case fb::KernelTypes::String:
    return PteString{stringOrEmpty(value.val_as_String()->string_val())};
  case fb::KernelTypes::IntList:
    return PteIntList{vectorOrEmpty(value.val_as_IntList()->items())};
  case fb::KernelTypes::DoubleList:
    return PteDoubleList{vectorOrEmpty(value.val_as_DoubleList()->items())};
  case fb::KernelTypes::BoolList: {
    auto items = vectorOrEmpty(value.val_as_BoolList()->items());
    return PteBoolList{std::vector<bool>(items.begin(), items.end())};
  }
  case fb::KernelTypes::TensorList:
    return PteTensorList{vectorOrEmpty(value.val_as_TensorList()->items())};
  case fb::KernelTypes::OptionalTensorList:
    return PteOptionalTensorList{vectorOrEmpty(value.val_as_OptionalTensorList()->items())};
  default:
    break;
  }
  return serializeError(where, "unknown value type " + llvm::Twine(int(value.val_type())));
}

llvm::Expected<PteInstruction> readInstruction(const fb::Instruction &instruction,
                                               const llvm::Twine &where) {
  if (!instruction.instr_args())
    return serializeError(where, "missing instruction arguments");
  switch (instruction.instr_args_type()) {
  case fb::InstructionArguments::KernelCall: {
    const fb::KernelCall *call = instruction.instr_args_as_KernelCall();
    return PteKernelCall{call->op_index(), vectorOrEmpty(call->args())};
  }
  case fb::InstructionArguments::DelegateCall: {
    const fb::DelegateCall *call = instruction.instr_args_as_DelegateCall();
    return PteDelegateCall{call->delegate_index(), vectorOrEmpty(call->args())};
  }
  case fb::InstructionArguments::MoveCall: {
    const fb::MoveCall *call = instruction.instr_args_as_MoveCall();
    return PteMoveCall{call->move_from(), call->move_to()};
  }
  case fb::InstructionArguments::JumpFalseCall: {
    const fb::JumpFalseCall *call = instruction.instr_args_as_JumpFalseCall();
    return PteJumpFalseCall{call->cond_value_index(), call->destination_instruction()};
  }
  case fb::InstructionArguments::FreeCall:
    return PteFreeCall{instruction.instr_args_as_FreeCall()->value_index()};
  default:
    break;
  }
  return serializeError(where, "unknown instruction type " +
                                   llvm::Twine(int(instruction.instr_args_type())));
}

/// Operator and delegate indices must resolve: inspect prints their names.
llvm::Error checkInstructionTargets(const PteInstruction &instruction,
                                    const ExecutionPlanView &plan, const llvm::Twine &where) {
  auto inRange = [](int32_t index, size_t count) {
    return index >= 0 && static_cast<size_t>(index) < count;
  };
  if (auto *call = std::get_if<PteKernelCall>(&instruction))
    if (!inRange(call->operatorIndex, plan.operators.size()))
      return serializeError(where, "operator index " + llvm::Twine(call->operatorIndex) +
                                       " out of range (" + llvm::Twine(plan.operators.size()) +
                                       " operators)");
  if (auto *call = std::get_if<PteDelegateCall>(&instruction))
    if (!inRange(call->delegateIndex, plan.delegates.size()))
      return serializeError(where, "delegate index " + llvm::Twine(call->delegateIndex) +
                                       " out of range (" + llvm::Twine(plan.delegates.size()) +
                                       " delegates)");
  return llvm::Error::success();
}

/// `tag` quoted when printable, else as hex.
std::string printableTag(llvm::StringRef tag) {
  if (llvm::all_of(tag, llvm::isPrint))
    return "\"" + tag.str() + "\"";
  return "0x" + llvm::toHex(tag);
}

// ---- The file ----------------------------------------------------------------

/// Reads one file; holds what the plan readers need from the container.
class PteFileReader {
public:
  explicit PteFileReader(llvm::ArrayRef<uint8_t> file) : file_(file) {}

  llvm::Expected<PteView> read();

private:
  llvm::Error readContainer();
  llvm::Error readSegments();
  llvm::Error readNamedData();
  llvm::Expected<ExecutionPlanView> readPlan(const fb::ExecutionPlan &plan);
  llvm::Expected<DelegateView> readDelegate(const fb::BackendDelegate &delegate,
                                            const std::string &where);
  llvm::ArrayRef<uint8_t> segmentBytes(uint32_t index) const;

  llvm::ArrayRef<uint8_t> file_;
  const fb::Program *program_ = nullptr;
  uint64_t segmentBaseOffset_ = 0;
  uint64_t segmentDataSize_ = 0;
  PteView view_;
};

llvm::Error PteFileReader::readContainer() {
  view_.fileSize = file_.size();
  if (file_.size() < kFlatbufferPrefixSize)
    return serializeError("file", "only " + llvm::Twine(file_.size()) + " bytes");
  view_.identifier = std::string(reinterpret_cast<const char *>(file_.data()) + 4, 4);
  if (!fb::ProgramBufferHasIdentifier(file_.data()))
    return serializeError("file",
                          "identifier is " + printableTag(view_.identifier) + ", expected ET12");

  auto header = ExtendedHeader::parse(file_);
  if (!header)
    return header.takeError();
  view_.extendedHeader = *header;
  view_.programSize = file_.size();
  if (*header) {
    const ExtendedHeader &h = **header;
    if (h.programSize < ExtendedHeader::kFileOffset + ExtendedHeader::kEncodedSize ||
        h.programSize > file_.size())
      return serializeError("extended header", "program_size " + llvm::Twine(h.programSize) +
                                                   " does not fit the file of " +
                                                   llvm::Twine(file_.size()) + " bytes");
    if (h.segmentBaseOffset < h.programSize)
      return serializeError("extended header", "segment_base_offset " +
                                                   llvm::Twine(h.segmentBaseOffset) +
                                                   " lies inside the program");
    if (h.segmentBaseOffset > file_.size() ||
        h.segmentDataSize > file_.size() - h.segmentBaseOffset)
      return serializeError("extended header", "segment data [" + llvm::Twine(h.segmentBaseOffset) +
                                                   ", +" + llvm::Twine(h.segmentDataSize) +
                                                   ") exceeds the file of " +
                                                   llvm::Twine(file_.size()) + " bytes");
    view_.programSize = h.programSize;
    segmentBaseOffset_ = h.segmentBaseOffset;
    segmentDataSize_ = h.segmentDataSize;
  }

  if (!verifyFlatbuffer(file_.data(), view_.programSize, fb::VerifyProgramBuffer))
    return serializeError("program", "flatbuffer verification failed");
  program_ = fb::GetProgram(file_.data());
  view_.version = program_->version();
  return llvm::Error::success();
}

llvm::Error PteFileReader::readSegments() {
  for (const fb::DataSegment *segment : elementsOf(program_->segments())) {
    SegmentView view{segment->offset(), segment->size()};
    if (view.offset > segmentDataSize_ || view.size > segmentDataSize_ - view.offset)
      return serializeError("segment " + llvm::Twine(view_.segments.size()),
                            "[" + llvm::Twine(view.offset) + ", +" + llvm::Twine(view.size) +
                                ") exceeds the segment data size " + llvm::Twine(segmentDataSize_));
    view_.segments.push_back(view);
  }
  if (const fb::SubsegmentOffsets *constants = program_->constant_segment()) {
    ConstantSegmentView view{constants->segment_index(), vectorOrEmpty(constants->offsets())};
    if (view.segmentIndex >= view_.segments.size())
      return serializeError("constant segment",
                            "segment index " + llvm::Twine(view.segmentIndex) + " out of range");
    for (uint64_t offset : view.offsets)
      if (offset > view_.segments[view.segmentIndex].size)
        return serializeError("constant segment",
                              "offset " + llvm::Twine(offset) + " beyond its segment");
    view_.constantSegment = std::move(view);
  }
  if (auto *inlineData = program_->backend_delegate_data())
    view_.inlineDelegateDataCount = inlineData->size();
  return llvm::Error::success();
}

llvm::Error PteFileReader::readNamedData() {
  for (const fb::NamedData *entry : elementsOf(program_->named_data())) {
    NamedDataView view{stringOrEmpty(entry->key()), entry->segment_index(), 0};
    if (view.segmentIndex >= view_.segments.size())
      return serializeError("named data '" + view.key + "'",
                            "segment index " + llvm::Twine(view.segmentIndex) + " out of range (" +
                                llvm::Twine(view_.segments.size()) + " segments)");
    view.size = view_.segments[view.segmentIndex].size;
    view_.namedData.push_back(std::move(view));
  }
  return llvm::Error::success();
}

llvm::ArrayRef<uint8_t> PteFileReader::segmentBytes(uint32_t index) const {
  const SegmentView &segment = view_.segments[index];
  return file_.slice(segmentBaseOffset_ + segment.offset, segment.size);
}

llvm::Expected<DelegateView> PteFileReader::readDelegate(const fb::BackendDelegate &delegate,
                                                         const std::string &where) {
  DelegateView view;
  view.id = stringOrEmpty(delegate.id());
  for (const fb::CompileSpec *spec : elementsOf(delegate.compile_specs()))
    view.compileSpecs.push_back({stringOrEmpty(spec->key()), vectorOrEmpty(spec->value())});
  const fb::BackendDelegateDataReference *processed = delegate.processed();
  if (!processed)
    return serializeError(where, "missing processed data reference");
  view.processed = {processed->location(), processed->index()};

  llvm::ArrayRef<uint8_t> data;
  auto *inlineData = program_->backend_delegate_data();
  if (processed->location() == fb::DataLocation::SEGMENT &&
      processed->index() < view_.segments.size()) {
    data = segmentBytes(processed->index());
  } else if (processed->location() == fb::DataLocation::INLINE && inlineData &&
             processed->index() < inlineData->size()) {
    if (auto *bytes = inlineData->Get(processed->index())->data())
      data = llvm::ArrayRef<uint8_t>(bytes->data(), bytes->size());
  } else {
    return serializeError(where, "processed data reference (location " +
                                     llvm::Twine(int(processed->location())) + ", index " +
                                     llvm::Twine(processed->index()) + ") points nowhere");
  }
  view.dataSize = data.size();

  if (view.id == kVulkanBackendId) {
    auto graph = readVulkanDelegateBlob(data);
    if (!graph)
      return serializeError(where, llvm::toString(graph.takeError()));
    view.vulkanGraph = std::move(*graph);
  }
  return view;
}

llvm::Expected<ExecutionPlanView> PteFileReader::readPlan(const fb::ExecutionPlan &plan) {
  ExecutionPlanView view;
  view.name = stringOrEmpty(plan.name());
  std::string where = "plan '" + view.name + "'";
  if (const fb::ContainerMetadata *meta = plan.container_meta_type())
    view.containerMeta = {stringOrEmpty(meta->encoded_inp_str()),
                          stringOrEmpty(meta->encoded_out_str())};
  for (const fb::EValue *value : elementsOf(plan.values())) {
    auto read = readValue(*value, where + " value " + std::to_string(view.values.size()));
    if (!read)
      return read.takeError();
    view.values.push_back(std::move(*read));
  }
  view.inputs = vectorOrEmpty(plan.inputs());
  view.outputs = vectorOrEmpty(plan.outputs());
  for (const fb::Operator *op : elementsOf(plan.operators()))
    view.operators.push_back({stringOrEmpty(op->name()), stringOrEmpty(op->overload())});
  for (const fb::BackendDelegate *delegate : elementsOf(plan.delegates())) {
    auto read =
        readDelegate(*delegate, where + " delegate " + std::to_string(view.delegates.size()));
    if (!read)
      return read.takeError();
    view.delegates.push_back(std::move(*read));
  }
  for (const fb::Chain *chain : elementsOf(plan.chains())) {
    PteChain &chainView = view.chains.emplace_back();
    for (const fb::Instruction *instruction : elementsOf(chain->instructions())) {
      std::string instructionWhere = where + " chain " + std::to_string(view.chains.size() - 1) +
                                     " instruction " +
                                     std::to_string(chainView.instructions.size());
      auto read = readInstruction(*instruction, instructionWhere);
      if (!read)
        return read.takeError();
      if (auto err = checkInstructionTargets(*read, view, instructionWhere))
        return err;
      chainView.instructions.push_back(std::move(*read));
    }
  }
  view.nonConstBufferSizes = vectorOrEmpty(plan.non_const_buffer_sizes());
  return view;
}

llvm::Expected<PteView> PteFileReader::read() {
  if (auto err = readContainer())
    return err;
  if (auto err = readSegments())
    return err;
  if (auto err = readNamedData())
    return err;
  for (const fb::ExecutionPlan *plan : elementsOf(program_->execution_plan())) {
    auto read = readPlan(*plan);
    if (!read)
      return read.takeError();
    view_.plans.push_back(std::move(*read));
  }
  return std::move(view_);
}

} // namespace

llvm::Expected<PteView> readPte(llvm::ArrayRef<uint8_t> file) {
  // flatbuffers accessors assume the buffer is aligned like the data in it.
  constexpr uintptr_t kRequiredAlignment = 16;
  std::vector<uint8_t> alignedCopy;
  if (reinterpret_cast<uintptr_t>(file.data()) % kRequiredAlignment != 0) {
    alignedCopy.assign(file.begin(), file.end());
    file = alignedCopy;
  }
  return PteFileReader(file).read();
}

llvm::Expected<PteView> readPteFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return serializeError(path, "cannot read: " + buffer.getError().message());
  llvm::ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()),
                                (*buffer)->getBufferSize());
  auto view = readPte(bytes);
  if (!view)
    return serializeError(path, llvm::toString(view.takeError()));
  return view;
}

} // namespace vkqc::serialize
