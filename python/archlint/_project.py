"""A project loaded by the Rust engine, queried over one long-lived `archlint query` process."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from ._binary import find_archlint_bin
from ._errors import ArchlintError


@dataclass(frozen=True)
class Import:
    """A direct import: `importer` imports `imported` on `lines`."""

    importer: str
    imported: str
    lines: tuple[int, ...]
    type_checking: bool = False
    in_function: bool = False


@dataclass(frozen=True)
class Link:
    importer: str
    imported: str
    lines: tuple[int, ...]
    file: str | None

    def __str__(self) -> str:
        where = f"{self.file}:{', '.join(map(str, self.lines)) or '?'}" if self.file else "?"
        return f"{self.importer} -> {self.imported} ({where})"


@dataclass(frozen=True)
class Chain:
    """A chain of imports from one module to another, each step with its file and lines."""

    modules: tuple[str, ...]
    links: tuple[Link, ...]

    def __str__(self) -> str:
        return "\n".join(str(l) for l in self.links)

    def __len__(self) -> int:
        return len(self.links)


@dataclass(frozen=True)
class ContractResult:
    """The outcome of one contract, as `archlint check` reports it."""

    name: str
    kind: str
    kept: bool
    text: str
    direct_imports: tuple[tuple[str, str], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __bool__(self) -> bool:
        return self.kept


class Project:
    """A Python codebase as archlint's engine sees it: parsed in parallel in Rust, through the
    same cache as the CLI (so a second load is warm), queried without a subprocess per call.

    >>> project = archlint.Project(".")
    >>> project.chain("app.domain", "app.infra")
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ".",
        *,
        config: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        no_cache: bool = False,
        binary: str | None = None,
    ) -> None:
        self.root = Path(path).resolve()
        if not self.root.is_dir():
            raise ArchlintError(f"{self.root} is not a directory")
        self.config = Path(config).resolve() if config else None
        self._binary = binary or find_archlint_bin()
        self._common: list[str] = []
        if self.config:
            self._common += ["--config", str(self.config)]
        if cache_dir:
            self._common += ["--cache-dir", str(cache_dir)]
        if no_cache:
            self._common.append("--no-cache")
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._info: dict[str, Any] | None = None

    # -- the query process -------------------------------------------------------------------

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        proc = subprocess.Popen(
            [self._binary, "query", str(self.root), "--quiet", *self._common],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if not first:
            _, err = proc.communicate()
            raise ArchlintError.from_cli(err)
        self._proc = proc
        return proc

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        if not line:
            raise ArchlintError("the archlint query process ended unexpectedly")
        answer = json.loads(line)
        if "error" in answer:
            raise ArchlintError(answer["error"])
        return answer

    def close(self) -> None:
        """Stop the query process (also done when the project is garbage-collected)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait(timeout=5)
            except Exception:
                proc.kill()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"archlint.Project({str(self.root)!r})"

    # -- the graph ---------------------------------------------------------------------------

    @property
    def info(self) -> dict[str, Any]:
        if self._info is None:
            self._info = self._ask({"op": "info"})
        return self._info

    @property
    def modules(self) -> list[str]:
        """Every module of the project, sorted."""
        return list(self._ask({"op": "modules"})["modules"])

    @property
    def external_packages(self) -> list[str]:
        """Third-party packages imported (when the configuration includes external packages)."""
        return list(self._ask({"op": "modules"})["external"])

    def imports_of(self, module: str) -> list[Import]:
        """What `module` imports directly, with the line of each import statement."""
        answer = self._ask({"op": "imports", "module": module})
        return [
            Import(module, i["imported"], tuple(i["lines"]), i["type_checking"], i["in_function"])
            for i in answer["imports"]
        ]

    def importers_of(self, module: str) -> list[str]:
        """Modules that import `module` directly."""
        return list(self._ask({"op": "importers", "module": module})["importers"])

    def chain(self, importer: str, imported: str, *, as_packages: bool = True) -> Chain | None:
        """The shortest chain of imports from `importer` to `imported` (with their descendants
        when `as_packages`), or None."""
        answer = self._ask({"op": "chain", "importer": importer, "imported": imported, "as_packages": as_packages})
        if answer["chain"] is None:
            return None
        links = tuple(
            Link(l["importer"], l["imported"], tuple(l["lines"]), l.get("file")) for l in answer["links"]
        )
        return Chain(tuple(answer["chain"]), links)

    def check_contract(self, **options: Any) -> ContractResult:
        """Check one import-linter contract given as options (`type`, `source_modules`, ...),
        exactly as a configured one is checked."""
        spec = {k: _option(v) for k, v in options.items()}
        answer = self._ask({"op": "contract", "contract": spec})
        return _contract_result(answer)

    # -- whole runs ----------------------------------------------------------------------------

    def check(self, *, deps: bool | None = None) -> "CheckReport":
        """Run `archlint check` (configured contracts, and dependency checks when configured)."""
        args = ["check", str(self.root), "--format", "json", "--quiet", *self._common]
        if deps is True:
            args.append("--deps")
        elif deps is False:
            args.append("--no-deps")
        return CheckReport(run_json(self._binary, args, ok_codes=(0, 1)))

    def dependencies(
        self,
        *,
        venv: str | os.PathLike[str] | None = None,
        python: str | os.PathLike[str] | None = None,
        online: bool = False,
        index_url: str | None = None,
    ) -> "Dependencies":
        """Run the dependency checks (`archlint deps check`): policy, licenses, declared vs
        imported, vulnerabilities (offline database; the package index with `online`)."""
        from ._deps import Dependencies

        args = ["deps", "check", str(self.root), "--format", "json", "--quiet", *self._common]
        if venv:
            args += ["--venv", str(venv)]
        if python:
            args += ["--python", str(python)]
        if online:
            args.append("--online")
        if index_url:
            args += ["--index-url", index_url]
        return Dependencies(run_json(self._binary, args, ok_codes=(0, 1)))


class CheckReport:
    """The JSON report of `archlint check`."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.contracts = [_contract_result(c) for c in doc.get("contracts", [])]

    @property
    def ok(self) -> bool:
        return all(c.kept for c in self.contracts) and (self.doc.get("dependencies") or {}).get("errors", 0) == 0

    def __bool__(self) -> bool:
        return self.ok


def _option(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return value
    return str(value)


def _contract_result(answer: dict[str, Any]) -> ContractResult:
    kept = bool(answer["kept"])
    return ContractResult(
        name=answer.get("name", ""),
        kind=answer.get("kind", ""),
        kept=kept,
        text=answer.get("text", "") if not kept else f"{answer.get('name', '')} KEPT",
        direct_imports=tuple((d["importer"], d["imported"]) for d in answer.get("direct_imports", [])),
        raw=answer,
    )


def run_json(binary: str, args: Sequence[str], *, ok_codes: Iterable[int] = (0,)) -> dict[str, Any]:
    """Run the CLI and return its JSON; exit code 2 (usage or configuration) raises
    ArchlintError with the CLI's message."""
    env = dict(os.environ)
    env.setdefault("NO_COLOR", "1")
    proc = subprocess.run([binary, *args], capture_output=True, text=True, encoding="utf-8", env=env)
    if proc.returncode not in tuple(ok_codes):
        raise ArchlintError.from_cli(proc.stderr)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        raise ArchlintError(f"archlint printed no JSON report ({e}): {proc.stderr.strip()}") from None
