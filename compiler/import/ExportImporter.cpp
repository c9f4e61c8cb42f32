#include "compiler/import/ExportImporter.h"

#include "compiler/import/StackTrace.h"

#include "compiler/import/JsonRef.h"
#include "compiler/import/TensorMeta.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"

#include <map>
#include <set>

namespace vkqc {

namespace {

constexpr llvm::StringLiteral kModelJson = "models/model.json";
constexpr llvm::StringLiteral kWeightsConfig = "data/weights/model_weights_config.json";
constexpr llvm::StringLiteral kConstantsConfig = "data/constants/model_constants_config.json";

// Ops that only appear when the program was not decomposed: say what to do
// instead.
std::optional<std::string> adviceForUnknownTarget(llvm::StringRef target) {
  if (target.contains("access_subclass_inner_tensor"))
    return "the program still holds tensor subclasses; call "
           "ep.run_decompositions({}) before "
           "torch.export.save";
  if (target.startswith("higher_order."))
    return "higher-order ops are not supported; export under torch.no_grad() "
           "and call "
           "ep.run_decompositions({})";
  return std::nullopt;
}

// One payload config (weights or constants): FQN -> its entry and metadata.
struct Payload {
  std::string entry; // archive entry of the raw bytes
  JsonRef meta;      // its tensor_meta
};

class ExportImporter {
public:
  ExportImporter(ModelArchive &archive, Graph &g) : archive_(archive), g_(g) {}

  llvm::Error run() {
    llvm::Expected<std::string> text = archive_.readText(kModelJson);
    if (!text)
      return text.takeError();
    llvm::Expected<nlohmann::json> json = JsonRef::parse(*text, kModelJson);
    if (!json)
      return json.takeError();
    model_ = std::move(*json);
    JsonRef root(model_, kModelJson.str());

    if (auto err = readHeader(root))
      return err;
    llvm::Expected<JsonRef> gm = root.field("graph_module");
    if (!gm)
      return gm.takeError();
    llvm::Expected<JsonRef> graph = gm->field("graph");
    if (!graph)
      return graph.takeError();
    llvm::Expected<JsonRef> signature = gm->field("signature");
    if (!signature)
      return signature.takeError();
    if (auto err = readValueTables(*graph))
      return err;
    if (auto err = readInputs(*graph, *signature))
      return err;
    if (auto err = readNodes(*graph))
      return err;
    return readOutputs(*graph, *signature);
  }

private:
  ModelArchive &archive_;
  Graph &g_;
  nlohmann::json model_;
  std::map<std::string, std::pair<TensorMeta, JsonRef>> tensorValues_;
  std::map<std::string, SymExpr> symIntValues_;
  std::set<std::string> nodeResultNames_; // every name some node defines, for messages
  std::optional<nlohmann::json> weightsConfig_, constantsConfig_;
  std::map<std::string, Payload> payloads_;
  std::map<std::string, Storage *> storageByEntry_;

  // ---- header
  // ---------------------------------------------------------------------

  llvm::Error readHeader(const JsonRef &root) {
    llvm::Expected<JsonRef> version = root.field("schema_version");
    if (!version)
      return version.takeError();
    llvm::Expected<int64_t> major = version->intField("major");
    if (!major)
      return major.takeError();
    llvm::Expected<int64_t> minor = version->intField("minor");
    if (!minor)
      return minor.takeError();
    if (*major != 8)
      return version->error("unsupported export schema version " + llvm::Twine(*major) + "." +
                            llvm::Twine(*minor) + "; vkqc reads 8.x (torch 2.5 to 2.11)");
    g_.info.schemaVersion = std::to_string(*major) + "." + std::to_string(*minor);
    if (root.has("torch_version")) {
      llvm::Expected<std::string> tv = root.stringField("torch_version");
      if (!tv)
        return tv.takeError();
      g_.info.torchVersion = *tv;
    }
    if (root.has("range_constraints")) {
      llvm::Expected<std::vector<std::pair<std::string, JsonRef>>> items =
          root.objectField("range_constraints");
      if (!items)
        return items.takeError();
      for (auto &[name, range] : *items) {
        SymbolRange r;
        for (auto [key, slot] : {std::pair{"min_val", &r.min}, std::pair{"max_val", &r.max}}) {
          llvm::Expected<JsonRef> bound = range.field(key);
          if (!bound)
            return bound.takeError();
          if (bound->isNull())
            continue;
          llvm::Expected<int64_t> v = bound->getInt();
          if (!v)
            return v.takeError();
          *slot = *v;
        }
        if (r.min && r.max && *r.min > *r.max)
          return range.error("symbol '" + name + "' has an empty range [" + llvm::Twine(*r.min) +
                             ", " + llvm::Twine(*r.max) + "]");
        g_.setSymbol(name, r);
      }
    }
    return llvm::Error::success();
  }

  // ---- tensor_values and sym_int_values
  // ---------------------------------------------

  llvm::Error readValueTables(const JsonRef &graph) {
    llvm::Expected<std::vector<std::pair<std::string, JsonRef>>> items =
        graph.objectField("tensor_values");
    if (!items)
      return items.takeError();
    for (auto &[name, metaJson] : *items) {
      llvm::Expected<TensorMeta> meta = readTensorMeta(metaJson);
      if (!meta)
        return meta.takeError();
      for (const SymExpr &s : meta->sizes)
        for (const std::string &sym : s.symbols())
          if (!g_.symbols().count(sym))
            return metaJson.error("size uses symbol '" + sym +
                                  "' that range_constraints does not declare");
      tensorValues_.emplace(name, std::make_pair(std::move(*meta), metaJson));
    }
    if (graph.has("sym_int_values")) {
      llvm::Expected<std::vector<std::pair<std::string, JsonRef>>> syms =
          graph.objectField("sym_int_values");
      if (!syms)
        return syms.takeError();
      for (auto &[name, value] : *syms) {
        llvm::Expected<SymExpr> e = readSymInt(value);
        if (!e)
          return e.takeError();
        symIntValues_.emplace(name, *e);
      }
    }
    llvm::Expected<std::vector<JsonRef>> nodeList = graph.arrayField("nodes");
    if (!nodeList)
      return nodeList.takeError();
    for (const JsonRef &n : *nodeList)
      if (n.raw().is_object() && n.raw().contains("outputs") && n.raw()["outputs"].is_array())
        for (const auto &o : n.raw()["outputs"])
          for (const char *kind : {"as_tensor", "as_sym_int"})
            if (o.is_object() && o.contains(kind) && o[kind].is_object()) {
              const auto &inner = o[kind];
              for (const char *key : {"name", "as_name"})
                if (inner.contains(key) && inner[key].is_string())
                  nodeResultNames_.insert(inner[key].get<std::string>());
            }
    return llvm::Error::success();
  }

  // Creates a tensor value typed from tensor_values.
  llvm::Expected<Value *> defineTensor(const std::string &name, const JsonRef &at) {
    if (g_.findValue(name))
      return at.error("value '" + name + "' is defined twice");
    auto it = tensorValues_.find(name);
    if (it == tensorValues_.end())
      return at.error("value '" + name + "' has no entry in tensor_values");
    Value *v = g_.createValue(name);
    v->kind = Value::Kind::Tensor;
    v->dtype = it->second.first.dtype;
    v->shape = it->second.first.sizes;
    return v;
  }

  // ---- payload configs (weights and constants)
  // ----------------------------------------

  llvm::Error loadPayloadConfig(llvm::StringRef entry, llvm::StringRef dataDir,
                                std::optional<nlohmann::json> &slot) {
    llvm::Expected<std::string> text = archive_.readText(entry);
    if (!text)
      return text.takeError();
    llvm::Expected<nlohmann::json> json = JsonRef::parse(*text, entry);
    if (!json)
      return json.takeError();
    slot = std::move(*json);
    JsonRef root(*slot, entry.str());
    llvm::Expected<std::vector<std::pair<std::string, JsonRef>>> items = root.objectField("config");
    if (!items)
      return items.takeError();
    for (auto &[fqn, payload] : *items) {
      llvm::Expected<JsonRef> pickled = payload.field("use_pickle");
      if (!pickled)
        return pickled.takeError();
      llvm::Expected<bool> usePickle = pickled->getBool();
      if (!usePickle)
        return usePickle.takeError();
      if (*usePickle)
        return payload.error("'" + fqn +
                             "' is pickled (a tensor subclass such as a torchao "
                             "quantized weight); call ep.run_decompositions({}) before "
                             "torch.export.save so weights are saved as plain tensors");
      llvm::Expected<std::string> pathName = payload.stringField("path_name");
      if (!pathName)
        return pathName.takeError();
      if (!isPlainEntryName(*pathName))
        return payload.error("path_name '" + *pathName + "' escapes " + dataDir +
                             "; only plain file names are allowed");
      llvm::Expected<JsonRef> meta = payload.field("tensor_meta");
      if (!meta)
        return meta.takeError();
      payloads_.emplace(fqn, Payload{(dataDir + "/" + *pathName).str(), *meta});
    }
    return llvm::Error::success();
  }

  llvm::Expected<const Payload *> findPayload(const std::string &fqn, const JsonRef &at) {
    if (!weightsConfig_)
      if (auto err = loadPayloadConfig(kWeightsConfig, "data/weights", weightsConfig_))
        return err;
    if (!payloads_.count(fqn) && !constantsConfig_ && archive_.hasEntry(kConstantsConfig))
      if (auto err = loadPayloadConfig(kConstantsConfig, "data/constants", constantsConfig_))
        return err;
    auto it = payloads_.find(fqn);
    if (it == payloads_.end())
      return at.error("'" + fqn +
                      "' is in the graph signature but not in the weights or "
                      "constants config");
    return &it->second;
  }

  // Binds a parameter/buffer/constant input to its bytes in the archive.
  llvm::Error bindConstant(Value *v, const std::string &fqn, const JsonRef &at) {
    llvm::Expected<const Payload *> payload = findPayload(fqn, at);
    if (!payload)
      return payload.takeError();
    const JsonRef &metaJson = (*payload)->meta;
    llvm::Expected<TensorMeta> meta = readTensorMeta(metaJson);
    if (!meta)
      return meta.takeError();

    ConstantTensor c;
    c.dtype = meta->dtype;
    for (const SymExpr &s : meta->sizes) {
      if (!s.isConstant())
        return metaJson.error("a stored tensor must have static sizes");
      c.shape.push_back(s.constant());
    }
    // Row-major contiguity: the only layout the interpreter and packers read.
    if (!meta->strides.empty()) {
      if (meta->strides.size() != c.shape.size())
        return metaJson.error("strides and sizes differ in rank");
      int64_t expected = 1;
      for (size_t i = c.shape.size(); i-- > 0;) {
        const SymExpr &st = meta->strides[i];
        if (c.shape[i] != 1 && (!st.isConstant() || st.constant() != expected))
          return metaJson.error("'" + fqn +
                                "' is not contiguous; vkqc reads row-major weights only");
        // Sizes were checked left to right; a zero in front can hide an
        // overflow here.
        if (__builtin_mul_overflow(expected, c.shape[i], &expected))
          return metaJson.error("'" + fqn + "' has strides that overflow 64 bits");
      }
    }
    if (!meta->storageOffset.isConstant() || meta->storageOffset.constant() < 0)
      return metaJson.error("storage_offset must be a non-negative integer");
    if (v->dtype != c.dtype || v->staticShape() != std::optional(c.shape))
      return at.error("'" + fqn + "' is " + std::string(dtypeName(c.dtype)) +
                      " in the weights config but the graph declares another "
                      "type or shape");

    const std::string &entry = (*payload)->entry;
    Storage *&storage = storageByEntry_[entry];
    if (!storage) {
      llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = archive_.mapEntry(entry);
      if (!bytes)
        return bytes.takeError();
      storage = g_.constants.addView(entry, *bytes);
    }
    uint64_t elem = dtypeSize(c.dtype);
    uint64_t offsetElems = static_cast<uint64_t>(meta->storageOffset.constant());
    uint64_t needElems = offsetElems + static_cast<uint64_t>(c.numel());
    uint64_t available = storage->size() / elem;
    if (offsetElems > available || needElems > available)
      return metaJson.error("'" + fqn + "' needs " + llvm::Twine(needElems * elem) +
                            " bytes from " + entry + " (offset " + llvm::Twine(offsetElems * elem) +
                            "), which has only " + llvm::Twine(storage->size()));
    c.storage = storage;
    c.byteOffset = offsetElems * elem;
    v->constant = c;
    v->stateName = fqn;
    return llvm::Error::success();
  }

  // ---- graph inputs
  // -------------------------------------------------------------------

  llvm::Error readInputs(const JsonRef &graph, const JsonRef &signature) {
    llvm::Expected<std::vector<JsonRef>> specList = signature.arrayField("input_specs");
    if (!specList)
      return specList.takeError();
    // placeholder name -> (kind, FQN)
    std::map<std::string, std::pair<InputKind, std::string>> kinds;
    for (const JsonRef &spec : *specList) {
      llvm::Expected<std::pair<std::string, JsonRef>> tagged = spec.getTagged();
      if (!tagged)
        return tagged.takeError();
      auto &[kind, body] = *tagged;
      llvm::Expected<JsonRef> arg = body.field("arg");
      if (!arg)
        return arg.takeError();
      std::string name;
      if (kind == "user_input") {
        llvm::Expected<std::pair<std::string, JsonRef>> a = arg->getTagged();
        if (!a)
          return a.takeError();
        if (a->first != "as_tensor")
          return arg->error("only tensor user inputs are supported, got " + a->first);
        llvm::Expected<std::string> n = a->second.stringField("name");
        if (!n)
          return n.takeError();
        kinds[*n] = {InputKind::User, ""};
        continue;
      }
      std::optional<InputKind> k;
      const char *fqnKey = nullptr;
      if (kind == "parameter") {
        k = InputKind::Parameter;
        fqnKey = "parameter_name";
      } else if (kind == "buffer") {
        k = InputKind::Buffer;
        fqnKey = "buffer_name";
      } else if (kind == "tensor_constant") {
        k = InputKind::Constant;
        fqnKey = "tensor_constant_name";
      } else {
        return spec.error("unsupported input kind '" + kind + "'");
      }
      llvm::Expected<std::string> n = arg->stringField("name");
      if (!n)
        return n.takeError();
      llvm::Expected<std::string> fqn = body.stringField(fqnKey);
      if (!fqn)
        return fqn.takeError();
      kinds[*n] = {*k, *fqn};
    }

    llvm::Expected<std::vector<JsonRef>> inputList = graph.arrayField("inputs");
    if (!inputList)
      return inputList.takeError();
    for (const JsonRef &in : *inputList) {
      llvm::Expected<std::pair<std::string, JsonRef>> tagged = in.getTagged();
      if (!tagged)
        return tagged.takeError();
      if (tagged->first != "as_tensor")
        return in.error("only tensor graph inputs are supported, got " + tagged->first);
      llvm::Expected<std::string> name = tagged->second.stringField("name");
      if (!name)
        return name.takeError();
      auto kind = kinds.find(*name);
      if (kind == kinds.end())
        return in.error("input '" + *name + "' has no entry in the graph signature");
      llvm::Expected<Value *> v = defineTensor(*name, in);
      if (!v)
        return v.takeError();
      (*v)->inputKind = kind->second.first;
      if (kind->second.first != InputKind::User)
        if (auto err = bindConstant(*v, kind->second.second, in))
          return err;
      g_.addInput(*v);
    }
    return llvm::Error::success();
  }

  // ---- nodes
  // ----------------------------------------------------------------------------

  llvm::Expected<Value *> useValue(const JsonRef &ref, bool wantTensor) {
    llvm::Expected<std::string> name = ref.getString();
    if (!name)
      return name.takeError();
    Value *v = g_.findValue(*name);
    if (!v) {
      if (nodeResultNames_.count(*name))
        return ref.error("value '" + *name +
                         "' is used before it is defined (a cycle, or nodes "
                         "out of order)");
      return ref.error("undefined value '" + *name + "'");
    }
    if (v->isTensor() != wantTensor)
      return ref.error("value '" + *name + "' is not a " +
                       (wantTensor ? "tensor" : "symbolic int"));
    return v;
  }

  llvm::Expected<SymIntArg> readSymIntArg(const JsonRef &j) {
    llvm::Expected<std::pair<std::string, JsonRef>> tagged = j.getTagged();
    if (!tagged)
      return tagged.takeError();
    if (tagged->first == "as_int") {
      llvm::Expected<int64_t> i = tagged->second.getInt();
      if (!i)
        return i.takeError();
      return SymIntArg{*i, nullptr};
    }
    if (tagged->first == "as_name") {
      llvm::Expected<Value *> v = useValue(tagged->second, false);
      if (!v)
        return v.takeError();
      return SymIntArg{0, *v};
    }
    return j.error("expected as_int or as_name, got " + tagged->first);
  }

  template <typename T, typename Read>
  llvm::Expected<std::vector<T>> readList(const JsonRef &j, Read read) {
    llvm::Expected<std::vector<JsonRef>> items = j.getArray();
    if (!items)
      return items.takeError();
    std::vector<T> out;
    for (const JsonRef &item : *items) {
      llvm::Expected<T> v = read(item);
      if (!v)
        return v.takeError();
      out.push_back(std::move(*v));
    }
    return out;
  }

  /// `v` as an argument value, or its error.
  template <typename T> static llvm::Expected<ArgValue> toArg(llvm::Expected<T> v) {
    if (!v)
      return v.takeError();
    return ArgValue(std::move(*v));
  }

  // Converts one serialized Argument to the kind its schema argument takes.
  llvm::Expected<ArgValue> readArgument(const JsonRef &j, const SchemaArg &sa,
                                        llvm::StringRef target) {
    llvm::Expected<std::pair<std::string, JsonRef>> tagged = j.getTagged();
    if (!tagged)
      return tagged.takeError();
    const std::string &kind = tagged->first;
    const JsonRef &body = tagged->second;
    auto mismatch = [&]() {
      return j.error("argument '" + sa.name + "' of " + target + " expects " +
                     std::string(argTypeName(sa.type)) + (sa.optional ? "?" : "") + ", got " +
                     kind);
    };
    if (kind == "as_none") {
      if (!sa.optional)
        return mismatch();
      return ArgValue(NoneArg{});
    }
    switch (sa.type) {
    case ArgType::Tensor:
      if (kind == "as_tensor") {
        llvm::Expected<JsonRef> name = body.field("name");
        if (!name)
          return name.takeError();
        return toArg(useValue(*name, true));
      }
      if (kind == "as_int" || kind == "as_float" || kind == "as_bool")
        break; // a Python number where a Tensor goes: a wrapped scalar
      return mismatch();
    case ArgType::TensorList:
    case ArgType::OptionalTensorList: {
      if (kind != "as_tensors" && kind != "as_optional_tensors")
        return mismatch();
      bool optionalEntries = kind == "as_optional_tensors";
      llvm::Expected<std::vector<Value *>> list =
          readList<Value *>(body, [&](const JsonRef &item) -> llvm::Expected<Value *> {
            if (!optionalEntries) {
              llvm::Expected<JsonRef> name = item.field("name");
              if (!name)
                return name.takeError();
              return useValue(*name, true);
            }
            llvm::Expected<std::pair<std::string, JsonRef>> t = item.getTagged();
            if (!t)
              return t.takeError();
            if (t->first == "as_none")
              return nullptr;
            if (t->first != "as_tensor")
              return item.error("expected as_tensor or as_none");
            llvm::Expected<JsonRef> name = t->second.field("name");
            if (!name)
              return name.takeError();
            return useValue(*name, true);
          });
      if (!list)
        return list.takeError();
      if (sa.type == ArgType::TensorList &&
          std::any_of(list->begin(), list->end(), [](Value *v) { return !v; }))
        return j.error("argument '" + sa.name + "' may not hold None");
      return ArgValue(TensorListArg{std::move(*list)});
    }
    case ArgType::Int:
      if (kind == "as_int") {
        return toArg(body.getInt());
      }
      if (kind == "as_sym_int") {
        return toArg(readSymIntArg(body));
      }
      return mismatch();
    case ArgType::IntList:
      if (kind == "as_ints") {
        llvm::Expected<std::vector<SymIntArg>> list =
            readList<SymIntArg>(body, [](const JsonRef &item) -> llvm::Expected<SymIntArg> {
              llvm::Expected<int64_t> i = item.getInt();
              if (!i)
                return i.takeError();
              return SymIntArg{*i, nullptr};
            });
        if (!list)
          return list.takeError();
        return ArgValue(std::move(*list));
      }
      if (kind == "as_sym_ints") {
        return toArg(
            readList<SymIntArg>(body, [&](const JsonRef &item) { return readSymIntArg(item); }));
      }
      return mismatch();
    case ArgType::Float:
      if (kind == "as_float" || kind == "as_int")
        break;
      return mismatch();
    case ArgType::FloatList: {
      if (kind != "as_floats")
        return mismatch();
      return toArg(readList<double>(body, [](const JsonRef &item) { return item.getDouble(); }));
    }
    case ArgType::Bool:
      if (kind == "as_bool")
        break;
      return mismatch();
    case ArgType::BoolList: {
      if (kind != "as_bools")
        return mismatch();
      return toArg(readList<bool>(body, [](const JsonRef &item) { return item.getBool(); }));
    }
    case ArgType::String: {
      if (kind != "as_string")
        return mismatch();
      return toArg(body.getString());
    }
    case ArgType::Scalar:
      if (kind == "as_int" || kind == "as_float" || kind == "as_bool")
        break;
      if (kind == "as_sym_int") {
        return toArg(readSymIntArg(body));
      }
      return mismatch();
    case ArgType::ScalarType: {
      if (kind != "as_scalar_type")
        return mismatch();
      return toArg(readDType(body));
    }
    case ArgType::Device: {
      if (kind != "as_device")
        return mismatch();
      llvm::Expected<std::string> type = body.stringField("type");
      if (!type)
        return type.takeError();
      DeviceArg d{*type, std::nullopt};
      if (body.has("index")) {
        llvm::Expected<JsonRef> index = body.field("index");
        if (!index)
          return index.takeError();
        if (!index->isNull()) {
          llvm::Expected<int64_t> i = index->getInt();
          if (!i)
            return i.takeError();
          d.index = *i;
        }
      }
      return ArgValue(d);
    }
    case ArgType::Layout:
    case ArgType::MemoryFormat: {
      bool layout = sa.type == ArgType::Layout;
      if (kind != (layout ? "as_layout" : "as_memory_format"))
        return mismatch();
      llvm::Expected<int64_t> code = body.getInt();
      if (!code)
        return code.takeError();
      return layout ? ArgValue(LayoutArg{*code}) : ArgValue(MemoryFormatArg{*code});
    }
    }
    // Plain scalars shared by several schema types.
    if (kind == "as_int") {
      llvm::Expected<int64_t> i = body.getInt();
      if (!i)
        return i.takeError();
      if (sa.type == ArgType::Float)
        return ArgValue(static_cast<double>(*i));
      return ArgValue(*i);
    }
    if (kind == "as_float") {
      return toArg(body.getDouble());
    }
    return toArg(body.getBool());
  }

  llvm::Error readNode(const JsonRef &nj) {
    llvm::Expected<std::string> fullTarget = nj.stringField("target");
    if (!fullTarget)
      return fullTarget.takeError();
    llvm::StringRef target(*fullTarget);
    target.consume_front("torch.ops.");
    llvm::Expected<std::string> name = nj.stringField("name");
    if (!name)
      return name.takeError();
    const OpSchema *schema = lookupOpSchema(target);
    if (!schema) {
      std::string advice = adviceForUnknownTarget(target).value_or(
          "vkqc has no schema for it (see `vkqc ops` for the supported list)");
      std::optional<std::string> source = nodeSourceLine(nj.raw());
      return nj.error("unknown op '" + target + "': " + advice + "; node '" + *name + "'" +
                      (source ? " comes from " + *source : ""));
    }
    auto node = std::make_unique<Node>();
    node->name = *name;
    node->target = schema->target;
    node->schema = schema;

    llvm::Expected<std::vector<JsonRef>> inputList = nj.arrayField("inputs");
    if (!inputList)
      return inputList.takeError();
    std::map<std::string, ArgValue> given;
    for (const JsonRef &in : *inputList) {
      llvm::Expected<std::string> argName = in.stringField("name");
      if (!argName)
        return argName.takeError();
      const SchemaArg *sa = schema->arg(*argName);
      if (!sa)
        return in.error(target + " has no argument '" + *argName + "'");
      if (given.count(*argName))
        return in.error("argument '" + *argName + "' is given twice");
      llvm::Expected<JsonRef> arg = in.field("arg");
      if (!arg)
        return arg.takeError();
      llvm::Expected<ArgValue> value = readArgument(*arg, *sa, target);
      if (!value)
        return value.takeError();
      given.emplace(*argName, std::move(*value));
    }
    std::vector<NamedArg> args;
    if (std::optional<std::string> missing = argumentsInSchemaOrder(*schema, given, args))
      return nj.error("missing required argument '" + *missing + "' of " + target);
    node->setArgs(std::move(args));

    llvm::Expected<JsonRef> outputs = nj.field("outputs"); // kept: errors point at it
    if (!outputs)
      return outputs.takeError();
    llvm::Expected<std::vector<JsonRef>> outputList = outputs->getArray();
    if (!outputList)
      return outputList.takeError();
    if (outputList->size() != schema->returns.size())
      return outputs->error(target + " returns " + llvm::Twine(schema->returns.size()) +
                            " values, the node lists " + llvm::Twine(outputList->size()));
    for (size_t i = 0; i < outputList->size(); ++i) {
      const JsonRef &out = (*outputList)[i];
      llvm::Expected<std::pair<std::string, JsonRef>> tagged = out.getTagged();
      if (!tagged)
        return tagged.takeError();
      if (schema->returns[i] == ReturnType::TensorList) { // split, chunk: one result per element
        if (tagged->first != "as_tensors")
          return out.error("expected a tensor list result, got " + tagged->first);
        llvm::Expected<std::vector<JsonRef>> items = tagged->second.getArray();
        if (!items)
          return items.takeError();
        for (const JsonRef &item : *items) {
          llvm::Expected<std::string> rname = item.stringField("name");
          if (!rname)
            return rname.takeError();
          llvm::Expected<Value *> v = defineTensor(*rname, item);
          if (!v)
            return v.takeError();
          node->results.push_back(*v);
        }
      } else if (schema->returns[i] == ReturnType::Tensor) {
        if (tagged->first != "as_tensor")
          return out.error("expected a tensor result, got " + tagged->first);
        llvm::Expected<std::string> rname = tagged->second.stringField("name");
        if (!rname)
          return rname.takeError();
        llvm::Expected<Value *> v = defineTensor(*rname, out);
        if (!v)
          return v.takeError();
        node->results.push_back(*v);
      } else {
        if (tagged->first != "as_sym_int")
          return out.error("expected a symbolic int result, got " + tagged->first);
        llvm::Expected<std::string> rname = tagged->second.stringField("as_name");
        if (!rname)
          return rname.takeError();
        if (g_.findValue(*rname))
          return out.error("value '" + *rname + "' is defined twice");
        auto sym = symIntValues_.find(*rname);
        if (sym == symIntValues_.end())
          return out.error("symbolic int '" + *rname + "' has no entry in sym_int_values");
        Value *v = g_.createValue(*rname);
        v->kind = Value::Kind::SymInt;
        v->symValue = sym->second;
        node->results.push_back(v);
      }
    }
    g_.appendNode(std::move(node));
    return llvm::Error::success();
  }

  llvm::Error readNodes(const JsonRef &graph) {
    llvm::Expected<std::vector<JsonRef>> list = graph.arrayField("nodes");
    if (!list)
      return list.takeError();
    for (const JsonRef &n : *list)
      if (auto err = readNode(n))
        return err;
    return llvm::Error::success();
  }

  // ---- outputs
  // --------------------------------------------------------------------------

  llvm::Error readOutputs(const JsonRef &graph, const JsonRef &signature) {
    llvm::Expected<std::vector<JsonRef>> specList = signature.arrayField("output_specs");
    if (!specList)
      return specList.takeError();
    std::vector<std::string> specNames;
    for (const JsonRef &spec : *specList) {
      llvm::Expected<std::pair<std::string, JsonRef>> tagged = spec.getTagged();
      if (!tagged)
        return tagged.takeError();
      if (tagged->first != "user_output")
        return spec.error("unsupported output kind '" + tagged->first +
                          "' (buffer mutation such as a KV cache is not supported yet)");
      llvm::Expected<JsonRef> arg = tagged->second.field("arg");
      if (!arg)
        return arg.takeError();
      llvm::Expected<std::pair<std::string, JsonRef>> a = arg->getTagged();
      if (!a)
        return a.takeError();
      if (a->first != "as_tensor")
        return arg->error("only tensor outputs are supported, got " + a->first);
      llvm::Expected<std::string> n = a->second.stringField("name");
      if (!n)
        return n.takeError();
      specNames.push_back(*n);
    }
    llvm::Expected<JsonRef> outputs = graph.field("outputs"); // kept: errors point at it
    if (!outputs)
      return outputs.takeError();
    llvm::Expected<std::vector<JsonRef>> list = outputs->getArray();
    if (!list)
      return list.takeError();
    for (const JsonRef &out : *list) {
      llvm::Expected<std::pair<std::string, JsonRef>> tagged = out.getTagged();
      if (!tagged)
        return tagged.takeError();
      if (tagged->first != "as_tensor")
        return out.error("only tensor outputs are supported, got " + tagged->first);
      llvm::Expected<JsonRef> name = tagged->second.field("name");
      if (!name)
        return name.takeError();
      llvm::Expected<Value *> v = useValue(*name, true);
      if (!v)
        return v.takeError();
      g_.addOutput(*v);
    }
    if (g_.outputs().empty())
      return outputs->error("the program has no outputs");
    for (size_t i = 0; i < g_.outputs().size(); ++i)
      if (i >= specNames.size() || specNames[i] != g_.outputs()[i]->name)
        return outputs->error("graph outputs and the signature's output_specs disagree at " +
                              llvm::Twine(i));
    if (specNames.size() != g_.outputs().size())
      return outputs->error("the signature lists more outputs than the graph");
    return llvm::Error::success();
  }
};

} // namespace

llvm::Expected<std::unique_ptr<Graph>> importFromArchive(ModelArchive &archive,
                                                         llvm::StringRef sourceName) {
  auto g = std::make_unique<Graph>();
  g->info.sourceName = sourceName.str();
  ExportImporter importer(archive, *g);
  if (auto err = importer.run())
    return err;
  return g;
}

llvm::Expected<ImportedModel> importModel(llvm::StringRef path, const ArchiveOptions &options) {
  llvm::Expected<std::unique_ptr<ModelArchive>> archive = ModelArchive::open(path, options);
  if (!archive)
    return archive.takeError();
  llvm::Expected<std::unique_ptr<Graph>> g =
      importFromArchive(**archive, llvm::sys::path::filename(path));
  if (!g)
    return g.takeError();
  return ImportedModel{std::move(*archive), std::move(*g)};
}

} // namespace vkqc
