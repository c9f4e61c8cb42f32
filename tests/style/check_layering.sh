#!/usr/bin/env bash
# Fails when a C++ file includes a header of a library it may not depend on. The rules
# (docs/architecture.md, "Layering") run one way:
#   ir <- {import, target, quant, interp, pass infrastructure} <- {patterns, passes}
#      <- {lower} <- driver <- tools
# with serialize and shaders beside them (shaders read only the dtype and op-kind headers).
#
#   tests/style/check_layering.sh [REPO]      (ctest runs it as `layering`)
set -euo pipefail
repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$repo"

# What each library's files may include besides its own headers and outside libraries:
# libraries (a folder) or single headers (a path).
declare -A allow=(
  [compiler/ir]=""
  [compiler/quant]=""
  [serialize]=""
  [compiler/import]="compiler/ir"
  [compiler/target]="compiler/ir"
  [compiler/semantics]="compiler/ir/DType.h compiler/ir/DTypes.def compiler/ir/OneLineError.h compiler/quant"
  [compiler/interp]="compiler/ir compiler/semantics compiler/quant"
  [compiler/pass]="compiler/ir"
  [shaders]="compiler/ir/DType.h compiler/ir/DTypes.def compiler/ir/OpKind.h compiler/ir/Ops.def"
  [shaders/generator]="shaders"
  [patterns]="compiler/ir compiler/pass compiler/quant compiler/target compiler/semantics compiler/interp"
  [passes]="compiler/ir compiler/pass patterns compiler/quant compiler/target compiler/semantics compiler/interp shaders"
  [compiler/lower]="compiler/ir compiler/target compiler/semantics serialize shaders"
  [runtime]="serialize shaders compiler/quant compiler/semantics compiler/ir/DType.h compiler/ir/DTypes.def compiler/ir/OneLineError.h compiler/ir/OpKind.h compiler/ir/Ops.def"
  [compiler/driver]="compiler/ir compiler/import compiler/target compiler/semantics compiler/interp compiler/pass passes patterns compiler/lower serialize shaders runtime"
  [tools]="compiler/driver"
)

# Known violations, to be removed (issue 20): `library:included header-or-library`.
# - The executor runs CPU kernel calls through the interpreter's op handlers on synthetic IR
#   nodes (and reads the op table for their arguments): the handlers should read their
#   arguments through compiler/semantics, so that the executor needs no IR node.
known=(
  runtime:compiler/interp/OpHandlers.h
  runtime:compiler/ir/OpSchema.h
)

ours='^(compiler/[a-z_]+|passes|patterns|runtime|serialize|shaders/generator|shaders|tools)/'
library() { # the library a repository path belongs to
  [[ $1 =~ $ours ]] && echo "${BASH_REMATCH[1]}"
}
allowed() { # allowed LIBRARY HEADER
  local lib=$1 header=$2 dep entry
  dep=$(library "$header")
  [ "$dep" = "$lib" ] && return 0
  for entry in ${allow[$lib]} ${known[@]+"${known[@]}"}; do
    entry=${entry#"$lib:"}
    [ "$entry" = "$dep" ] || [ "$entry" = "$header" ] && return 0
  done
  return 1
}

mapfile -t files < <(find compiler passes patterns runtime serialize shaders tools \
  \( -name '*.cpp' -o -name '*.h' -o -name '*.def' \) | sort)
bad=0
for f in "${files[@]}"; do
  lib=$(library "$f") || continue
  if [ -z "${allow[$lib]+set}" ]; then
    echo "$f: library $lib has no row in tests/style/check_layering.sh"
    bad=$((bad + 1))
    continue
  fi
  while IFS=: read -r line header; do
    library "$header" >/dev/null || continue # an outside library or a generated header
    if ! allowed "$lib" "$header"; then
      echo "$f:$line: $lib may not include $header"
      bad=$((bad + 1))
    fi
  done < <(grep -noE '^#include "[^"]+"' "$f" | sed 's/#include "//; s/"$//' || true)
done
echo "layering: ${#files[@]} files, $bad includes against the rules"
[ $bad -eq 0 ]
