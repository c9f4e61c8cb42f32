#!/usr/bin/env bash
# Runs tools/compare_with_torch.py over exports of tests/data: for each, vkqc's reference
# interpreter dumps every node of the imported program (`vkqc run --compile-to=import
# --dump-values`) and PyTorch runs the same export node by node; prints, per export, the first
# node that is not bit-identical and the first beyond the tolerance, and the logits' max error
# relative to the largest logit. Run where PyTorch (the exports' version) is:
#
#   tools/compare_corpus_with_torch.sh [--vkqc PATH] [--torchao-src DIR] [--work DIR]
#                                      [--save-reference DIR] [NAME ...]
#
# NAME is an export's stem in tests/data (default: every *_fp32 export). --save-reference DIR
# also keeps PyTorch's node values as DIR/NAME.ref.npz (compare later without PyTorch:
# compare_with_torch.py --reference). Exit status 1 when any export differs beyond 1e-5.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
vkqc=$src/build/tools/vkqc
torchao_src=$src/.torchao
work=${TMPDIR:-/tmp}/vkqc-compare
save=""
names=()
while [ $# -gt 0 ]; do
  case $1 in
  --vkqc) vkqc=$2; shift 2 ;;
  --torchao-src) torchao_src=$2; shift 2 ;;
  --work) work=$2; shift 2 ;;
  --save-reference) save=$2; shift 2 ;;
  -*) echo "compare_corpus_with_torch.sh: unknown option $1" >&2; exit 2 ;;
  *) names+=("$1"); shift ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for f in "$src"/tests/data/*_fp32.pt2; do names+=("$(basename "$f" .pt2)"); done
fi
status=0
for name in "${names[@]}"; do
  data=$src/tests/data/$name
  dumps=$work/$name
  rm -rf "$dumps" && mkdir -p "$dumps"
  echo "== $name"
  if ! "$vkqc" run "$data.pt2" --compile-to=import --input "$data.tokens.npy" -o "$dumps.logits.npy" \
    --dump-values "$dumps" >/dev/null; then
    echo "vkqc run failed"; status=1; continue
  fi
  python3 - "$dumps.logits.npy" "$data.logits.npy" <<'PY'
import sys, numpy as np
a, b = np.load(sys.argv[1]).astype(np.float64), np.load(sys.argv[2]).astype(np.float64)
err = np.abs(a - b).max() / np.abs(b).max()
rows = int((np.abs(a - b).reshape(-1, a.shape[-1]).max(-1) > 0).sum())
print(f"logits: max error {100 * err:.4f}% of max |torch|, {rows} of {a.size // a.shape[-1]} tokens not bit-identical")
PY
  save_args=()
  [ -n "$save" ] && mkdir -p "$save" && save_args=(--save-reference "$save/$name.ref.npz")
  python3 "$src/tools/compare_with_torch.py" "$data.pt2" "$data.tokens.npy" "$dumps" \
    --torchao-src "$torchao_src" "${save_args[@]}" || status=1
done
exit $status
