#include "shaders/SpirvReflection.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <map>

namespace vkqc::shaders {

namespace {
// The few SPIR-V enumerants the reader needs (SPIR-V 1.6 specification, section 3).
enum Op : uint32_t {
  OpName = 5,
  OpMemberName = 6,
  OpExecutionMode = 16,
  OpCapability = 17,
  OpTypeInt = 21,
  OpTypeFloat = 22,
  OpTypeVector = 23,
  OpTypeArray = 28,
  OpTypeRuntimeArray = 29,
  OpTypeStruct = 30,
  OpTypePointer = 32,
  OpVariable = 59,
  OpDecorate = 71,
  OpMemberDecorate = 72,
};
enum Decoration : uint32_t {
  DecorationBlock = 2,
  DecorationBufferBlock = 3,
  DecorationNonWritable = 24,
  DecorationNonReadable = 25,
  DecorationBinding = 33,
  DecorationDescriptorSet = 34,
  DecorationOffset = 35,
};
enum StorageClass : uint32_t {
  StorageClassUniform = 2,
  StorageClassPushConstant = 9,
  StorageClassStorageBuffer = 12,
};
enum Capability : uint32_t {
  CapabilityFloat16 = 9,
  CapabilityInt8 = 39,
  CapabilityStorageBuffer16BitAccess = 4433,
  CapabilityStorageBuffer8BitAccess = 4448,
};
constexpr uint32_t ExecutionModeLocalSize = 17;
constexpr uint32_t SpirvMagic = 0x07230203;

llvm::Error reflectionError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "SPIR-V reflection: " + message);
}

/// A literal string operand starting at word `first` of an instruction.
std::string literalString(llvm::ArrayRef<uint32_t> operands) {
  std::string s;
  for (uint32_t word : operands)
    for (int byte = 0; byte < 4; ++byte) {
      char c = static_cast<char>((word >> (8 * byte)) & 0xFF);
      if (c == 0)
        return s;
      s.push_back(c);
    }
  return s;
}

struct TypeInfo {
  uint32_t opcode = 0;
  llvm::SmallVector<uint32_t, 4> operands; // the instruction's words after the result id
};

struct Decorations {
  llvm::Optional<uint32_t> set, binding;
  bool block = false, bufferBlock = false, nonWritable = false, nonReadable = false;
};

struct MemberDecorations {
  llvm::Optional<uint32_t> offset;
  bool nonWritable = false, nonReadable = false;
};

class Reader {
public:
  llvm::Expected<ShaderReflection> read(llvm::ArrayRef<uint32_t> words) {
    if (words.size() < 5 || words[0] != SpirvMagic)
      return reflectionError("not a SPIR-V module (bad magic number)");
    for (size_t i = 5; i < words.size();) {
      uint32_t count = words[i] >> 16, opcode = words[i] & 0xFFFF;
      if (count == 0 || i + count > words.size())
        return reflectionError("truncated instruction at word " + llvm::Twine(i));
      record(opcode, words.slice(i + 1, count - 1));
      i += count;
    }
    return collect();
  }

private:
  void record(uint32_t opcode, llvm::ArrayRef<uint32_t> ops) {
    switch (opcode) {
    case OpName:
      names_[ops[0]] = literalString(ops.drop_front());
      break;
    case OpMemberName:
      memberNames_[{ops[0], ops[1]}] = literalString(ops.drop_front(2));
      break;
    case OpExecutionMode:
      if (ops[1] == ExecutionModeLocalSize && ops.size() >= 5)
        result_.workgroupSize = {ops[2], ops[3], ops[4]};
      break;
    case OpCapability:
      switch (ops[0]) {
      case CapabilityFloat16:
        result_.requirements.float16 = true;
        break;
      case CapabilityInt8:
        result_.requirements.int8 = true;
        break;
      case CapabilityStorageBuffer16BitAccess:
        result_.requirements.storageBuffer16 = true;
        break;
      case CapabilityStorageBuffer8BitAccess:
        result_.requirements.storageBuffer8 = true;
        break;
      }
      break;
    case OpTypeInt:
    case OpTypeFloat:
    case OpTypeVector:
    case OpTypeArray:
    case OpTypeRuntimeArray:
    case OpTypeStruct:
    case OpTypePointer:
      types_[ops[0]] = TypeInfo{opcode, {ops.begin() + 1, ops.end()}};
      break;
    case OpVariable: // result type, result id, storage class
      variables_.push_back({ops[1], ops[0], ops[2]});
      break;
    case OpDecorate: {
      Decorations &d = decorations_[ops[0]];
      switch (ops[1]) {
      case DecorationBlock:
        d.block = true;
        break;
      case DecorationBufferBlock:
        d.bufferBlock = true;
        break;
      case DecorationNonWritable:
        d.nonWritable = true;
        break;
      case DecorationNonReadable:
        d.nonReadable = true;
        break;
      case DecorationBinding:
        d.binding = ops[2];
        break;
      case DecorationDescriptorSet:
        d.set = ops[2];
        break;
      }
      break;
    }
    case OpMemberDecorate: {
      MemberDecorations &d = memberDecorations_[{ops[0], ops[1]}];
      switch (ops[2]) {
      case DecorationNonWritable:
        d.nonWritable = true;
        break;
      case DecorationNonReadable:
        d.nonReadable = true;
        break;
      case DecorationOffset:
        d.offset = ops[3];
        break;
      }
      break;
    }
    }
  }

  const TypeInfo *type(uint32_t id) const {
    auto it = types_.find(id);
    return it == types_.end() ? nullptr : &it->second;
  }

  /// The element type and vector width of a scalar or vector type.
  llvm::Expected<std::pair<ElementType, uint32_t>> scalarOrVector(uint32_t id) const {
    const TypeInfo *t = type(id);
    if (!t)
      return reflectionError("unknown type %" + llvm::Twine(id));
    if (t->opcode == OpTypeVector) {
      auto component = scalarOrVector(t->operands[0]);
      if (!component)
        return component.takeError();
      return std::make_pair(component->first, t->operands[1]);
    }
    if (t->opcode == OpTypeFloat) {
      if (t->operands[0] == 32)
        return std::make_pair(ElementType::Float32, 1u);
      if (t->operands[0] == 16)
        return std::make_pair(ElementType::Float16, 1u);
    }
    if (t->opcode == OpTypeInt) {
      bool isSigned = t->operands[1] != 0;
      if (t->operands[0] == 32)
        return std::make_pair(isSigned ? ElementType::Int32 : ElementType::UInt32, 1u);
      if (t->operands[0] == 8)
        return std::make_pair(isSigned ? ElementType::Int8 : ElementType::UInt8, 1u);
    }
    return reflectionError("type %" + llvm::Twine(id) + " is not a supported scalar or vector");
  }

  std::string memberName(uint32_t structId, uint32_t member) const {
    auto it = memberNames_.find({structId, member});
    return it == memberNames_.end() ? "member" + std::to_string(member) : it->second;
  }

  MemberDecorations memberDecorations(uint32_t structId, uint32_t member) const {
    auto it = memberDecorations_.find({structId, member});
    return it == memberDecorations_.end() ? MemberDecorations() : it->second;
  }

  /// A buffer block `struct { ...; T name[]; }`: its last member is the tensor.
  llvm::Error reflectBuffer(uint32_t variableId, uint32_t structId, uint32_t storageClass) {
    const TypeInfo *block = type(structId);
    Decorations varDecorations = decorations_.lookup(variableId);
    Decorations blockDecorations = decorations_.lookup(structId);
    std::string what = "variable %" + std::to_string(variableId);
    if (!block || block->opcode != OpTypeStruct || block->operands.empty())
      return reflectionError(what + " is not a buffer block");
    if (!varDecorations.set || !varDecorations.binding)
      return reflectionError(what + " has no descriptor set / binding");

    ReflectedBinding b;
    b.set = *varDecorations.set;
    b.binding = *varDecorations.binding;
    bool storage = storageClass == StorageClassStorageBuffer || blockDecorations.bufferBlock;
    b.descriptorType = storage ? DescriptorType::StorageBuffer : DescriptorType::UniformBuffer;

    uint32_t last = static_cast<uint32_t>(block->operands.size() - 1);
    const TypeInfo *member = type(block->operands[last]);
    if (!member)
      return reflectionError(what + " has a member of unknown type");
    uint32_t elementId = block->operands[last];
    if (member->opcode == OpTypeRuntimeArray || member->opcode == OpTypeArray)
      elementId = member->operands[0];
    auto element = scalarOrVector(elementId);
    if (!element)
      return element.takeError();
    b.elementType = element->first;
    b.vectorWidth = element->second;
    b.name = memberName(structId, last);

    // readonly / writeonly land on the variable or on every member of the block.
    bool nonWritable = varDecorations.nonWritable, nonReadable = varDecorations.nonReadable;
    bool allNonWritable = true, allNonReadable = true;
    for (uint32_t m = 0; m <= last; ++m) {
      MemberDecorations d = memberDecorations(structId, m);
      allNonWritable &= d.nonWritable;
      allNonReadable &= d.nonReadable;
    }
    nonWritable |= allNonWritable;
    nonReadable |= allNonReadable;
    if (nonWritable && nonReadable)
      return reflectionError("binding " + llvm::Twine(b.binding) + " is neither read nor written");
    b.access = nonWritable ? Access::Read : nonReadable ? Access::Write : Access::ReadWrite;
    result_.bindings.push_back(std::move(b));
    return llvm::Error::success();
  }

  llvm::Error reflectPushConstants(uint32_t structId) {
    const TypeInfo *block = type(structId);
    if (!block || block->opcode != OpTypeStruct)
      return reflectionError("the push-constant block is not a struct");
    if (!result_.pushConstants.empty())
      return reflectionError("more than one push-constant block");
    for (uint32_t m = 0; m < block->operands.size(); ++m) {
      auto element = scalarOrVector(block->operands[m]);
      if (!element)
        return element.takeError();
      if (element->second != 1 ||
          (element->first != ElementType::Int32 && element->first != ElementType::UInt32 &&
           element->first != ElementType::Float32))
        return reflectionError("push constant " + memberName(structId, m) +
                               " is not a 32-bit scalar");
      llvm::Optional<uint32_t> offset = memberDecorations(structId, m).offset;
      if (!offset)
        return reflectionError("push constant " + memberName(structId, m) + " has no offset");
      result_.pushConstants.push_back({memberName(structId, m), *offset, element->first});
      result_.pushConstantSize = std::max(result_.pushConstantSize, *offset + 4);
    }
    return llvm::Error::success();
  }

  llvm::Expected<ShaderReflection> collect() {
    for (const Variable &v : variables_) {
      if (v.storageClass != StorageClassUniform && v.storageClass != StorageClassStorageBuffer &&
          v.storageClass != StorageClassPushConstant)
        continue;
      const TypeInfo *pointer = type(v.pointerType);
      if (!pointer || pointer->opcode != OpTypePointer)
        return reflectionError("variable %" + llvm::Twine(v.id) + " is not a pointer");
      uint32_t pointee = pointer->operands[1];
      llvm::Error err = v.storageClass == StorageClassPushConstant
                            ? reflectPushConstants(pointee)
                            : reflectBuffer(v.id, pointee, v.storageClass);
      if (err)
        return err;
    }
    std::sort(result_.bindings.begin(), result_.bindings.end(),
              [](const ReflectedBinding &a, const ReflectedBinding &b) {
                return std::make_pair(a.set, a.binding) < std::make_pair(b.set, b.binding);
              });
    for (size_t i = 1; i < result_.bindings.size(); ++i)
      if (result_.bindings[i].set == result_.bindings[i - 1].set &&
          result_.bindings[i].binding == result_.bindings[i - 1].binding)
        return reflectionError("binding " + llvm::Twine(result_.bindings[i].binding) +
                               " is declared twice");
    return std::move(result_);
  }

  struct Variable {
    uint32_t id, pointerType, storageClass;
  };

  ShaderReflection result_;
  llvm::DenseMap<uint32_t, TypeInfo> types_;
  llvm::DenseMap<uint32_t, std::string> names_;
  std::map<std::pair<uint32_t, uint32_t>, std::string> memberNames_;
  llvm::DenseMap<uint32_t, Decorations> decorations_;
  std::map<std::pair<uint32_t, uint32_t>, MemberDecorations> memberDecorations_;
  std::vector<Variable> variables_;
};
} // namespace

llvm::Expected<ShaderReflection> reflectSpirv(llvm::ArrayRef<uint32_t> words) {
  return Reader().read(words);
}

llvm::Error checkReflectionMatches(const ShaderVariant &variant,
                                   const ShaderReflection &reflection) {
  auto mismatch = [&](const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "shader " + llvm::Twine(variant.name) +
                                       ": stored reflection differs from its SPIR-V: " + what);
  };
  if (variant.bindings.size() != reflection.bindings.size())
    return mismatch("binding count");
  for (size_t i = 0; i < reflection.bindings.size(); ++i) {
    const BindingReflection &stored = variant.bindings[i];
    const ReflectedBinding &fresh = reflection.bindings[i];
    if (stored.set != fresh.set || stored.binding != fresh.binding ||
        stored.descriptorType != fresh.descriptorType || stored.elementType != fresh.elementType ||
        stored.vectorWidth != fresh.vectorWidth || stored.access != fresh.access ||
        fresh.name != stored.name)
      return mismatch("binding " + llvm::Twine(fresh.binding));
  }
  if (variant.pushConstants.size() != reflection.pushConstants.size() ||
      variant.pushConstantSize != reflection.pushConstantSize)
    return mismatch("push constants");
  for (size_t i = 0; i < reflection.pushConstants.size(); ++i)
    if (reflection.pushConstants[i].name != variant.pushConstants[i].name ||
        reflection.pushConstants[i].offset != variant.pushConstants[i].offset ||
        reflection.pushConstants[i].type != variant.pushConstants[i].type)
      return mismatch("push constant " + reflection.pushConstants[i].name);
  if (variant.workgroupSize != reflection.workgroupSize)
    return mismatch("workgroup size");
  const DeviceRequirements &a = variant.requirements, &b = reflection.requirements;
  if (a.int8 != b.int8 || a.storageBuffer8 != b.storageBuffer8 ||
      a.storageBuffer16 != b.storageBuffer16 || a.float16 != b.float16)
    return mismatch("device requirements");
  return llvm::Error::success();
}

} // namespace vkqc::shaders
