#include "compiler/ir/Printer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/xxhash.h"

#include <fmt/format.h>

namespace vkqc {

namespace {
std::string quoted(llvm::StringRef s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  return out + "\"";
}

bool isPlainValueName(llvm::StringRef name) {
  return !name.empty() && llvm::all_of(name, [](char c) {
    return llvm::isAlnum(c) || c == '_' || c == '.' || c == '$';
  });
}

std::string symIntToString(const SymIntArg &s) {
  return s.symbol ? valueRef(*s.symbol) : std::to_string(s.literal);
}

// The shortest text that reads back as the same double, and as a float: `2.0`, not `2`
// (the parser tells a float from an int by its text, as a Scalar argument may be either).
std::string doubleToString(double d) {
  std::string text = fmt::format("{}", d);
  if (text.find_first_of(".en") == std::string::npos) // not 1e-06, inf, nan
    text += ".0";
  return text;
}

std::string memoryFormatName(int64_t code) {
  switch (code) {
  case 1:
    return "contiguous_format";
  case 2:
    return "channels_last";
  case 3:
    return "channels_last_3d";
  case 4:
    return "preserve_format";
  default:
    return fmt::format("memory_format({})", code);
  }
}

template <typename T, typename Fn> std::string listToString(const std::vector<T> &items, Fn fn) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + fn(items[i]);
  return out + "]";
}

struct ArgPrinter {
  std::string operator()(const NoneArg &) const { return "None"; }
  std::string operator()(bool b) const { return b ? "true" : "false"; }
  std::string operator()(int64_t i) const { return std::to_string(i); }
  std::string operator()(double d) const { return doubleToString(d); }
  std::string operator()(const std::string &s) const { return quoted(s); }
  std::string operator()(DType t) const { return std::string(dtypeName(t)); }
  std::string operator()(Value *v) const { return valueRef(*v); }
  std::string operator()(const TensorListArg &l) const {
    return listToString(l.tensors, [](Value *v) { return v ? valueRef(*v) : std::string("None"); });
  }
  std::string operator()(const IntList &l) const { return listToString(l, symIntToString); }
  std::string operator()(const std::vector<double> &l) const {
    return listToString(l, doubleToString);
  }
  std::string operator()(const std::vector<bool> &l) const {
    return listToString(l, [](bool b) { return std::string(b ? "true" : "false"); });
  }
  std::string operator()(const SymIntArg &s) const { return symIntToString(s); }
  std::string operator()(const DeviceArg &d) const {
    return d.index ? fmt::format("device({}:{})", d.type, *d.index) : "device(" + d.type + ")";
  }
  std::string operator()(const LayoutArg &l) const {
    return l.code == 7 ? std::string("strided") : fmt::format("layout({})", l.code);
  }
  std::string operator()(const MemoryFormatArg &m) const { return memoryFormatName(m.code); }
};
} // namespace

std::string argToString(const ArgValue &v) { return std::visit(ArgPrinter{}, v); }

std::string valueRef(const Value &v) {
  return "%" + (isPlainValueName(v.name) ? v.name : quoted(v.name));
}

std::string typeToString(const Value &v) {
  if (!v.isTensor())
    return "sym(" + v.symValue.str() + ")";
  std::string out = std::string(dtypeName(v.dtype)) + "[";
  for (size_t i = 0; i < v.shape.size(); ++i)
    out += (i ? ", " : "") + v.shape[i].str();
  return out + "]";
}

void printGraph(const Graph &g, llvm::raw_ostream &os) {
  os << "// vkqc IR of " << g.info.sourceName;
  if (!g.info.schemaVersion.empty() || !g.info.torchVersion.empty()) // not hand-written
    os << " (export schema " << g.info.schemaVersion << ", torch " << g.info.torchVersion << ")";
  os << "\n";
  for (const auto &[name, range] : g.symbols()) {
    auto bound = [](std::optional<int64_t> b) {
      return b ? std::to_string(*b) : std::string("inf");
    };
    os << "symbol " << name << " in [" << bound(range.min) << ", " << bound(range.max) << "]\n";
  }
  for (const auto &s : g.constants.storages()) {
    llvm::Expected<llvm::ArrayRef<uint8_t>> bytes = s->data();
    std::string contents;
    if (!bytes)
      contents = "unavailable (" + llvm::toString(bytes.takeError()) + ")";
    else if (s->isOwned() && bytes->size() <= kMaxInlineStorageBytes)
      contents = "dense<0x" + llvm::toHex(*bytes, /*LowerCase=*/true) + ">";
    else
      contents = fmt::format("xxh64={:016x}", llvm::xxHash64(llvm::toStringRef(*bytes)));
    os << fmt::format("storage #{} {} {} B {}\n", s->id, quoted(s->origin), s->size(), contents);
  }
  os << "graph @forward {\n";
  for (const Value *in : g.inputs()) {
    os << "  " << valueRef(*in) << ": " << typeToString(*in) << " = "
       << inputKindName(*in->inputKind);
    if (in->isConstant())
      os << " " << quoted(in->stateName) << " storage #" << in->constant.storage->id << " +"
         << in->constant.byteOffset;
    os << "\n";
  }
  for (const auto &n : g.nodes()) {
    os << "  ";
    for (size_t i = 0; i < n->results.size(); ++i)
      os << (i ? ", " : "") << valueRef(*n->results[i]) << ": " << typeToString(*n->results[i]);
    os << (n->results.empty() ? "" : " = ") << n->target << "(";
    for (size_t i = 0; i < n->args().size(); ++i)
      os << (i ? ", " : "") << n->args()[i].name << "=" << argToString(n->args()[i].value);
    os << ")";
    if (n->placement != Placement::Unassigned)
      os << (n->placement == Placement::Vulkan ? " @vulkan" : " @cpu");
    if (!n->kernels.empty())
      os << " kernels=" << llvm::join(n->kernels, ",");
    os << "\n";
  }
  os << "  return";
  for (size_t i = 0; i < g.outputs().size(); ++i)
    os << (i ? ", " : " ") << valueRef(*g.outputs()[i]);
  os << "\n}\n";
}

std::string graphToString(const Graph &g) {
  std::string text;
  llvm::raw_string_ostream os(text);
  printGraph(g, os);
  return os.str();
}

void printDot(const Graph &g, llvm::raw_ostream &os) {
  os << "digraph forward {\n  node [shape=box, fontname=monospace];\n";
  for (const Value *in : g.inputs())
    os << "  " << quoted(in->name)
       << " [shape=ellipse, label=" << quoted(in->name + " " + typeToString(*in)) << "];\n";
  for (const auto &n : g.nodes()) {
    os << "  " << quoted("node:" + n->name) << " [label=" << quoted(n->target) << "];\n";
    for (const Value *operand : n->operands()) {
      std::string from =
          operand->definingNode ? "node:" + operand->definingNode->name : operand->name;
      os << "  " << quoted(from) << " -> " << quoted("node:" + n->name)
         << " [label=" << quoted(operand->name) << "];\n";
    }
  }
  for (const Value *out : g.outputs()) {
    std::string from = out->definingNode ? "node:" + out->definingNode->name : out->name;
    os << "  " << quoted(from) << " -> \"output\";\n";
  }
  os << "}\n";
}

} // namespace vkqc
