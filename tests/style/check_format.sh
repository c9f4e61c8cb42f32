#!/usr/bin/env bash
# Fails when a C++ source of the repository differs from what clang-format-14 makes of it
# (.clang-format: LLVM style, 100 columns), and prints the first differences.
#
#   tests/style/check_format.sh [REPO]        (ctest runs it as `clang-format`)
#   clang-format-14 -i FILE...                puts a file right
set -euo pipefail
repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$repo"
command -v clang-format-14 >/dev/null || { echo "clang-format-14 not found: run scripts/setup.sh"; exit 1; }
if command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.h')
else # a source tree without its git metadata
  mapfile -t files < <(find compiler passes patterns runtime serialize shaders tests tools \
    \( -name '*.cpp' -o -name '*.h' \) -not -path '*/build*' | sort)
fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format-14 --dry-run -Werror "$f" 2>/dev/null; then
    [ $bad -lt 5 ] && clang-format-14 "$f" | diff -u "$f" - | head -20
    bad=$((bad + 1))
  fi
done
echo "clang-format: ${#files[@]} files, $bad not formatted"
[ $bad -eq 0 ]
