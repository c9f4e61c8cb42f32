// The op table (Ops.def): every op vkqc accepts or emits, one row each. A row
// is the op's schema, parsed from the same strings PyTorch prints
// (`aten::linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor`),
// and what the passes, the lowering and the runtimes need to know of it: its
// ExecuTorch edge form, its Vulkan rule and what ExecuTorch's Vulkan
// implementation needs of its tensors, and its CPU out-variant.
#pragma once

#include "compiler/ir/Argument.h"
#include "compiler/ir/OpKind.h"

#include "llvm/Support/Error.h"

#include <map>
#include <memory>
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
  bool isOut = false;                   // `Tensor(a!) out`: an out-variant's result buffer
  std::optional<ArgValue> defaultValue; // filled when the schema gives one
};

/// A TensorList return (`Tensor[]`: split, chunk) is a schema's only one; the
/// node has one result per element.
enum class ReturnType { Tensor, SymInt, TensorList };

/// Which nodes of an op partition may delegate (Ops.def's VULKAN column).
enum class VulkanRule {
  None,      // never on Vulkan
  Float,     // every tensor it reads and writes is f32/f16
  Quantized, // the fused op checks its own operands
};

struct OpSchema {
  std::string target; // "aten.linear.default"
  /// The row's kind; an out-variant schema (cpuOut) carries its row's kind. A schema
  /// parsed outside the table (parseOpSchema) has none.
  std::optional<OpKind> kind;
  std::vector<SchemaArg> args;
  std::vector<ReturnType> returns;
  std::string text; // the schema string it was parsed from

  // ---- the rest of the op's row (empty for out-variant schemas) ----
  /// to-executorch: "" (its own edge form), the edge op it is renamed to, or
  /// "decomposed".
  std::string edge;
  VulkanRule vulkan = VulkanRule::None;
  /// Arguments ExecuTorch's Vulkan op prepacks itself when they are constants.
  std::vector<std::string> vulkanConstantArgs;
  /// Arguments (`out`: the results) ExecuTorch's Vulkan op reads or writes as
  /// 3-D textures.
  std::vector<std::string> vulkanTextureArgs;
  /// The ExecuTorch out-variant operator of a CPU node of this op, if it has
  /// one.
  std::shared_ptr<const OpSchema> cpuOut;
  std::string note; // what runs it on Vulkan

  const SchemaArg *arg(llvm::StringRef name) const;
  int argIndex(llvm::StringRef name) const; // -1 when absent
  bool isVulkanConstantArg(llvm::StringRef name) const;
  bool isVulkanTextureArg(llvm::StringRef name) const;
  /// An out-variant's ExecuTorch operator name ("aten::add") and overload
  /// ("out").
  std::string operatorName() const;
  std::string overloadName() const;
};

/// A node's arguments in schema order, each from `given` (by name, moved out)
/// or its default. Returns the name of the first required argument `given`
/// lacks, if any (the importer, the .vkir parser and makeNode each report it
/// their own way).
std::optional<std::string> argumentsInSchemaOrder(const OpSchema &schema,
                                                  std::map<std::string, ArgValue> &given,
                                                  std::vector<NamedArg> &args);

/// Parses one schema string. `aten::add.Tensor(...)` gets target
/// `aten.add.Tensor`, `aten::linear(...)` gets `aten.linear.default`.
llvm::Expected<OpSchema> parseOpSchema(llvm::StringRef text);

/// The row of a target in Ops.def, or null.
const OpSchema *lookupOpSchema(llvm::StringRef target);
/// The row of `kind`.
const OpSchema &opSchema(OpKind kind);
/// Every row of Ops.def, in table order (the order of OpKind).
const std::vector<OpSchema> &allOpSchemas();
/// The op whose CPU out-variant is ExecuTorch operator `name`.`overload`, or
/// null.
const OpSchema *lookupOpByCpuOperator(llvm::StringRef name, llvm::StringRef overload);

std::string_view argTypeName(ArgType t);

} // namespace vkqc
