#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (import-linter and
# pytest in a throwaway virtualenv), builds archlint, runs the Rust tests and the differential
# conformance tests against the real import-linter.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${ARCHLINT_TEST_VENV:-target/test-venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
echo "== installing test tools (import-linter, pytest)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "import-linter>=2.16,<3" "pytest>=8"

echo "== building archlint (release)"
cargo build --release --locked --bin archlint

echo "== Rust tests"
cargo test --workspace --locked

echo "== conformance with import-linter $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("import-linter"))')"
ARCHLINT_BIN="$PWD/target/release/archlint" IMPORTLINTER_PYTHON="$PWD/$VENV/bin/python" \
  "$VENV/bin/python" -m pytest -q tests/conformance
