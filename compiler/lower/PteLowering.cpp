#include "compiler/lower/PteLowering.h"

#include "compiler/ir/Printer.h"
#include "compiler/target/ExecutorchRuntime.h"
#include "compiler/target/TargetLimits.h"
#include "serialize/ContentKey.h"
#include "serialize/VulkanBlobBuilder.h"
#include "shaders/Shaders.h"

#include "llvm/Support/Parallel.h"

#include <atomic>
#include <map>
#include <memory>
#include <numeric>
#include <set>

namespace vkqc {

using namespace serialize;

namespace {

constexpr uint64_t kPlanningAlignment = 16; // as ExecuTorch's MemoryPlanningPass
// Derived delegate constants larger than this get their named-data key as the file is
// written (packed weights); smaller ones are hashed before.
constexpr uint64_t kPendingKeyBytes = 4096;

llvm::Error lowerError(const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "writing the .pte: " + what);
}

// Each symbol at the top of its range: tensors are planned and declared at their largest.
std::map<std::string, int64_t> upperBounds(const Graph &g) {
  std::map<std::string, int64_t> top;
  for (const auto &[name, range] : g.symbols())
    top[name] = range.max.value_or(range.min.value_or(1));
  return top;
}

llvm::Expected<std::vector<int64_t>> upperBoundShape(const Value &v,
                                                     const std::map<std::string, int64_t> &top) {
  std::vector<int64_t> dims;
  for (const SymExpr &d : v.shape) {
    llvm::Expected<int64_t> n = d.evaluate(top);
    if (!n)
      return n.takeError();
    dims.push_back(*n);
  }
  return dims;
}

bool isDynamic(const Value &v) {
  return std::any_of(v.shape.begin(), v.shape.end(),
                     [](const SymExpr &d) { return !d.isConstant(); });
}

VkDataType vkDataType(DType t) {
  switch (t) {
  case DType::Bool:
    return VkDataType::BOOL;
  case DType::UInt8:
    return VkDataType::UINT8;
  case DType::Int8:
    return VkDataType::INT8;
  case DType::Int32:
  case DType::Int64: // narrowed to int32 on upload (downcast_64_bit, the runtime's default)
    return VkDataType::INT32;
  case DType::Float16:
    return VkDataType::FLOAT16;
  case DType::Float64:
    return VkDataType::FLOAT64;
  default:
    return VkDataType::FLOAT32;
  }
}

// The ExecuTorch pytree encoding of forward(*inputs) and of its outputs.
PteContainerMeta containerMeta(size_t inputs, size_t outputs) {
  auto tuple = [](size_t n) {
    std::string s = "T" + std::to_string(n);
    for (size_t i = 0; i < n; ++i)
      s += "#1";
    s += "(";
    for (size_t i = 0; i < n; ++i)
      s += i ? ",$" : "$";
    return s + ")";
  };
  PteContainerMeta meta;
  meta.encodedInputs = "T2#" + std::to_string(inputs) + "#0(" + tuple(inputs) + ",D0())";
  meta.encodedOutputs = outputs == 1 ? "$" : tuple(outputs);
  return meta;
}

// The bytes of a constant, written into the output when the file is written: a view
// streams from the mmapped input, a derived layout is produced straight into place.
DataSource constantSource(const ConstantTensor &c) {
  DataSource source;
  source.size = c.byteSize();
  source.write = [c](llvm::MutableArrayRef<uint8_t> dst) -> llvm::Error {
    if (c.storage->isDerived() && c.byteOffset == 0 && c.byteSize() == c.storage->size())
      return c.storage->writeTo(dst);
    llvm::Expected<llvm::ArrayRef<uint8_t>> data = c.data();
    if (!data)
      return data.takeError();
    std::copy(data->begin(), data->end(), dst.begin());
    return llvm::Error::success();
  };
  return source;
}

// Which bytes a constant is: its storage and the slice it views.
using ConstantSlice = std::tuple<const Storage *, uint64_t, uint64_t>;
ConstantSlice sliceOf(const ConstantTensor &c) { return {c.storage, c.byteOffset, c.byteSize()}; }

class PteLowering {
public:
  PteLowering(const Graph &g, const LoweringOptions &options, const Target &target,
              LoweringStats &stats)
      : g_(g), options_(options), target_(target), stats_(stats), top_(upperBounds(g)) {
    for (const auto &n : g.nodes())
      order_.push_back(n.get());
  }

  llvm::Expected<PteProgram> run() {
    for (const auto &n : g_.nodes())
      if (n->placement == Placement::Unassigned)
        return lowerError("node '" + n->name +
                          "' has no placement; run the whole pipeline (partition)");
    if (auto err = hashDelegateConstants())
      return err;
    for (const Value *in : g_.inputs())
      if (!in->isConstant()) {
        llvm::Expected<int32_t> e = tensorEValue(in);
        if (!e)
          return e.takeError();
        plan_.inputs.push_back(*e);
      }
    for (size_t i = 0; i < order_.size();) {
      size_t end = i + 1;
      if (order_[i]->placement == Placement::Vulkan) {
        while (end < order_.size() && order_[end]->placement == Placement::Vulkan)
          ++end;
        if (auto err = emitDelegate(i, end))
          return err;
      } else if (auto err = emitKernel(*order_[i])) {
        return err;
      }
      i = end;
    }
    for (const Value *out : g_.outputs()) {
      llvm::Expected<int32_t> e = tensorEValue(out);
      if (!e)
        return e.takeError();
      plan_.outputs.push_back(*e);
      if (auto it = plannedIndex_.find(*e); it != plannedIndex_.end())
        planned_[it->second].lastUse = INT32_MAX;
    }
    planMemory();
    plan_.containerMeta = containerMeta(plan_.inputs.size(), plan_.outputs.size());
    plan_.chains.push_back(std::move(chain_));
    program_.plans.push_back(std::move(plan_));
    return std::move(program_);
  }

private:
  struct Planned {
    int32_t evalue;
    uint64_t bytes;
    int32_t firstUse;
    int32_t lastUse;
  };

  const Graph &g_;
  std::vector<const Node *> order_; // the nodes in the graph's order, indexed by regions
  const LoweringOptions &options_;
  const Target &target_;
  LoweringStats &stats_;
  std::map<std::string, int64_t> top_;
  PteProgram program_;
  PteExecutionPlan plan_;
  PteChain chain_;
  std::map<const Value *, int32_t> evalueOf_;
  std::map<std::pair<const Storage *, uint64_t>, uint32_t> constantBufferOf_;
  std::vector<Planned> planned_;
  std::map<int32_t, size_t> plannedIndex_;
  std::map<std::pair<std::string, std::string>, int32_t> operatorIndex_;
  std::map<ConstantSlice, std::string> keyOf_;
  std::set<std::string> shadersStored_;

  // The named-data key (SHA-256) of every constant a delegate reads, computed in
  // parallel, except for derived layouts over kPendingKeyBytes: those are produced once,
  // straight into the file, and hashed there (NamedDataStore::addPending). Small ones are
  // hashed here, in the thread's reused scratch buffer, so that identical small constants
  // (a cast of equal norm weights) are still stored once without writing the file twice.
  llvm::Error hashDelegateConstants() {
    std::map<ConstantSlice, const ConstantTensor *> slices;
    for (const auto &n : g_.nodes())
      if (n->placement == Placement::Vulkan)
        for (const Value *v : n->operands())
          if (v->isConstant() && !keyPending(v->constant))
            slices.emplace(sliceOf(v->constant), &v->constant);
    std::vector<std::pair<ConstantSlice, const ConstantTensor *>> work(slices.begin(),
                                                                       slices.end());
    std::vector<std::string> keys(work.size());
    std::vector<size_t> index(work.size());
    std::iota(index.begin(), index.end(), 0);
    if (auto err = llvm::parallelForEachError(index, [&](size_t i) -> llvm::Error {
          const ConstantTensor &c = *work[i].second;
          if (!c.storage->isDerived()) {
            llvm::Expected<llvm::ArrayRef<uint8_t>> data = c.data();
            if (!data)
              return data.takeError();
            keys[i] = contentKey(*data);
            return llvm::Error::success();
          }
          thread_local std::vector<uint8_t> scratch;
          uint64_t size = c.byteSize();
          if (scratch.size() < size)
            scratch.resize(size);
          llvm::MutableArrayRef<uint8_t> dst =
              llvm::MutableArrayRef<uint8_t>(scratch).take_front(size);
          if (auto err = constantSource(c).write(dst))
            return err;
          keys[i] = contentKey(dst);
          return llvm::Error::success();
        }))
      return err;
    for (size_t i = 0; i < work.size(); ++i)
      keyOf_[work[i].first] = keys[i];
    return llvm::Error::success();
  }

  static bool keyPending(const ConstantTensor &c) {
    return c.storage->isDerived() && c.byteSize() > kPendingKeyBytes;
  }

  // The named-data key of a delegate constant, storing its bytes under it once.
  std::string namedDataKey(const ConstantTensor &c) {
    std::string &key = keyOf_[sliceOf(c)]; // hashed before lowering, or empty: pending
    if (!key.empty() && program_.namedData.find(key))
      return key; // stored already (this constant, or identical bytes)
    stats_.namedDataBytes += c.byteSize();
    if (key.empty())
      key = program_.namedData.addPending(constantSource(c));
    else
      program_.namedData.addStreamed(key, constantSource(c));
    return key;
  }

  int32_t instructionIndex() const { return static_cast<int32_t>(chain_.instructions.size()); }

  int32_t addEValue(PteValue v) {
    plan_.values.push_back(std::move(v));
    return static_cast<int32_t>(plan_.values.size() - 1);
  }

  // Literal scalars never change at run time: one EValue per distinct literal.
  std::map<std::string, int32_t> literalEValues_;
  int32_t literal(const std::string &key, PteValue v) {
    auto [it, inserted] = literalEValues_.try_emplace(key, 0);
    if (inserted)
      it->second = addEValue(std::move(v));
    return it->second;
  }
  int32_t literalNull() { return literal("n", PteNull{}); }
  int32_t literalInt(int64_t i) { return literal("i" + std::to_string(i), PteInt{i}); }
  int32_t literalBool(bool b) { return literal(b ? "bT" : "bF", PteBool{b}); }

  void noteUse(int32_t evalue) {
    if (auto it = plannedIndex_.find(evalue); it != plannedIndex_.end())
      planned_[it->second].lastUse = std::max(planned_[it->second].lastUse, instructionIndex());
  }

  // The EValue of an IR tensor: constants point into the constant segment; everything
  // else is memory planned at its upper-bound size.
  llvm::Expected<int32_t> tensorEValue(const Value *v) {
    if (auto it = evalueOf_.find(v); it != evalueOf_.end())
      return it->second;
    llvm::Expected<std::vector<int64_t>> dims = upperBoundShape(*v, top_);
    if (!dims)
      return dims.takeError();
    PteTensor t;
    t.scalarType = static_cast<ScalarType>(c10Code(v->dtype));
    uint64_t bytes = dtypeSize(v->dtype);
    for (size_t i = 0; i < dims->size(); ++i) {
      t.sizes.push_back(static_cast<int32_t>((*dims)[i]));
      t.dimOrder.push_back(static_cast<uint8_t>(i));
      bytes *= static_cast<uint64_t>((*dims)[i]);
    }
    t.shapeDynamism =
        isDynamic(*v) ? TensorShapeDynamism::DYNAMIC_BOUND : TensorShapeDynamism::STATIC;
    if (v->isConstant()) {
      auto key = std::make_pair(v->constant.storage, v->constant.byteOffset);
      auto it = constantBufferOf_.find(key);
      if (it == constantBufferOf_.end()) {
        stats_.cpuConstantBytes += v->constant.byteSize();
        it = constantBufferOf_.emplace(key, program_.addConstantBuffer(constantSource(v->constant)))
                 .first;
      }
      t.dataBufferIndex = it->second;
    } else {
      t.allocation = PteAllocation{1, 0}; // offsets come from planMemory
    }
    int32_t e = addEValue(t);
    if (!v->isConstant()) {
      plannedIndex_[e] = planned_.size();
      planned_.push_back({e, bytes, instructionIndex(), instructionIndex()});
    }
    evalueOf_[v] = e;
    return e;
  }

  // ---- CPU kernel calls ------------------------------------------------------------

  llvm::Expected<int32_t> intEValue(const SymIntArg &s) {
    if (!s.symbol)
      return literalInt(s.literal);
    auto it = evalueOf_.find(s.symbol);
    if (it == evalueOf_.end())
      return lowerError("symbolic int %" + s.symbol->name + " is read before it is computed");
    return it->second;
  }

  // `optionalTensors`: a tensor list the schema types `Tensor?[]` (an OptionalTensorList,
  // as ExecuTorch's kernels read it, None entries or not).
  llvm::Expected<int32_t> argEValue(const ArgValue &arg, bool optionalTensors = false) {
    if (const Value *v = asTensor(arg)) {
      llvm::Expected<int32_t> e =
          v->isTensor() ? tensorEValue(v) : intEValue(SymIntArg{0, const_cast<Value *>(v)});
      if (e)
        noteUse(*e);
      return e;
    }
    if (isNone(arg) || std::holds_alternative<DeviceArg>(arg))
      return literalNull();
    if (const bool *b = std::get_if<bool>(&arg))
      return literalBool(*b);
    if (const int64_t *i = std::get_if<int64_t>(&arg))
      return literalInt(*i);
    if (const double *d = std::get_if<double>(&arg))
      return addEValue(PteDouble{*d});
    if (const std::string *s = std::get_if<std::string>(&arg))
      return addEValue(PteString{*s});
    if (const DType *t = std::get_if<DType>(&arg))
      return literalInt(c10Code(*t));
    if (const LayoutArg *l = std::get_if<LayoutArg>(&arg))
      return literalInt(l->code);
    if (const MemoryFormatArg *m = std::get_if<MemoryFormatArg>(&arg))
      return literalInt(m->code);
    if (const SymIntArg *s = std::get_if<SymIntArg>(&arg))
      return intEValue(*s);
    if (const IntList *list = std::get_if<IntList>(&arg)) { // items are Int EValue indices
      PteIntList out;
      for (const SymIntArg &item : *list) {
        llvm::Expected<int32_t> e = intEValue(item);
        if (!e)
          return e.takeError();
        out.items.push_back(*e);
      }
      return addEValue(out);
    }
    if (const auto *list = std::get_if<std::vector<double>>(&arg))
      return addEValue(PteDoubleList{*list});
    if (const auto *list = std::get_if<std::vector<bool>>(&arg))
      return addEValue(PteBoolList{*list});
    const TensorListArg &tensors = std::get<TensorListArg>(arg);
    std::vector<int32_t> items;
    bool optional = optionalTensors;
    for (const Value *v : tensors.tensors) {
      if (!v) {
        optional = true;
        items.push_back(-1);
        continue;
      }
      llvm::Expected<int32_t> e = tensorEValue(v);
      if (!e)
        return e.takeError();
      noteUse(*e);
      items.push_back(*e);
    }
    return optional ? addEValue(PteOptionalTensorList{items}) : addEValue(PteTensorList{items});
  }

  // A KernelCall of the node's ExecuTorch out-variant operator: its arguments by name (the
  // out tensors are the node's results), then the result again, as ExecuTorch's emitter
  // writes every call (one more EValue than the schema has arguments).
  llvm::Error emitKernel(const Node &n) {
    const OpSchema *op = n.schema->cpuOut.get();
    if (!op)
      return lowerError("node '" + n.name + "' (" + n.target +
                        ") runs on the CPU, and ExecuTorch has no CPU kernel for it");
    std::string name = op->operatorName(), overload = op->overloadName();
    if (options_.executorchOnly && !executorchHasCpuKernel(name, overload))
      return lowerError("node '" + n.name + "' (" + n.target + ") runs on the CPU as " + name +
                        (overload.empty() ? "" : "." + overload) +
                        ", which ExecuTorch's portable kernels do not have; `vkqc run` runs such a "
                        "program (--runtime=vkqc)");
    auto key = std::make_pair(name, overload);
    auto it = operatorIndex_.find(key);
    if (it == operatorIndex_.end()) {
      plan_.operators.push_back(PteOperator{name, overload});
      it = operatorIndex_.emplace(key, static_cast<int32_t>(plan_.operators.size() - 1)).first;
    }
    PteKernelCall call;
    call.operatorIndex = it->second;
    std::vector<int32_t> outs;
    for (const SchemaArg &a : op->args) {
      llvm::Expected<int32_t> e = a.isOut ? resultEValue(n, outs.size()) : kernelArgument(n, a);
      if (!e)
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "node '" + n.name + "' argument '" + a.name +
                                           "': " + llvm::toString(e.takeError()));
      if (a.isOut)
        outs.push_back(*e);
      call.args.push_back(*e);
    }
    if (outs.empty()) { // a symbolic int: an Int EValue the kernel fills at run time
      llvm::Expected<int32_t> e = resultEValue(n, 0);
      if (!e)
        return e.takeError();
      call.args.push_back(*e);
    } else {
      call.args.push_back(outs.size() == 1 ? outs[0] : addEValue(PteTensorList{outs}));
    }
    chain_.instructions.push_back(call);
    ++stats_.cpuKernels;
    return llvm::Error::success();
  }

  llvm::Expected<int32_t> kernelArgument(const Node &n, const SchemaArg &a) {
    bool optionalTensors = a.type == ArgType::OptionalTensorList;
    if (n.hasArg(a.name))
      return argEValue(n.arg(a.name), optionalTensors);
    if (a.defaultValue)
      return argEValue(*a.defaultValue, optionalTensors);
    return lowerError("the out-variant's argument has no counterpart in " + n.target);
  }

  llvm::Expected<int32_t> resultEValue(const Node &n, size_t index) {
    if (index >= n.results.size())
      return lowerError("the out-variant has more outputs than " + n.target + " has results");
    const Value *r = n.results[index];
    if (r->isTensor())
      return tensorEValue(r);
    evalueOf_[r] = addEValue(PteInt{0});
    return evalueOf_[r];
  }

  // ---- Vulkan delegates ------------------------------------------------------------

  // The storage of a node's tensors in ExecuTorch: a texture when every non-constant tensor
  // it reads and writes fits one, else a buffer; the op table's `:texture` tensors always.
  VkStorageType nodeStorage(const Node &n) {
    auto fits = [&](const Value *v) {
      return !v->isTensor() || v->isConstant() || textureProblem(g_, *v, target_).empty();
    };
    for (const Value *v : n.operands())
      if (!fits(v))
        return VkStorageType::BUFFER;
    for (const Value *r : n.results)
      if (!fits(r))
        return VkStorageType::BUFFER;
    return VkStorageType::TEXTURE_3D;
  }

  VkStorageType argStorage(const Node &n, llvm::StringRef arg) {
    return n.schema->isVulkanTextureArg(arg) ? VkStorageType::TEXTURE_3D : nodeStorage(n);
  }

  llvm::Error emitDelegate(size_t begin, size_t end) {
    std::set<const Node *> region;
    for (size_t i = begin; i < end; ++i)
      region.insert(order_[i]);
    std::set<const Value *> usedOutside(g_.outputs().begin(), g_.outputs().end());
    for (size_t i = end; i < order_.size(); ++i)
      for (const Value *v : order_[i]->operands())
        usedOutside.insert(v);

    VkGraphDescription vk;
    std::map<const Value *, uint32_t> idOf;
    std::map<uint32_t, VkStorageType> storageOf;
    std::map<std::pair<uint32_t, VkStorageType>, uint32_t> transitions;
    std::vector<const Value *> inputs, outputs;
    std::set<std::string> shaderNames;
    uint32_t nodeId = 0;

    auto addValue = [&](VkValue v) {
      vk.values.push_back(std::move(v));
      return static_cast<uint32_t>(vk.values.size() - 1);
    };
    auto newTensor = [&](const Value *v, VkStorageType storage) -> llvm::Expected<uint32_t> {
      llvm::Expected<std::vector<int64_t>> dims = upperBoundShape(*v, top_);
      if (!dims)
        return dims.takeError();
      VkTensorValue t;
      t.datatype = vkDataType(v->dtype);
      for (int64_t d : *dims)
        t.dims.push_back(static_cast<uint32_t>(d));
      t.stagingDatatype = t.datatype;
      if (v->isConstant()) {
        std::string key = namedDataKey(v->constant);
        t.constantId = static_cast<int32_t>(vk.constants.size());
        vk.constants.push_back(VkNamedConstant{key, v->constant.byteSize()});
      } else {
        t.storageType = storage;
        t.memoryLayout = VkMemoryLayout::TENSOR_WIDTH_PACKED;
      }
      uint32_t id = addValue(t);
      storageOf[id] = storage;
      return id;
    };
    // The VkGraph tensor of `v` as a node wants it: its own (made where it is defined, or
    // as its first reader wants it when it enters the delegate), or a copy in the wanted
    // storage, made once.
    auto tensorId = [&](const Value *v, VkStorageType wanted) -> llvm::Expected<uint32_t> {
      auto it = idOf.find(v);
      if (it == idOf.end()) {
        llvm::Expected<uint32_t> id = newTensor(v, wanted);
        if (!id)
          return id.takeError();
        it = idOf.emplace(v, *id).first;
        if (!v->isConstant() && !(v->definingNode && region.count(v->definingNode)))
          inputs.push_back(v);
      }
      uint32_t id = it->second;
      if (v->isConstant() || storageOf[id] == wanted)
        return id;
      auto [t, inserted] = transitions.try_emplace({id, wanted}, 0);
      if (inserted) {
        llvm::Expected<uint32_t> copy = newTensor(v, wanted);
        if (!copy)
          return copy.takeError();
        t->second = *copy;
        vk.chain.push_back(
            VkOperatorCall{nodeId++,
                           opSchema(OpKind::aten_clone_default).target,
                           {int32_t(id), int32_t(addValue(VkNullValue{})), int32_t(*copy)}});
      }
      return t->second;
    };

    // A symbolic int (a sequence length the CPU read off an input) enters the delegate as a
    // SymInt input, as ExecuTorch's graph builder writes it.
    auto symIntId = [&](const Value *v) -> uint32_t {
      if (auto it = idOf.find(v); it != idOf.end())
        return it->second;
      uint32_t id = addValue(VkSymIntValue{0});
      idOf[v] = id;
      if (!(v->definingNode && region.count(v->definingNode)))
        inputs.push_back(v);
      return id;
    };

    for (size_t i = begin; i < end; ++i) {
      const Node &n = *order_[i];
      if (options_.executorchOnly && !executorchHasVulkanOp(n.target))
        return lowerError("node '" + n.name + "' (" + n.target +
                          ") runs on Vulkan, and ExecuTorch's Vulkan backend has no such op; `vkqc "
                          "run` runs such a "
                          "program (--runtime=vkqc)");
      std::vector<int32_t> args;
      for (const NamedArg &a : n.args()) {
        VkStorageType wanted = argStorage(n, a.name);
        auto operandId = [&](const Value *v) { return tensorId(v, wanted); };
        llvm::Expected<uint32_t> id = vkArgValue(a.value, operandId, symIntId, addValue);
        if (!id)
          return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                         "node '" + n.name + "' argument '" + a.name +
                                             "': " + llvm::toString(id.takeError()));
        args.push_back(*id);
      }
      std::vector<int32_t> resultIds;
      for (const Value *r : n.results) {
        llvm::Expected<uint32_t> id = tensorId(r, argStorage(n, "out"));
        if (!id)
          return id.takeError();
        resultIds.push_back(*id);
        if (usedOutside.count(r))
          outputs.push_back(r);
      }
      args.push_back(resultIds.size() == 1 ? resultIds[0] : addValue(VkValueListValue{resultIds}));
      vk.chain.push_back(VkOperatorCall{nodeId++, n.target, std::move(args)});
      shaderNames.insert(n.kernels.begin(), n.kernels.end());
      ++stats_.vulkanOps;
    }
    // Each variant's SPIR-V is stored once per program, in named data.
    for (const std::string &name : shaderNames) {
      const shaders::ShaderVariant *variant = shaders::findShader(name);
      if (!variant)
        return lowerError("no compiled shader " + name);
      uint64_t size = variant->spirv.size() * 4;
      if (shadersStored_.insert(name).second) {
        std::vector<uint8_t> spirv(size);
        for (size_t w = 0; w < variant->spirv.size(); ++w)
          for (int b = 0; b < 4; ++b)
            spirv[w * 4 + b] = uint8_t(variant->spirv[w] >> (8 * b));
        program_.namedData.addStreamed(shaderNamedDataKey(name),
                                       DataSource::fromBytes(std::move(spirv)));
      }
      vk.shaders.push_back(VkShader{name, {}, true, size});
    }

    PteDelegateCall call;
    call.delegateIndex = static_cast<int32_t>(plan_.delegates.size());
    for (const Value *in : inputs) {
      vk.inputIds.push_back(idOf[in]);
      llvm::Expected<int32_t> e =
          in->isTensor() ? tensorEValue(in) : intEValue(SymIntArg{0, const_cast<Value *>(in)});
      if (!e)
        return e.takeError();
      noteUse(*e);
      call.args.push_back(*e);
    }
    for (const Value *out : outputs) {
      vk.outputIds.push_back(idOf[out]);
      llvm::Expected<int32_t> e = tensorEValue(out);
      if (!e)
        return e.takeError();
      call.args.push_back(*e);
    }
    llvm::Expected<std::vector<uint8_t>> blob = buildVulkanDelegateBlob(vk);
    if (!blob)
      return blob.takeError();
    PteDelegate delegate;
    delegate.processedData = std::move(*blob);
    delegate.compileSpecs = {{"require_dynamic_shapes", {uint8_t(g_.symbols().empty() ? 0 : 1)}}};
    plan_.delegates.push_back(std::move(delegate));
    chain_.instructions.push_back(call);
    ++stats_.delegates;
    return llvm::Error::success();
  }

  template <typename TensorId, typename SymIntId, typename AddValue>
  llvm::Expected<uint32_t> vkArgValue(const ArgValue &arg, TensorId &tensorId, SymIntId &symIntId,
                                      AddValue &addValue) {
    if (const Value *v = asTensor(arg))
      return v->isTensor() ? tensorId(v) : llvm::Expected<uint32_t>(symIntId(v));
    if (const SymIntArg *s = std::get_if<SymIntArg>(&arg); s && s->symbol)
      return symIntId(s->symbol);
    // A list with symbolic entries: a ValueList of Int and SymInt values.
    if (const IntList *list = std::get_if<IntList>(&arg);
        list &&
        std::any_of(list->begin(), list->end(), [](const SymIntArg &i) { return i.symbol; })) {
      std::vector<int32_t> ids;
      for (const SymIntArg &item : *list)
        ids.push_back(item.symbol ? symIntId(item.symbol) : addValue(VkIntValue{item.literal}));
      return addValue(VkValueListValue{ids});
    }
    // dtypes, devices, layouts and memory formats are Null, as ExecuTorch's graph builder writes
    // them
    if (isNone(arg) || std::holds_alternative<DType>(arg) ||
        std::holds_alternative<DeviceArg>(arg) || std::holds_alternative<LayoutArg>(arg) ||
        std::holds_alternative<MemoryFormatArg>(arg))
      return addValue(VkNullValue{});
    if (const bool *b = std::get_if<bool>(&arg))
      return addValue(VkBoolValue{*b});
    if (const double *d = std::get_if<double>(&arg))
      return addValue(VkDoubleValue{*d});
    if (const std::string *s = std::get_if<std::string>(&arg))
      return addValue(VkStringValue{*s});
    if (std::optional<int64_t> i = asInt(arg))
      return addValue(VkIntValue{*i});
    if (std::optional<std::vector<int64_t>> ints = asLiteralInts(arg))
      return addValue(VkIntListValue{*ints});
    if (const auto *list = std::get_if<std::vector<double>>(&arg))
      return addValue(VkDoubleListValue{*list});
    if (const auto *list = std::get_if<std::vector<bool>>(&arg))
      return addValue(VkBoolListValue{*list});
    if (const auto *list = std::get_if<TensorListArg>(&arg)) {
      std::vector<int32_t> ids;
      for (const Value *v : list->tensors) {
        if (!v)
          return lowerError("None inside a tensor list of a Vulkan op");
        llvm::Expected<uint32_t> id = tensorId(v);
        if (!id)
          return id.takeError();
        ids.push_back(*id);
      }
      return addValue(VkValueListValue{ids});
    }
    return lowerError("an argument " + argToString(arg) + " a Vulkan op cannot take yet");
  }

  // ---- memory planning -------------------------------------------------------------

  // Greedy first fit over lifetimes [first use, last use]: tensors that are never alive
  // together share bytes.
  void planMemory() {
    std::vector<size_t> order(planned_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return planned_[a].firstUse < planned_[b].firstUse;
    });
    struct Live {
      uint64_t offset, size;
      int32_t lastUse;
    };
    std::vector<Live> live;
    uint64_t total = 0;
    for (size_t idx : order) {
      Planned &p = planned_[idx];
      live.erase(std::remove_if(live.begin(), live.end(),
                                [&](const Live &l) { return l.lastUse < p.firstUse; }),
                 live.end());
      std::sort(live.begin(), live.end(),
                [](const Live &a, const Live &b) { return a.offset < b.offset; });
      uint64_t size = (p.bytes + kPlanningAlignment - 1) / kPlanningAlignment * kPlanningAlignment;
      uint64_t offset = 0;
      for (const Live &l : live) {
        if (offset + size <= l.offset)
          break;
        offset = std::max(offset, l.offset + l.size);
      }
      live.push_back({offset, size, p.lastUse});
      total = std::max(total, offset + size);
      std::get<PteTensor>(plan_.values[p.evalue]).allocation = PteAllocation{1, offset};
    }
    plan_.nonConstBufferSizes = {0, static_cast<int64_t>(total)};
  }
};

} // namespace

llvm::Expected<PteProgram> lowerToPte(const Graph &g, const LoweringOptions &options,
                                      LoweringStats *stats) {
  llvm::Expected<const Target *> target = lookupTarget(options.target);
  if (!target)
    return target.takeError();
  LoweringStats ignored;
  return PteLowering(g, options, **target, stats ? *stats : ignored).run();
}

} // namespace vkqc
