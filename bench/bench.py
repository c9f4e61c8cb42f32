"""The compile-speed benchmark (run it through bench/run.sh; bench/README.md explains it).

    bench/run.sh [--runs N] [--model 2layer|8layer|16layer|both|all] [--no-heaptrack] [--vkqc PATH] [--keep]

1. Builds each model's full-size .pt2 from its graph tarball with bench/synth_pt2.py into
   bench/cache/ (cached: rebuilt only when the SHA-256 of the tarball or of synth_pt2.py changed).
2. Measures `cp model.pt2 copy.pt2` and `vkqc compile model.pt2 -o model.pte` (one untimed
   warm-up each, then N timed runs each, interleaved, each replacing its own output of the
   run before, as rerunning the command does; medians), the same compile with no old output
   at `-o` (N runs, for reference), peak RSS (GNU time), peak heap
   (one extra run under heaptrack), the output's size against the minimum a packed program
   needs (computed from the graph), `--time-passes` per pass (one extra run), and the time per
   weight byte of the variants.
3. Prints one Markdown table and appends it, with the machine and the date, to
   docs/performance.md. Targets are reported as PASS/FAIL; a missed target never fails the run.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(HERE, "cache")
SYNTH = os.path.join(HERE, "synth_pt2.py")
PERF_DOC = os.path.join(ROOT, "docs", "performance.md")
DEFAULT_VKQC = os.path.join(ROOT, "build", "tools", "vkqc")

MODELS = {  # key -> (tarball stem, column title)
    "2layer": ("llama1b_2layer_8da4w_fp32", "2-layer"),
    "8layer": ("llama1b_8layer_8da4w_fp32", "8-layer"),
    "16layer": ("llama1b_8da4w_fp32", "16-layer"),
}

# Targets (issue: compile-speed benchmark).
RATIO_TARGET = 1.0       # vkqc / cp wall time (aim: 0.5)
RATIO_AIM = 0.5
HEAP_TARGET = 512 << 20  # peak heap, bytes
SIZE_TARGET = 1.01       # output / minimum
SCALING_TARGET = 0.20    # per-weight-byte times within 20% of each other

MIB = float(1 << 20)
# torch/_export/serde/schema.py ScalarType code -> element bytes (compiler/ir/DTypes.def)
DTYPE_BYTES = {12: 1, 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 2, 7: 4, 8: 8, 13: 2}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg, code=1):
    log(f"bench: error: {msg}")
    sys.exit(code)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def align(x, a):
    return (x + a - 1) // a * a


# ---------------------------------------------------------------------------------------------
# The graph tarball: configs, entry sizes, and the minimum output size.

class GraphInfo:
    def __init__(self, tarball):
        with tarfile.open(tarball) as t:
            members = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
        self.root = next(n.split("/")[0] for n in members)
        r = self.root
        self.sizes = json.loads(members[f"{r}/archive_sizes.json"])
        self.model = json.loads(members[f"{r}/models/model.json"])
        self.configs = {}
        for folder in ("weights", "constants"):
            key = f"{r}/data/{folder}/model_{folder}_config.json"
            if key in members:
                self.configs[folder] = json.loads(members[key])["config"]

    def pt2_estimate(self):
        """The synthesized archive's size (entries plus generous zip overhead)."""
        return sum(self.sizes.values()) + 256 * len(self.sizes) + (1 << 20)

    def weight_bytes(self):
        """Bytes of every stored tensor entry (data/weights, data/constants), each once."""
        prefix = (f"{self.root}/data/weights/", f"{self.root}/data/constants/")
        return sum(s for n, s in self.sizes.items()
                   if n.startswith(prefix) and not n.endswith("_config.json"))

    def tensors(self):
        """fqn -> (storage key, dtype code, sizes)."""
        out = {}
        for folder, config in self.configs.items():
            for fqn, p in config.items():
                meta = p["tensor_meta"]
                sizes = [d["as_int"] for d in meta["sizes"]]
                out[fqn] = (f"{folder}/{p['path_name']}", meta["dtype"], sizes)
        return out

    def linears(self):
        """[(weight parameter fqn, is 8da4w)] for every aten.linear whose weight is a
        dequantize_affine of a parameter."""
        gm = self.model["graph_module"]
        placeholder = {}
        for spec in gm["signature"]["input_specs"]:
            for kind, v in spec.items():
                name = v.get("arg", {}).get("name")
                fqn = v.get("parameter_name") or v.get("buffer_name") or v.get("tensor_constant_name")
                if name and fqn:
                    placeholder[name] = fqn
        producer = {}
        for node in gm["graph"]["nodes"]:
            for o in node["outputs"]:
                if "as_tensor" in o:
                    producer[o["as_tensor"]["name"]] = node

        def arg(node, name):
            for i in node["inputs"]:
                if i["name"] == name and "as_tensor" in i["arg"]:
                    return i["arg"]["as_tensor"]["name"]
            return None

        def is_op(node, op):
            return node is not None and node["target"] == f"torch.ops.torchao.{op}.default"

        result = []
        for node in gm["graph"]["nodes"]:
            if node["target"] != "torch.ops.aten.linear.default":
                continue
            wdq = producer.get(arg(node, "weight"))
            if not is_op(wdq, "dequantize_affine"):
                continue
            fqn = placeholder.get(arg(wdq, "input"))
            if fqn is None:
                continue
            xdq = producer.get(arg(node, "input"))
            dynamic = is_op(xdq, "dequantize_affine") and is_op(producer.get(arg(xdq, "input")),
                                                                   "quantize_affine")
            result.append((fqn, dynamic))
        return result

    def minimum(self):
        """The smallest output a packed program can have, in bytes, with its parts.

        - packed int4: N*align8(K)/2 per [N, K] qdata storage (`...original0`), each once;
        - scales: float32 [N, K/G] per scales storage (`...original1`), each once (a tied
          table's scales too: one copy can serve both of its users);
        - weight sums: int32 [K/G, align8(N)] per 8da4w linear's weight storage;
        - every other constant (not original0/1/2) at its tensor's bytes, each storage once.
        Zero points (`...original2`) count nothing: the fused kernels take symmetric weights.
        """
        tensors = self.tensors()
        parts = {"packed int4": 0, "scales": 0, "weight sums": 0, "other constants": 0}
        seen = set()
        for fqn, (key, dtype, sizes) in tensors.items():
            if key in seen:
                continue
            seen.add(key)
            if fqn.endswith(".original0"):
                n, k = sizes
                parts["packed int4"] += n * align(k, 8) // 2
            elif fqn.endswith(".original1"):
                n, kg = sizes
                parts["scales"] += n * kg * 4
            elif fqn.endswith(".original2"):
                pass
            else:
                numel = 1
                for d in sizes:
                    numel *= d
                parts["other constants"] += numel * DTYPE_BYTES[dtype]
        done = set()
        for wfqn, dynamic in self.linears():
            qkey, _, (n, k) = tensors[wfqn]
            _, _, (_, kg) = tensors[wfqn[: -len("original0")] + "original1"]
            if dynamic and qkey not in done:
                done.add(qkey)
                parts["weight sums"] += kg * align(n, 8) * 4
        return sum(parts.values()), parts


# ---------------------------------------------------------------------------------------------
# Cache: the synthesized .pt2 files.

def ensure_pt2(key, info, tarball):
    stem = MODELS[key][0]
    pt2 = os.path.join(CACHE, f"{stem}.pt2")
    stamp_path = os.path.join(CACHE, f"{stem}.stamp")
    want = {"tarball": os.path.basename(tarball), "tarball_sha256": sha256(tarball),
            "synth_pt2_sha256": sha256(SYNTH)}
    try:
        with open(stamp_path) as f:
            stamp = json.load(f)
    except (OSError, ValueError):
        stamp = None
    if (stamp is not None and os.path.exists(pt2) and
            {k: stamp.get(k) for k in want} == want and stamp.get("size") == os.path.getsize(pt2)):
        log(f"bench: {os.path.relpath(pt2, ROOT)} is up to date (cached)")
        return pt2
    log(f"bench: building {os.path.relpath(pt2, ROOT)} from {os.path.relpath(tarball, ROOT)} ...")
    if os.path.exists(stamp_path):
        os.remove(stamp_path)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, SYNTH, tarball, pt2], check=True)
    want["size"] = os.path.getsize(pt2)
    want["pt2_sha256"] = sha256(pt2)
    with open(stamp_path, "w") as f:
        json.dump(want, f, indent=1)
        f.write("\n")
    log(f"bench:   built in {time.perf_counter() - t0:.1f} s ({want['size'] / MIB:.1f} MiB)")
    return pt2


def stale_pt2_bytes(key, info, tarball):
    """Bytes synthesizing this model will need (0 when cached)."""
    stem = MODELS[key][0]
    pt2 = os.path.join(CACHE, f"{stem}.pt2")
    if os.path.exists(pt2):
        try:
            with open(os.path.join(CACHE, f"{stem}.stamp")) as f:
                stamp = json.load(f)
            if (stamp.get("tarball_sha256") == sha256(tarball) and
                    stamp.get("synth_pt2_sha256") == sha256(SYNTH) and
                    stamp.get("size") == os.path.getsize(pt2)):
                return 0
        except (OSError, ValueError):
            pass
        return max(0, info.pt2_estimate() - os.path.getsize(pt2))
    return info.pt2_estimate()


def check_disk(keys, infos, tarballs, keep):
    """Synthesis writes a .tmp then renames; a run needs copy.pt2 and model.pte (at most about
    the input's size each) of one model at a time, or of every model with --keep."""
    os.makedirs(CACHE, exist_ok=True)
    synth = sum(stale_pt2_bytes(k, infos[k], tarballs[k]) for k in keys)
    outputs = [2 * infos[k].pt2_estimate() for k in keys]
    need = synth + (sum(outputs) if keep else max(outputs)) + (512 << 20)  # + heaptrack, margin
    free = shutil.disk_usage(CACHE).free
    gib = float(1 << 30)
    log(f"bench: disk: {free / gib:.1f} GiB free in {os.path.relpath(CACHE, ROOT)}, "
        f"{need / gib:.1f} GiB needed")
    if free < need:
        die(f"not enough free disk space in {CACHE}: {free / gib:.2f} GiB free, about "
            f"{need / gib:.2f} GiB needed ({synth / gib:.2f} GiB to build the .pt2 files, the rest "
            "for copy.pt2 and model.pte of the run; the 16-layer .pt2 alone is 1.43 GB). Free "
            "some space, or run `bench/run.sh --model 2layer`.", code=2)


# ---------------------------------------------------------------------------------------------
# The vkqc binary.

def find_vkqc(path):
    if path is not None:
        path = os.path.abspath(path)
        if not os.access(path, os.X_OK):
            die(f"--vkqc {path}: not an executable file")
        return path
    if not os.access(DEFAULT_VKQC, os.X_OK):
        log("bench: build/tools/vkqc is missing: building it (Release) ...")
        build = os.path.join(ROOT, "build")
        subprocess.run(["cmake", "-S", ROOT, "-B", build, "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["ninja", "-C", build, "-j2", "vkqc"], check=True)
    return DEFAULT_VKQC


def build_type(vkqc):
    cache = os.path.join(os.path.dirname(os.path.dirname(vkqc)), "CMakeCache.txt")
    try:
        with open(cache) as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    return line.split("=", 1)[1].strip() or "(none)"
    except OSError:
        pass
    return "unknown"


# ---------------------------------------------------------------------------------------------
# Measuring.

def run_timed(cmd, tmpdir):
    """Runs cmd under GNU time; returns (wall seconds, max RSS bytes, stderr text, CPU
    seconds: user + sys)."""
    tfile = os.path.join(tmpdir, "time.out")
    full = ["/usr/bin/time", "-f", "%M %U %S", "-o", tfile] + cmd
    t0 = time.perf_counter()
    p = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        die(f"command failed (exit {p.returncode}): {' '.join(cmd)}\n"
            f"{p.stdout.decode(errors='replace')[-2000:]}{err[-4000:]}")
    with open(tfile) as f:
        rss_kib, user, system = f.read().strip().splitlines()[-1].split()
    os.remove(tfile)
    return wall, int(rss_kib) * 1024, err, float(user) + float(system)


def remove(*paths):
    for p in paths:
        if os.path.exists(p):
            os.remove(p)


PASS_ROW = re.compile(r"^\s+([0-9.]+)\s+([0-9.]+)%\s+(\S.*?)\s*$")


def parse_time_passes(text):
    rows = []
    for line in text.splitlines():
        m = PASS_ROW.match(line)
        if m:
            rows.append((m.group(3), float(m.group(1)), float(m.group(2))))
    return rows


UNITS = {"": 1, "B": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}  # heaptrack_print: powers of 1000


def heaptrack_peak(cmd, prefix):
    for old in (prefix + ".zst", prefix + ".gz"):
        remove(old)
    p = subprocess.run(["heaptrack", "-o", prefix] + cmd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if p.returncode != 0:
        die(f"heaptrack run failed (exit {p.returncode}):\n{p.stdout.decode(errors='replace')[-3000:]}")
    data = next((f for f in (prefix + ".zst", prefix + ".gz") if os.path.exists(f)), None)
    if data is None:
        die(f"heaptrack wrote no {prefix}.zst / .gz")
    out = subprocess.run(["heaptrack_print", "-p", "0", "-a", "0", "-T", "0", "-l", "0", data],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode(errors="replace")
    m = re.search(r"peak heap memory consumption:\s*([0-9.]+)\s*([BKMGT]?)", out)
    if not m:
        die(f"no peak heap line in heaptrack_print's output:\n{out[-2000:]}")
    return float(m.group(1)) * UNITS[m.group(2)], data


def output_kind(path):
    with open(path, "rb") as f:
        head = f.read(8)
    if len(head) == 8 and head[4:6] == b"ET":
        return f"ExecuTorch program ({head[4:8].decode(errors='replace')})"
    try:
        head.decode("utf-8")
        return "text (summary)"
    except UnicodeDecodeError:
        return "binary (not a .pte)"


def measure(key, pt2, info, vkqc, args):
    title = MODELS[key][1]
    work = os.path.join(CACHE, "work", key)
    os.makedirs(work, exist_ok=True)
    copy = os.path.join(work, "copy.pt2")
    pte = os.path.join(work, "model.pte")
    cp_cmd = ["cp", pt2, copy]
    # --runtime=vkqc: these tied 1B-shape programs allow 2048 tokens, so their lm-head output
    # ([2048, 128256]) exceeds the generic target's buffers and the lm-head, with the table it
    # shares, stays on the CPU as int4 kernels that ExecuTorch's portable library lacks; the
    # default --runtime=executorch refuses to write them (README: "ExecuTorch's runtime").
    vk_cmd = [vkqc, "compile", pt2, "-o", pte, "--runtime=vkqc"]
    log(f"bench: [{title}] {' '.join(cp_cmd)}")
    log(f"bench: [{title}] {' '.join(vk_cmd)}")

    def one(cmd, out):
        """One run of `cmd`, replacing its output from the run before (as rerunning a command
        does: cp truncates copy.pt2 and writes it again, vkqc writes its new program over
        model.pte's file), never the other command's."""
        os.sync()  # untimed: no write-back of an earlier run pending while this one is timed
        wall, rss, err, cpu = run_timed(cmd, work)
        size = os.path.getsize(out)
        kind = output_kind(out) if out == pte else None
        return wall, rss, err, size, kind, cpu

    remove(copy, pte)
    log(f"bench: [{title}] warm-up (untimed)")
    one(cp_cmd, copy)
    one(vk_cmd, pte)
    cp_t, vk_t, cp_rss, vk_rss, cp_cpu, vk_cpu = [], [], [], [], [], []
    fresh_t, fresh_cpu = [], []  # no old output at -o: a first compile
    size = kind = None
    for i in range(args.runs):
        w, r, _, _, _, c = one(cp_cmd, copy)
        cp_t.append(w)
        cp_rss.append(r)
        cp_cpu.append(c)
        w, r, _, size, kind, c = one(vk_cmd, pte)
        vk_t.append(w)
        vk_rss.append(r)
        vk_cpu.append(c)
        remove(pte)
        w, _, _, _, _, c = one(vk_cmd, pte)
        fresh_t.append(w)
        fresh_cpu.append(c)
        log(f"bench: [{title}] run {i + 1}/{args.runs}: cp {cp_t[-1]:.3f} s, vkqc {vk_t[-1]:.3f} s, "
            f"vkqc with no old output {fresh_t[-1]:.3f} s")

    log(f"bench: [{title}] --time-passes run")
    tp_wall, _, tp_err, _, _, _ = one(vk_cmd + ["--time-passes"], pte)
    passes = parse_time_passes(tp_err)
    if not passes:
        log(f"bench: warning: no --time-passes table on stderr:\n{tp_err[-2000:]}")

    heap = None
    if not args.no_heaptrack:
        log(f"bench: [{title}] heaptrack run")
        remove(pte)
        heap, data = heaptrack_peak(vk_cmd, os.path.join(work, "heaptrack"))
        if not args.keep:
            remove(data)
    if not args.keep:
        remove(copy, pte)

    minimum, parts = info.minimum()
    for name, b in parts.items():
        log(f"bench: [{title}] minimum: {name}: {b} B ({b / MIB:.2f} MiB)")
    wbytes = info.weight_bytes()
    r = {
        "title": title,
        "pt2_size": os.path.getsize(pt2),
        "weight_bytes": wbytes,
        "cp": cp_t, "vkqc": vk_t, "fresh": fresh_t, "fresh_cpu": statistics.median(fresh_cpu),
        "cp_med": statistics.median(cp_t), "vkqc_med": statistics.median(vk_t),
        "cp_cpu": statistics.median(cp_cpu), "vkqc_cpu": statistics.median(vk_cpu),
        "cp_rss": max(cp_rss), "vkqc_rss": max(vk_rss),
        "heap": heap,
        "out_size": size, "out_kind": kind,
        "minimum": minimum, "minimum_parts": parts,
        "passes": passes, "tp_wall": tp_wall,
    }
    r["ratio"] = r["vkqc_med"] / r["cp_med"]
    r["ns_per_byte"] = r["vkqc_med"] / wbytes * 1e9
    log(f"bench: [{title}] done: " + json.dumps({k: v for k, v in r.items()
                                                if k not in ("passes", "minimum_parts")}))
    return r


# ---------------------------------------------------------------------------------------------
# Reporting.

def verdict(ok):
    return "PASS" if ok else "FAIL"


def size_cell(r):
    ratio = r["out_size"] / r["minimum"]
    if ratio < 1:  # no complete program can be this small: the target says nothing yet
        return f"{ratio:.3f} FAIL (below the minimum: the output does not hold the weights)"
    return f"{ratio:.3f} {verdict(ratio <= SIZE_TARGET)}"


def mib(b):
    return f"{b / MIB:,.1f} MiB"


def table(results):
    cols = [r["title"] for r in results]
    rows = []

    def row(metric, target, cells):
        rows.append([metric, target] + cells)

    def runs(ts):
        return f"{statistics.median(ts):.3f} s ({', '.join(f'{t:.2f}' for t in ts)})"

    row("input `.pt2`", "", [mib(r["pt2_size"]) for r in results])
    row("weight bytes (stored tensors)", "", [mib(r["weight_bytes"]) for r in results])
    row("`cp` median (runs)", "", [runs(r["cp"]) for r in results])
    row("`vkqc compile` median (runs)", "", [runs(r["vkqc"]) for r in results])
    row("CPU time (user + sys) median: cp / vkqc", "",
        [f"{r['cp_cpu']:.2f} s / {r['vkqc_cpu']:.2f} s" for r in results])
    row("`vkqc compile` with no old output at `-o`: median (runs); CPU", "",
        [f"{runs(r['fresh'])}; {r['fresh_cpu']:.2f} s" for r in results])
    row("ratio vkqc / cp", f"<= {RATIO_TARGET:g} (aim {RATIO_AIM:g})",
        [f"{r['ratio']:.2f} {verdict(r['ratio'] <= RATIO_TARGET)}"
         + (" (aim met)" if r["ratio"] <= RATIO_AIM else "") for r in results])
    row("peak RSS, vkqc (GNU time)", "", [mib(r["vkqc_rss"]) for r in results])
    row("peak RSS, cp (GNU time)", "", [mib(r["cp_rss"]) for r in results])
    row("peak heap, vkqc (heaptrack)", f"<= {HEAP_TARGET / MIB:g} MiB",
        ["not measured (--no-heaptrack)" if r["heap"] is None else
         f"{mib(r['heap'])} {verdict(r['heap'] <= HEAP_TARGET)}" for r in results])
    row("output (`-o model.pte`)", "", [f"{mib(r['out_size'])}, {r['out_kind']}" for r in results])
    row("minimum output", "", [mib(r["minimum"]) for r in results])
    row("output / minimum", f"<= {SIZE_TARGET:g}", [size_cell(r) for r in results])
    row("vkqc time per weight byte", "", [f"{r['ns_per_byte']:.3f} ns/B" for r in results])
    def spread(titles):
        per = [r["ns_per_byte"] for r in results if r["title"] in titles]
        return max(per) / min(per) - 1 if len(per) == len(titles) else None

    def last_cell(text):
        return ["" for _ in results[:-1]] + [text]

    # The target compares the 2- and 16-layer variants, whose bytes are different work (the
    # 2-layer's are mostly the embedding table: bench/README.md); the 8- and 16-layer ones hold
    # a closer mix (table 30% and 18%), so their per-byte times show the scaling itself.
    target_spread = spread(("2-layer", "16-layer"))
    if target_spread is not None:
        row("per-byte times, 2- vs 16-layer: max / min - 1", f"<= {SCALING_TARGET:.0%}",
            last_cell(f"{target_spread:.1%} {verdict(target_spread <= SCALING_TARGET)}"))
    same_mix = spread(("8-layer", "16-layer"))
    if same_mix is not None:
        row("per-byte times, 8- vs 16-layer (a closer mix of bytes): max / min - 1", "",
            last_cell(f"{same_mix:.1%}"))
    names = []
    for r in results:
        for name, _, _ in r["passes"]:
            if name not in names:
                names.append(name)
    for name in names:
        cells = []
        for r in results:
            hit = next(((ms, share) for n, ms, share in r["passes"] if n == name), None)
            cells.append("" if hit is None else f"{hit[0]:,.1f} ms ({hit[1]:.1f}%)")
        label = "`--time-passes` total" if name == "total" else f"pass `{name}`"
        row(label, "", cells)
    if names:
        cells = []
        for r in results:
            total = next((ms for n, ms, _ in r["passes"] if n == "total"), None)
            cells.append("" if total is None else
                         f"{r['tp_wall'] * 1e3 - total:,.1f} ms")
        row("outside the passes (import, write, exit)", "", cells)

    head = ["metric", "target"] + cols
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def notes(results):
    """A note for every command whose timed runs spread widely (a shared machine, or a VM whose
    fresh page-cache pages are sometimes slow: such cp runs spend the extra time in sys)."""
    out = []
    for r in results:
        for name, ts in (("cp", r["cp"]), ("vkqc compile", r["vkqc"]),
                         ("vkqc compile (no old output)", r["fresh"])):
            if len(ts) > 1 and max(ts) > 1.5 * min(ts):
                out.append(f"- note: {r['title']} `{name}` runs spread {max(ts) / min(ts):.1f}x "
                           f"({min(ts):.2f} to {max(ts):.2f} s); the median is reported, see "
                           "bench/README.md (noise)\n")
    return ("\n" + "".join(out)) if out else ""


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    core_text = f"{cores} cores" if usable == cores else f"{cores} cores ({usable} usable)"
    return f"{cpu}, {core_text}, {mem / (1 << 30):.1f} GiB memory"


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             check=True).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


INTRO = """# Performance

This page is written by the compile-speed benchmark (`bench/run.sh`; `bench/README.md` explains
it). Each entry below is one run of it, appended with the machine and the date.

What it measures, on synthesized full-size Llama-3.2-1B-shape torchao 8da4w exports (the real
graph and weight sizes, deterministic weight bytes; 2, 8 and 16 decoder layers; the 8-layer
variant is in entries from 2026-11-22 10:00 on):

- the median wall time of `vkqc compile model.pt2 -o model.pte` against the median of
  `cp model.pt2 copy.pt2` (the cost of just reading and writing the bytes), both from the page
  cache after an untimed warm-up; target: ratio <= 1.0, aim 0.5;
- peak RSS (GNU time; it counts the mmapped input pages that were touched) and peak heap
  (heaptrack; mmapped input does not count); target: heap <= 512 MiB;
- the output's size against the minimum a packed program needs (packed int4, scales, 8da4w
  weight sums, every other constant); target: <= 1.01 x;
- the per-pass times of `--time-passes`, and the compile time per weight byte of the 2- and
  16-layer variants (linear scaling: within 20% of each other), and of the 8- and 16-layer
  variants (a closer mix of bytes; no target).

Rerun: `bench/run.sh` (all three models; about a minute on 2 cores once the inputs are cached,
building them adds about 15 s; `bench/run.sh --help`). Timings on a shared machine are noisy
(the load average is recorded; CPU times are given beside the wall times): compare entries from
the same machine only.
"""


def append_doc(text):
    os.makedirs(os.path.dirname(PERF_DOC), exist_ok=True)
    new = not os.path.exists(PERF_DOC)
    with open(PERF_DOC, "a") as f:
        if new:
            f.write(INTRO)
        f.write("\n" + text)


def main():
    ap = argparse.ArgumentParser(prog="bench/run.sh", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="timed runs of each command (default 3)")
    ap.add_argument("--model", choices=["2layer", "8layer", "16layer", "both", "all"], default="all",
                    help="both: the 2- and 16-layer variants the targets name; all (default): "
                         "the 8-layer variant too")
    ap.add_argument("--no-heaptrack", action="store_true", help="skip the heaptrack run")
    ap.add_argument("--vkqc", help="the vkqc binary (default build/tools/vkqc; built if missing)")
    ap.add_argument("--keep", action="store_true",
                    help="keep copy.pt2, model.pte and heaptrack data under bench/cache/work/")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    for tool in ("/usr/bin/time",) + (() if args.no_heaptrack else ("heaptrack", "heaptrack_print")):
        if shutil.which(tool) is None:
            die(f"{tool} is not installed" + ("" if tool == "/usr/bin/time" else
                                              " (or pass --no-heaptrack)"))

    keys = {"both": ["2layer", "16layer"], "all": ["2layer", "8layer", "16layer"]}.get(args.model, [args.model])
    tarballs = {k: os.path.join(HERE, "data", f"{MODELS[k][0]}.graph.tar.gz") for k in keys}
    infos = {k: GraphInfo(tarballs[k]) for k in keys}
    check_disk(keys, infos, tarballs, args.keep)
    vkqc = find_vkqc(args.vkqc)
    btype = build_type(vkqc)
    if btype != "Release":
        log(f"bench: warning: {vkqc} is a {btype} build, not Release")

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    pt2s = {k: ensure_pt2(k, infos[k], tarballs[k]) for k in keys}
    results = [measure(k, pt2s[k], infos[k], vkqc, args) for k in keys]
    load_after = os.getloadavg()[0]

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    command = "bench/run.sh" + "".join(f" {a}" for a in sys.argv[1:])
    entry = (f"## {date}, vkqc {git_rev()}\n\n"
             f"- machine: {machine()}; load average {load_before:.1f} before, "
             f"{load_after:.1f} after\n"
             f"- command: `{command}` ({args.runs} timed run{'s' if args.runs > 1 else ''} each, medians; vkqc "
             f"{btype} build; benchmark took {time.perf_counter() - started:.0f} s)\n\n"
             + table(results) + "\n" + notes(results))
    print(entry)
    append_doc(entry)
    log(f"bench: appended to {os.path.relpath(PERF_DOC, ROOT)}")


if __name__ == "__main__":
    main()
