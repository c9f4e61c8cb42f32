// The export schema's TensorMeta and SymInt encodings, read from JSON.
#pragma once

#include "compiler/import/JsonRef.h"
#include "compiler/ir/DType.h"
#include "compiler/ir/SymExpr.h"

#include <vector>

namespace vkqc {

struct TensorMeta {
  DType dtype;
  std::vector<SymExpr> sizes;
  std::vector<SymExpr> strides;
  SymExpr storageOffset;
};

/// `{"as_int": n}` or `{"as_expr": {"expr_str": "<sympy srepr>", ...}}`.
llvm::Expected<SymExpr> readSymInt(const JsonRef &j);
/// A serde ScalarType code, refused when vkqc does not support it.
llvm::Expected<DType> readDType(const JsonRef &j);
/// A TensorMeta; sizes must be non-negative and their static product must fit in 63 bits
/// of bytes.
llvm::Expected<TensorMeta> readTensorMeta(const JsonRef &j);

} // namespace vkqc
