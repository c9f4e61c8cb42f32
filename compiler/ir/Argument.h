// The value of one node argument: a tensor, a scalar, a list, a dtype, ...
#pragma once

#include "compiler/ir/DType.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace vkqc {

class Value;

struct NoneArg {
  bool operator==(const NoneArg &) const { return true; }
};
/// An integer that is either a literal or a symbolic-int value (`sym_size_int_29`).
struct SymIntArg {
  int64_t literal = 0;
  Value *symbol = nullptr; // when set, the integer is this SymInt value
  bool operator==(const SymIntArg &o) const { return literal == o.literal && symbol == o.symbol; }
};
struct DeviceArg {
  std::string type;
  std::optional<int64_t> index;
  bool operator==(const DeviceArg &o) const { return type == o.type && index == o.index; }
};
/// torch.layout / torch.memory_format, kept as their export serde codes.
struct LayoutArg {
  int64_t code;
  bool operator==(const LayoutArg &o) const { return code == o.code; }
};
struct MemoryFormatArg {
  int64_t code;
  bool operator==(const MemoryFormatArg &o) const { return code == o.code; }
};
/// A list of tensors; entries are null where an optional tensor is None (`Tensor?[]`).
struct TensorListArg {
  std::vector<Value *> tensors;
  bool operator==(const TensorListArg &o) const { return tensors == o.tensors; }
};
using IntList = std::vector<SymIntArg>;

using ArgValue = std::variant<NoneArg, bool, int64_t, double, std::string, DType, Value *,
                              TensorListArg, IntList, std::vector<double>, std::vector<bool>,
                              SymIntArg, DeviceArg, LayoutArg, MemoryFormatArg>;

/// One argument of a node, named as in the op schema.
struct NamedArg {
  std::string name;
  ArgValue value;
};

/// Helpers for reading arguments of a known kind.
inline bool isNone(const ArgValue &v) { return std::holds_alternative<NoneArg>(v); }
inline Value *asTensor(const ArgValue &v) {
  auto *p = std::get_if<Value *>(&v);
  return p ? *p : nullptr;
}
inline std::optional<int64_t> asInt(const ArgValue &v) {
  if (auto *p = std::get_if<int64_t>(&v))
    return *p;
  if (auto *s = std::get_if<SymIntArg>(&v); s && !s->symbol)
    return s->literal;
  return std::nullopt;
}
inline std::optional<double> asDouble(const ArgValue &v) {
  if (auto *p = std::get_if<double>(&v))
    return *p;
  if (auto i = asInt(v))
    return static_cast<double>(*i);
  return std::nullopt;
}
/// Integer list with only literal entries.
std::optional<std::vector<int64_t>> asLiteralInts(const ArgValue &v);

} // namespace vkqc
