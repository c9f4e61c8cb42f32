#!/usr/bin/env bash
# The GPU benchmark (issue 16): the Llama-3.2-1B-shape 8da4w program vkqc writes, run on a real
# GPU by ExecuTorch's own runtime (et_run: the method loaded once, then timed forwards) and
# by `vkqc run` (one whole process per forward), with PyTorch timed in the same run on the same
# GPU; prints a docs/performance.md entry.
#
#   bench/gpu.sh [--vkqc PATH] [--et-run PATH] [--tokens 2,16,128,512] [--iters 10]
#                [--warmup 3] [--target NAME] [--work DIR] [--no-torch] [--no-vkqc-run]
#
# Needs python3 with numpy (and, unless --no-torch, PyTorch with CUDA, transformers and
# torchao's Python sources at $TORCHAO_SRC). The 1.4 GB .pt2 is synthesized from
# bench/data/llama1b_8da4w_fp32.graph.tar.gz (bench/synth_pt2.py), so only the graph travels.
# Writes under --work (default bench/cache/gpu): compile.txt, et_T.txt and vkqc_T.txt per
# token count, torch.json and entry.md (the entry, also printed).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
vkqc=$src/build/tools/vkqc
et_run=$src/../shared/tools/executorch/et_run
tokens=2,16,128,512
iters=10
warmup=3
target=nvidia
work=$src/bench/cache/gpu
torch=1
vkqc_run=1
while [ $# -gt 0 ]; do
  case $1 in
  --vkqc) vkqc=$2; shift 2 ;;
  --et-run) et_run=$2; shift 2 ;;
  --tokens) tokens=$2; shift 2 ;;
  --iters) iters=$2; shift 2 ;;
  --warmup) warmup=$2; shift 2 ;;
  --target) target=$2; shift 2 ;;
  --work) work=$2; shift 2 ;;
  --no-torch) torch=0; shift ;;
  --no-vkqc-run) vkqc_run=0; shift ;;
  *) echo "gpu.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$work"
now_ms() { echo $(($(date +%s%N) / 1000000)); }

pt2=$work/llama1b_8da4w_fp32.pt2
[ -f "$pt2" ] || python3 "$src/bench/synth_pt2.py" "$src/bench/data/llama1b_8da4w_fp32.graph.tar.gz" "$pt2"
start=$(now_ms)
"$vkqc" compile "$pt2" -o "$work/model.pte" --target="$target"
echo "compile (--target=$target): $(($(now_ms) - start)) ms, $(stat -c %s "$work/model.pte") bytes" | tee "$work/compile.txt"

for t in ${tokens//,/ }; do
  python3 -c "import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng($t).integers(0, 128256, (1, $t), dtype=np.int64))" "$work/tokens_$t.npy"
  # et_run loads the method once (weights prepacked on the device), then times --iters forwards.
  "$et_run" "$work/model.pte" --input "$work/tokens_$t.npy" -o "$work/et_$t.npy" --iters "$iters" 2>&1 | tee "$work/et_$t.txt" | tail -1 || true
  if [ "$vkqc_run" = 1 ]; then
    start=$(now_ms)
    "$vkqc" run "$work/model.pte" --input "$work/tokens_$t.npy" -o "$work/vkqc_$t.npy" >/dev/null || continue
    echo "$(($(now_ms) - start))" >"$work/vkqc_$t.txt"
    python3 - "$work/vkqc_$t.npy" "$work/et_$t.npy" <<'PY' | tee -a "$work/vkqc_$t.txt"
import sys, numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
print(f"agree {float((a.argmax(-1) == b.argmax(-1)).mean()):.4f} maxdiff {float(np.abs(a - b).max()):.3g}")
PY
  fi
done

if [ "$torch" = 1 ]; then
  python3 "$src/bench/torch_baseline.py" --tokens "$tokens" --iters "$iters" --warmup "$warmup" -o "$work/torch.json"
fi
python3 "$src/bench/gpu_report.py" --work "$work" --tokens "$tokens" | tee "$work/entry.md"
