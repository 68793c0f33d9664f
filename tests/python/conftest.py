"""Tests of the archlint wheel: the pytest plugin (through pytest's pytester) and the Python API.

They run in a fresh virtualenv where the wheel built by maturin is installed (scripts/test.sh),
so `archlint` here is the installed package and its bundled binary."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

import archlint

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "examples" / "layered-shop"


@pytest.fixture
def shop(pytester: pytest.Pytester) -> Path:
    """The bundled example (4 broken contracts, dependency errors) inside pytester's directory."""
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".archlint_cache"))
    return pytester.path


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def dist(root: Path, name: str, version: str, license: str = "MIT", top_level: str | None = None, metadata: str | None = None) -> None:
    """A fake installed distribution in root/.venv (archlint reads *.dist-info directly)."""
    site = root / ".venv" / "lib" / "python3.11" / "site-packages"
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    (info / "METADATA").write_text(
        metadata if metadata is not None else f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\nLicense-Expression: {license}\n"
    )
    (info / "top_level.txt").write_text((top_level or name.replace("-", "_")) + "\n")
    (info / "INSTALLER").write_text("pip\n")


def advisory_db(tmp: Path, package: str, fixed: str) -> Path:
    """An offline advisory database with one advisory: every version of `package` below `fixed`."""
    osv = tmp / "osv"
    osv.mkdir(exist_ok=True)
    (osv / "PYSEC-0000-1.json").write_text(json.dumps({
        "id": "PYSEC-0000-1", "summary": "test advisory", "modified": "2026-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": package},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}],
    }))
    db = tmp / "advisories.db"
    subprocess.run([archlint.find_archlint_bin(), "deps", "db", "import", str(osv), "--db", str(db)], check=True, capture_output=True)
    return db
