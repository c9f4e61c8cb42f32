#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (clang-14, ASan+UBSan, build-fuzz/) and runs
# each for SECONDS (default 600), one at a time, one job, one worker.
#
#   scripts/fuzz.sh [SECONDS]
#
# Environment: VKQC_FUZZERS (default "model_json pt2 npy sympy opschema pte vkir run_pte"),
# VKQC_JOBS (build parallelism, default 2), VKQC_FUZZ_BUILD (default <repo>/build-fuzz).
#
# Before fuzzing, each harness replays tests/fuzz/regressions/<harness>/ (every input that
# once crashed it). New corpus entries go to build-fuzz/fuzz-corpus/<harness>/, crashes to
# build-fuzz/fuzz-artifacts/<harness>/. Exit status 1 when any harness found something.
#
# The one-second figure of the error contract is checked here too, not by lit (a loaded
# CI machine would make that flaky): after fuzzing, the release vkqc (build/tools/vkqc, when
# built) must refuse every malformed .pt2 of the pt2 corpus within 1 s each.
set -uo pipefail
secs=${1:-600}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${VKQC_FUZZ_BUILD:-$src/build-fuzz}
jobs=${VKQC_JOBS:-2}
harnesses=${VKQC_FUZZERS:-model_json pt2 npy sympy opschema pte vkir run_pte}

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVKQC_FUZZ=ON -DVKQC_WERROR=OFF >/dev/null || exit 1
ninja -C "$build" -j"$jobs" vkqc-fuzzers || exit 1

python3 "$src/tests/fuzz/make_seeds.py" "$build/fuzz-seeds" || exit 1
# A .pte with Vulkan delegates for the pte harness, written by this checkout's compiler;
# for run_pte, it and the mini program (one Vulkan delegate) with an input each.
mkdir -p "$build/fuzz-seeds/pte" "$build/fuzz-seeds/run_pte"
ninja -C "$build" -j"$jobs" vkqc >/dev/null && "$build/tools/vkqc" compile \
  "$src/tests/data/tiny_llama_4w_fp32.pt2" -o "$build/fuzz-seeds/pte/tiny-4w.pte" &&
  "$build/tools/vkqc" compile "$src/tests/lit/Inputs/mini/models/model.json" \
    -o "$build/fuzz-seeds/pte/mini-vulkan.pte" || exit 1
pack() { python3 "$src/tests/fuzz/make_seeds.py" --pack-run-pte "$build/fuzz-seeds/run_pte/$1" "$2" "$3" || exit 1; }
pack mini-vulkan "$src/tests/fuzz/corpus/npy/mini-input.npy" "$build/fuzz-seeds/pte/mini-vulkan.pte"
pack tiny-4w "$src/tests/data/tiny_llama_4w_fp32.tokens.npy" "$build/fuzz-seeds/pte/tiny-4w.pte"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# run_pte drives lavapipe: its allocations are the driver's (scripts/lsan.supp), preloaded
# so that its frames keep their names after the loader unloads it, as sanitize.sh does.
lavapipe=/usr/lib/$(gcc -dumpmachine)/libvulkan_lvp.so
status=0
for h in $harnesses; do
  if [ "$h" = run_pte ] && [ -f "$lavapipe" ]; then
    run_env=(env LD_PRELOAD="$lavapipe" ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
             LSAN_OPTIONS="suppressions=$src/scripts/lsan.supp")
  else
    run_env=()
  fi
  bin=$build/tests/fuzz/fuzz_$h
  corpus=$build/fuzz-corpus/$h
  artifacts=$build/fuzz-artifacts/$h
  mkdir -p "$corpus" "$artifacts"
  regressions=("$src/tests/fuzz/regressions/$h"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "== $h: replaying ${#regressions[@]} regression inputs"
    "${run_env[@]}" "$bin" -timeout=10 "${regressions[@]}" >"$artifacts/regressions.log" 2>&1 ||
      { echo "== $h: a regression input fails again (see $artifacts/regressions.log)"; status=1; continue; }
  fi
  dict=()
  [ -f "$src/tests/fuzz/dicts/$h.dict" ] && dict=(-dict="$src/tests/fuzz/dicts/$h.dict")
  echo "== $h: fuzzing for $secs s (log: $artifacts/fuzz.log)"
  start=$(date +%s)
  "${run_env[@]}" "$bin" "$corpus" "$src/tests/fuzz/corpus/$h" "$build/fuzz-seeds/$h" "${dict[@]}" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -report_slow_units=2 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$artifacts/fuzz.log" 2>&1
  rc=$?
  echo "== $h: exit $rc after $(( $(date +%s) - start )) s; $(grep -E '^stat::number_of_executed_units' "$artifacts/fuzz.log" | tail -1)"
  grep -E 'Slowest unit' "$artifacts/fuzz.log" | tail -1
  if [ $rc -ne 0 ]; then
    status=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|ALARM|fuzz:)' "$artifacts/fuzz.log" | head -5
    ls -1 "$artifacts" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | sed "s|^|   $artifacts/|"
  fi
done

# Error latency with the release binary: every malformed archive is refused within 1 s.
vkqc=$src/build/tools/vkqc
if [ -x "$vkqc" ] && [ -d "$build/fuzz-corpus/pt2" ]; then
  slow=0 n=0
  out=$(mktemp -d)
  for f in "$build/fuzz-corpus/pt2"/* "$src/tests/fuzz/corpus/pt2"/*; do
    n=$((n + 1))
    timeout 1 "$vkqc" compile "$f" -o "$out/out" >/dev/null 2>&1
    [ $? -eq 124 ] && { echo "== latency: over 1 s: $f"; slow=$((slow + 1)); }
    rm -f "$out/out"
  done
  rmdir "$out" 2>/dev/null
  echo "== latency: $n pt2 corpus inputs, $slow over 1 s"
  [ $slow -eq 0 ] || status=1
fi
exit $status
