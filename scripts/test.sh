#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (Debian's redis-server;
# import-linter and pytest in a throwaway virtualenv), builds archlint, runs the Rust tests and
# the differential conformance tests against the real import-linter, and opens the HTML report in
# headless Chromium (Debian's package).
# The Redis tests start their own redis-server processes on loopback ports with temporary
# directories; the PostgreSQL tests share one throwaway cluster (Debian's postgresql, installed
# if missing) with a temporary data directory, each test in a database of its own. Nothing is
# left running.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
# The HTML report is checked in a real browser.
command -v chromium >/dev/null || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]} (apt-get)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends "${need_apt[@]}" >/dev/null \
    || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${need_apt[@]}" >/dev/null; }
fi
# Service-backed tests must run here, never skip.
export ARCHLINT_REQUIRE_SERVICES=1

VENV="${ARCHLINT_TEST_VENV:-target/test-venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
echo "== installing test tools and a mix of distributions (import-linter, pytest, ...)"
# import-linter is pinned to its current minor release: the differential driver
# (tests/conformance/il_driver.py) calls private use-case helpers that minor releases reorganise
# (it knows 2.16's and 2.17's), and a new release may add contract types to cover.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "import-linter>=2.17,<2.18" "pytest>=8" "attrs" "PyYAML" "six" "cyclonedx-python-lib[json-validation]>=8" "jsonschema>=4" "junitparser>=3" "radon>=6"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
  -e tests/environment/editable_pkg

# tach, pinned to 0.35.x (the differential tests of tach configurations, tests/conformance/
# test_tach.py), in its own virtualenv: its dependencies would change the inventory tests' mix.
if [ ! -x target/tach-venv/bin/tach ]; then
  "$PYTHON" -m venv target/tach-venv
fi
target/tach-venv/bin/python -m pip install --quiet --disable-pip-version-check "tach>=0.35.3,<0.36"

echo "== building archlint (release) and the mock package index"
cargo build --release --locked --bin archlint
cargo build --release --locked -p archlint-index --features mock-server --example mock_index
# The README's first command (`cargo run` must pick the archlint binary of the two), without a
# cache left in the example: the example has broken contracts, so exit 1.
set +e
cargo run --release --locked --quiet -- check examples/layered-shop --no-cache >/dev/null 2>&1
readme_status=$?
set -e
if [ "$readme_status" -ne 1 ]; then
  echo "the README's command (cargo run --release -- check examples/layered-shop) exited $readme_status, not 1" >&2
  exit 1
fi

echo "== the wheel (maturin), installed into a fresh virtualenv"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "maturin>=1.9.4,<2"
rm -rf target/wheels target/wheel-venv
"$VENV/bin/maturin" build --release --locked --out target/wheels
"$PYTHON" -m venv target/wheel-venv
target/wheel-venv/bin/python -m pip install --quiet --disable-pip-version-check \
  target/wheels/archlint-*.whl "pytest>=8" "pytest-xdist>=3" "grimp==3.20"

echo "== a throwaway PostgreSQL cluster on a loopback port (scripts/postgres.sh)"
eval "$(bash scripts/postgres.sh start)"
trap 'bash scripts/postgres.sh stop "$ARCHLINT_PG_DIR"' EXIT
export ARCHLINT_TEST_DATABASE_URL

echo "== Rust tests (${SECONDS}s so far)"
cargo test --workspace --locked

echo "== conformance with import-linter $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("import-linter"))')"
ARCHLINT_BIN="$PWD/target/release/archlint" IMPORTLINTER_PYTHON="$PWD/$VENV/bin/python" \
  TACH_BIN="$PWD/target/tach-venv/bin/tach" "$VENV/bin/python" -m pytest -q tests/conformance

echo "== the Python package: pytest plugin (pytester, xdist) and API (${SECONDS}s so far)"
target/wheel-venv/bin/python -m pytest -q -p no:cacheprovider tests/python

echo "== environment inventory against pip and importlib.metadata; CI formats against their readers; complexity against radon"
ARCHLINT_BIN="$PWD/target/release/archlint" TEST_VENV="$VENV" \
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/environment tests/reports tests/rules

echo "== smoke benchmark: every run checked; > 2x slower than bench/results/smoke-<machine>.json fails"
"$PYTHON" bench/smoke.py
