// Symbolic integer expressions: tensor dimensions such as `s70` or `64*s70`.
//
// torch.export writes them as sympy `srepr` text (`Mul(Integer(64), Symbol('s70', ...))`);
// parseSympy reads that form. Expressions are immutable and shared; constants fold on
// construction so `Integer(4)` and a literal 4 are the same Dim.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vkqc {

class SymExpr {
public:
  enum class Kind { Constant, Symbol, Add, Mul, FloorDiv, Mod, Pow, Max, Min };

  /// A constant expression (the common case for tensor dims).
  SymExpr(int64_t value = 0);
  static SymExpr symbol(std::string name);
  /// Builds `kind(operands...)`, folding constants. Fails on overflow or division by zero.
  static llvm::Expected<SymExpr> apply(Kind kind, std::vector<SymExpr> operands);

  Kind kind() const;
  bool isConstant() const { return kind() == Kind::Constant; }
  int64_t constant() const;              // only for constants
  const std::string &symbolName() const; // only for symbols
  const std::vector<SymExpr> &operands() const;

  /// Stable text: `s70`, `64*s70`, `s70 + 1`, `floordiv(s70, 2)`.
  std::string str() const;
  bool operator==(const SymExpr &other) const { return str() == other.str(); }
  bool operator!=(const SymExpr &other) const { return !(*this == other); }

  /// Every symbol name the expression mentions (sorted, unique).
  std::vector<std::string> symbols() const;
  /// Value with every symbol bound; fails on an unbound symbol or overflow.
  llvm::Expected<int64_t> evaluate(const std::map<std::string, int64_t> &bindings) const;

private:
  struct Node;
  explicit SymExpr(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  std::shared_ptr<const Node> node_;
};

/// Parses sympy srepr text (Symbol, Integer, Add, Mul, FloorDiv, Mod, Pow, Max, Min,
/// nested to a bounded depth). Errors name the offset of the problem.
llvm::Expected<SymExpr> parseSympy(llvm::StringRef text);

/// Inclusive range of a symbol, from the export's range_constraints (nullopt = unbounded).
struct SymbolRange {
  std::optional<int64_t> min;
  std::optional<int64_t> max;
};

} // namespace vkqc
