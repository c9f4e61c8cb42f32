#!/usr/bin/env python3
"""Compiles one corpus export with vkqc, runs the .pte in ExecuTorch's own runtime (et_run)
and in `vkqc run`, and compares both with PyTorch's logits and with each other.

  run_in_executorch.py --vkqc BIN --et-run BIN --data DIR --model NAME --variant V --work DIR

V is fp32 (the defaults), fp16 (--dtype=fp16) or weight-only (--weight-only-linear).
Exits 0 on a match, 1 on a failure, 77 (ctest: not run) when et_run is not there.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

VARIANT_FLAGS = {"fp32": [], "fp16": ["--dtype=fp16"], "weight-only": ["--weight-only-linear"]}


def cosine(a, b):
    a = a.astype(np.float64).ravel()
    b = b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def max_rel_error(x, ref):
    return float(np.abs(x.astype(np.float64) - ref).max() / (np.abs(ref).max() + 1e-30))


def run(cmd, what):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        # ExecuTorch logs its reason on an F/E line and often aborts (a signal).
        lines = p.stdout.strip().splitlines()
        reason = [l for l in lines if l[:2] in ("F ", "E ")] or lines[-3:]
        status = f"signal {-p.returncode}" if p.returncode < 0 else f"exit {p.returncode}"
        print(f"FAIL: {what} ({status}): {' '.join(cmd)}")
        print("\n".join(reason[-3:]))
        sys.exit(1)
    return p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vkqc", required=True)
    ap.add_argument("--et-run", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--variant", choices=VARIANT_FLAGS, required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--et-min-cosine", type=float,
                    help="a looser bound for et_run vs PyTorch (a documented ExecuTorch deviation)")
    args = ap.parse_args()

    if not os.access(args.et_run, os.X_OK):
        print(f"not run: ExecuTorch's runner {args.et_run} is not there (it comes with ../shared "
              "beside the repository: shared/tools/executorch/et_run)")
        return 77

    model = os.path.join(args.data, args.model + ".pt2")
    tokens = os.path.join(args.data, args.model + ".tokens.npy")
    logits = np.load(os.path.join(args.data, args.model + ".logits.npy"))
    os.makedirs(args.work, exist_ok=True)
    stem = os.path.join(args.work, f"{args.model}.{args.variant}")
    pte, et_out, vk_out = stem + ".pte", stem + ".et.npy", stem + ".vkqc.npy"
    for f in (pte, et_out, vk_out):
        if os.path.exists(f):
            os.remove(f)

    run([args.vkqc, "compile", model, *VARIANT_FLAGS[args.variant], "-o", pte], "vkqc compile")
    run([args.et_run, pte, "--input", tokens, "-o", et_out], "ExecuTorch's et_run")
    run([args.vkqc, "run", pte, "--input", tokens, "-o", vk_out], "vkqc run")

    et = np.load(et_out)
    vk = np.load(vk_out)
    exact = args.variant != "fp16" and "bf16" not in args.model and "fp16" not in args.model
    min_cosine = 0.9999 if exact else 0.999
    # --weight-only-linear drops the activation quantization PyTorch computed for an 8da4w
    # export: the program is another (nearby) computation, held to the loose bound.
    drops_quantization = args.variant == "weight-only" and "8da4w" in args.model
    ok = True
    for name, got, ref in (("et_run vs PyTorch", et, logits), ("vkqc run vs PyTorch", vk, logits),
                           ("et_run vs vkqc run", et, vk)):
        bound = 0.999 if drops_quantization and ref is logits else min_cosine
        if args.et_min_cosine and name.startswith("et_run"):
            bound = min(bound, args.et_min_cosine)
        if got.shape != ref.shape:
            print(f"FAIL: {name}: shape {got.shape} != {ref.shape}")
            ok = False
            continue
        c = cosine(got, ref)
        finite = bool(np.isfinite(got).all())
        verdict = "PASS" if finite and c >= bound else "FAIL"
        ok = ok and verdict == "PASS"
        print(f"{verdict}: {name}: cosine {c:.6f} (>= {bound}), max error "
              f"{max_rel_error(got, ref.astype(np.float64)):.2e} of max |ref|, finite {finite}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
