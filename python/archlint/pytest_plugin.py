"""pytest plugin: every configured contract and dependency area becomes a test item.

Enable with `pytest --archlint`, or with `pytest = true` under `[tool.archlint]` in the project's
pyproject.toml. The analysis runs once per test run — under pytest-xdist the first worker runs it
and the others read its result — and through archlint's cache, so a repeated run is warm.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from ._deps import AREAS
from ._errors import ArchlintError


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("archlint", "architecture contracts and dependency checks")
    group.addoption("--archlint", action="store_true", default=False, help="check archlint's contracts and dependency policies as test items")
    group.addoption("--archlint-path", default=None, metavar="DIR", help="project root for archlint (default: pytest's rootdir)")
    group.addoption("--archlint-config", default=None, metavar="FILE", help="archlint / import-linter configuration file")
    group.addoption("--archlint-online", action="store_true", default=False, help="check vulnerabilities against the package index (default: offline database)")
    group.addoption("--archlint-allow-plugins", action="store_true", default=False, help="run import-linter custom contract types (Python classes of the project) in this interpreter's environment")


def _enabled_in_pyproject(root: Path) -> bool:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover
            import tomli as tomllib  # type: ignore[no-redef]
        doc = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except Exception:
        return False
    return doc.get("tool", {}).get("archlint", {}).get("pytest") is True


def _root(config: pytest.Config) -> Path:
    path = config.getoption("archlint_path")
    return Path(path).resolve() if path else Path(config.rootpath)


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("archlint")) or _enabled_in_pyproject(_root(config))


def _analyse(config: pytest.Config) -> dict[str, Any]:
    """`archlint check`, in this process, once per test run."""
    options: dict[str, Any] = {
        "path": str(_root(config)),
        "config": None,
        "online": False,
        "allow_plugins": bool(config.getoption("archlint_allow_plugins")),
    }
    cfg = config.getoption("archlint_config")
    if cfg:
        options["config"] = str(Path(cfg).resolve())
    if config.getoption("archlint_online"):
        options["online"] = True
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return _run(options)
    # pytest-xdist: every worker collects the same items from one shared analysis.
    run_id = workerinput.get("testrunuid", "")
    key = hashlib.sha256(json.dumps([run_id, options], sort_keys=True).encode()).hexdigest()[:16]
    shared = Path(tempfile.gettempdir()) / f"archlint-pytest-{os.getuid() if hasattr(os, 'getuid') else 0}"
    shared.mkdir(mode=0o700, exist_ok=True)
    result = shared / f"{key}.json"
    with _Lock(shared / f"{key}.lock"):
        if result.is_file():
            return json.loads(result.read_text(encoding="utf-8"))
        doc = _run(options)
        tmp = result.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(result)
        return doc


def _run(options: dict[str, Any]) -> dict[str, Any]:
    trace = os.environ.get("ARCHLINT_PYTEST_TRACE")
    if trace:
        # Tests count analyses through this (one line per run of archlint).
        with open(trace, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {time.time()}\n")
    path = options.pop("path")
    from . import _native  # only when the plugin is asked for: plain runs load no library

    try:
        _, report = _native.check(path, **options)
        return {"ok": True, "report": json.loads(report)}
    except ArchlintError as e:
        return {"ok": False, "error": str(e)}


class _Lock:
    """An exclusive lock on a file (POSIX flock; elsewhere, an O_EXCL lock file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> "_Lock":
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the flock


class ArchlintWarning(UserWarning):
    """A dependency finding at warning level: shown in pytest's warnings summary."""


class ArchlintFailure(Exception):
    """A broken contract or a failing dependency area; the message is the CLI's text."""


class ArchlintItem(pytest.Item):
    def __init__(self, *, outcome: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outcome = outcome
        self.add_marker("archlint")

    def runtest(self) -> None:
        for warning in self.outcome.get("warnings", []):
            warnings.warn(ArchlintWarning(warning), stacklevel=1)
        if not self.outcome["passed"]:
            raise ArchlintFailure(self.outcome["message"])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ArchlintFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"archlint: {self.name}"


def _contract_outcome(contract: dict[str, Any]) -> dict[str, Any]:
    kept = bool(contract["kept"])
    message = contract.get("text") or f"{contract['name']} BROKEN"
    return {"passed": kept, "message": message}


def _area_outcome(report: dict[str, Any], area: str) -> dict[str, Any]:
    findings = [
        f for f in report.get("findings", [])
        if f.get("check", {}).get("kind") == "dependencies" and f["check"].get("area") == area and not f.get("suppressed")
    ]
    def line(f: dict[str, Any]) -> str:
        loc = f.get("location") or {}
        where = f"{loc.get('path')}:{loc.get('line')}: " if loc.get("line") else (f"{loc['path']}: " if loc.get("path") else "")
        return f"{where}{f['severity']}[{f['code']}] {f['message']}"

    errors = [line(f) for f in findings if f["severity"] == "error"]
    warned = [line(f) for f in findings if f["severity"] != "error"]
    message = f"dependencies: {area}: {len(errors)} error{'s' if len(errors) != 1 else ''}\n" + "\n".join(errors)
    return {"passed": not errors, "message": message, "warnings": warned}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "archlint: an archlint contract or dependency check")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _enabled(config):
        return
    result = _analyse(config)
    new: list[pytest.Item] = []
    if not result["ok"]:
        new.append(ArchlintItem.from_parent(session, name="archlint::configuration", outcome={"passed": False, "message": result["error"]}))
    else:
        report = result["report"]
        for contract in report.get("contracts", []):
            ident = contract.get("id") or contract["name"]
            new.append(ArchlintItem.from_parent(session, name=f"archlint::contract::{ident}", outcome=_contract_outcome(contract)))
        for error in report.get("errors", []):
            new.append(ArchlintItem.from_parent(session, name=f"archlint::contract::{error['contract']}", outcome={"passed": False, "message": error["message"]}))
        if report.get("dependencies") is not None:
            for area in AREAS:
                new.append(ArchlintItem.from_parent(session, name=f"archlint::dependencies::{area}", outcome=_area_outcome(report, area)))
    items[:0] = new
