"""Where the `archlint` command that came with this package is (for running it as a process)."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

_EXE = "archlint.exe" if sys.platform == "win32" else "archlint"


def find_archlint_bin() -> str:
    """The archlint executable: `ARCHLINT_BIN`, else the one installed with this package (in the
    interpreter's scripts directory, for every install scheme), else the first on PATH."""
    override = os.environ.get("ARCHLINT_BIN")
    if override:
        return override
    candidates = []
    for scheme in {sysconfig.get_default_scheme(), *_user_schemes()}:
        try:
            candidates.append(Path(sysconfig.get_path("scripts", scheme)))
        except KeyError:
            continue
    candidates.append(Path(sys.executable).parent)
    for directory in candidates:
        exe = directory / _EXE
        if exe.is_file() and os.access(exe, os.X_OK):
            return str(exe)
    found = shutil.which(_EXE)
    if found:
        return found
    raise FileNotFoundError(
        "the archlint binary was not found next to this Python (reinstall the archlint wheel, "
        "or set ARCHLINT_BIN)"
    )


def _user_schemes() -> list[str]:
    schemes = []
    for name in ("posix_user", "nt_user", "osx_framework_user"):
        if name in sysconfig.get_scheme_names():
            schemes.append(name)
    return schemes
