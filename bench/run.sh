#!/usr/bin/env bash
# Benchmarks archlint against its peers on the same work, side by side:
# - architecture: lint-imports (--no-cache) and grimp's build_graph on django, sympy (fetched with
#   pip) and synthetic 10k- and 50k-module trees (bench/compare.py);
# - dependencies: `pip list` and a `pip show` loop on a 500-distribution virtualenv
#   (bench/gen_env.py, bench/deps_bench.py).
# Usage: bash bench/run.sh [--quick] [deps]   (--quick: skip the 50k tree, fewer repetitions;
#        deps: only the dependency benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=bench/work
mkdir -p "$WORK"
deps_bench() {
  if [ ! -d "$WORK/deps/venv" ]; then python3 bench/gen_env.py 500 "$WORK/deps" >/dev/null; fi
  cargo build --release --quiet --bin archlint
  python3 bench/deps_bench.py
}
if [ "${1:-}" = "deps" ]; then deps_bench; exit 0; fi
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
"$WORK/venv/bin/python" bench/compare.py "$@"
deps_bench
