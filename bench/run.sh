#!/usr/bin/env bash
# Benchmarks archlint against its peers on the same work, side by side:
# - architecture: lint-imports (--no-cache and cached), grimp's build_graph and `tach check` on
#   django, sympy, Home Assistant (fetched with pip) and generated 10k- and 50k-module trees at
#   two module sizes; reports compared, parser throughput and the physical floor (bench/compare.py);
# - code-structure rules: their cost on cold and warm runs, radon side by side, duplication per
#   MB (bench/rules_bench.py);
# - dependencies: `pip list`, a `pip show` loop on a 500-distribution virtualenv,
#   pip-licenses, deptry and `tach check-external` compared finding by finding
#   (bench/gen_env.py, bench/deps_bench.py).
# - the seed scenario: a pytest suite with the archlint plugin (django contracts + 200
#   distributions: approved, licenses, offline vulnerabilities) against a `pip show` suite
#   (bench/pytest_bench.py).
# - export: `archlint export postgres` cold, unchanged and after one edit, on the generated
#   trees, into a throwaway PostgreSQL cluster (bench/export_bench.py).
# - the bad case: violation-heavy 10k and 51k trees (thousands of broken routes), lint-imports
#   against archlint's text, JSON and lint-imports reports; fails when they disagree
#   (bench/violations_bench.py, raw results in bench/results/).
# Usage: bash bench/run.sh [--quick] [deps|pytest|export|violations]   (--quick: skip the 50k tree, fewer
#        repetitions; deps / pytest: only that benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=bench/work
mkdir -p "$WORK"
deps_bench() {
  python3 bench/gen_env.py 500 "$WORK/deps" >/dev/null  # the environment once, the project every time
  if [ ! -x "$WORK/venv/bin/python" ]; then python3 -m venv "$WORK/venv"; fi
  "$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip-licenses==5.0.0" "deptry==0.23.0" "tach==0.35.3"
  cargo build --release --quiet --bin archlint
  python3 bench/deps_bench.py
}
pytest_bench() {
  if [ ! -d "$WORK/src/django" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --no-deps --target "$WORK/src" "django==5.2.*"
  fi
  if [ ! -x "$WORK/maturin/bin/maturin" ]; then
    python3 -m venv "$WORK/maturin" && "$WORK/maturin/bin/python" -m pip install --quiet "maturin>=1.9.4,<2"
  fi
  "$WORK/maturin/bin/maturin" build --release --quiet --out target/wheels
  rm -rf "$WORK/pytest/runner"
  python3 bench/pytest_bench.py
}
if [ "${1:-}" = "deps" ]; then deps_bench; exit 0; fi
if [ "${1:-}" = "pytest" ]; then pytest_bench; exit 0; fi
if [ "${1:-}" = "export" ]; then cargo build --release --quiet --bin archlint; python3 bench/export_bench.py; exit 0; fi
violations_bench() {
  if [ ! -x "$WORK/venv/bin/lint-imports" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check "import-linter==2.17" "grimp==3.20"
  fi
  cargo build --release --quiet --bin archlint
  python3 bench/violations_bench.py "$@"
}
if [ "${1:-}" = "violations" ]; then shift; violations_bench "$@"; exit 0; fi
# GNU time measures each command's own peak memory (bench/compare.py says why wait4 cannot).
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; fi
if [ ! -x "$WORK/venv/bin/python" ]; then python3 -m venv "$WORK/venv"; fi
"$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check "import-linter==2.17" "grimp==3.20" "radon==6.0.1" "tach==0.35.3"
if [ ! -d "$WORK/src/django" ] || [ ! -d "$WORK/src/sympy" ]; then
  "$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$WORK/src" \
    "django==5.2.*" "sympy==1.14.*"
fi
for n in 10000 50000; do
  if [ ! -d "$WORK/tree$n" ]; then python3 bench/gen_tree.py "$n" "$WORK/tree$n" >/dev/null; fi
  if [ ! -d "$WORK/tree$n-150" ]; then python3 bench/gen_tree.py "$n" "$WORK/tree$n-150" --lines 150 >/dev/null; fi
done
# A real large codebase: Home Assistant's wheel (6,725 files), from the configured package index.
if [ ! -d "$WORK/ha/homeassistant" ]; then
  rm -rf "$WORK/ha" && mkdir -p "$WORK/ha/wheel"
  "$WORK/venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$WORK/ha/wheel" "homeassistant==2024.3.3"
  "$WORK/venv/bin/python" -m zipfile -e "$WORK"/ha/wheel/homeassistant-*.whl "$WORK/ha/unpacked"
  mv "$WORK/ha/unpacked/homeassistant" "$WORK/ha/homeassistant" && rm -rf "$WORK/ha/unpacked" "$WORK/ha/wheel"
fi
cargo build --release --quiet --bin archlint
cargo build --release --quiet -p archlint-parser --example parse_speed
"$WORK/venv/bin/python" bench/compare.py "$@"
"$WORK/venv/bin/python" bench/rules_bench.py "$@"
"$WORK/venv/bin/python" bench/tach_bench.py "$@"
python3 bench/export_bench.py "$@"
violations_bench "$@"
deps_bench
pytest_bench
