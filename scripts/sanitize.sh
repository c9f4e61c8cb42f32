#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DVKQC_SANITIZE=ON) in build-asan/ and runs the whole ctest suite there.
#
#   scripts/sanitize.sh
#
# VKQC_JOBS sets build and test parallelism (default 2). A sanitizer report makes the
# binary exit 86 (not 1, so `not vkqc ...` tests cannot mistake it for a clean refusal),
# and leaks are reported (LeakSanitizer). Prints the minutes taken.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${VKQC_ASAN_BUILD:-$src/build-asan}
jobs=${VKQC_JOBS:-2}
start=$(date +%s)

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVKQC_SANITIZE=ON >/dev/null
ninja -C "$build" -j"$jobs"
built=$(date +%s)

export ASAN_OPTIONS=exitcode=86:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
# Leaks of libraries outside vkqc (scripts/lsan.supp). The lavapipe driver is preloaded so
# its frames keep their name after the Vulkan loader unloads it (verify_asan_link_order=0
# lets a preloaded library come before the sanitizer runtime).
export LSAN_OPTIONS=suppressions=$src/scripts/lsan.supp
lavapipe=/usr/lib/$(gcc -dumpmachine)/libvulkan_lvp.so
if [ -f "$lavapipe" ]; then
  export LD_PRELOAD=$lavapipe
  ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0
fi
export UBSAN_OPTIONS=exitcode=86:print_stacktrace=1:halt_on_error=1
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 1800
done_=$(date +%s)
echo "sanitize.sh: build $(( (built - start) / 60 )) min $(( (built - start) % 60 )) s," \
     "tests $(( (done_ - built) / 60 )) min $(( (done_ - built) % 60 )) s," \
     "total $(( (done_ - start) / 60 )) min $(( (done_ - start) % 60 )) s"
