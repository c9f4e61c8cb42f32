#!/usr/bin/env bash
# Regenerates the golden .vkir files from the corpus after an intended change.
# Usage: tests/lit/update-golden.sh [build-dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
for pt2 in "$here"/../data/*.pt2; do
  name=$(basename "$pt2" .pt2)
  "$build/tools/vkqc" compile "$pt2" --compile-to=import > "$here/import/golden/$name.vkir"
done
