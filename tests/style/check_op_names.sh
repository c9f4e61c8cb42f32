#!/usr/bin/env bash
# Fails when C++ code names an op by its target string ("aten.linear.default") instead of
# its kind (OpKind::aten_linear_default): op names live in the op table (compiler/ir/Ops.def)
# and the tables beside it (.def files), so that every use of an op is one grep away and a
# misspelt op is a compile error. Comments may quote op names.
#
#   tests/style/check_op_names.sh [REPO]      (ctest runs it as `op-names`)
set -euo pipefail
repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$repo"

# A quoted op target: namespace.name or namespace.name.overload.
op='"(aten|torchao|et_vk|vkqc|quantized_decomposed|mslk|fbgemm|llama)\.[A-Za-z_0-9]+(\.[A-Za-z_0-9]+)?"'

# Documented exceptions, `path:literal` (none today). Add one only for a name that cannot be a
# row of the table, with the reason beside it.
allowed=()

mapfile -t files < <(find compiler passes patterns runtime serialize shaders tools \
  \( -name '*.cpp' -o -name '*.h' \) | sort)
bad=0
for f in "${files[@]}"; do
  # Code only: drop `//` comments (no op name sits in a string holding `//`).
  while IFS= read -r hit; do
    [ -z "$hit" ] && continue
    line=${hit%%:*}
    lit=${hit#*:}
    if [[ " ${allowed[*]-} " == *" $f:$lit "* ]]; then
      continue
    fi
    echo "$f:$line: op name $lit outside the op table: use OpKind::$(echo "$lit" | tr -d '"' | tr . _)"
    bad=$((bad + 1))
  done < <(sed 's|//.*||' "$f" | grep -noE "$op" || true)
done
echo "op-names: ${#files[@]} files, $bad op-name literals outside the tables"
[ $bad -eq 0 ]
