#!/usr/bin/env python3
"""Replays tests/fuzz/regressions through `vkqc compile` and `vkqc run` (the normal build's
entry points).

    replay.py REGRESSIONS_DIR WORK_DIR

Each input that once crashed or hung a harness is turned into what vkqc reads:
  pt2/*         the file itself
  model_json/*  its selector byte picks the base archive as fuzz_model_json.cpp does
                (0 = tests/lit/Inputs/mini, 1.. = tests/data/*.pt2 by name); the rest is
                models/model.json of a copy of that base
  sympy/*       the text becomes the expr_str of a size in the mini program
  run_pte/*     split into its .npy and .pte (fuzz_run_pte.cpp), then `vkqc run X.pte
                --input X.npy -o OUT.npy`
npy/, opschema/ and pte/ inputs are replayed elsewhere (scripts/fuzz.sh through the
harnesses, the unit tests, tests/lit/pte/inspect-errors.test). Every run must end within 5 s, with status 0, or status 1 and
exactly one `vkqc: error:` line and no output file. Prints one line per input.
"""
import glob, io, json, os, re, shutil, struct, subprocess, sys, zipfile

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MINI = os.path.join(SRC, "tests", "lit", "Inputs", "mini")


def bases():
    return [MINI] + sorted(glob.glob(os.path.join(SRC, "tests", "data", "*.pt2")))


def with_model_json(base, model, out):
    if os.path.isdir(base):
        shutil.copytree(base, out)
        with open(os.path.join(out, "models", "model.json"), "wb") as f:
            f.write(model)
        return os.path.join(out, "models", "model.json")
    path = out + ".pt2"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = model if info.filename.endswith("models/model.json") else src.read(info)
            dst.writestr(info.filename, data, compress_type=zipfile.ZIP_STORED)
    return path


def split_run_pte(data, target):
    """The .npy and the .pte of a run_pte input, as fuzz_run_pte.cpp splits it."""
    size = min(struct.unpack("<I", data[:4])[0], len(data) - 4) if len(data) >= 4 else 0
    npy, pte = target + ".npy", target + ".pte"
    open(npy, "wb").write(data[4:4 + size])
    open(pte, "wb").write(data[4 + size:])
    return npy, pte


def check(name, path, work, command=None):
    out = os.path.join(work, "out")
    command = command or ["vkqc", "compile", path, "-o", out]
    try:
        r = subprocess.run(command + ([] if "-o" in command else ["-o", out]), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=5)
    except subprocess.TimeoutExpired:
        return "%s: did not finish within 5 s" % name
    lines = r.stderr.decode("utf-8", "replace").splitlines()
    if r.returncode == 0:
        if os.path.exists(out):
            os.remove(out)
        return None
    if r.returncode != 1:
        return "%s: exit status %d" % (name, r.returncode)
    if len(lines) != 1 or not lines[0].startswith("vkqc: error: "):
        return "%s: %d stderr lines: %r" % (name, len(lines), lines[:3])
    if os.path.lexists(out):
        return "%s: wrote %s" % (name, out)
    return None


def main(regressions, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    failures, count = [], 0
    for path in sorted(glob.glob(os.path.join(regressions, "*", "*"))):
        harness, name = path.split(os.sep)[-2:]
        tag = harness + "/" + name
        target = os.path.join(work, harness + "-" + name)
        data = open(path, "rb").read()
        command = None
        if harness == "pt2":
            target = path
        elif harness == "model_json":
            if not data:
                continue
            b = bases()
            target = with_model_json(b[data[0] % len(b)], data[1:], target)
        elif harness == "sympy":
            model = json.load(open(os.path.join(MINI, "models", "model.json")))
            sizes = model["graph_module"]["graph"]["tensor_values"]["mul"]["sizes"]
            sizes[1]["as_expr"]["expr_str"] = data.decode("latin-1")
            target = with_model_json(MINI, json.dumps(model).encode(), target)
        elif harness == "run_pte":
            npy, target = split_run_pte(data, target)
            command = ["vkqc", "run", target, "--input", npy]
        else:
            continue
        count += 1
        problem = check(tag, target, work, command)
        print(problem or "ok: " + tag)
        if problem:
            failures.append(problem)
    print("replayed %d regression inputs, %d failed" % (count, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
