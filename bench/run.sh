#!/bin/sh
# The compile-speed benchmark: bench/README.md says what it measures. Options: --help.
set -e
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
exec "$PY" "$(dirname "$0")/bench.py" "$@"
