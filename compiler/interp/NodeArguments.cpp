#include "compiler/interp/NodeArguments.h"

namespace vkqc::interp {

namespace {
// Names of the ArgValue alternatives, in variant order, for messages.
const char *argKindName(const ArgValue &arg) {
  static const char *const names[] = {"None",     "bool",       "int",          "float",
                                      "string",   "dtype",      "value",        "tensor list",
                                      "int list", "float list", "bool list",    "symbolic int",
                                      "device",   "layout",     "memory format"};
  static_assert(std::variant_size_v<ArgValue> == sizeof(names) / sizeof(names[0]));
  return names[arg.index()];
}

// Python numbers: bool, int, float, or an integer known only at run time.
bool holdsNumber(const ArgValue &arg) {
  const Value *v = asTensor(arg);
  return std::holds_alternative<bool>(arg) || std::holds_alternative<int64_t>(arg) ||
         std::holds_alternative<double>(arg) || std::holds_alternative<SymIntArg>(arg) ||
         (v && !v->isTensor());
}
} // namespace

void NodeArguments::fail(llvm::StringRef name, const llvm::Twine &why) {
  if (!problem_)
    problem_ = ("argument '" + name + "': " + why).str();
}

void NodeArguments::wrongKind(llvm::StringRef name, const ArgValue &arg, llvm::StringRef expected) {
  fail(name, "expected " + expected + ", got " + argKindName(arg));
}

const ArgValue *NodeArguments::find(llvm::StringRef name) {
  if (!node_.hasArg(name)) {
    fail(name, "missing");
    return nullptr;
  }
  return &node_.arg(name);
}

const RuntimeValue *NodeArguments::lookup(llvm::StringRef name, const Value *v) {
  auto it = env_.values.find(v);
  if (it == env_.values.end()) {
    fail(name, "%" + v->name + " has no value here (not computed yet, or already freed)");
    return nullptr;
  }
  return &it->second;
}

Tensor NodeArguments::tensorOf(llvm::StringRef name, const Value *v) {
  const RuntimeValue *rv = lookup(name, v);
  if (!rv)
    return Tensor();
  if (const Tensor *t = std::get_if<Tensor>(rv))
    return *t;
  fail(name, "%" + v->name + " is a symbolic int, not a tensor");
  return Tensor();
}

Tensor NodeArguments::tensor(llvm::StringRef name) {
  std::optional<Tensor> t = optionalTensor(name);
  if (!t && !problem_)
    fail(name, "None where a tensor is required");
  return t.value_or(Tensor());
}

std::optional<Tensor> NodeArguments::optionalTensor(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg || isNone(*arg))
    return std::nullopt;
  if (const Value *v = asTensor(*arg))
    return tensorOf(name, v);
  wrongKind(name, *arg, "a tensor");
  return std::nullopt;
}

std::vector<std::optional<Tensor>> NodeArguments::optionalTensors(llvm::StringRef name) {
  std::vector<std::optional<Tensor>> result;
  const ArgValue *arg = find(name);
  if (!arg)
    return result;
  const auto *list = std::get_if<TensorListArg>(arg);
  if (!list) {
    wrongKind(name, *arg, "a tensor list");
    return result;
  }
  for (const Value *v : list->tensors)
    result.push_back(v ? std::optional<Tensor>(tensorOf(name, v)) : std::nullopt);
  return result;
}

std::vector<Tensor> NodeArguments::tensors(llvm::StringRef name) {
  std::vector<Tensor> result;
  for (std::optional<Tensor> &t : optionalTensors(name)) {
    if (!t) {
      fail(name, "None inside a list that requires tensors");
      return {};
    }
    result.push_back(std::move(*t));
  }
  return result;
}

Operand NodeArguments::operand(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg)
    return Tensor();
  if (const Value *v = asTensor(*arg); v && v->isTensor())
    return tensor(name);
  if (holdsNumber(*arg))
    return scalar(name);
  wrongKind(name, *arg, "a tensor or a number");
  return Tensor();
}

Scalar NodeArguments::scalar(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg)
    return Scalar();
  if (!holdsNumber(*arg)) {
    wrongKind(name, *arg, "a number");
    return Scalar();
  }
  if (const bool *b = std::get_if<bool>(arg))
    return Scalar::ofBool(*b);
  if (const double *d = std::get_if<double>(arg))
    return Scalar::ofFloat(*d);
  return Scalar::ofInt(integerOf(name, *arg).value_or(0));
}

std::optional<Scalar> NodeArguments::optionalScalar(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg || isNone(*arg))
    return std::nullopt;
  return scalar(name);
}

std::optional<int64_t> NodeArguments::symbolicInteger(llvm::StringRef name, const SymIntArg &s) {
  if (!s.symbol)
    return s.literal;
  const RuntimeValue *rv = lookup(name, s.symbol);
  if (!rv)
    return std::nullopt;
  if (const int64_t *i = std::get_if<int64_t>(rv))
    return *i;
  fail(name, "%" + s.symbol->name + " is a tensor, not a symbolic int");
  return std::nullopt;
}

// Integers arrive as literals, as SymIntArg (literal or symbolic) or, for Scalar
// arguments, as a value reference to a SymInt.
std::optional<int64_t> NodeArguments::integerOf(llvm::StringRef name, const ArgValue &arg) {
  if (const int64_t *i = std::get_if<int64_t>(&arg))
    return *i;
  if (const SymIntArg *s = std::get_if<SymIntArg>(&arg))
    return symbolicInteger(name, *s);
  if (const Value *v = asTensor(arg); v && !v->isTensor())
    return symbolicInteger(name, SymIntArg{0, const_cast<Value *>(v)});
  wrongKind(name, arg, "an integer");
  return std::nullopt;
}

int64_t NodeArguments::integer(llvm::StringRef name) {
  std::optional<int64_t> i = optionalInteger(name);
  if (!i && !problem_)
    fail(name, "None where an integer is required");
  return i.value_or(0);
}

std::optional<int64_t> NodeArguments::optionalInteger(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg || isNone(*arg))
    return std::nullopt;
  return integerOf(name, *arg);
}

std::vector<int64_t> NodeArguments::integers(llvm::StringRef name) {
  std::optional<std::vector<int64_t>> list = optionalIntegers(name);
  if (!list && !problem_)
    fail(name, "None where an int list is required");
  return list.value_or(std::vector<int64_t>());
}

std::optional<std::vector<int64_t>> NodeArguments::optionalIntegers(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg || isNone(*arg))
    return std::nullopt;
  const IntList *list = std::get_if<IntList>(arg);
  if (!list) {
    wrongKind(name, *arg, "an int list");
    return std::nullopt;
  }
  std::vector<int64_t> result;
  for (const SymIntArg &entry : *list)
    result.push_back(symbolicInteger(name, entry).value_or(0));
  return result;
}

double NodeArguments::real(llvm::StringRef name) {
  std::optional<double> d = optionalReal(name);
  if (!d && !problem_)
    fail(name, "None where a float is required");
  return d.value_or(0.0);
}

std::optional<double> NodeArguments::optionalReal(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg || isNone(*arg))
    return std::nullopt;
  if (std::optional<double> d = asDouble(*arg))
    return d;
  wrongKind(name, *arg, "a float");
  return std::nullopt;
}

bool NodeArguments::boolean(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg)
    return false;
  if (const bool *b = std::get_if<bool>(arg))
    return *b;
  wrongKind(name, *arg, "a bool");
  return false;
}

DType NodeArguments::dtype(llvm::StringRef name) {
  std::optional<DType> d = optionalDType(name);
  if (!d && !problem_)
    fail(name, "None where a dtype is required");
  return d.value_or(DType::Float32);
}

std::optional<DType> NodeArguments::optionalDType(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg || isNone(*arg))
    return std::nullopt;
  if (const DType *d = std::get_if<DType>(arg))
    return *d;
  wrongKind(name, *arg, "a dtype");
  return std::nullopt;
}

std::string NodeArguments::stringArg(llvm::StringRef name) {
  const ArgValue *arg = find(name);
  if (!arg)
    return {};
  if (const std::string *s = std::get_if<std::string>(arg))
    return *s;
  wrongKind(name, *arg, "a string");
  return {};
}

llvm::Expected<OpResults> NodeArguments::toResults(llvm::Expected<Tensor> t) {
  if (!t)
    return t.takeError();
  return OpResults{std::move(*t)};
}

llvm::Expected<OpResults> NodeArguments::toResults(llvm::Expected<QParams> q) {
  if (!q)
    return q.takeError();
  return OpResults{std::move(q->scale), std::move(q->zeroPoint)};
}

llvm::Expected<OpResults> NodeArguments::toResults(llvm::Expected<int64_t> i) {
  if (!i)
    return i.takeError();
  return OpResults{*i};
}

llvm::Expected<OpResults> NodeArguments::toResults(llvm::Expected<std::vector<Tensor>> tensors) {
  if (!tensors)
    return tensors.takeError();
  OpResults results;
  for (Tensor &t : *tensors)
    results.push_back(std::move(t));
  return results;
}

llvm::Expected<OpResults> NodeArguments::toResults(llvm::Error e) {
  if (e)
    return e;
  return OpResults{};
}

} // namespace vkqc::interp
