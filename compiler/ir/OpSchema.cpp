#include "compiler/ir/OpSchema.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ErrorHandling.h"

#include <map>

namespace vkqc {

std::optional<std::vector<int64_t>> asLiteralInts(const ArgValue &v) {
  const IntList *list = std::get_if<IntList>(&v);
  if (!list)
    return std::nullopt;
  std::vector<int64_t> out;
  for (const SymIntArg &e : *list) {
    if (e.symbol)
      return std::nullopt;
    out.push_back(e.literal);
  }
  return out;
}

std::string_view argTypeName(ArgType t) {
  switch (t) {
  case ArgType::Tensor:
    return "Tensor";
  case ArgType::TensorList:
    return "Tensor[]";
  case ArgType::OptionalTensorList:
    return "Tensor?[]";
  case ArgType::Int:
    return "int";
  case ArgType::IntList:
    return "int[]";
  case ArgType::Float:
    return "float";
  case ArgType::FloatList:
    return "float[]";
  case ArgType::Bool:
    return "bool";
  case ArgType::BoolList:
    return "bool[]";
  case ArgType::String:
    return "str";
  case ArgType::Scalar:
    return "Scalar";
  case ArgType::ScalarType:
    return "ScalarType";
  case ArgType::Device:
    return "Device";
  case ArgType::Layout:
    return "Layout";
  case ArgType::MemoryFormat:
    return "MemoryFormat";
  }
  llvm_unreachable("unknown ArgType");
}

const SchemaArg *OpSchema::arg(llvm::StringRef name) const {
  int i = argIndex(name);
  return i < 0 ? nullptr : &args[i];
}

int OpSchema::argIndex(llvm::StringRef name) const {
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].name == name)
      return static_cast<int>(i);
  return -1;
}

namespace {
llvm::Error schemaError(llvm::StringRef text, const llvm::Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "bad op schema '" + text + "': " + what);
}

// `Tensor(a)` -> `Tensor`, `int[1]` -> `int[]`: alias sets and fixed list sizes
// do not change what an argument accepts.
std::string normalizeType(llvm::StringRef type) {
  std::string out;
  bool inParens = false, inBrackets = false;
  for (char c : type) {
    if (c == '(' || c == ')') {
      inParens = c == '(';
      continue;
    }
    if (inParens)
      continue;
    if (c == '[') {
      inBrackets = true;
      out += c;
      continue;
    }
    if (c == ']')
      inBrackets = false;
    if (inBrackets)
      continue;
    out += c;
  }
  return out;
}

std::optional<ArgType> parseArgType(llvm::StringRef t) {
  static const std::map<std::string, ArgType, std::less<>> kTypes = {
      {"Tensor", ArgType::Tensor},
      {"Tensor[]", ArgType::TensorList},
      {"Tensor?[]", ArgType::OptionalTensorList},
      {"int", ArgType::Int},
      {"SymInt", ArgType::Int},
      {"int[]", ArgType::IntList},
      {"SymInt[]", ArgType::IntList},
      {"float", ArgType::Float},
      {"float[]", ArgType::FloatList},
      {"bool", ArgType::Bool},
      {"bool[]", ArgType::BoolList},
      {"str", ArgType::String},
      {"Scalar", ArgType::Scalar},
      {"ScalarType", ArgType::ScalarType},
      {"Device", ArgType::Device},
      {"Layout", ArgType::Layout},
      {"MemoryFormat", ArgType::MemoryFormat},
  };
  auto it = kTypes.find(t);
  if (it == kTypes.end())
    return std::nullopt;
  return it->second;
}

llvm::Expected<ArgValue> parseDefault(llvm::StringRef schema, ArgType type, llvm::StringRef text) {
  if (text == "None")
    return NoneArg{};
  if (text == "True" || text == "False")
    return ArgValue(text == "True");
  if (type == ArgType::String) {
    if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
        text.back() == text.front())
      return ArgValue(text.drop_front().drop_back().str());
    return schemaError(schema, "string default must be quoted: " + text);
  }
  // torch.export's serde numbering of torch.memory_format: contiguous_format
  // is 1.
  if (type == ArgType::MemoryFormat && text == "contiguous_format")
    return ArgValue(MemoryFormatArg{1});
  if (type == ArgType::IntList) {
    if (text == "[]")
      return ArgValue(IntList{});
    return schemaError(schema, "unsupported list default: " + text);
  }
  int64_t i = 0;
  if (!text.getAsInteger(10, i)) {
    if (type == ArgType::ScalarType) {
      std::optional<DType> d = dtypeFromC10Code(i);
      if (!d)
        return schemaError(schema, "unknown c10 ScalarType code " + text);
      return ArgValue(*d);
    }
    if (type == ArgType::Float)
      return ArgValue(static_cast<double>(i));
    return ArgValue(i);
  }
  double d = 0;
  if (!text.getAsDouble(d))
    return ArgValue(d);
  return schemaError(schema, "cannot parse default value " + text);
}
} // namespace

llvm::Expected<OpSchema> parseOpSchema(llvm::StringRef text) {
  OpSchema schema;
  schema.text = text.str();
  size_t open = text.find('(');
  size_t arrow = text.rfind(" -> ");
  size_t close = arrow == llvm::StringRef::npos ? llvm::StringRef::npos : text.rfind(')', arrow);
  if (open == llvm::StringRef::npos || close == llvm::StringRef::npos || close < open)
    return schemaError(text, "expected name(args) -> returns");

  llvm::StringRef qualified = text.take_front(open).trim();
  auto [ns, opName] = qualified.split("::");
  if (opName.empty())
    return schemaError(text, "expected namespace::name");
  auto [base, overload] = opName.split('.');
  schema.target = (ns + "." + base + "." + (overload.empty() ? "default" : overload)).str();

  llvm::SmallVector<llvm::StringRef, 12> params;
  llvm::StringRef paramText = text.slice(open + 1, close).trim();
  if (!paramText.empty())
    paramText.split(params, ',');
  bool keywordOnly = false;
  for (llvm::StringRef p : params) {
    p = p.trim();
    if (p == "*") {
      keywordOnly = true;
      continue;
    }
    auto [decl, def] = p.split('=');
    decl = decl.trim();
    size_t space = decl.rfind(' ');
    if (space == llvm::StringRef::npos)
      return schemaError(text, "argument without a name: " + p);
    SchemaArg arg;
    arg.name = decl.drop_front(space + 1).str();
    arg.isOut = decl.take_front(space).contains('!');
    std::string type = normalizeType(decl.take_front(space).trim());
    // `T?` is optional; `Tensor?[]` is a list of optional tensors, itself
    // required.
    if (type != "Tensor?[]" && !type.empty() && type.back() == '?') {
      arg.optional = true;
      type.pop_back();
    }
    std::optional<ArgType> argType = parseArgType(type);
    if (!argType)
      return schemaError(text, "unknown argument type " + type);
    arg.type = *argType;
    arg.keywordOnly = keywordOnly;
    if (p.contains('=')) {
      llvm::Expected<ArgValue> d = parseDefault(text, arg.type, def.trim());
      if (!d)
        return d.takeError();
      arg.defaultValue = std::move(*d);
    }
    schema.args.push_back(std::move(arg));
  }

  llvm::StringRef rets = text.drop_front(arrow + 4).trim();
  if (rets.startswith("(") && rets.endswith(")"))
    rets = rets.drop_front().drop_back();
  llvm::SmallVector<llvm::StringRef, 4> retParts;
  if (!rets.trim().empty())
    rets.split(retParts, ',');
  for (llvm::StringRef r : retParts) {
    std::string type = normalizeType(r.trim());
    if (type == "Tensor")
      schema.returns.push_back(ReturnType::Tensor);
    else if (type == "SymInt")
      schema.returns.push_back(ReturnType::SymInt);
    else if (type == "Tensor[]" && retParts.size() == 1)
      schema.returns.push_back(ReturnType::TensorList);
    else
      return schemaError(text, "unsupported return type " + type);
  }
  return schema;
}

namespace {
std::vector<std::string> words(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef, 8> parts;
  text.split(parts, ' ', -1, false);
  return std::vector<std::string>(parts.begin(), parts.end());
}

OpSchema parseRow(OpKind kind, const char *schema, const char *edge, VulkanRule vulkan,
                  const char *tensors, const char *cpu, const char *note) {
  // The built-in table is ours to keep valid: a bad row is a build bug, caught
  // by every test.
  llvm::Expected<OpSchema> s = parseOpSchema(schema);
  if (!s)
    llvm::report_fatal_error(s.takeError());
  s->kind = kind;
  s->edge = edge;
  s->vulkan = vulkan;
  s->note = note;
  for (const std::string &w : words(tensors)) {
    llvm::StringRef arg, fact;
    std::tie(arg, fact) = llvm::StringRef(w).split(':');
    if (fact == "constant")
      s->vulkanConstantArgs.push_back(arg.str());
    else if (fact == "texture")
      s->vulkanTextureArgs.push_back(arg.str());
    else
      llvm::report_fatal_error(llvm::Twine("Ops.def: ") + s->target + ": unknown tensor fact " + w);
  }
  if (*cpu) {
    llvm::Expected<OpSchema> out = parseOpSchema(cpu);
    if (!out)
      llvm::report_fatal_error(out.takeError());
    out->kind = kind;
    s->cpuOut = std::make_shared<const OpSchema>(std::move(*out));
  }
  return std::move(*s);
}
} // namespace

const std::vector<OpSchema> &allOpSchemas() {
  static const std::vector<OpSchema> schemas = [] {
    return std::vector<OpSchema>{
#define VKQC_OP(KIND, SCHEMA, EDGE, VULKAN, TENSORS, CPU, NOTE)                                    \
  parseRow(OpKind::KIND, SCHEMA, EDGE, VulkanRule::VULKAN, TENSORS, CPU, NOTE),
#include "compiler/ir/Ops.def"
    };
  }();
  return schemas;
}

const OpSchema &opSchema(OpKind kind) { return allOpSchemas()[size_t(kind)]; }

std::optional<std::string> argumentsInSchemaOrder(const OpSchema &schema,
                                                  std::map<std::string, ArgValue> &given,
                                                  std::vector<NamedArg> &args) {
  for (const SchemaArg &sa : schema.args) {
    auto it = given.find(sa.name);
    if (it != given.end())
      args.push_back({sa.name, std::move(it->second)});
    else if (sa.defaultValue)
      args.push_back({sa.name, *sa.defaultValue});
    else
      return sa.name;
  }
  return std::nullopt;
}

bool OpSchema::isVulkanConstantArg(llvm::StringRef name) const {
  return llvm::is_contained(vulkanConstantArgs, name);
}

bool OpSchema::isVulkanTextureArg(llvm::StringRef name) const {
  return llvm::is_contained(vulkanTextureArgs, name);
}

std::string OpSchema::operatorName() const {
  llvm::StringRef t(target);
  size_t dot = t.find('.');
  return (t.take_front(dot) + "::" + t.drop_front(dot + 1).rsplit('.').first).str();
}

std::string OpSchema::overloadName() const {
  llvm::StringRef overload = llvm::StringRef(target).rsplit('.').second;
  return overload == "default" ? "" : overload.str();
}

const OpSchema *lookupOpByCpuOperator(llvm::StringRef name, llvm::StringRef overload) {
  for (const OpSchema &s : allOpSchemas())
    if (s.cpuOut && s.cpuOut->operatorName() == name && s.cpuOut->overloadName() == overload)
      return &s;
  return nullptr;
}

const OpSchema *lookupOpSchema(llvm::StringRef target) {
  for (const OpSchema &s : allOpSchemas())
    if (s.target == target)
      return &s;
  return nullptr;
}

} // namespace vkqc
