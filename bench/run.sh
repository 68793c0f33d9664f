#!/usr/bin/env bash
# Benchmarks archlint against lint-imports (--no-cache) and grimp's build_graph on the same work:
# django, sympy (fetched with pip) and synthetic 10k- and 50k-module trees.
# Usage: bash bench/run.sh [--quick]   (--quick: skip the 50k tree and use fewer repetitions)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=bench/work
mkdir -p "$WORK"
if [ ! -x "$WORK/venv/bin/python" ]; then python3 -m venv "$WORK/venv"; fi
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check "import-linter==2.16" "grimp==3.19"
if [ ! -d "$WORK/src/django" ] || [ ! -d "$WORK/src/sympy" ]; then
  "$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$WORK/src" \
    "django==5.2.*" "sympy==1.14.*"
fi
for n in 10000 50000; do
  if [ ! -d "$WORK/tree$n" ]; then python3 bench/gen_tree.py "$n" "$WORK/tree$n" >/dev/null; fi
done
cargo build --release --quiet --bin archlint
exec "$WORK/venv/bin/python" bench/compare.py "$@"
