"""Turns one bench/gpu.sh run into a docs/performance.md entry (markdown on stdout).

    gpu_report.py --work DIR --tokens 2,16,128,512

Reads DIR/compile.txt, DIR/et_T.txt (et_run's output: "median X ms over N iters (min A, max
B)"), DIR/vkqc_T.txt (the `vkqc run` process time in ms, then how its logits agree with
et_run's) and DIR/torch.json (torch_baseline.py). The commit comes from $VKQC_COMMIT (the GPU
machine's copy of the tree has no .git), the driver from nvidia-smi when it is there.
"""
import argparse
import datetime
import json
import os
import re
import subprocess

TARGETS_MS = {2: 1.5, 128: 5.0}  # issue 16: T=2 forward <= 1.5 ms, T=128 <= 5 ms


def read(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read()


def et_median(text):
    m = re.search(r"median ([\d.]+) ms over (\d+) iters \(min ([\d.]+), max ([\d.]+)\)", text or "")
    return tuple(float(x) for x in m.groups()) if m else None


def driver():
    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown GPU"


def ms(x):
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--tokens", default="2,16,128,512")
    args = p.parse_args()
    counts = [int(t) for t in args.tokens.split(",")]
    torch_text = read(os.path.join(args.work, "torch.json"))
    torch = json.loads(torch_text) if torch_text else None
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"## GPU: {now}, {driver()}, vkqc {os.environ.get('VKQC_COMMIT', 'unknown commit')}\n")
    print("`bench/gpu.sh`: the 16-layer Llama-3.2-1B-shape 8da4w tied program (synthesized "
          "weights). " + (read(os.path.join(args.work, "compile.txt")) or "").strip() + ". "
          "Forward times in ms: ExecuTorch's runtime (`et_run`, method loaded once, median "
          "(min–max) of the timed forwards), one whole `vkqc run` process, and PyTorch in the "
          "same run on the same GPU" +
          (f" (torch {torch['torch']}, transformers {torch['transformers']}; median of CUDA-event-"
           "timed forwards after a warm-up)" if torch else "") + ".\n")
    variants = list(torch["variants"]) if torch else []
    print("| T | et_run (vkqc's .pte) | `vkqc run` process | " + " | ".join(variants) +
          " | target | et_run ≤ target |")
    print("|---|---|---|" + "---|" * len(variants) + "---|---|")
    for t in counts:
        et = et_median(read(os.path.join(args.work, f"et_{t}.txt")))
        et_cell = f"{ms(et[0])} ({ms(et[2])}–{ms(et[3])})" if et else "failed"
        vk = (read(os.path.join(args.work, f"vkqc_{t}.txt")) or "").split("\n")
        compared = f" (argmax {vk[1]})" if len(vk) > 1 and vk[1] else ""
        vk_cell = f"{ms(float(vk[0]))}{compared}" if vk[0] else "not run"
        cols = [ms(torch["variants"][v][str(t)]["median_ms"]) if str(t) in torch["variants"][v]
                else "" for v in variants]
        target = TARGETS_MS.get(t)
        verdict = ("PASS" if et and et[0] <= target else "FAIL") if target else ""
        print(f"| {t} | {et_cell} | {vk_cell} | " + " | ".join(cols) +
              f" | {target or ''} | {verdict} |")


if __name__ == "__main__":
    main()
