#include "compiler/ir/Parser.h"

#include "compiler/ir/Lexer.h"
#include "compiler/ir/OneLineError.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace vkqc {

namespace {

// A value named before it is made: a graph input or a node result.
struct ValueDecl {
  std::string name;
  TextLoc loc;
  bool isTensor = true;
  DType dtype = DType::Float32;
  Dims shape;
  SymExpr symValue;
};

class VkirParser {
public:
  VkirParser(llvm::StringRef text, llvm::StringRef bufferName, const ParseOptions &options)
      : text_(text), bufferName_(bufferName), options_(options), lexer_(text, options.firstLine) {}

  llvm::Expected<std::unique_ptr<Graph>> parse() {
    g_ = std::make_unique<Graph>();
    readHeader();
    advance();
    while (cur_.isWord("symbol") || cur_.isWord("storage"))
      if (auto err = cur_.isWord("symbol") ? parseSymbol() : parseStorage())
        return err;
    if (auto err = parseGraphBody())
      return err;
    if (cur_.isWord("graph"))
      return errorAt(cur_.loc, "a second graph: a text holds one (--split-input-file reads graphs "
                               "separated by '// -----' lines)");
    if (cur_.kind != Token::Kind::End)
      return unexpected("the end of the text after the graph");
    return std::move(g_);
  }

private:
  static constexpr int kMaxExprDepth = 64;

  llvm::StringRef text_;
  std::string bufferName_;
  const ParseOptions &options_;
  Lexer lexer_;
  Token cur_;
  std::unique_ptr<Graph> g_;
  std::set<std::string> nodeNames_;
  std::map<std::string, const OpSchema *> schemas_;

  // ---- errors and tokens
  // ------------------------------------------------------------------

  llvm::Error errorAt(TextLoc at, const llvm::Twine &what) const {
    return oneLineError(bufferName_ + ":" + llvm::Twine(at.line) + ":" + llvm::Twine(at.column),
                        what);
  }

  static std::string describe(const Token &t) {
    switch (t.kind) {
    case Token::Kind::End:
      return "the end of the text";
    case Token::Kind::ValueName:
      return "%" + t.text;
    case Token::Kind::StorageRef:
      return "#" + t.text;
    case Token::Kind::AtName:
      return "@" + t.text;
    case Token::Kind::String:
      return "a string";
    default:
      return "'" + t.text + "'";
    }
  }

  // "expected X, got Y" at the current token (or the lexer's own complaint).
  llvm::Error unexpected(const llvm::Twine &expected) const {
    if (cur_.kind == Token::Kind::Error)
      return errorAt(cur_.loc, cur_.text);
    return errorAt(cur_.loc, "expected " + expected + ", got " + describe(cur_));
  }

  void advance() { cur_ = lexer_.next(); }

  llvm::Error expectPunct(char c) {
    if (!cur_.isPunct(c))
      return unexpected(llvm::Twine("'") + llvm::Twine(c) + "'");
    advance();
    return llvm::Error::success();
  }

  llvm::Error expectWord(llvm::StringRef word) {
    if (!cur_.isWord(word))
      return unexpected("'" + word + "'");
    advance();
    return llvm::Error::success();
  }

  llvm::Expected<int64_t> integer(const Token &t) const {
    int64_t value = 0;
    if (t.kind != Token::Kind::Integer || llvm::StringRef(t.text).getAsInteger(10, value))
      return errorAt(t.loc, "the integer " + t.text + " does not fit in 64 bits");
    return value;
  }

  // An integer token, consumed.
  llvm::Expected<int64_t> takeInteger(const llvm::Twine &what) {
    if (cur_.kind != Token::Kind::Integer)
      return unexpected(what);
    llvm::Expected<int64_t> v = integer(cur_);
    if (v)
      advance();
    return v;
  }

  llvm::Expected<double> floating(const Token &t) const {
    double value = 0;
    if (llvm::StringRef(t.text).getAsDouble(value) ||
        (std::isinf(value) && !llvm::StringRef(t.text).contains("inf")))
      return errorAt(t.loc, "the number " + t.text + " is not a double");
    return value;
  }

  // ---- header, symbols, storages
  // ----------------------------------------------------------

  // `// vkqc IR of <source> (export schema <v>, torch <v>)` among the leading
  // comments.
  void readHeader() {
    static constexpr llvm::StringLiteral kPrefix = "// vkqc IR of ";
    static constexpr llvm::StringLiteral kSchema = " (export schema ";
    llvm::StringRef rest = text_;
    while (!rest.empty()) {
      llvm::StringRef line;
      std::tie(line, rest) = rest.split('\n');
      line = line.rtrim("\r").ltrim(" \t");
      if (line.empty())
        continue;
      if (!line.startswith("//"))
        break;
      if (!line.consume_front(kPrefix))
        continue;
      size_t schema = line.rfind(kSchema);
      size_t torch = line.rfind(", torch ");
      if (line.endswith(")") && schema != llvm::StringRef::npos && torch != llvm::StringRef::npos &&
          torch > schema) {
        g_->info.sourceName = line.take_front(schema).str();
        g_->info.schemaVersion = line.slice(schema + kSchema.size(), torch).str();
        g_->info.torchVersion = line.slice(torch + 8, line.size() - 1).str();
      } else {
        g_->info.sourceName = line.str();
      }
      return;
    }
    g_->info.sourceName = llvm::sys::path::filename(bufferName_).str();
  }

  // symbol s70 in [2, 64]   (`inf`: unbounded)
  llvm::Error parseSymbol() {
    TextLoc at = cur_.loc;
    advance();
    if (cur_.kind != Token::Kind::Identifier ||
        !llvm::all_of(cur_.text, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
      return unexpected("a symbol name");
    std::string name = cur_.text;
    advance();
    if (auto err = expectWord("in"))
      return err;
    if (auto err = expectPunct('['))
      return err;
    SymbolRange range;
    for (std::optional<int64_t> *bound : {&range.min, &range.max}) {
      if (bound == &range.max)
        if (auto err = expectPunct(','))
          return err;
      if (cur_.kind == Token::Kind::Float && cur_.text == "inf") {
        advance();
        continue;
      }
      llvm::Expected<int64_t> v = takeInteger("an integer or inf");
      if (!v)
        return v.takeError();
      *bound = *v;
    }
    if (auto err = expectPunct(']'))
      return err;
    if (range.min && range.max && *range.min > *range.max)
      return errorAt(at, "symbol " + name + " has an empty range");
    if (g_->symbols().count(name))
      return errorAt(at, "symbol " + name + " is declared twice");
    g_->setSymbol(name, range);
    return llvm::Error::success();
  }

  // storage #N "<origin>" <size> B (xxh64=<16 hex digits> | dense<0x<hex>>)
  llvm::Error parseStorage() {
    TextLoc at = cur_.loc;
    advance();
    if (cur_.kind != Token::Kind::StorageRef)
      return unexpected("a storage number (#N)");
    size_t expectedId = g_->constants.storages().size();
    if (cur_.text != std::to_string(expectedId))
      return errorAt(cur_.loc, "storage #" + cur_.text +
                                   " is out of order: storages are numbered from #0 "
                                   "in order, the next one is #" +
                                   llvm::Twine(expectedId));
    std::string what = "storage #" + cur_.text;
    advance();
    if (cur_.kind != Token::Kind::String)
      return unexpected("the storage's origin, in quotes");
    std::string origin = cur_.text;
    advance();
    llvm::Expected<int64_t> size = takeInteger("the storage's size in bytes");
    if (!size)
      return size.takeError();
    if (*size < 0)
      return errorAt(at, what + " has a negative size");
    if (auto err = expectWord("B"))
      return err;

    if (cur_.isWord("dense")) {
      advance();
      if (!cur_.isPunct('<'))
        return unexpected("'<'");
      TextLoc hexAt = lexer_.loc();
      if (!lexer_.takeLiteral("0x"))
        return errorAt(hexAt, "expected 0x and the bytes in hex after dense<");
      llvm::StringRef hex = lexer_.takeWhile(llvm::isHexDigit);
      advance();
      if (auto err = expectPunct('>'))
        return err;
      if (hex.size() != 2 * static_cast<uint64_t>(*size))
        return errorAt(hexAt, what + " is " + llvm::Twine(*size) + " B, dense<...> holds " +
                                  llvm::Twine(hex.size() / 2) + (hex.size() % 2 ? ".5" : "") +
                                  " B");
      std::string bytes = llvm::fromHex(hex);
      g_->constants.addOwned(origin, std::vector<uint8_t>(bytes.begin(), bytes.end()));
      return llvm::Error::success();
    }
    if (cur_.isWord("unavailable"))
      return errorAt(cur_.loc, what + " \"" + origin +
                                   "\" holds no bytes: they could not be read when the "
                                   "text was printed");
    if (!cur_.isWord("xxh64"))
      return unexpected("xxh64=<checksum> or dense<0x...>");
    advance();
    if (!cur_.isPunct('='))
      return unexpected("'='");
    TextLoc hexAt = lexer_.loc();
    llvm::StringRef hex = lexer_.takeWhile(llvm::isHexDigit);
    uint64_t checksum = 0;
    if (hex.size() != 16 || hex.getAsInteger(16, checksum))
      return errorAt(hexAt, "expected 16 hex digits of xxh64 after xxh64=");
    advance();

    llvm::Expected<llvm::ArrayRef<uint8_t>> bytes =
        resolveStorage(what, origin, static_cast<uint64_t>(*size));
    if (!bytes)
      return errorAt(at, llvm::toString(bytes.takeError()));
    if (bytes->size() != static_cast<uint64_t>(*size))
      return errorAt(at, what + " \"" + origin + "\" is " + llvm::Twine(*size) +
                             " B in the text, " + llvm::Twine(bytes->size()) + " B in fact");
    uint64_t actual = llvm::xxHash64(llvm::toStringRef(*bytes));
    if (actual != checksum)
      return errorAt(at, what + " \"" + origin +
                             "\" does not hold the bytes the text names: xxh64=" +
                             fmt::format("{:016x}", actual) + ", the text says " + hex.str());
    return llvm::Error::success();
  }

  // The bytes of a storage the text names: a layout derived from an earlier
  // storage
  // (`<source origin>@<tag>`), or an archive entry. Registers the storage.
  llvm::Expected<llvm::ArrayRef<uint8_t>> resolveStorage(const std::string &what,
                                                         const std::string &origin, uint64_t size) {
    const Storage *source = nullptr;
    for (const auto &s : g_->constants.storages())
      if (llvm::StringRef(origin).startswith(s->origin + "@") &&
          (!source || s->origin.size() > source->origin.size()))
        source = s.get();
    StorageResolver *resolver = options_.storages;
    if (source) {
      std::string tag = origin.substr(source->origin.size() + 1);
      if (!resolver)
        return oneLineError(what, "is derived from storage #" + llvm::Twine(source->id) +
                                      "; nothing was given to make it again");
      if (g_->constants.findDerived(source, tag))
        return oneLineError(what,
                            "repeats layout " + tag + " of storage #" + llvm::Twine(source->id));
      llvm::Expected<DerivedLayout> layout = resolver->derivedLayout(*source, tag, size);
      if (!layout)
        return oneLineError(what + " \"" + origin + "\"",
                            "cannot be made again: " + llvm::toString(layout.takeError()));
      Storage *s =
          g_->constants.addDerived(source, tag, layout->kind, size, std::move(layout->producer));
      return s->data();
    }
    if (!resolver)
      return oneLineError(what, "names archive entry \"" + origin + "\", and no archive was given");
    llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = resolver->archiveEntry(origin);
    if (!bytes)
      return oneLineError(what, llvm::toString(bytes.takeError()));
    g_->constants.addView(origin, *bytes);
    return bytes;
  }

  // ---- types and sizes
  // ----------------------------------------------------------------------

  // `s70`, `64*s70`, `(s70 + 1)`, `floordiv(s70, 2)`: SymExpr::str()'s form.
  llvm::Expected<SymExpr> parseExpr(int depth) {
    if (depth > kMaxExprDepth)
      return errorAt(cur_.loc, "symbolic size nested too deeply");
    std::vector<SymExpr> terms;
    TextLoc at = cur_.loc;
    do {
      llvm::Expected<SymExpr> t = parseProduct(depth);
      if (!t)
        return t.takeError();
      terms.push_back(std::move(*t));
    } while (cur_.isPunct('+') && (advance(), true));
    return fold(at, SymExpr::Kind::Add, std::move(terms));
  }

  llvm::Expected<SymExpr> parseProduct(int depth) {
    std::vector<SymExpr> factors;
    TextLoc at = cur_.loc;
    do {
      llvm::Expected<SymExpr> f = parseAtom(depth);
      if (!f)
        return f.takeError();
      factors.push_back(std::move(*f));
    } while (cur_.isPunct('*') && (advance(), true));
    return fold(at, SymExpr::Kind::Mul, std::move(factors));
  }

  llvm::Expected<SymExpr> fold(TextLoc at, SymExpr::Kind kind, std::vector<SymExpr> operands) {
    if (operands.size() == 1)
      return std::move(operands[0]);
    llvm::Expected<SymExpr> e = SymExpr::apply(kind, std::move(operands));
    if (!e)
      return errorAt(at, llvm::toString(e.takeError()));
    return e;
  }

  llvm::Expected<SymExpr> parseAtom(int depth) {
    TextLoc at = cur_.loc;
    if (cur_.kind == Token::Kind::Integer) {
      llvm::Expected<int64_t> v = takeInteger("an integer");
      if (!v)
        return v.takeError();
      return SymExpr(*v);
    }
    if (cur_.isPunct('(')) {
      advance();
      llvm::Expected<SymExpr> e = parseExpr(depth + 1);
      if (!e)
        return e.takeError();
      if (auto err = expectPunct(')'))
        return err;
      return e;
    }
    if (cur_.kind != Token::Kind::Identifier)
      return unexpected("a size: an integer, a symbol or (...)");
    std::string word = cur_.text;
    advance();
    static const std::map<std::string, SymExpr::Kind> kFunctions = {
        {"floordiv", SymExpr::Kind::FloorDiv},
        {"mod", SymExpr::Kind::Mod},
        {"pow", SymExpr::Kind::Pow},
        {"max", SymExpr::Kind::Max},
        {"min", SymExpr::Kind::Min}};
    auto fn = kFunctions.find(word);
    if (fn != kFunctions.end() && cur_.isPunct('(')) {
      advance();
      std::vector<SymExpr> operands;
      do {
        llvm::Expected<SymExpr> e = parseExpr(depth + 1);
        if (!e)
          return e.takeError();
        operands.push_back(std::move(*e));
      } while (cur_.isPunct(',') && (advance(), true));
      if (auto err = expectPunct(')'))
        return err;
      llvm::Expected<SymExpr> e = SymExpr::apply(fn->second, std::move(operands));
      if (!e)
        return errorAt(at, word + ": " + llvm::toString(e.takeError()));
      return e;
    }
    if (!g_->symbols().count(word))
      return errorAt(at, "undeclared symbol '" + word + "' (declare it: symbol " + word +
                             " in [min, max])");
    return SymExpr::symbol(word);
  }

  // f32[1, s70, 128] or sym(s70)
  llvm::Error parseType(ValueDecl &d) {
    if (cur_.kind != Token::Kind::Identifier)
      return unexpected("a type (f32[...] or sym(...))");
    if (cur_.text == "sym") {
      advance();
      if (auto err = expectPunct('('))
        return err;
      llvm::Expected<SymExpr> e = parseExpr(0);
      if (!e)
        return e.takeError();
      d.isTensor = false;
      d.symValue = std::move(*e);
      return expectPunct(')');
    }
    std::optional<DType> dtype = dtypeFromName(cur_.text);
    if (!dtype)
      return errorAt(cur_.loc, "unknown dtype '" + cur_.text +
                                   "' (bool, u8, i8, i16, i32, i64, f16, f32, f64, bf16)");
    d.dtype = *dtype;
    advance();
    if (auto err = expectPunct('['))
      return err;
    while (!cur_.isPunct(']')) {
      if (!d.shape.empty())
        if (auto err = expectPunct(','))
          return err;
      TextLoc at = cur_.loc;
      llvm::Expected<SymExpr> dim = parseExpr(0);
      if (!dim)
        return dim.takeError();
      if (dim->isConstant() && dim->constant() < 0)
        return errorAt(at, "a size cannot be negative");
      d.shape.push_back(std::move(*dim));
    }
    advance();
    return llvm::Error::success();
  }

  // %name: <type>
  llvm::Expected<ValueDecl> parseValueDecl() {
    if (cur_.kind != Token::Kind::ValueName)
      return unexpected("a value (%name)");
    ValueDecl d;
    d.name = cur_.text;
    d.loc = cur_.loc;
    advance();
    if (auto err = expectPunct(':'))
      return err;
    if (auto err = parseType(d))
      return err;
    return d;
  }

  llvm::Expected<Value *> define(const ValueDecl &d) {
    if (g_->findValue(d.name))
      return errorAt(d.loc, "value %" + d.name + " is defined twice");
    Value *v = g_->createValue(d.name);
    v->kind = d.isTensor ? Value::Kind::Tensor : Value::Kind::SymInt;
    v->dtype = d.dtype;
    v->shape = d.shape;
    v->symValue = d.symValue;
    return v;
  }

  // A %name read by a node or the return: defined earlier.
  llvm::Expected<Value *> use(const Token &t) const {
    Value *v = g_->findValue(t.text);
    if (!v)
      return errorAt(t.loc,
                     "undefined value %" + t.text + " (values are defined before they are used)");
    return v;
  }

  // ---- the graph
  // ----------------------------------------------------------------------------

  llvm::Error parseGraphBody() {
    if (auto err = expectWord("graph"))
      return err;
    if (cur_.kind != Token::Kind::AtName || cur_.text != "forward")
      return unexpected("@forward");
    advance();
    if (auto err = expectPunct('{'))
      return err;
    bool sawNode = false;
    while (!cur_.isWord("return")) {
      std::vector<ValueDecl> results;
      TextLoc at = cur_.loc;
      if (cur_.kind == Token::Kind::ValueName) {
        do {
          llvm::Expected<ValueDecl> d = parseValueDecl();
          if (!d)
            return d.takeError();
          results.push_back(std::move(*d));
        } while (cur_.isPunct(',') && (advance(), true));
        if (auto err = expectPunct('='))
          return err;
        static const std::map<std::string, InputKind> kInputKinds = {
            {"input", InputKind::User},
            {"param", InputKind::Parameter},
            {"buffer", InputKind::Buffer},
            {"constant", InputKind::Constant}};
        auto kind = kInputKinds.find(cur_.kind == Token::Kind::Identifier ? cur_.text : "");
        if (kind != kInputKinds.end()) {
          if (sawNode)
            return errorAt(at, "graph inputs come before the nodes");
          if (results.size() != 1)
            return errorAt(at, "an input defines one value");
          advance();
          if (auto err = parseInput(results[0], kind->second))
            return err;
          continue;
        }
      } else if (cur_.kind != Token::Kind::Identifier) {
        return unexpected("an input, a node or 'return'");
      }
      sawNode = true;
      if (auto err = parseNode(at, results))
        return err;
    }
    advance();
    while (!cur_.isPunct('}')) {
      if (!g_->outputs().empty())
        if (auto err = expectPunct(','))
          return err;
      if (cur_.kind != Token::Kind::ValueName)
        return unexpected("a returned value or '}'");
      llvm::Expected<Value *> v = use(cur_);
      if (!v)
        return v.takeError();
      g_->addOutput(*v);
      advance();
    }
    advance();
    return llvm::Error::success();
  }

  // `input`, or `param|buffer|constant "<state name>" storage #N +<byte
  // offset>`
  llvm::Error parseInput(const ValueDecl &d, InputKind kind) {
    ConstantTensor c;
    std::string stateName;
    if (kind != InputKind::User) {
      if (!d.isTensor)
        return errorAt(d.loc, "a constant is a tensor");
      if (cur_.kind != Token::Kind::String)
        return unexpected("the constant's name, in quotes");
      stateName = cur_.text;
      advance();
      if (auto err = expectWord("storage"))
        return err;
      if (cur_.kind != Token::Kind::StorageRef)
        return unexpected("a storage number (#N)");
      unsigned id = 0;
      if (llvm::StringRef(cur_.text).getAsInteger(10, id) || id >= g_->constants.storages().size())
        return errorAt(cur_.loc, "no storage #" + cur_.text);
      c.storage = g_->constants.storages()[id].get();
      advance();
      if (auto err = expectPunct('+'))
        return err;
      llvm::Expected<int64_t> offset = takeInteger("the byte offset into the storage");
      if (!offset)
        return offset.takeError();
      c.dtype = d.dtype;
      uint64_t bytes = dtypeSize(d.dtype);
      for (const SymExpr &dim : d.shape) {
        if (!dim.isConstant())
          return errorAt(d.loc, "a constant has a static shape, not " + dim.str());
        c.shape.push_back(dim.constant());
        if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim.constant()), &bytes))
          return errorAt(d.loc, "the constant's size overflows");
      }
      c.byteOffset = static_cast<uint64_t>(*offset);
      if (*offset < 0 || c.byteOffset > c.storage->size() ||
          bytes > c.storage->size() - c.byteOffset)
        return errorAt(d.loc, "%" + d.name + " (" + llvm::Twine(bytes) + " B at +" +
                                  llvm::Twine(*offset) + ") runs past the end of storage #" +
                                  llvm::Twine(id) + " (" + llvm::Twine(c.storage->size()) + " B)");
      if (c.byteOffset % dtypeSize(d.dtype) != 0) // the importer's offsets count elements
        return errorAt(d.loc, "%" + d.name + " starts at +" + llvm::Twine(*offset) +
                                  ", not at a multiple of its element size");
    }
    llvm::Expected<Value *> v = define(d);
    if (!v)
      return v.takeError();
    (*v)->inputKind = kind;
    (*v)->stateName = std::move(stateName);
    (*v)->constant = c;
    g_->addInput(*v);
    return llvm::Error::success();
  }

  // <target>(<name>=<value>, ...) [@vulkan|@cpu] [kernels=a,b]
  llvm::Error parseNode(TextLoc at, const std::vector<ValueDecl> &results) {
    if (cur_.kind != Token::Kind::Identifier)
      return unexpected("an op (aten.linear.default, ...)");
    std::string target = cur_.text;
    auto cached = schemas_.find(target);
    const OpSchema *schema =
        cached != schemas_.end() ? cached->second : (schemas_[target] = lookupOpSchema(target));
    if (!schema)
      return errorAt(cur_.loc, "unknown op '" + target + "' (`vkqc ops` lists them)");
    advance();
    if (auto err = expectPunct('('))
      return err;

    std::map<std::string, ArgValue> given;
    while (!cur_.isPunct(')')) {
      if (!given.empty())
        if (auto err = expectPunct(','))
          return err;
      if (cur_.kind != Token::Kind::Identifier)
        return unexpected("an argument name");
      TextLoc argAt = cur_.loc;
      const SchemaArg *sa = schema->arg(cur_.text);
      if (!sa)
        return errorAt(argAt, target + " has no argument '" + cur_.text + "'");
      if (given.count(sa->name))
        return errorAt(argAt, "argument '" + sa->name + "' is given twice");
      advance();
      if (auto err = expectPunct('='))
        return err;
      llvm::Expected<ArgValue> value = parseArgument(*sa, target);
      if (!value)
        return value.takeError();
      given.emplace(sa->name, std::move(*value));
    }
    TextLoc closeAt = cur_.loc;
    advance();

    auto node = std::make_unique<Node>();
    node->target = schema->target;
    node->schema = schema;
    std::vector<NamedArg> args;
    if (std::optional<std::string> missing = argumentsInSchemaOrder(*schema, given, args))
      return errorAt(closeAt,
                     "missing argument '" + *missing + "' of " + target + " (it has no default)");
    node->setArgs(std::move(args));
    // A Tensor[] return (split, chunk) is one result per element.
    bool tensorList = schema->returns.size() == 1 && schema->returns[0] == ReturnType::TensorList;
    if (!tensorList && results.size() != schema->returns.size())
      return errorAt(at, target + " returns " + llvm::Twine(schema->returns.size()) +
                             " value(s), the node defines " + llvm::Twine(results.size()));
    for (size_t i = 0; i < results.size(); ++i) {
      bool wantTensor = tensorList || schema->returns[i] == ReturnType::Tensor;
      if (results[i].isTensor != wantTensor)
        return errorAt(results[i].loc, "result %" + results[i].name + " of " + target + " is a " +
                                           (wantTensor ? "tensor" : "symbolic int (sym(...))"));
      llvm::Expected<Value *> v = define(results[i]);
      if (!v)
        return v.takeError();
      node->results.push_back(*v);
    }
    node->name = nodeName(*node);

    if (cur_.kind == Token::Kind::AtName) {
      if (cur_.text == "vulkan")
        node->placement = Placement::Vulkan;
      else if (cur_.text == "cpu")
        node->placement = Placement::Cpu;
      else
        return unexpected("@vulkan or @cpu");
      advance();
    }
    if (cur_.isWord("kernels")) {
      advance();
      if (auto err = expectPunct('='))
        return err;
      do {
        if (cur_.kind != Token::Kind::Identifier)
          return unexpected("a kernel name");
        node->kernels.push_back(cur_.text);
        advance();
      } while (cur_.isPunct(',') && (advance(), true));
    }
    g_->appendNode(std::move(node));
    return llvm::Error::success();
  }

  // After its first result; a node without results after its op
  // (`_assert_tensor_metadata_default`).
  std::string nodeName(const Node &n) {
    std::string name;
    if (!n.results.empty()) {
      name = n.results[0]->name;
    } else {
      std::string base = llvm::StringRef(n.target).split('.').second.str();
      std::replace(base.begin(), base.end(), '.', '_');
      name = base;
      for (int i = 1; nodeNames_.count(name) || g_->findValue(name); ++i)
        name = base + "_" + std::to_string(i);
    }
    nodeNames_.insert(name);
    return name;
  }

  // ---- argument values
  // ----------------------------------------------------------------------

  llvm::Error wrongKind(const SchemaArg &sa, llvm::StringRef target, const Token &t) const {
    if (t.kind == Token::Kind::Error)
      return errorAt(t.loc, t.text);
    return errorAt(t.loc, "argument '" + sa.name + "' of " + target + " takes " +
                              argTypeName(sa.type) + (sa.optional ? "?" : "") + ", not " +
                              describe(t));
  }

  // A %name of the right kind: a tensor, or a symbolic int where an integer
  // goes.
  llvm::Expected<Value *> useOfKind(const SchemaArg &sa, llvm::StringRef target, bool wantTensor) {
    llvm::Expected<Value *> v = use(cur_);
    if (!v)
      return v.takeError();
    if ((*v)->isTensor() != wantTensor)
      return errorAt(cur_.loc, "argument '" + sa.name + "' of " + target + " takes " +
                                   (wantTensor ? "a tensor" : "an integer") + "; %" + cur_.text +
                                   " is " + ((*v)->isTensor() ? "a tensor" : "a symbolic int"));
    advance();
    return v;
  }

  // [item, item, ...] with `item` reading one entry.
  template <typename T, typename Item> llvm::Expected<std::vector<T>> parseList(Item item) {
    if (auto err = expectPunct('['))
      return err;
    std::vector<T> out;
    while (!cur_.isPunct(']')) {
      if (!out.empty())
        if (auto err = expectPunct(','))
          return err;
      llvm::Expected<T> v = item();
      if (!v)
        return v.takeError();
      out.push_back(std::move(*v));
    }
    advance();
    return out;
  }

  // A number or bool where a Scalar (or a wrapped scalar Tensor) goes.
  bool atScalar() const {
    return cur_.kind == Token::Kind::Integer || cur_.kind == Token::Kind::Float ||
           cur_.isWord("true") || cur_.isWord("false");
  }
  llvm::Expected<ArgValue> scalar() {
    Token t = cur_;
    advance();
    if (t.kind == Token::Kind::Integer) {
      llvm::Expected<int64_t> i = integer(t);
      if (!i)
        return i.takeError();
      return ArgValue(*i);
    }
    if (t.kind == Token::Kind::Float) {
      llvm::Expected<double> d = floating(t);
      if (!d)
        return d.takeError();
      return ArgValue(*d);
    }
    return ArgValue(t.text == "true");
  }

  llvm::Expected<ArgValue> parseArgument(const SchemaArg &sa, llvm::StringRef target) {
    if (cur_.isWord("None")) {
      if (!sa.optional)
        return wrongKind(sa, target, cur_);
      advance();
      return ArgValue(NoneArg{});
    }
    switch (sa.type) {
    case ArgType::Tensor: {
      if (cur_.kind == Token::Kind::ValueName) {
        llvm::Expected<Value *> v = useOfKind(sa, target, true);
        if (!v)
          return v.takeError();
        return ArgValue(*v);
      }
      if (atScalar()) // a wrapped scalar
        return scalar();
      return wrongKind(sa, target, cur_);
    }
    case ArgType::TensorList:
    case ArgType::OptionalTensorList: {
      bool optionalEntries = sa.type == ArgType::OptionalTensorList;
      llvm::Expected<std::vector<Value *>> list =
          parseList<Value *>([&]() -> llvm::Expected<Value *> {
            if (optionalEntries && cur_.isWord("None")) {
              advance();
              return nullptr;
            }
            if (cur_.kind != Token::Kind::ValueName)
              return wrongKind(sa, target, cur_);
            return useOfKind(sa, target, true);
          });
      if (!list)
        return list.takeError();
      return ArgValue(TensorListArg{std::move(*list)});
    }
    case ArgType::Int: {
      if (cur_.kind == Token::Kind::ValueName) {
        llvm::Expected<Value *> v = useOfKind(sa, target, false);
        if (!v)
          return v.takeError();
        return ArgValue(SymIntArg{0, *v});
      }
      if (cur_.kind != Token::Kind::Integer)
        return wrongKind(sa, target, cur_);
      llvm::Expected<int64_t> i = takeInteger("an integer");
      if (!i)
        return i.takeError();
      return ArgValue(*i);
    }
    case ArgType::IntList: {
      llvm::Expected<IntList> list = parseList<SymIntArg>([&]() -> llvm::Expected<SymIntArg> {
        if (cur_.kind == Token::Kind::ValueName) {
          llvm::Expected<Value *> v = useOfKind(sa, target, false);
          if (!v)
            return v.takeError();
          return SymIntArg{0, *v};
        }
        if (cur_.kind != Token::Kind::Integer)
          return wrongKind(sa, target, cur_);
        llvm::Expected<int64_t> i = takeInteger("an integer");
        if (!i)
          return i.takeError();
        return SymIntArg{*i, nullptr};
      });
      if (!list)
        return list.takeError();
      return ArgValue(std::move(*list));
    }
    case ArgType::Float:
    case ArgType::Scalar: {
      // A Float slot holds a double, or an integer a pass wrote there; a Scalar
      // any number, a bool or a symbolic int.
      if (sa.type == ArgType::Scalar && cur_.kind == Token::Kind::ValueName) {
        llvm::Expected<Value *> v = useOfKind(sa, target, false);
        if (!v)
          return v.takeError();
        return ArgValue(SymIntArg{0, *v});
      }
      bool isBool = cur_.isWord("true") || cur_.isWord("false");
      if (sa.type == ArgType::Float && isBool)
        return wrongKind(sa, target, cur_);
      if (atScalar())
        return scalar();
      return wrongKind(sa, target, cur_);
    }
    case ArgType::FloatList: {
      llvm::Expected<std::vector<double>> list = parseList<double>([&]() -> llvm::Expected<double> {
        if (cur_.kind != Token::Kind::Float && cur_.kind != Token::Kind::Integer)
          return wrongKind(sa, target, cur_);
        Token t = cur_;
        advance();
        if (t.kind == Token::Kind::Float)
          return floating(t);
        llvm::Expected<int64_t> i = integer(t);
        if (!i)
          return i.takeError();
        return static_cast<double>(*i);
      });
      if (!list)
        return list.takeError();
      return ArgValue(std::move(*list));
    }
    case ArgType::Bool:
      if (!cur_.isWord("true") && !cur_.isWord("false"))
        return wrongKind(sa, target, cur_);
      return ArgValue(takeBool());
    case ArgType::BoolList: {
      llvm::Expected<std::vector<bool>> list = parseList<bool>([&]() -> llvm::Expected<bool> {
        if (!cur_.isWord("true") && !cur_.isWord("false"))
          return wrongKind(sa, target, cur_);
        return takeBool();
      });
      if (!list)
        return list.takeError();
      return ArgValue(std::move(*list));
    }
    case ArgType::String: {
      if (cur_.kind != Token::Kind::String)
        return wrongKind(sa, target, cur_);
      std::string s = cur_.text;
      advance();
      return ArgValue(std::move(s));
    }
    case ArgType::ScalarType: {
      std::optional<DType> d =
          cur_.kind == Token::Kind::Identifier ? dtypeFromName(cur_.text) : std::nullopt;
      if (!d)
        return wrongKind(sa, target, cur_);
      advance();
      return ArgValue(*d);
    }
    case ArgType::Device:
      return parseDevice(sa, target);
    case ArgType::Layout:
    case ArgType::MemoryFormat:
      return parseLayoutOrMemoryFormat(sa, target);
    }
    return wrongKind(sa, target, cur_);
  }

  bool takeBool() {
    bool b = cur_.text == "true";
    advance();
    return b;
  }

  // device(cpu), device(cuda:0)
  llvm::Expected<ArgValue> parseDevice(const SchemaArg &sa, llvm::StringRef target) {
    if (!cur_.isWord("device"))
      return wrongKind(sa, target, cur_);
    advance();
    if (auto err = expectPunct('('))
      return err;
    if (cur_.kind != Token::Kind::Identifier)
      return unexpected("a device type (cpu, cuda, ...)");
    DeviceArg d{cur_.text, std::nullopt};
    advance();
    if (cur_.isPunct(':')) {
      advance();
      llvm::Expected<int64_t> index = takeInteger("a device index");
      if (!index)
        return index.takeError();
      d.index = *index;
    }
    if (auto err = expectPunct(')'))
      return err;
    return ArgValue(d);
  }

  // strided, layout(N); contiguous_format, channels_last, channels_last_3d,
  // preserve_format, memory_format(N): the export's serde codes.
  llvm::Expected<ArgValue> parseLayoutOrMemoryFormat(const SchemaArg &sa, llvm::StringRef target) {
    bool layout = sa.type == ArgType::Layout;
    static const std::map<std::string, int64_t> kLayouts = {{"strided", 7}};
    static const std::map<std::string, int64_t> kMemoryFormats = {{"contiguous_format", 1},
                                                                  {"channels_last", 2},
                                                                  {"channels_last_3d", 3},
                                                                  {"preserve_format", 4}};
    const std::map<std::string, int64_t> &names = layout ? kLayouts : kMemoryFormats;
    if (cur_.kind != Token::Kind::Identifier)
      return wrongKind(sa, target, cur_);
    int64_t code = 0;
    if (auto it = names.find(cur_.text); it != names.end()) {
      code = it->second;
      advance();
    } else if (cur_.text == (layout ? "layout" : "memory_format")) {
      advance();
      if (auto err = expectPunct('('))
        return err;
      llvm::Expected<int64_t> c = takeInteger("a code");
      if (!c)
        return c.takeError();
      code = *c;
      if (auto err = expectPunct(')'))
        return err;
    } else {
      return wrongKind(sa, target, cur_);
    }
    return layout ? ArgValue(LayoutArg{code}) : ArgValue(MemoryFormatArg{code});
  }
};

} // namespace

llvm::Expected<std::unique_ptr<Graph>> parseGraph(llvm::StringRef text, llvm::StringRef bufferName,
                                                  const ParseOptions &options) {
  return VkirParser(text, bufferName, options).parse();
}

} // namespace vkqc
