// Op schemas: the signature of every op vkqc accepts or emits, parsed from the same
// schema strings PyTorch prints (`aten::linear(Tensor input, Tensor weight,
// Tensor? bias=None) -> Tensor`). The list lives in OpSchemas.def.
#pragma once

#include "compiler/ir/Argument.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace vkqc {

/// The kind of value a schema argument takes.
enum class ArgType {
  Tensor,
  TensorList,         // Tensor[]
  OptionalTensorList, // Tensor?[]
  Int,                // int, SymInt
  IntList,            // int[], SymInt[], int[1]
  Float,
  FloatList,
  Bool,
  BoolList,
  String,
  Scalar, // int, float or bool
  ScalarType,
  Device,
  Layout,
  MemoryFormat,
};

struct SchemaArg {
  std::string name;
  ArgType type;
  bool optional = false; // `T?`: None is allowed
  bool keywordOnly = false;
  std::optional<ArgValue> defaultValue; // filled when the schema gives one
};

enum class ReturnType { Tensor, SymInt };

struct OpSchema {
  std::string target; // "aten.linear.default"
  std::vector<SchemaArg> args;
  std::vector<ReturnType> returns;
  std::string text; // the schema string it was parsed from

  const SchemaArg *arg(llvm::StringRef name) const;
  int argIndex(llvm::StringRef name) const; // -1 when absent
};

/// Parses one schema string. `aten::add.Tensor(...)` gets target `aten.add.Tensor`,
/// `aten::linear(...)` gets `aten.linear.default`.
llvm::Expected<OpSchema> parseOpSchema(llvm::StringRef text);

/// The schema of a target from OpSchemas.def, or null.
const OpSchema *lookupOpSchema(llvm::StringRef target);
/// Every known schema, in table order.
const std::vector<OpSchema> &allOpSchemas();

std::string_view argTypeName(ArgType t);

} // namespace vkqc
