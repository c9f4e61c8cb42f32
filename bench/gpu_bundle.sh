#!/usr/bin/env bash
# Packs vkqc (and et_run) for a GPU machine that has none of its Debian packages (docs: bench/README.md,
# "GPU benchmark"): a stripped Release build plus the shared libraries such a machine lacks,
# in one folder to copy over. Run with LD_LIBRARY_PATH=<folder> there.
#
#   bench/gpu_bundle.sh [OUT_DIR]      (default .devbin)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/.devbin}
build=$src/build-release
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" -j"${VKQC_JOBS:-2}" vkqc
mkdir -p "$out"
strip -o "$out/vkqc" "$build/tools/vkqc"
for lib in libminizip.so.1 libfmt.so.9 libtinfo.so.6 libsleef.so.3; do
  cp -L "/lib/$(gcc -dumpmachine)/$lib" "$out/"
done
# ExecuTorch's runtime, when the shared tools are beside the checkout.
et_run=$src/../shared/tools/executorch/et_run
[ -f "$et_run" ] && cp "$et_run" "$out/"
du -sh "$out"
