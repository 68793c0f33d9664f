"""The wheel's `archlint` and `lint-imports` commands: the Rust command line, run in this
process by the native module (no second executable in the wheel)."""

from __future__ import annotations

import os
import signal
import sys

from . import _native


def _run(argv: list[str]) -> int:
    # Ctrl-C stops the command at once, as it stops the `archlint` binary: the engine runs
    # without the GIL, where Python's own handler would only set a flag nobody reads.
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    # A reader that goes away (`archlint graph | head`) ends the command quietly.
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.stdout.flush()
    return _native.run_cli([os.fsdecode(a) for a in argv])


def main() -> None:
    """`archlint ARGS`."""
    sys.exit(_run(["archlint", *sys.argv[1:]]))


def lint_imports() -> None:
    """`lint-imports ARGS`: import-linter's command, answered by `archlint lint-imports`."""
    sys.exit(_run(["archlint", "lint-imports", *sys.argv[1:]]))
