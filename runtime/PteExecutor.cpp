#include "runtime/PteExecutor.h"

#include "runtime/ExecutorSupport.h"
#include "runtime/FloatOpDispatch.h"
#include "runtime/KernelRunners.h"
#include "serialize/PteReader.h"
#include "serialize/VulkanBlobBuilder.h"
#include "shaders/Shaders.h"

#include "compiler/interp/OpHandlers.h"
#include "compiler/ir/OpSchema.h"
#include "compiler/semantics/KernelSupport.h"
#include "compiler/semantics/Kernels.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>
#include <functional>
#include <map>
#include <memory>

namespace vkqc::vk {

using interp::Tensor;
using namespace serialize;

using namespace exec;

namespace {

struct PreparedDelegate {
  const VkGraphView *graph = nullptr;
  llvm::StringMap<llvm::ArrayRef<uint8_t>> shaders;
  std::vector<std::optional<Tensor>> constants; // by value id
};

class PteRunner {
public:
  PteRunner(const PteView &pte, llvm::ArrayRef<uint8_t> file, VulkanContext &context,
            const RunOptions &options, RunStats &stats)
      : pte_(pte), file_(file), context_(context), options_(options), stats_(stats) {}

  llvm::Expected<std::vector<Tensor>> run(llvm::ArrayRef<Tensor> inputs) {
    for (const ExecutionPlanView &p : pte_.plans)
      if (p.name == options_.method)
        plan_ = &p;
    if (!plan_)
      return execError("program", "no execution plan named '" + options_.method + "'");
    if (plan_->chains.size() != 1)
      return execError("plan " + plan_->name,
                       llvm::Twine(plan_->chains.size()) + " chains; vkqc programs have one");
    tensors_.assign(plan_->values.size(), std::nullopt);
    ints_.assign(plan_->values.size(), 0);
    for (size_t e = 0; e < plan_->values.size(); ++e)
      if (const PteInt *i = std::get_if<PteInt>(&plan_->values[e]))
        ints_[e] = i->value;
    if (llvm::Error err = bindInputs(inputs))
      return err;
    const PteChain &chain = plan_->chains[0];
    std::vector<size_t> lastUse = lastUses(chain);
    for (size_t i = 0; i < chain.instructions.size(); ++i) {
      ++stats_.instructions;
      const PteInstruction &instruction = chain.instructions[i];
      llvm::Error err = llvm::Error::success();
      if (const auto *call = std::get_if<PteKernelCall>(&instruction))
        err = runKernel(i, *call);
      else if (const auto *call = std::get_if<PteDelegateCall>(&instruction))
        err = runDelegate(i, *call);
      else
        err = execError("instruction " + llvm::Twine(i),
                        "only KernelCall and DelegateCall instructions are supported");
      if (err)
        return err;
      for (size_t e = 0; e < tensors_.size(); ++e) // free what no later instruction reads
        if (lastUse[e] == i)
          tensors_[e].reset();
    }
    std::vector<Tensor> outputs;
    for (size_t o = 0; o < plan_->outputs.size(); ++o) {
      llvm::Expected<Tensor> t = tensorOf(plan_->outputs[o], "output " + std::to_string(o));
      if (!t)
        return t.takeError();
      outputs.push_back(std::move(*t));
    }
    return outputs;
  }

private:
  const PteView &pte_;
  llvm::ArrayRef<uint8_t> file_;
  VulkanContext &context_;
  const RunOptions &options_;
  RunStats &stats_;
  const ExecutionPlanView *plan_ = nullptr;
  std::vector<std::optional<Tensor>> tensors_;
  std::vector<int64_t> ints_;
  std::map<int32_t, PreparedDelegate> delegates_;

  // ---- EValues -------------------------------------------------------------------------

  /// For each EValue, the last instruction that names it (directly or as a tensor-list
  /// item); SIZE_MAX for plan outputs and EValues no instruction names.
  std::vector<size_t> lastUses(const PteChain &chain) const {
    std::vector<size_t> last(plan_->values.size(), SIZE_MAX);
    auto use = [&](int64_t e, size_t i) {
      if (validEValue(e))
        last[e] = last[e] == SIZE_MAX ? i : std::max(last[e], i);
    };
    for (size_t i = 0; i < chain.instructions.size(); ++i) {
      const std::vector<int32_t> *args = nullptr;
      if (const auto *k = std::get_if<PteKernelCall>(&chain.instructions[i]))
        args = &k->args;
      else if (const auto *d = std::get_if<PteDelegateCall>(&chain.instructions[i]))
        args = &d->args;
      if (!args)
        continue;
      for (int32_t e : *args) {
        use(e, i);
        if (!validEValue(e))
          continue;
        if (const auto *l = std::get_if<PteTensorList>(&plan_->values[e]))
          for (int32_t item : l->items)
            use(item, i);
        if (const auto *l = std::get_if<PteOptionalTensorList>(&plan_->values[e]))
          for (int32_t item : l->items)
            use(item, i);
      }
    }
    for (int32_t e : plan_->outputs)
      if (validEValue(e))
        last[e] = SIZE_MAX;
    return last;
  }

  bool validEValue(int64_t e) const {
    return e >= 0 && e < static_cast<int64_t>(plan_->values.size());
  }

  llvm::Expected<llvm::ArrayRef<uint8_t>> segmentBytes(uint32_t index) const {
    if (index >= pte_.segments.size() || !pte_.extendedHeader)
      return execError("segment " + llvm::Twine(index), "not in the file");
    const SegmentView &s = pte_.segments[index];
    uint64_t begin = pte_.extendedHeader->segmentBaseOffset + s.offset;
    if (begin > file_.size() || s.size > file_.size() - begin)
      return execError("segment " + llvm::Twine(index), "reaches past the end of the bytes given");
    return file_.slice(begin, s.size);
  }

  static llvm::Expected<DType> dtypeOf(const PteTensor &t, const llvm::Twine &where) {
    std::optional<DType> d = dtypeFromC10Code(static_cast<long long>(t.scalarType));
    if (!d)
      return execError(where, "scalar type " + llvm::Twine(static_cast<int>(t.scalarType)) +
                                  " is not supported");
    return *d;
  }

  static std::vector<int64_t> sizesOf(const PteTensor &t) {
    return std::vector<int64_t>(t.sizes.begin(), t.sizes.end());
  }

  /// A constant tensor of the constant segment (CPU kernels' weights), viewed in place.
  llvm::Expected<Tensor> constantTensor(int32_t e, const PteTensor &t) {
    std::string where = "EValue " + std::to_string(e) + " (constant buffer " +
                        std::to_string(t.dataBufferIndex) + ")";
    llvm::Expected<DType> dtype = dtypeOf(t, where);
    if (!dtype)
      return dtype.takeError();
    if (!pte_.constantSegment)
      return execError(where, "the program has no constant segment");
    const ConstantSegmentView &c = *pte_.constantSegment;
    if (t.dataBufferIndex >= c.offsets.size())
      return execError(where, "beyond the " + llvm::Twine(c.offsets.size()) + " constant buffers");
    llvm::Expected<llvm::ArrayRef<uint8_t>> segment = segmentBytes(c.segmentIndex);
    if (!segment)
      return wrap(where, segment.takeError());
    interp::Shape shape = sizesOf(t);
    // The sizes are the file's: negative ones, or a product past 2^63, are refused.
    llvm::Expected<int64_t> numel = interp::checkedNumel(shape, where);
    if (!numel)
      return numel.takeError();
    uint64_t offset = c.offsets[t.dataBufferIndex];
    uint64_t bytes = static_cast<uint64_t>(*numel) > segment->size() / dtypeSize(*dtype)
                         ? UINT64_MAX
                         : static_cast<uint64_t>(*numel) * dtypeSize(*dtype);
    if (offset > segment->size() || bytes > segment->size() - offset)
      return execError(where, llvm::Twine(bytes) + " bytes at offset " + llvm::Twine(offset) +
                                  " exceed the constant segment of " +
                                  llvm::Twine(segment->size()));
    return Tensor::view(*dtype, shape, segment->data() + offset);
  }

  llvm::Expected<Tensor> tensorOf(int64_t e, const std::string &where) {
    if (!validEValue(e))
      return execError(where, "EValue " + llvm::Twine(e) + " out of range");
    const PteTensor *t = std::get_if<PteTensor>(&plan_->values[e]);
    if (!t)
      return execError(where, "EValue " + llvm::Twine(e) + " is not a tensor");
    if (!tensors_[e]) {
      if (t->dataBufferIndex == 0)
        return execError(where, "EValue " + llvm::Twine(e) + " is read before it is computed");
      llvm::Expected<Tensor> c = constantTensor(static_cast<int32_t>(e), *t);
      if (!c)
        return c.takeError();
      tensors_[e] = std::move(*c);
    }
    return *tensors_[e];
  }

  /// Stores a computed tensor into EValue `e`, checking the declared dtype and sizes.
  /// Integer results of another width are converted (int32 from a delegate -> int64).
  llvm::Error storeTensor(int64_t e, Tensor t, const std::string &what) {
    if (!validEValue(e))
      return execError(what, "EValue " + llvm::Twine(e) + " out of range");
    const PteTensor *declared = std::get_if<PteTensor>(&plan_->values[e]);
    if (!declared)
      return execError(what, "EValue " + llvm::Twine(e) + " is not a tensor");
    llvm::Expected<DType> dtype = dtypeOf(*declared, what);
    if (!dtype)
      return dtype.takeError();
    if (t.dtype() != *dtype) {
      if (!isIntegral(t.dtype()) || !isIntegral(*dtype))
        return execError(what, "is " + dtypeText(t.dtype()) + ", the program declares " +
                                   dtypeText(*dtype));
      llvm::Expected<Tensor> cast = interp::toDType(t, *dtype);
      if (!cast)
        return wrap(what, cast.takeError());
      t = std::move(*cast);
    }
    bool bounded = declared->shapeDynamism != TensorShapeDynamism::STATIC;
    if (declared->shapeDynamism != TensorShapeDynamism::DYNAMIC_UNBOUND)
      if (llvm::Error err = checkShape(what, t, sizesOf(*declared), bounded))
        return err;
    tensors_[e] = std::move(t);
    return llvm::Error::success();
  }

  llvm::Error bindInputs(llvm::ArrayRef<Tensor> inputs) {
    if (inputs.size() != plan_->inputs.size())
      return execError("inputs", "the program takes " + llvm::Twine(plan_->inputs.size()) +
                                     " inputs, got " + llvm::Twine(inputs.size()));
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string where = "input " + std::to_string(i);
      int32_t e = plan_->inputs[i];
      if (!validEValue(e) || !std::holds_alternative<PteTensor>(plan_->values[e]))
        return execError(where, "the plan's input EValue " + llvm::Twine(e) + " is not a tensor");
      const PteTensor &declared = std::get<PteTensor>(plan_->values[e]);
      llvm::Expected<DType> dtype = dtypeOf(declared, where);
      if (!dtype)
        return dtype.takeError();
      const Tensor &t = inputs[i];
      if (!t.defined())
        return execError(where, "has no data");
      if (t.dtype() != *dtype)
        return execError(where,
                         "expected dtype " + dtypeText(*dtype) + ", got " + dtypeText(t.dtype()));
      if (llvm::Error err = storeTensor(e, t, where))
        return err;
    }
    return llvm::Error::success();
  }

  // ---- CPU kernel calls ------------------------------------------------------------------

  /// The IR argument for EValue `e` passed where the schema expects `arg`: tensors become
  /// synthetic Values bound in `env`, scalars literals (symbolic ints are read from the
  /// Int EValues that sym_size calls wrote).
  llvm::Expected<ArgValue>
  irArgument(int32_t e, const SchemaArg &arg,
             const std::function<llvm::Expected<Value *>(int32_t)> &tensorValue) {
    if (!validEValue(e))
      return execError("argument '" + arg.name + "'", "EValue " + llvm::Twine(e) + " out of range");
    const PteValue &v = plan_->values[e];
    auto fail = [&](const llvm::Twine &what) {
      return execError("argument '" + arg.name + "' (EValue " + llvm::Twine(e) + ")", what);
    };
    if (std::holds_alternative<PteNull>(v))
      return ArgValue(NoneArg{});
    if (std::holds_alternative<PteTensor>(v)) {
      llvm::Expected<Value *> value = tensorValue(e);
      if (!value)
        return value.takeError();
      return ArgValue(*value);
    }
    if (std::holds_alternative<PteInt>(v)) {
      int64_t i = ints_[e];
      switch (arg.type) {
      case ArgType::ScalarType: {
        std::optional<DType> d = dtypeFromC10Code(i);
        if (!d)
          return fail("dtype code " + llvm::Twine(i) + " is not supported");
        return ArgValue(*d);
      }
      case ArgType::Layout:
        return ArgValue(LayoutArg{i});
      case ArgType::MemoryFormat:
        return ArgValue(MemoryFormatArg{i});
      case ArgType::Float:
        return ArgValue(static_cast<double>(i));
      default:
        return ArgValue(i);
      }
    }
    if (const PteDouble *d = std::get_if<PteDouble>(&v))
      return ArgValue(d->value);
    if (const PteBool *b = std::get_if<PteBool>(&v))
      return ArgValue(b->value);
    if (const PteString *s = std::get_if<PteString>(&v))
      return ArgValue(s->value);
    if (const PteIntList *list = std::get_if<PteIntList>(&v)) {
      IntList ints;
      for (int64_t item : list->items) {
        if (!validEValue(item) || !std::holds_alternative<PteInt>(plan_->values[item]))
          return fail("int list item " + llvm::Twine(item) + " is not an Int EValue");
        ints.push_back(SymIntArg{ints_[item], nullptr});
      }
      return ArgValue(std::move(ints));
    }
    if (const PteDoubleList *list = std::get_if<PteDoubleList>(&v))
      return ArgValue(list->items);
    if (const PteBoolList *list = std::get_if<PteBoolList>(&v))
      return ArgValue(list->items);
    std::vector<int32_t> items;
    if (const PteTensorList *list = std::get_if<PteTensorList>(&v))
      items = list->items;
    else
      items = std::get<PteOptionalTensorList>(v).items;
    TensorListArg tensors;
    for (int32_t item : items) {
      if (item < 0) {
        tensors.tensors.push_back(nullptr);
        continue;
      }
      llvm::Expected<Value *> value = tensorValue(item);
      if (!value)
        return value.takeError();
      tensors.tensors.push_back(*value);
    }
    return ArgValue(std::move(tensors));
  }

  llvm::Error runKernel(size_t index, const PteKernelCall &call) {
    std::string where = "instruction " + std::to_string(index);
    if (call.operatorIndex < 0 ||
        call.operatorIndex >= static_cast<int32_t>(plan_->operators.size()))
      return execError(where,
                       "operator index " + llvm::Twine(call.operatorIndex) + " out of range");
    const PteOperator &op = plan_->operators[call.operatorIndex];
    std::string opName = op.name + (op.overload.empty() ? "" : "." + op.overload);
    where += " (" + opName + ")";
    const OpSchema *schema = lookupOpByCpuOperator(op.name, op.overload);
    if (!schema)
      return execError(where, "not a CPU operator of vkqc's op table (compiler/ir/Ops.def)");
    interp::OpHandler handler = interp::findOpHandler(*schema->kind);
    if (!handler)
      return execError(where, "the reference interpreter cannot run " + schema->target);
    // ExecuTorch's convention: the out-variant's arguments (the outs among them), then the
    // result again.
    const OpSchema &outVariant = *schema->cpuOut;
    if (call.args.size() != outVariant.args.size() + 1)
      return execError(where, llvm::Twine(call.args.size()) + " arguments; " + opName + " takes " +
                                  llvm::Twine(outVariant.args.size()) + " and its result");
    std::map<std::string, int32_t> argEValue; // out-variant argument -> EValue
    std::vector<int32_t> outs;
    for (size_t a = 0; a < outVariant.args.size(); ++a) {
      if (outVariant.args[a].isOut)
        outs.push_back(call.args[a]);
      else
        argEValue[outVariant.args[a].name] = call.args[a];
    }
    if (outs.empty()) // a SymInt result: the Int EValue after the arguments
      outs.push_back(call.args.back());
    if (outs.size() != schema->returns.size())
      return execError(where, llvm::Twine(outs.size()) + " outputs for " +
                                  llvm::Twine(schema->returns.size()) + " results of " +
                                  schema->target);

    // A synthetic node over synthetic Values, so the interpreter's own handler runs it.
    std::vector<std::unique_ptr<Value>> values;
    std::map<int32_t, Value *> valueOf;
    interp::Environment env;
    auto tensorValue = [&](int32_t e) -> llvm::Expected<Value *> {
      if (auto it = valueOf.find(e); it != valueOf.end())
        return it->second;
      llvm::Expected<Tensor> t = tensorOf(e, where);
      if (!t)
        return t.takeError();
      values.push_back(std::make_unique<Value>());
      Value *v = values.back().get();
      v->name = "evalue" + std::to_string(e);
      v->dtype = t->dtype();
      for (int64_t d : t->shape())
        v->shape.push_back(SymExpr(d));
      env.values[v] = *t;
      valueOf[e] = v;
      return v;
    };
    Node node;
    node.name = "instruction" + std::to_string(index);
    node.target = schema->target;
    node.schema = schema;
    node.placement = Placement::Cpu;
    // The op's own arguments: those of the out-variant by name, the rest their defaults;
    // a dtype the out-variant leaves out is its out tensor's.
    std::vector<NamedArg> nodeArgs;
    for (const SchemaArg &sa : schema->args) {
      auto it = argEValue.find(sa.name);
      if (it != argEValue.end()) {
        llvm::Expected<ArgValue> arg = irArgument(it->second, sa, tensorValue);
        if (!arg)
          return wrap(where, arg.takeError());
        nodeArgs.push_back(NamedArg{sa.name, std::move(*arg)});
      } else if (sa.type == ArgType::ScalarType && sa.name == "dtype" &&
                 schema->returns[0] == ReturnType::Tensor) {
        const PteTensor *t =
            validEValue(outs[0]) ? std::get_if<PteTensor>(&plan_->values[outs[0]]) : nullptr;
        if (!t)
          return execError(where, "the out argument is not a tensor");
        llvm::Expected<DType> dtype = dtypeOf(*t, where);
        if (!dtype)
          return dtype.takeError();
        nodeArgs.push_back(NamedArg{sa.name, *dtype});
      } else if (sa.defaultValue) {
        nodeArgs.push_back(NamedArg{sa.name, *sa.defaultValue});
      } else {
        return execError(where, "no argument '" + sa.name + "' for " + schema->target);
      }
    }
    node.setArgs(std::move(nodeArgs));
    for (size_t r = 0; r < outs.size(); ++r) {
      int32_t e = outs[r];
      if (!validEValue(e))
        return execError(where, "out argument " + llvm::Twine(r) + " out of range");
      values.push_back(std::make_unique<Value>());
      Value *v = values.back().get();
      v->name = "out" + std::to_string(r);
      if (schema->returns[r] == ReturnType::SymInt) {
        if (!std::holds_alternative<PteInt>(plan_->values[e]))
          return execError(where,
                           "out argument " + llvm::Twine(r) + " of a SymInt is not an Int EValue");
        v->kind = Value::Kind::SymInt;
      } else {
        const PteTensor *t = std::get_if<PteTensor>(&plan_->values[e]);
        if (!t)
          return execError(where, "out argument " + llvm::Twine(r) + " is not a tensor");
        llvm::Expected<DType> dtype = dtypeOf(*t, where);
        if (!dtype)
          return dtype.takeError();
        v->dtype = *dtype; // some handlers store in the declared dtype
      }
      node.results.push_back(v);
    }

    interp::NodeArguments args(node, env);
    llvm::Expected<interp::OpResults> results = handler(args);
    if (!results)
      return wrap(where, results.takeError());
    if (results->size() != outs.size())
      return execError(where, "the kernel gave " + llvm::Twine(results->size()) + " results for " +
                                  llvm::Twine(outs.size()) + " out arguments");
    for (size_t r = 0; r < outs.size(); ++r) {
      std::string what = where + ": result " + std::to_string(r);
      interp::RuntimeValue &result = (*results)[r];
      if (schema->returns[r] == ReturnType::SymInt) {
        const int64_t *i = std::get_if<int64_t>(&result);
        if (!i)
          return execError(what, "a tensor where a SymInt is declared");
        ints_[outs[r]] = *i;
        continue;
      }
      Tensor *t = std::get_if<Tensor>(&result);
      if (!t)
        return execError(what, "an integer where a tensor is declared");
      if (llvm::Error err = storeTensor(outs[r], std::move(*t), what))
        return err;
    }
    ++stats_.cpuKernels;
    return llvm::Error::success();
  }

  // ---- Vulkan delegate calls -------------------------------------------------------------

  llvm::Expected<llvm::ArrayRef<uint8_t>> namedBytes(llvm::StringRef key) {
    for (const NamedDataView &n : pte_.namedData)
      if (n.key == key)
        return segmentBytes(n.segmentIndex);
    return execError("named data '" + key + "'", "not in the program");
  }

  /// The bytes of a VkBytes record: named data, or the blob's raw bytes region.
  llvm::Expected<llvm::ArrayRef<uint8_t>>
  vkBytes(const VkGraphView &g, llvm::ArrayRef<uint8_t> blob, const VkBytesView &b) {
    if (b.offset == kNamedDataOffset) {
      llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = namedBytes(b.namedKey);
      if (!bytes)
        return bytes.takeError();
      if (bytes->size() < b.length)
        return execError("named data '" + b.namedKey + "'", llvm::Twine(bytes->size()) +
                                                                " bytes, " + llvm::Twine(b.length) +
                                                                " expected");
      return bytes->take_front(b.length);
    }
    uint64_t begin = g.header.bytesOffset + b.offset;
    if (blob.empty())
      return execError("'" + b.namedKey + "'", "the blob's raw bytes are not available");
    if (begin > blob.size() || b.length > blob.size() - begin)
      return execError("'" + b.namedKey + "'", "reaches past the end of the delegate blob");
    return blob.slice(begin, b.length);
  }

  llvm::Expected<PreparedDelegate *> prepareDelegate(int32_t index, const std::string &where) {
    if (auto it = delegates_.find(index); it != delegates_.end())
      return &it->second;
    if (index < 0 || index >= static_cast<int32_t>(plan_->delegates.size()))
      return execError(where, "delegate index " + llvm::Twine(index) + " out of range");
    const DelegateView &d = plan_->delegates[index];
    if (d.id != kVulkanBackendId || !d.vulkanGraph)
      return execError(where, "backend '" + d.id + "' is not supported (VulkanBackend only)");
    PreparedDelegate prepared;
    prepared.graph = &*d.vulkanGraph;
    llvm::ArrayRef<uint8_t> blob;
    if (d.processed.location == executorch_flatbuffer::DataLocation::SEGMENT) {
      llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = segmentBytes(d.processed.index);
      if (!bytes)
        return wrap(where, bytes.takeError());
      blob = *bytes;
    }
    const VkGraphView &g = *prepared.graph;
    for (const VkBytesView &s : g.shaders) {
      llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = vkBytes(g, blob, s);
      if (!bytes)
        return wrap(where + ": shader " + s.namedKey, bytes.takeError());
      std::optional<std::string> variant = shaderNameFromKey(s.namedKey);
      if (!variant)
        return execError(where, "a shader without a name");
      prepared.shaders[*variant] = *bytes;
    }
    prepared.constants.assign(g.values.size(), std::nullopt);
    for (size_t id = 0; id < g.values.size(); ++id) {
      const VkTensorValue *t = std::get_if<VkTensorValue>(&g.values[id]);
      if (!t || t->constantId < 0)
        continue;
      std::string what = where + ": constant value " + std::to_string(id);
      if (t->constantId >= static_cast<int32_t>(g.constants.size()))
        return execError(what, "constant id " + llvm::Twine(t->constantId) + " out of range");
      llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = vkBytes(g, blob, g.constants[t->constantId]);
      if (!bytes)
        return wrap(what, bytes.takeError());
      std::optional<DType> dtype = dtypeOfVk(t->datatype);
      if (!dtype)
        return execError(what, "unsupported datatype");
      interp::Shape shape(t->dims.begin(), t->dims.end());
      // The dims are the file's: negative ones, or a product past 2^63, are refused, and
      // the byte counts are compared without multiplying.
      llvm::Expected<int64_t> count = interp::checkedNumel(shape, what);
      if (!count)
        return count.takeError();
      uint64_t numel = static_cast<uint64_t>(*count);
      auto holds = [&](uint64_t elementSize) {
        return bytes->size() % elementSize == 0 && bytes->size() / elementSize == numel;
      };
      // int64 constants are stored as they are and narrowed on upload (declared INT32)
      if (*dtype == DType::Int32 && holds(8))
        dtype = DType::Int64;
      if (!holds(dtypeSize(*dtype)))
        return execError(what, llvm::Twine(bytes->size()) + " bytes for " + dtypeText(*dtype) +
                                   " " + shapeText(shape));
      prepared.constants[id] = Tensor::view(*dtype, shape, bytes->data());
    }
    return &delegates_.emplace(index, std::move(prepared)).first->second;
  }

  llvm::Error runDelegate(size_t index, const PteDelegateCall &call) {
    std::string where = "instruction " + std::to_string(index) + " (delegate " +
                        std::to_string(call.delegateIndex) + ")";
    llvm::Expected<PreparedDelegate *> prepared = prepareDelegate(call.delegateIndex, where);
    if (!prepared)
      return prepared.takeError();
    const VkGraphView &g = *(*prepared)->graph;
    size_t nIn = g.inputIds.size(), nOut = g.outputIds.size();
    if (call.args.size() != nIn + nOut)
      return execError(where, llvm::Twine(call.args.size()) + " arguments for " + llvm::Twine(nIn) +
                                  " graph inputs and " + llvm::Twine(nOut) + " outputs");
    std::vector<std::optional<Tensor>> vals = (*prepared)->constants;
    for (size_t k = 0; k < nIn; ++k) {
      std::string what = where + ": input " + std::to_string(k);
      uint32_t id = g.inputIds[k];
      if (id < g.values.size() && std::holds_alternative<VkSymIntValue>(g.values[id])) {
        int64_t e = call.args[k]; // a sequence length the CPU computed: an Int EValue
        if (!validEValue(e) || !std::holds_alternative<PteInt>(plan_->values[e]))
          return execError(what, "EValue " + llvm::Twine(e) + " for a SymInt input is not an Int");
        Tensor symInt(DType::Int64, {});
        symInt.setInt(0, ints_[e]);
        vals[id] = std::move(symInt);
        continue;
      }
      const VkTensorValue *vt =
          id < g.values.size() ? std::get_if<VkTensorValue>(&g.values[id]) : nullptr;
      if (!vt)
        return execError(what,
                         "graph value " + llvm::Twine(id) + " is neither a tensor nor a SymInt");
      llvm::Expected<Tensor> t = tensorOf(call.args[k], what);
      if (!t)
        return t.takeError();
      std::optional<DType> dtype = dtypeOfVk(vt->datatype);
      if (!dtype)
        return execError(what, "unsupported datatype");
      Tensor value = *t;
      if (value.dtype() != *dtype) {
        if (!(value.dtype() == DType::Int64 && *dtype == DType::Int32)) // narrowed on upload
          return execError(what, "is " + dtypeText(value.dtype()) + ", the graph declares " +
                                     dtypeText(*dtype));
        llvm::Expected<Tensor> narrow = interp::toDType(value, DType::Int32);
        if (!narrow)
          return wrap(what, narrow.takeError());
        value = std::move(*narrow);
      }
      if (llvm::Error err =
              checkShape(what, value, std::vector<int64_t>(vt->dims.begin(), vt->dims.end()), true))
        return err;
      vals[id] = std::move(value);
    }
    // The blob's shaders, built into pipelines from their embedded words while it runs.
    if (llvm::Error err = context_.useEmbeddedShaders((*prepared)->shaders))
      return wrap(where, std::move(err));
    llvm::Error err = llvm::Error::success();
    for (size_t j = 0; j < g.chain.size() && !err; ++j)
      err = runVulkanOp(**prepared, vals, j, where);
    context_.useCompiledShaders();
    if (err)
      return err;
    for (size_t k = 0; k < nOut; ++k) {
      std::string what = where + ": output " + std::to_string(k);
      uint32_t id = g.outputIds[k];
      if (id >= vals.size() || !vals[id])
        return execError(what, "graph value " + llvm::Twine(id) + " was not computed");
      if (llvm::Error e = storeTensor(call.args[nIn + k], *vals[id], what))
        return e;
    }
    ++stats_.delegateCalls;
    return llvm::Error::success();
  }

  /// Requires the SPIR-V of `variant` in the delegate's shaders (the runner will use it).
  llvm::Error requireVariant(const PreparedDelegate &d, const std::string &where,
                             llvm::Expected<std::string> variant,
                             std::optional<std::string> alternative = std::nullopt) {
    if (!variant)
      return wrap(where, variant.takeError());
    if (!d.shaders.count(*variant)) {
      if (alternative && *alternative != *variant)
        *variant += " or " + *alternative;
      std::vector<std::string> carried;
      for (const auto &s : d.shaders)
        carried.push_back(s.getKey().str());
      llvm::sort(carried);
      return execError(
          where, "the delegate blob carries no SPIR-V for shader variant " + *variant +
                     ", which this op runs (it carries: " +
                     (carried.empty() ? std::string("none") : llvm::join(carried, ", ")) + ")");
    }
    if (!llvm::is_contained(stats_.variantsUsed, *variant))
      stats_.variantsUsed.push_back(*variant);
    return llvm::Error::success();
  }

  /// The tile set of a linear: the option, else the one whose variant the blob carries
  /// (default tiles first). Without either, the default, and `otherTiles` names the other
  /// candidate for the error.
  shaders::LinearTiles
  tilesFor(const PreparedDelegate &d,
           const std::function<llvm::Expected<std::string>(shaders::LinearTiles)> &name,
           std::optional<std::string> &otherTiles) {
    if (options_.linearTiles)
      return *options_.linearTiles;
    for (shaders::LinearTiles t : {shaders::LinearTiles::Default, shaders::LinearTiles::M2N4}) {
      llvm::Expected<std::string> n = name(t);
      if (!n) {
        llvm::consumeError(n.takeError());
        continue;
      }
      if (d.shaders.count(*n))
        return t;
    }
    llvm::Expected<std::string> m2n4 = name(shaders::LinearTiles::M2N4);
    if (m2n4)
      otherTiles = *m2n4;
    else
      llvm::consumeError(m2n4.takeError());
    return shaders::LinearTiles::Default;
  }

  static int64_t rowsOf(const Tensor &x) {
    return x.rank() == 0 || x.dim(-1) == 0 ? 0 : x.numel() / x.dim(-1);
  }

  llvm::Error runVulkanOp(const PreparedDelegate &d, std::vector<std::optional<Tensor>> &vals,
                          size_t j, const std::string &delegateWhere) {
    const VkGraphView &g = *d.graph;
    const VkOperatorCall &call = g.chain[j];
    std::string where = delegateWhere + " op " + std::to_string(j) + " (" + call.name + ")";
    const OpSchema *schema = lookupOpSchema(call.name);
    if (!schema)
      return execError(where, "unknown op");
    if (call.args.size() != schema->args.size() + 1)
      return execError(where, llvm::Twine(call.args.size()) + " arguments; the op takes " +
                                  llvm::Twine(schema->args.size()) + " and the output");
    VkOpArguments a{g, vals, call, *schema->kind, where};
    llvm::Expected<std::vector<int32_t>> outs = a.outputs();
    if (!outs)
      return outs.takeError();
    if (outs->size() != schema->returns.size())
      return execError(where, llvm::Twine(outs->size()) + " outputs for " +
                                  llvm::Twine(schema->returns.size()) + " results");

    if (a.op == OpKind::et_vk_linear_q4gsw_default) {
      VKQC_TRY(x, a.tensor(0));
      VKQC_TRY(weights, a.tensor(1));
      VKQC_TRY(scales, a.tensor(2));
      VKQC_TRY(groupSize, a.integer(3));
      VKQC_TRY(bias, a.optionalTensor(4));
      int64_t rows = rowsOf(*x);
      DType dtype = x->dtype();
      LinearOptions lo;
      std::optional<std::string> other;
      lo.tiles = tilesFor(
          d, [&](shaders::LinearTiles t) { return shaders::linearQ4gswVariant(rows, dtype, t); },
          other);
      if (llvm::Error err =
              requireVariant(d, where, shaders::linearQ4gswVariant(rows, dtype, lo.tiles), other))
        return err;
      llvm::Expected<Tensor> y =
          runLinearQ4gsw(context_, *x, *weights, *scales, *groupSize, *bias, lo);
      if (!y)
        return wrap(where, y.takeError());
      ++stats_.vulkanOps;
      return a.store((*outs)[0], std::move(*y));
    }
    if (a.op == OpKind::et_vk_linear_dq8ca_q4gsw_default) {
      VKQC_TRY(x, a.tensor(0));
      VKQC_TRY(inputScales, a.tensor(1));
      VKQC_TRY(inputZp, a.tensor(2));
      VKQC_TRY(weights, a.tensor(3));
      VKQC_TRY(weightSums, a.tensor(4));
      VKQC_TRY(scales, a.tensor(5));
      VKQC_TRY(groupSize, a.integer(6));
      VKQC_TRY(bias, a.optionalTensor(7));
      int64_t rows = rowsOf(*x);
      DType dtype = x->dtype();
      DType zpDtype = inputZp->dtype() == DType::Int8 ? DType::Int8 : dtype;
      LinearOptions lo;
      std::optional<std::string> other;
      lo.tiles = tilesFor(
          d,
          [&](shaders::LinearTiles t) {
            return shaders::linearDq8caQ4gswVariant(rows, dtype, zpDtype, t);
          },
          other);
      // The runner's own choice: the integer kernel (plus the on-device activation
      // quantizer) when the device has its features, else the weight-only kernel.
      llvm::Expected<std::string> name =
          shaders::linearDq8caQ4gswVariant(rows, dtype, zpDtype, lo.tiles);
      if (!name)
        return wrap(where, name.takeError());
      const shaders::ShaderVariant *variant = shaders::findShader(*name);
      if (variant && context_.supports(*variant)) {
        if (llvm::Error err = requireVariant(d, where, *name, other))
          return err;
        if (llvm::Error err =
                requireVariant(d, where, shaders::quantizeAndPackVariant(dtype, zpDtype)))
          return err;
      } else if (llvm::Error err = requireVariant(
                     d,
                     where + " [weight-only fallback: the device lacks " + *name + "'s features]",
                     shaders::linearQ4gswVariant(rows, dtype, lo.tiles))) {
        return err;
      }
      llvm::Expected<Tensor> y = runLinearDq8caQ4gsw(context_, *x, *inputScales, *inputZp, *weights,
                                                     *weightSums, *scales, *groupSize, *bias, lo);
      if (!y)
        return wrap(where, y.takeError());
      ++stats_.vulkanOps;
      return a.store((*outs)[0], std::move(*y));
    }
    if (a.op == OpKind::et_vk_embedding_q4gsw_default) {
      VKQC_TRY(weight, a.tensor(0));
      VKQC_TRY(scales, a.tensor(1));
      VKQC_TRY(groupSize, a.integer(2));
      VKQC_TRY(indices, a.tensor(3));
      VKQC_TRY(isLinearWeight, a.boolean(4));
      VKQC_TRY(outDtype, a.outputDtype((*outs)[0]));
      DType scalesDtype = scales->dtype() == DType::Float16 ? DType::Float16 : DType::Float32;
      if (llvm::Error err =
              requireVariant(d, where, shaders::embeddingQ4gswVariant(scalesDtype, *outDtype)))
        return err;
      llvm::Expected<Tensor> y = runEmbeddingQ4gsw(context_, *weight, *scales, *groupSize, *indices,
                                                   *isLinearWeight, *outDtype);
      if (!y)
        return wrap(where, y.takeError());
      ++stats_.vulkanOps;
      return a.store((*outs)[0], std::move(*y));
    }
    if (a.op == OpKind::torchao_choose_qparams_affine_default) {
      VKQC_TRY(x, a.tensor(0));
      VKQC_TRY(mapping, a.string(1));
      VKQC_TRY(blockSize, a.integers(2));
      VKQC_TRY(quantMin, a.optionalInteger(4));
      VKQC_TRY(quantMax, a.optionalInteger(5));
      VKQC_TRY(eps, a.optionalReal(6));
      VKQC_TRY(keepdim, a.boolean(9));
      if (*mapping != "ASYMMETRIC")
        return execError(where,
                         "mapping type " + *mapping + " has no Vulkan kernel (ASYMMETRIC only)");
      bool perRow = static_cast<int64_t>(blockSize->size()) == x->rank() && x->rank() >= 1 &&
                    blockSize->back() == x->dim(-1);
      for (size_t i = 0; perRow && i + 1 < blockSize->size(); ++i)
        perRow = (*blockSize)[i] == 1;
      if (!perRow)
        return execError(where, "block size " + shapeText(*blockSize) +
                                    " is not per row of input " + shapeText(x->shape()));
      VKQC_TRY(scaleDtype, a.outputDtype((*outs)[0]));
      VKQC_TRY(zpDtype, a.outputDtype((*outs)[1]));
      if (*scaleDtype != x->dtype())
        return execError(where, "scale dtype " + dtypeText(*scaleDtype) +
                                    " differs from the input's " + dtypeText(x->dtype()));
      if (llvm::Error err =
              requireVariant(d, where, shaders::chooseQParamsPerRowVariant(x->dtype(), *zpDtype)))
        return err;
      llvm::Expected<interp::QParams> q = runChooseQParamsPerRow(
          context_, *x, *zpDtype, quantMin->value_or(-128), quantMax->value_or(127), *eps);
      if (!q)
        return wrap(where, q.takeError());
      ++stats_.vulkanOps;
      Tensor scale = q->scale, zeroPoint = q->zeroPoint;
      if (*keepdim) {
        interp::Shape shape = x->shape();
        shape.back() = 1;
        scale = scale.reshaped(shape);
        zeroPoint = zeroPoint.reshaped(shape);
      }
      if (llvm::Error err = a.store((*outs)[0], std::move(scale)))
        return err;
      return a.store((*outs)[1], std::move(zeroPoint));
    }
    llvm::Expected<bool> ran =
        runFloatOp(context_, a, (*outs)[0], [&](llvm::Expected<std::string> variant) {
          return requireVariant(d, where, std::move(variant));
        });
    if (!ran)
      return ran.takeError();
    if (*ran) {
      ++stats_.vulkanOps;
      return llvm::Error::success();
    }
    return execError(where, "the executor has no Vulkan runner for this op");
  }
};

} // namespace

llvm::Expected<std::vector<Tensor>> runPte(const PteView &pte, llvm::ArrayRef<uint8_t> fileBytes,
                                           llvm::ArrayRef<Tensor> inputs, VulkanContext &context,
                                           const RunOptions &options, RunStats *stats) {
  RunStats ignored;
  RunStats &s = stats ? *stats : ignored;
  s = RunStats();
  if (fileBytes.size() != pte.fileSize)
    return execError("program", "the bytes given (" + llvm::Twine(fileBytes.size()) +
                                    ") are not the file that was read (" +
                                    llvm::Twine(pte.fileSize) + ")");
  return PteRunner(pte, fileBytes, context, options, s).run(inputs);
}

llvm::Expected<std::vector<Tensor>> runPteFile(llvm::StringRef path, llvm::ArrayRef<Tensor> inputs,
                                               VulkanContext &context, const RunOptions &options,
                                               RunStats *stats) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return execError(path, buffer.getError().message());
  llvm::ArrayRef<uint8_t> bytes(reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()),
                                (*buffer)->getBufferSize());
  llvm::Expected<PteView> view = readPte(bytes);
  if (!view)
    return wrap(path, view.takeError());
  llvm::Expected<std::vector<Tensor>> outputs =
      runPte(*view, bytes, inputs, context, options, stats);
  if (!outputs)
    return outputs.takeError();
  // Constants viewed in place may be outputs: copy them before the mapping goes away.
  for (Tensor &t : *outputs) {
    Tensor copy(t.dtype(), t.shape());
    if (t.byteSize())
      std::memcpy(copy.mutableRaw(), t.raw(), t.byteSize());
    t = std::move(copy);
  }
  return outputs;
}

std::string formatDeviceList(llvm::ArrayRef<DeviceInfo> devices) {
  if (devices.empty())
    return "no Vulkan devices\n";
  std::string text;
  for (const DeviceInfo &d : devices)
    text += d.describe() + "\n";
  return text;
}

llvm::Expected<std::string> describeDevices() {
  llvm::Expected<std::vector<DeviceInfo>> devices = listDevices();
  if (!devices)
    return devices.takeError();
  return formatDeviceList(*devices);
}

} // namespace vkqc::vk
