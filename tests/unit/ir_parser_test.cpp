// The .vkir parser: what printGraph writes reads back to the same bytes and the same
// graph (every export, after import and after every pass), and bad text is refused with
// the line and column of the problem.
#include "compiler/driver/Optimize.h"
#include "compiler/import/ExportImporter.h"
#include "compiler/ir/Parser.h"
#include "compiler/ir/Printer.h"
#include "compiler/ir/Verifier.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include "TestSupport.h"

using namespace vkqc;
using namespace vkqc::test;

namespace {
// The kind of an argument, an integer literal being one kind whether it is held as an
// int64_t or as a literal SymIntArg (every reader takes both: asInt, the lowering).
size_t argKind(const ArgValue &v) {
  if (const auto *s = std::get_if<SymIntArg>(&v); s && !s->symbol)
    return ArgValue(int64_t(0)).index();
  return v.index();
}

// Everything the text says, compared field by field (the text does not hold node names).
void checkSameGraph(const Graph &a, const Graph &b) {
  CHECK(a.info.sourceName == b.info.sourceName);
  CHECK(a.info.schemaVersion == b.info.schemaVersion);
  CHECK(a.info.torchVersion == b.info.torchVersion);
  REQUIRE(a.symbols().size() == b.symbols().size());
  REQUIRE(a.constants.storages().size() == b.constants.storages().size());
  for (size_t i = 0; i < a.constants.storages().size(); ++i) {
    const Storage &sa = *a.constants.storages()[i], &sb = *b.constants.storages()[i];
    INFO(sa.origin);
    CHECK(sa.origin == sb.origin);
    CHECK(sa.isDerived() == sb.isDerived());
    llvm::ArrayRef<uint8_t> da = valueOrFail(sa.data()), db = valueOrFail(sb.data());
    CHECK(da == db);
  }
  REQUIRE(a.inputs().size() == b.inputs().size());
  for (size_t i = 0; i < a.inputs().size(); ++i) {
    const Value &va = *a.inputs()[i], &vb = *b.inputs()[i];
    CHECK(va.name == vb.name);
    CHECK(va.inputKind == vb.inputKind);
    CHECK(va.stateName == vb.stateName);
    CHECK(typeToString(va) == typeToString(vb));
    if (va.isConstant()) {
      CHECK(va.constant.storage->id == vb.constant.storage->id);
      CHECK(va.constant.byteOffset == vb.constant.byteOffset);
      CHECK(va.constant.shape == vb.constant.shape);
    }
  }
  REQUIRE(a.nodes().size() == b.nodes().size());
  for (auto ia = a.nodes().begin(), ib = b.nodes().begin(); ia != a.nodes().end(); ++ia, ++ib) {
    const Node &na = **ia, &nb = **ib;
    INFO(na.name << " " << na.target);
    CHECK(na.schema == nb.schema);
    CHECK(na.placement == nb.placement);
    CHECK(na.kernels == nb.kernels);
    REQUIRE(na.results.size() == nb.results.size());
    for (size_t r = 0; r < na.results.size(); ++r) {
      CHECK(na.results[r]->name == nb.results[r]->name);
      CHECK(typeToString(*na.results[r]) == typeToString(*nb.results[r]));
    }
    REQUIRE(na.args().size() == nb.args().size());
    for (size_t k = 0; k < na.args().size(); ++k) {
      INFO(na.args()[k].name);
      CHECK(argKind(na.args()[k].value) == argKind(nb.args()[k].value));
      CHECK(argToString(na.args()[k].value) == argToString(nb.args()[k].value));
    }
  }
  REQUIRE(a.outputs().size() == b.outputs().size());
  for (size_t i = 0; i < a.outputs().size(); ++i)
    CHECK(a.outputs()[i]->name == b.outputs()[i]->name);
}

// Parses `text` with the storages of `archive` and checks it prints back the same.
std::unique_ptr<Graph> roundTrip(const std::string &text, ModelArchive *archive) {
  std::unique_ptr<StorageResolver> storages = archiveStorages(archive, "model.pt2");
  ParseOptions options;
  options.storages = storages.get();
  std::unique_ptr<Graph> g = valueOrFail(parseGraph(text, "dump.vkir", options));
  CHECK(errorText(verifyGraph(*g)) == "");
  std::string again = graphToString(*g);
  CHECK(again == text);
  return g;
}

std::string parseError(llvm::StringRef text) { return errorOf(parseGraph(text, "t.vkir")); }

// A small graph with every constant inline; the error cases below change one piece of it.
const char *kSmall = R"vkir(// vkqc IR of small.vkir
symbol s0 in [1, 8]
storage #0 "w" 16 B dense<0x0000803f000000400000404000008040>
graph @forward {
  %w: f32[2, 2] = param "w" storage #0 +0
  %x: f32[s0, 2] = input
  %y: f32[s0, 2] = aten.mm.default(self=%x, mat2=%w)
  return %y
}
)vkir";

std::string small(llvm::StringRef from, llvm::StringRef to) {
  std::string text = kSmall;
  size_t at = text.find(from.str());
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to.str());
}
} // namespace

TEST_CASE("every export prints, after import and after every pass, text that parses back to the "
          "same bytes",
          "[parser]") {
  std::error_code ec;
  int files = 0;
  for (llvm::sys::fs::directory_iterator it(VKQC_TEST_DATA_DIR, ec), end; it != end && !ec;
       it.increment(ec)) {
    if (!llvm::StringRef(it->path()).endswith(".pt2"))
      continue;
    ++files;
    ImportedModel m = valueOrFail(importModel(it->path()));
    PassContext ctx;
    std::string log;
    llvm::raw_string_ostream logStream(log);
    for (size_t stage = 0; stage <= allPasses().size(); ++stage) {
      INFO(it->path() << " after " << (stage ? allPasses()[stage - 1].name : "import"));
      if (stage) { // the pipeline one pass at a time: what --compile-to=<pass> prints
        PipelineOptions one;
        one.passes = {allPasses()[stage - 1].name};
        REQUIRE(errorText(runPipeline(*m.graph, one, ctx, logStream)) == "");
      }
      std::string text = graphToString(*m.graph);
      std::unique_ptr<Graph> parsed = roundTrip(text, m.archive.get());
      checkSameGraph(*m.graph, *parsed);
    }
  }
  CHECK(files >= 11);
}

TEST_CASE("hand-written text gets its defaults filled, and its own source name", "[parser]") {
  std::unique_ptr<Graph> g = valueOrFail(parseGraph(R"vkir(
storage #0 "b" 4 B dense<0x0000803f>
graph @forward {
  %b: f32[1] = constant "b" storage #0 +0
  %x: f32[4] = input
  %y: f32[4] = aten.add.Tensor(self=%x, other=%b)
  %z: f32[4] = aten.mul.Tensor(self=%y, other=2.0)
  return %z
}
)vkir",
                                                    "dir/hand.vkir"));
  CHECK(g->info.sourceName == "hand.vkir");
  CHECK(errorText(verifyGraph(*g)) == "");
  std::string text = graphToString(*g);
  CHECK(text.rfind("// vkqc IR of hand.vkir\n", 0) == 0);
  CHECK(text.find("aten.add.Tensor(self=%x, other=%b, alpha=1)") != std::string::npos);
  CHECK(text.find("aten.mul.Tensor(self=%y, other=2.0)") != std::string::npos);
  CHECK(std::holds_alternative<double>(nodeAt(*g, 1)->arg("other")));
  CHECK(text.find("storage #0 \"b\" 4 B dense<0x0000803f>") != std::string::npos);
  roundTrip(text, nullptr);
}

TEST_CASE("every argument kind reads back as the kind it was", "[parser]") {
  std::string text = R"vkir(// vkqc IR of kinds.vkir (export schema 8.17, torch 2.11.0)
symbol s0 in [1, inf]
graph @forward {
  %x: f32[1, s0, 8] = input
  %i: i64[s0] = input
  %n: sym(s0) = aten.sym_size.int(self=%x, dim=1)
  %v: f32[s0, 8] = aten.view.default(self=%x, size=[%n, 8])
  %s: f32[1, s0, 4] = aten.slice.Tensor(self=%x, dim=-1, start=None, end=4, step=1)
  %c: f32[1, s0, 8] = aten._to_copy.default(self=%x, dtype=f32, layout=strided, device=device(cuda:0), pin_memory=None, non_blocking=false, memory_format=preserve_format)
  %k: f32[1, s0, 8] = aten.clone.default(self=%c, memory_format=memory_format(9))
  %e: f32[1, s0, 8] = aten.index.Tensor(self=%k, indices=[None, %i])
  %p: f32[1, s0, 8] = aten.pow.Tensor_Scalar(self=%e, exponent=2)
  %q: f32[1, s0, 8] = aten.pow.Tensor_Scalar(self=%p, exponent=-0.0)
  %f: f32[1, s0, 8] = aten.full.default(size=[1, %n, 8], fill_value=-inf, dtype=None, layout=layout(3), device=device(cpu), pin_memory=None)
  %a: f32[1, s0, 8] = aten.scaled_dot_product_attention.default(query=%q, key=%f, value=%f, attn_mask=None, dropout_p=0.0, is_causal=false, scale=1.1920928955078125e-07, enable_gqa=false)
  %t: f32[1, s0, 8] = torchao.dequantize_affine.default(input=%a, block_size=[1, 1, 8], scale=%a, zero_point=None, input_dtype=i8, quant_min=-8, quant_max=7, output_dtype=f32)
  %g, %h = torchao.choose_qparams_affine.default(input=%t, mapping_type="A\"B\\C\x01", block_size=[1, 1, 8], target_dtype=i8, quant_min=nan, quant_max=1e+300, eps=None, scale_dtype=None, zero_point_dtype=None, keepdim=true)
  return %h
}
)vkir";
  // %g, %h need types: the line above is completed here so the raw string stays readable.
  size_t at = text.find("%g, %h =");
  text.replace(at, 8, "%g: f32[1, s0], %h: i8[1, s0] =");
  std::unique_ptr<Graph> g = roundTrip(text, nullptr);
  auto arg = [&](const char *node, const char *name) -> const ArgValue & {
    for (const auto &n : g->nodes())
      if (n->name == node)
        return n->arg(name);
    FAIL("no node " << node);
    return g->firstNode()->args()[0].value;
  };
  CHECK(std::holds_alternative<int64_t>(arg("p", "exponent")));
  CHECK(std::holds_alternative<double>(arg("q", "exponent")));
  CHECK(std::signbit(std::get<double>(arg("q", "exponent"))));
  CHECK(std::get<IntList>(arg("v", "size"))[0].symbol == g->findValue("n"));
  CHECK(std::get<TensorListArg>(arg("e", "indices")).tensors[0] == nullptr);
  CHECK(std::get<DeviceArg>(arg("c", "device")).index == 0);
  CHECK(std::get<MemoryFormatArg>(arg("k", "memory_format")).code == 9);
  CHECK(std::get<LayoutArg>(arg("f", "layout")).code == 3);
  CHECK(std::get<std::string>(arg("g", "mapping_type")) == "A\"B\\C\x01");
  CHECK(std::isnan(std::get<double>(arg("g", "quant_min"))));
  CHECK(g->symbols().at("s0").max == std::nullopt);
  CHECK(g->nodes().back()->name == "g"); // a node is named after its first result
}

TEST_CASE("an archive entry is read from the archive, its size and checksum checked", "[parser]") {
  ImportedModel m =
      valueOrFail(importModel(std::string(VKQC_TEST_DATA_DIR) + "/tiny_llama_8da4w_fp32.pt2"));
  std::string text = graphToString(*m.graph);
  roundTrip(text, m.archive.get());

  std::string noArchive = errorOf(parseGraph(text, "m.vkir", {}));
  CHECK(noArchive == "m.vkir:3:1: storage #0: names archive entry \"data/weights/weight_5\", and "
                     "no archive was given");
  std::unique_ptr<StorageResolver> none = archiveStorages(nullptr, "");
  ParseOptions withoutArchive;
  withoutArchive.storages = none.get();
  CHECK(errorOf(parseGraph(text, "m.vkir", withoutArchive))
            .find("give the archive it comes from with --archive") != std::string::npos);

  std::unique_ptr<StorageResolver> storages = archiveStorages(m.archive.get(), "model.pt2");
  ParseOptions options;
  options.storages = storages.get();
  std::string wrongSum = text;
  wrongSum.replace(wrongSum.find("xxh64=2dd4c20547413f0a"), 22, "xxh64=2dd4c20547413f0b");
  CHECK(errorOf(parseGraph(wrongSum, "m.vkir", options)) ==
        "m.vkir:3:1: storage #0 \"data/weights/weight_5\" does not hold the bytes the text names: "
        "xxh64=2dd4c20547413f0a, the text says 2dd4c20547413f0b");
  std::string wrongSize = text;
  wrongSize.replace(wrongSize.find("65536 B"), 7, "65535 B");
  CHECK(errorOf(parseGraph(wrongSize, "m.vkir", options)) ==
        "m.vkir:3:1: storage #0 \"data/weights/weight_5\" is 65535 B in the text, 65536 B in fact");
  std::string missing = text;
  missing.replace(missing.find("weight_5\""), 9, "weight_99\"");
  CHECK(errorOf(parseGraph(missing, "m.vkir", options)) ==
        "m.vkir:3:1: storage #0: model.pt2 has no entry \"data/weights/weight_99\"");
}

TEST_CASE("a derived storage is made again from its source; an unknown layout is refused",
          "[parser]") {
  std::string text = R"vkir(// vkqc IR of dump.vkir
storage #0 "w" 8 B dense<0x01020304050607f8>
storage #1 "w@pack_q4_linear_weight(i8[1, 8]+0)" 4 B xxh64=0000000000000000
graph @forward {
  %w: u8[1, 4] = constant "w@pack_q4_linear_weight" storage #1 +0
  %x: u8[1, 4] = aten.clone.default(self=%w, memory_format=None)
  return %x
}
)vkir";
  std::unique_ptr<StorageResolver> storages = archiveStorages(nullptr, "");
  ParseOptions options;
  options.storages = storages.get();
  std::string error = errorOf(parseGraph(text, "d.vkir", options));
  // The checksum above is wrong on purpose: the message gives the right one.
  std::string prefix =
      "d.vkir:3:1: storage #1 \"w@pack_q4_linear_weight(i8[1, 8]+0)\" does not hold the bytes "
      "the text names: xxh64=";
  REQUIRE(error.rfind(prefix, 0) == 0);
  std::string sum = error.substr(prefix.size(), 16);
  text.replace(text.find("0000000000000000"), 16, sum);
  std::unique_ptr<Graph> g = roundTrip(text, nullptr);
  // pack_q4_linear_weight: q + 8 a nibble, even k low: 1,2 -> 0xa9, 3,4 -> 0xcb, ...
  llvm::ArrayRef<uint8_t> packed = valueOrFail(g->constants.storages()[1]->data());
  CHECK(packed.vec() == std::vector<uint8_t>{0xa9, 0xcb, 0xed, 0x0f});
  CHECK(g->constants.findDerived(g->constants.storages()[0].get(),
                                 "pack_q4_linear_weight(i8[1, 8]+0)"));

  std::string unknown = text;
  unknown.replace(unknown.find("pack_q4_linear_weight(i8"), 21, "pack_q9_linear_weight");
  CHECK(errorOf(parseGraph(unknown, "d.vkir", options)) ==
        "d.vkir:3:1: storage #1 \"w@pack_q9_linear_weight(i8[1, 8]+0)\": cannot be made again: no "
        "pass makes "
        "layout 'pack_q9_linear_weight'");
  CHECK(errorOf(parseGraph(text, "d.vkir", {})) ==
        "d.vkir:3:1: storage #1: is derived from storage #0; nothing was given to make it again");
}

TEST_CASE("bad text is refused with its line and column", "[parser]") {
  CHECK(errorText(verifyGraph(*valueOrFail(parseGraph(kSmall, "t.vkir")))) == "");
  struct Case {
    std::string text;
    std::string error;
  };
  std::vector<Case> cases = {
      {small("symbol s0", "symbol s0 in [1, 8]\nsymbol s0"),
       "t.vkir:3:1: symbol s0 is declared twice"},
      {small("[1, 8]", "[8, 1]"), "t.vkir:2:1: symbol s0 has an empty range"},
      {small("#0 \"w\"", "#1 \"w\""), "t.vkir:3:9: storage #1 is out of order: storages are "
                                      "numbered from #0 in order, the next one is #0"},
      {small("16 B dense", "17 B dense"), "t.vkir:3:27: storage #0 is 17 B, dense<...> holds 16 B"},
      {small("dense<0x", "dense<"), "t.vkir:3:27: expected 0x and the bytes in hex after dense<"},
      {small("dense<0x0000803f000000400000404000008040>", "crc32=1"),
       "t.vkir:3:21: expected xxh64=<checksum> or dense<0x...>, got 'crc32'"},
      {small("graph @forward", "graph @backward"), "t.vkir:4:7: expected @forward, got @backward"},
      {small("f32[s0, 2] = input", "f32[s1, 2] = input"),
       "t.vkir:6:11: undeclared symbol 's1' (declare it: symbol s1 in [min, max])"},
      {small("f32[s0, 2] = input", "f33[s0, 2] = input"),
       "t.vkir:6:7: unknown dtype 'f33' (bool, u8, i8, i16, i32, i64, f16, f32, f64, bf16)"},
      {small("f32[2, 2] = param", "f32[2, 3] = param"),
       "t.vkir:5:3: %w (24 B at +0) runs past the end of storage #0 (16 B)"},
      {small("storage #0 +0", "storage #1 +0"), "t.vkir:5:37: no storage #1"},
      {small("f32[2, 2] = param \"w\" storage #0 +0", "f32[1, 2] = param \"w\" storage #0 +2"),
       "t.vkir:5:3: %w starts at +2, not at a multiple of its element size"},
      {small("aten.mm.default", "aten.mmm.default"),
       "t.vkir:7:20: unknown op 'aten.mmm.default' (`vkqc ops` lists them)"},
      {small("mat2=%w", "mat2=%v"),
       "t.vkir:7:50: undefined value %v (values are defined before they are used)"},
      {small("mat2=%w", "mat2=%w, mat2=%w"), "t.vkir:7:54: argument 'mat2' is given twice"},
      {small("mat2=%w", "mat3=%w"), "t.vkir:7:45: aten.mm.default has no argument 'mat3'"},
      {small("self=%x, mat2=%w", "self=%x"),
       "t.vkir:7:43: missing argument 'mat2' of aten.mm.default (it has no default)"},
      {small("mat2=%w", "mat2=1.5.2"), "t.vkir:7:53: unexpected character '.'"},
      {small("mat2=%w", "mat2=None"),
       "t.vkir:7:50: argument 'mat2' of aten.mm.default takes Tensor, not 'None'"},
      {small("  %y: f32[s0, 2]", "  %y: f32[s0, 2], %z: f32[1]"),
       "t.vkir:7:3: aten.mm.default returns 1 value(s), the node defines 2"},
      {small("  %y: f32[s0, 2] = aten", "  %x: f32[s0, 2] = aten"),
       "t.vkir:7:3: value %x is defined twice"},
      {small("%y: f32[s0, 2] = aten", "%y: sym(s0) = aten"),
       "t.vkir:7:3: result %y of aten.mm.default is a tensor"},
      {small("return %y", "return %y,"), "t.vkir:9:1: expected a returned value or '}', got '}'"},
      {small("}\n", "}\n}\n"),
       "t.vkir:10:1: expected the end of the text after the graph, got '}'"},
      {small("  %x: f32[s0, 2] = input\n", "") + "",
       "t.vkir:6:41: undefined value %x (values are defined before they are used)"},
      {small("  return %y\n", "  %z: f32[2] = input\n  return %y\n"),
       "t.vkir:8:3: graph inputs come before the nodes"},
      {small("\"w\" storage", "\"w\\q\" storage"),
       "t.vkir:5:25: unknown escape in a string (the text uses \\\", \\\\ and \\xNN)"},
      {small("+0", "+99999999999999999999"),
       "t.vkir:5:41: the integer 99999999999999999999 does not fit in 64 bits"},
      {small("graph", "graph ~"), "t.vkir:4:7: unexpected character '~'"},
      {small("f32[2, 2] = param", "f32[-2, 2] = param"), "t.vkir:5:11: a size cannot be negative"},
      {std::string(200, '(') + "1" + std::string(200, ')'),
       "t.vkir:1:1: expected 'graph', got '('"},
  };
  for (const Case &c : cases) {
    INFO(c.text);
    CHECK(parseError(c.text) == c.error);
  }
  std::string deep = small("f32[s0, 2] = input", "f32[" + std::string(100, '(') + "s0" +
                                                     std::string(100, ')') + ", 2] = input");
  CHECK(parseError(deep) == "t.vkir:6:76: symbolic size nested too deeply");
}
