// A node's arguments as runtime values, read by the op handlers.
//
// Readers return plain values and remember the first problem (a missing argument, a kind
// the op cannot take, a value not computed); `finish` then either reports that problem or
// runs the kernel. This keeps each handler a few straight lines: read, then compute.
#pragma once

#include "compiler/interp/Environment.h"
#include "compiler/semantics/Kernels.h"

#include "llvm/ADT/Twine.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace vkqc::interp {

/// What a node computed, one entry per node result.
using OpResults = std::vector<RuntimeValue>;

class NodeArguments {
public:
  NodeArguments(const Node &node, const Environment &env) : node_(node), env_(env) {}

  const Node &node() const { return node_; }

  Tensor tensor(llvm::StringRef name);
  std::optional<Tensor> optionalTensor(llvm::StringRef name);
  std::vector<Tensor> tensors(llvm::StringRef name);
  std::vector<std::optional<Tensor>> optionalTensors(llvm::StringRef name);
  /// A tensor, or a Python number where the schema says Tensor (a wrapped scalar).
  Operand operand(llvm::StringRef name);
  Scalar scalar(llvm::StringRef name);
  std::optional<Scalar> optionalScalar(llvm::StringRef name);
  std::string string(llvm::StringRef name) { return stringArg(name); }
  int64_t integer(llvm::StringRef name);
  std::optional<int64_t> optionalInteger(llvm::StringRef name);
  /// An int list whose entries may be symbolic.
  std::vector<int64_t> integers(llvm::StringRef name);
  std::optional<std::vector<int64_t>> optionalIntegers(llvm::StringRef name);
  double real(llvm::StringRef name);
  std::optional<double> optionalReal(llvm::StringRef name);
  bool boolean(llvm::StringRef name);
  DType dtype(llvm::StringRef name);
  std::optional<DType> optionalDType(llvm::StringRef name);
  /// A string argument turned into T by `parse` (e.g. a mapping type name).
  template <typename T>
  T parsedString(llvm::StringRef name, llvm::Expected<T> (*parse)(llvm::StringRef)) {
    std::string text = stringArg(name);
    if (problem_)
      return T();
    llvm::Expected<T> parsed = parse(text);
    if (!parsed) {
      fail(name, llvm::toString(parsed.takeError()));
      return T();
    }
    return std::move(*parsed);
  }

  /// Records that argument `name` holds a value the kernels do not support.
  void fail(llvm::StringRef name, const llvm::Twine &why);

  /// The first argument problem, or what `compute` returns (a Tensor, QParams, int64_t
  /// or no value at all).
  template <typename Compute> llvm::Expected<OpResults> finish(Compute compute) {
    if (problem_)
      return llvm::createStringError(llvm::inconvertibleErrorCode(), *problem_);
    return toResults(compute());
  }

private:
  /// The argument, or null (recording a problem) when the node lacks it.
  const ArgValue *find(llvm::StringRef name);
  /// The runtime value of `v`, or null (recording a problem) when it is not available.
  const RuntimeValue *lookup(llvm::StringRef name, const Value *v);
  Tensor tensorOf(llvm::StringRef name, const Value *v);
  std::optional<int64_t> integerOf(llvm::StringRef name, const ArgValue &arg);
  std::optional<int64_t> symbolicInteger(llvm::StringRef name, const SymIntArg &s);
  std::string stringArg(llvm::StringRef name);
  void wrongKind(llvm::StringRef name, const ArgValue &arg, llvm::StringRef expected);

  static llvm::Expected<OpResults> toResults(llvm::Expected<Tensor> t);
  static llvm::Expected<OpResults> toResults(llvm::Expected<QParams> q);
  static llvm::Expected<OpResults> toResults(llvm::Expected<int64_t> i);
  static llvm::Expected<OpResults> toResults(llvm::Expected<std::vector<Tensor>> tensors);
  static llvm::Expected<OpResults> toResults(llvm::Error e);

  const Node &node_;
  const Environment &env_;
  std::optional<std::string> problem_;
};

} // namespace vkqc::interp
