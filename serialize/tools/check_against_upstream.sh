#!/usr/bin/env bash
# Checks serialize/schema/*.fbs against an ExecuTorch checkout, without
# copying upstream files into this repository (they go to a temp dir).
#
#   check_against_upstream.sh EXECUTORCH_GIT_DIR [REF] [SAMPLE.pte]
#
# 1. field-by-field comparison of the three schemas (check_schema_compat.py);
# 2. with SAMPLE.pte: flatc decodes it with the upstream and with our
#    program.fbs; the two JSON dumps must be identical.
set -euo pipefail
git_dir=$1
ref=${2:-main}
sample=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
ours=$here/../schema
upstream=$(mktemp -d)
trap 'rm -rf "$upstream"' EXIT

git -C "$git_dir" show "$ref:schema/program.fbs" > "$upstream/program.fbs"
git -C "$git_dir" show "$ref:schema/scalar_type.fbs" > "$upstream/scalar_type.fbs"
git -C "$git_dir" show "$ref:backends/vulkan/serialization/schema.fbs" > "$upstream/schema.fbs"
echo "upstream commit: $(git -C "$git_dir" rev-parse "$ref")"

python3 "$here/check_schema_compat.py" \
  "$ours/program.fbs" "$upstream/program.fbs" \
  "$ours/scalar_type.fbs" "$upstream/scalar_type.fbs" \
  "$ours/vulkan_schema.fbs" "$upstream/schema.fbs"

if [[ -n "$sample" ]]; then
  for side in upstream ours; do
    schema_dir=$upstream; [[ $side == ours ]] && schema_dir=$ours
    flatc --json --strict-json --raw-binary --defaults-json -o "$upstream/$side" \
      "$schema_dir/program.fbs" -- "$sample"
  done
  name=$(basename "${sample%.*}").json
  diff "$upstream/upstream/$name" "$upstream/ours/$name"
  echo "$sample: identical decoding with both schemas"
fi
