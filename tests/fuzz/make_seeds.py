#!/usr/bin/env python3
"""Writes seed corpora for the libFuzzer harnesses.

    make_seeds.py OUT_DIR          every seed, including the large ones made from the real
                                   exports in tests/data (scripts/fuzz.sh: build-fuzz/seeds)
    make_seeds.py --small OUT_DIR  only the small seeds (what tests/fuzz/corpus holds)

    make_seeds.py --pack-run-pte OUT NPY PTE
                                   one run_pte input: the .npy and the .pte together

OUT_DIR/<harness>/ gets one file per seed: model_json (a selector byte, then model.json
bytes; the selector order matches fuzz_model_json.cpp: 0 = tests/lit/Inputs/mini, then
tests/data/*.pt2 sorted by name), pt2 (each also with its CRC-32s stored as 0, which vkqc
reads unchecked: mutated entries of those still reach the importer), npy, sympy, opschema,
vkir (a selector byte as model_json's, then .vkir text), run_pte (fuzz_run_pte.cpp's
[u32 .npy size][.npy][.pte]; scripts/fuzz.sh adds programs it compiles).
"""
import glob, hashlib, io, json, os, re, shutil, struct, sys, zipfile

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MINI = os.path.join(SRC, "tests", "lit", "Inputs", "mini")
DATA = os.path.join(SRC, "tests", "data")


# .vkir texts for fuzz_vkir (selector 0: their storages name tests/lit/Inputs/mini).
VKIR_SEEDS = {
    # vkqc compile tests/lit/Inputs/mini/models/model.json --emit=vkir
    "mini": """// vkqc IR of model.json (export schema 8.17, torch mini)
symbol s0 in [2, 2]
storage #0 "data/weights/weight_0" 8 B xxh64=c86e535c30403d76
storage #1 "vkqc:add_other" 4 B dense<0x0000c03f>
graph @forward {
  %p_w: f32[2] = param "w" storage #0 +0
  %add_other: f32[1] = constant "to_executorch.add_other" storage #1 +0
  %x: f32[1, s0] = input
  %mul: f32[1, s0] = aten.mul.Tensor(self=%x, other=%p_w) @vulkan kernels=binary_mul_buffer_float
  %add: f32[1, s0] = aten.add.Tensor(self=%mul, other=%add_other, alpha=1) @vulkan kernels=binary_add_buffer_float
  return %add
}
""",
    # every argument kind, symbolic sizes, inline and derived storages
    "kinds": """// vkqc IR of kinds.vkir
symbol s0 in [1, inf]
storage #0 "w" 8 B dense<0x01020304050607f8>
storage #1 "w@pack_q4_linear_weight(i8[1, 8]+0)" 4 B xxh64=38d0316a0be8a05d
graph @forward {
  %w: u8[1, 4] = constant "w@pack_q4_linear_weight" storage #1 +0
  %x: f32[1, s0, 8] = input
  %i: i64[s0] = input
  %n: sym(s0) = aten.sym_size.int(self=%x, dim=1)
  %v: f32[s0, 8] = aten.view.default(self=%x, size=[%n, 8])
  %s: f32[1, s0, 4] = aten.slice.Tensor(self=%x, dim=-1, start=None, end=4, step=1)
  %c: f32[1, s0, 8] = aten._to_copy.default(self=%x, dtype=f32, layout=strided, device=device(cuda:0), pin_memory=None, non_blocking=false, memory_format=preserve_format)
  %e: f32[1, s0, 8] = aten.index.Tensor(self=%c, indices=[None, %i])
  %p: f32[1, s0, 8] = aten.pow.Tensor_Scalar(self=%e, exponent=2)
  %q: f32[1, (s0 + 1), 8] = aten.pow.Tensor_Scalar(self=%p, exponent=-0.5)
  %f: f32[1, 2*s0, floordiv(s0, 2)] = aten.full.default(size=[1, %n, 8], fill_value=-inf, dtype=None, layout=None, device=device(cpu), pin_memory=None)
  %g: f32[1, s0], %h: i8[1, s0] = torchao.choose_qparams_affine.default(input=%q, mapping_type="A\\"B\\x01", block_size=[1, 1, 8], target_dtype=i8, quant_min=-128, quant_max=1e+30, eps=1.1920928955078125e-07, scale_dtype=None, zero_point_dtype=i8, keepdim=false)
  %y: f32[1, s0, 8] = aten.mul.Tensor(self=%f, other=%w) @cpu
  return %y, %h
}
""",
}


def write(out, harness, data, name=None):
    d = os.path.join(out, harness)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def mini_entries():
    entries = {}
    for root, _, files in os.walk(MINI):
        for f in files:
            p = os.path.join(root, f)
            entries[os.path.relpath(p, MINI)] = open(p, "rb").read()
    return entries


def zip_bytes(entries, compress=(), root="archive/"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in sorted(entries):
            method = zipfile.ZIP_DEFLATED if name in compress else zipfile.ZIP_STORED
            z.writestr(root + name, entries[name], compress_type=method)
    return buf.getvalue()


def zero_crcs(data):
    """The zip with every entry's stored CRC-32 (local and central header) set to 0."""
    data = bytearray(data)
    eocd = data.rindex(b"PK\x05\x06")
    n, _, at = struct.unpack_from("<HII", data, eocd + 10)
    for _ in range(n):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        local = struct.unpack_from("<I", data, at + 42)[0]
        struct.pack_into("<I", data, at + 16, 0)
        struct.pack_into("<I", data, local + 14, 0)
        at += 46 + name_len + extra_len + comment_len
    return bytes(data)


def pack_run_pte(npy_bytes, pte_bytes):
    return struct.pack("<I", len(npy_bytes)) + npy_bytes + pte_bytes


def npy(descr, shape, payload, version=1):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    width = 2 if version == 1 else 4
    unpadded = 6 + 2 + width + len(header) + 1
    header += " " * ((64 - unpadded % 64) % 64) + "\n"
    length = struct.pack("<H" if version == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode() + payload


def zip_entries(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def small(out):
    entries = mini_entries()
    model = entries["models/model.json"]
    write(out, "model_json", b"\x00" + model, "mini")
    write(out, "model_json", b"\x00" + json.dumps(json.loads(model), separators=(",", ":")).encode(), "mini-compact")
    write(out, "pt2", zip_bytes(entries), "mini.pt2")
    write(out, "pt2", zip_bytes(entries, compress={"models/model.json"}), "mini-deflated-json.pt2")
    write(out, "pt2", zip_bytes(entries, root="m/"), "mini-short-root.pt2")
    write(out, "pt2", zero_crcs(zip_bytes(entries)), "mini-nocrc.pt2")
    x = npy("<f4", "(1, 2)", struct.pack("<2f", 1.0, 2.0))  # the mini program's input
    write(out, "npy", x, "mini-input.npy")
    mini_cpu = open(os.path.join(SRC, "tests", "fuzz", "corpus", "pte", "mini-cpu.pte"), "rb").read()
    write(out, "run_pte", pack_run_pte(x, mini_cpu), "mini-cpu")
    for f in sorted(glob.glob(os.path.join(DATA, "*.tokens.npy")))[:1]:
        write(out, "npy", open(f, "rb").read(), "tokens.npy")
    write(out, "npy", npy("<f4", "(2, 3)", struct.pack("<6f", *range(6))), "f32.npy")
    write(out, "npy", npy("|b1", "(4,)", b"\x00\x01\x02\xff"), "bool.npy")
    write(out, "npy", npy("<f2", "()", b"\x00\x3c", version=2), "f16-v2.npy")
    write(out, "npy", npy("<i8", "(0, 5)", b"", version=3), "empty-v3.npy")
    for i, e in enumerate([
            "Symbol('s0', positive=True, integer=True)",
            "Mul(Integer(64), Symbol('s70', integer=True, positive=True))",
            "Add(Symbol('s0'), Integer(-1))",
            "FloorDiv(Symbol('s1', integer=True), Integer(2))",
            "Mod(Symbol('s1'), Integer(32))",
            "Pow(Symbol('s1'), Integer(2))",
            "Max(Integer(1), Symbol('s2'), Min(Symbol('s3'), Integer(7)))",
            "PythonMod(Integer(-7), Integer(3))"]):
        write(out, "sympy", e.encode(), "expr%d" % i)
    schemas = re.findall(r'^VKQC_OP\(\w+, "((?:[^"\\]|\\.)*)"', open(os.path.join(SRC, "compiler", "ir", "Ops.def")).read(), re.M)
    for i, s in enumerate(schemas[:12]):
        write(out, "opschema", s.encode(), "schema%02d" % i)
    for name, text in VKIR_SEEDS.items():
        write(out, "vkir", b"\x00" + text.encode(), name)


def pruned(model, keep):
    """The first `keep` nodes of a real model.json, its outputs rewired to the last tensor
    they produce: a valid program a fraction of the size, so fuzzing runs fast and deep."""
    doc = json.loads(model)
    g = doc["graph_module"]["graph"]
    g["nodes"] = g["nodes"][:keep]
    last = None
    for n in g["nodes"]:
        for o in n["outputs"]:
            if "as_tensor" in o:
                last = o["as_tensor"]["name"]
    if last is None:
        return None
    g["outputs"] = [{"as_tensor": {"name": last}}]
    doc["graph_module"]["signature"]["output_specs"] = [{"user_output": {"arg": {"as_tensor": {"name": last}}}}]
    used = {i["as_tensor"]["name"] for i in g["inputs"]}
    for n in g["nodes"]:
        n.pop("metadata", None)
        for o in n["outputs"]:
            used.update(v.get("name", v.get("as_name")) for v in o.values() if isinstance(v, dict))
    g["tensor_values"] = {k: v for k, v in g["tensor_values"].items() if k in used}
    return json.dumps(doc, separators=(",", ":")).encode()


def large(out):
    pt2s = sorted(glob.glob(os.path.join(DATA, "*.pt2")))
    exprs = set()
    for i, p in enumerate(pt2s, start=1):
        write(out, "pt2", open(p, "rb").read(), os.path.basename(p))
        with zipfile.ZipFile(p) as z:
            name = [n for n in z.namelist() if n.endswith("models/model.json")][0]
            model = z.read(name)
        # (the whole model.json is left out: ~15 runs/s against ~300 for the pruned ones)
        for keep in (4, 12, 40):
            small_model = pruned(model, keep)
            if small_model:
                write(out, "model_json", bytes([i]) + small_model, "%s.%d.json" % (os.path.basename(p), keep))
                pruned_zip = zip_bytes({"models/model.json": small_model, **{
                    n.split("/", 1)[1]: z2 for n, z2 in zip_entries(p).items()
                    if not n.endswith("models/model.json")}})
                write(out, "pt2", pruned_zip, "%s.%d.pt2" % (os.path.basename(p), keep))
                write(out, "pt2", zero_crcs(pruned_zip), "%s.%d.nocrc.pt2" % (os.path.basename(p), keep))
        exprs.update(re.findall(rb'"expr_str": "((?:[^"\\]|\\.)*)"', model))
        # The imported IR of the export, its storages named in the archive the selector picks.
        golden = os.path.join(SRC, "tests", "lit", "import", "golden", os.path.basename(p)[:-4] + ".vkir")
        if os.path.exists(golden):
            write(out, "vkir", bytes([i]) + open(golden, "rb").read(), os.path.basename(golden))
    for e in sorted(exprs):
        write(out, "sympy", e)
    for f in sorted(glob.glob(os.path.join(DATA, "*.npy"))):
        write(out, "npy", open(f, "rb").read(), os.path.basename(f))
    schemas = re.findall(r'^VKQC_OP\(\w+, "((?:[^"\\]|\\.)*)"', open(os.path.join(SRC, "compiler", "ir", "Ops.def")).read(), re.M)
    for s in schemas:
        write(out, "opschema", s.encode())


def main(argv):
    if argv and argv[0] == "--small":
        small(argv[1])
    elif argv and argv[0] == "--pack-run-pte":
        with open(argv[1], "wb") as f:
            f.write(pack_run_pte(open(argv[2], "rb").read(), open(argv[3], "rb").read()))
    else:
        for h in ("model_json", "pt2", "npy", "sympy", "opschema", "vkir", "run_pte"):
            shutil.rmtree(os.path.join(argv[0], h), ignore_errors=True)
        small(argv[0])
        large(argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
