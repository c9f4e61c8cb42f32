#include "compiler/ir/SymExpr.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <set>

namespace vkqc {

struct SymExpr::Node {
  Kind kind;
  int64_t value = 0;
  std::string name;
  std::vector<SymExpr> operands;
};

namespace {
llvm::Error symError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    --q;
  return q;
}

// a % b with the sign of b, without the overflow of a - floorDiv(a, b) * b.
int64_t floorMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

// Folds a fully constant operation; nullopt on overflow or division by zero.
std::optional<int64_t> fold(SymExpr::Kind kind, const std::vector<int64_t> &v) {
  int64_t acc = 0;
  switch (kind) {
  case SymExpr::Kind::Add:
    for (int64_t x : v)
      if (__builtin_add_overflow(acc, x, &acc))
        return std::nullopt;
    return acc;
  case SymExpr::Kind::Mul:
    acc = 1;
    for (int64_t x : v)
      if (__builtin_mul_overflow(acc, x, &acc))
        return std::nullopt;
    return acc;
  case SymExpr::Kind::FloorDiv:
  case SymExpr::Kind::Mod:
    if (v[1] == 0 || (v[0] == INT64_MIN && v[1] == -1))
      return std::nullopt;
    return kind == SymExpr::Kind::FloorDiv ? floorDiv(v[0], v[1]) : floorMod(v[0], v[1]);
  case SymExpr::Kind::Pow: // non-negative integer exponents only (sizes and strides)
    if (v[1] < 0)
      return std::nullopt;
    // |base| <= 1 never overflows: answer directly rather than loop up to 2^63 times.
    if (v[0] == 0 || v[0] == 1)
      return v[1] == 0 ? 1 : v[0];
    if (v[0] == -1)
      return v[1] % 2 == 0 ? 1 : -1;
    acc = 1;
    for (int64_t i = 0; i < v[1]; ++i)
      if (__builtin_mul_overflow(acc, v[0], &acc))
        return std::nullopt;
    return acc;
  case SymExpr::Kind::Max:
    return *std::max_element(v.begin(), v.end());
  case SymExpr::Kind::Min:
    return *std::min_element(v.begin(), v.end());
  default:
    return std::nullopt;
  }
}

const char *kindName(SymExpr::Kind k) {
  switch (k) {
  case SymExpr::Kind::FloorDiv:
    return "floordiv";
  case SymExpr::Kind::Mod:
    return "mod";
  case SymExpr::Kind::Pow:
    return "pow";
  case SymExpr::Kind::Max:
    return "max";
  case SymExpr::Kind::Min:
    return "min";
  default:
    return "?";
  }
}
} // namespace

SymExpr::SymExpr(int64_t value)
    : node_(std::make_shared<Node>(Node{Kind::Constant, value, {}, {}})) {}

SymExpr SymExpr::symbol(std::string name) {
  return SymExpr(std::make_shared<Node>(Node{Kind::Symbol, 0, std::move(name), {}}));
}

llvm::Expected<SymExpr> SymExpr::apply(Kind kind, std::vector<SymExpr> operands) {
  bool binary = kind == Kind::FloorDiv || kind == Kind::Mod || kind == Kind::Pow;
  if (operands.empty() || (binary && operands.size() != 2))
    return symError("wrong number of operands");
  if (kind == Kind::Constant || kind == Kind::Symbol)
    return symError("not an operation");
  bool allConstant = std::all_of(operands.begin(), operands.end(),
                                 [](const SymExpr &e) { return e.isConstant(); });
  if (allConstant) {
    std::vector<int64_t> values;
    for (const SymExpr &e : operands)
      values.push_back(e.constant());
    if (std::optional<int64_t> folded = fold(kind, values))
      return SymExpr(*folded);
    return symError("integer overflow or division by zero in a symbolic size");
  }
  if (operands.size() == 1 && !binary)
    return operands[0];
  return SymExpr(std::make_shared<Node>(Node{kind, 0, {}, std::move(operands)}));
}

SymExpr::Kind SymExpr::kind() const { return node_->kind; }
int64_t SymExpr::constant() const { return node_->value; }
const std::string &SymExpr::symbolName() const { return node_->name; }
const std::vector<SymExpr> &SymExpr::operands() const { return node_->operands; }

std::string SymExpr::str() const {
  switch (kind()) {
  case Kind::Constant:
    return std::to_string(constant());
  case Kind::Symbol:
    return symbolName();
  case Kind::Add:
  case Kind::Mul: {
    std::string out = kind() == Kind::Add ? "(" : "";
    const char *sep = kind() == Kind::Add ? " + " : "*";
    for (size_t i = 0; i < operands().size(); ++i) {
      if (i)
        out += sep;
      out += operands()[i].str();
    }
    return kind() == Kind::Add ? out + ")" : out;
  }
  default: {
    std::string out = std::string(kindName(kind())) + "(";
    for (size_t i = 0; i < operands().size(); ++i)
      out += (i ? ", " : "") + operands()[i].str();
    return out + ")";
  }
  }
}

std::vector<std::string> SymExpr::symbols() const {
  std::set<std::string> names;
  std::vector<SymExpr> work{*this};
  while (!work.empty()) { // iterative: depth never depends on input nesting here
    SymExpr e = work.back();
    work.pop_back();
    if (e.kind() == Kind::Symbol)
      names.insert(e.symbolName());
    for (const SymExpr &op : e.operands())
      work.push_back(op);
  }
  return {names.begin(), names.end()};
}

llvm::Expected<int64_t> SymExpr::evaluate(const std::map<std::string, int64_t> &bindings) const {
  switch (kind()) {
  case Kind::Constant:
    return constant();
  case Kind::Symbol: {
    auto it = bindings.find(symbolName());
    if (it == bindings.end())
      return symError("symbol '" + symbolName() + "' has no value");
    return it->second;
  }
  default: {
    std::vector<int64_t> values;
    for (const SymExpr &op : operands()) {
      llvm::Expected<int64_t> v = op.evaluate(bindings);
      if (!v)
        return v.takeError();
      values.push_back(*v);
    }
    if (std::optional<int64_t> folded = fold(kind(), values))
      return *folded;
    return symError("integer overflow or division by zero evaluating " + str());
  }
  }
}

// ---- sympy srepr parser ------------------------------------------------------------

namespace {
// Recursive descent with an explicit depth cap, so hostile nesting cannot exhaust the stack.
class SympyParser {
public:
  explicit SympyParser(llvm::StringRef text) : text_(text) {}

  llvm::Expected<SymExpr> parseAll() {
    llvm::Expected<SymExpr> e = parseExpr(0);
    if (!e)
      return e.takeError();
    skipSpace();
    if (pos_ != text_.size())
      return error("unexpected trailing text");
    return e;
  }

private:
  static constexpr int kMaxDepth = 64;
  llvm::StringRef text_;
  size_t pos_ = 0;

  llvm::Error error(const llvm::Twine &what) {
    return symError("bad symbolic size '" + text_ + "' at offset " + llvm::Twine(pos_) + ": " +
                    what);
  }
  void skipSpace() {
    while (pos_ < text_.size() && text_[pos_] == ' ')
      ++pos_;
  }
  bool consume(char c) {
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  llvm::StringRef identifier() {
    skipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && (llvm::isAlnum(text_[pos_]) || text_[pos_] == '_'))
      ++pos_;
    return text_.slice(start, pos_);
  }

  llvm::Expected<int64_t> integerLiteral() {
    skipSpace();
    size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-')
      ++pos_;
    while (pos_ < text_.size() && llvm::isDigit(text_[pos_]))
      ++pos_;
    int64_t value = 0;
    if (text_.slice(start, pos_).getAsInteger(10, value))
      return error("expected an integer that fits in 64 bits");
    return value;
  }

  llvm::Expected<SymExpr> parseExpr(int depth) {
    if (depth > kMaxDepth)
      return error("nested too deeply");
    llvm::StringRef head = identifier();
    if (head.empty())
      return error("expected Symbol, Integer, Add, Mul, FloorDiv, Mod, Pow, Max or Min");
    if (!consume('('))
      return error("expected '(' after " + head);
    if (head == "Integer") {
      llvm::Expected<int64_t> v = integerLiteral();
      if (!v)
        return v.takeError();
      if (!consume(')'))
        return error("expected ')'");
      return SymExpr(*v);
    }
    if (head == "Symbol")
      return parseSymbolBody();
    std::optional<SymExpr::Kind> kind;
    if (head == "Add")
      kind = SymExpr::Kind::Add;
    else if (head == "Mul")
      kind = SymExpr::Kind::Mul;
    else if (head == "FloorDiv")
      kind = SymExpr::Kind::FloorDiv;
    else if (head == "Mod" || head == "PythonMod")
      kind = SymExpr::Kind::Mod;
    else if (head == "Pow")
      kind = SymExpr::Kind::Pow;
    else if (head == "Max")
      kind = SymExpr::Kind::Max;
    else if (head == "Min")
      kind = SymExpr::Kind::Min;
    if (!kind)
      return error("unsupported sympy function '" + head + "'");
    std::vector<SymExpr> operands;
    do {
      llvm::Expected<SymExpr> op = parseExpr(depth + 1);
      if (!op)
        return op.takeError();
      operands.push_back(std::move(*op));
    } while (consume(','));
    if (!consume(')'))
      return error("expected ')'");
    llvm::Expected<SymExpr> result = SymExpr::apply(*kind, std::move(operands));
    if (!result)
      return error(llvm::toString(result.takeError()));
    return result;
  }

  // Symbol('s70', positive=True, integer=True): the name, then assumptions we ignore.
  llvm::Expected<SymExpr> parseSymbolBody() {
    if (!consume('\''))
      return error("expected a quoted symbol name");
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '\'')
      ++pos_;
    if (pos_ >= text_.size())
      return error("unterminated symbol name");
    std::string name = text_.slice(start, pos_).str();
    ++pos_;
    if (name.empty() || !llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
      return error("symbol names are letters, digits and '_'");
    while (consume(',')) {
      llvm::StringRef key = identifier();
      if (key.empty() || !consume('='))
        return error("expected an assumption such as integer=True");
      llvm::StringRef value = identifier();
      if (value != "True" && value != "False")
        return error("expected True or False");
    }
    if (!consume(')'))
      return error("expected ')'");
    return SymExpr::symbol(std::move(name));
  }
};
} // namespace

llvm::Expected<SymExpr> parseSympy(llvm::StringRef text) { return SympyParser(text).parseAll(); }

} // namespace vkqc
