#!/usr/bin/env bash
# Regenerates the golden files (imported .vkir, inspect of compiled programs) after an
# intended change.
# Usage: tests/lit/update-golden.sh [build-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
for pt2 in "$here"/../data/*.pt2; do
  name=$(basename "$pt2" .pt2)
  "$build/tools/vkqc" compile "$pt2" --compile-to=import > "$here/import/golden/$name.vkir"
done
# vkqc inspect of the corpus programs compiled with the defaults.
for name in tiny_llama_8da4w_fp32 tiny_llama_4w_fp32 tiny_llama_tied_8da4w_fp32 tiny_llama_8da4w_bf16; do
  "$build/tools/vkqc" compile "$here/../data/$name.pt2" -o "$here/pte/golden/$name.pte"
  "$build/tools/vkqc" inspect "$here/pte/golden/$name.pte" > "$here/pte/golden/$name.inspect"
  rm "$here/pte/golden/$name.pte"
done
