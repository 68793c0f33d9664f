"""A project loaded by the Rust engine in this process, and the questions it answers."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import ArchlintError, ConfigError

if TYPE_CHECKING:
    from . import _native


def _engine():  # type: ignore[no-untyped-def]
    """The native module, loaded on first use: importing `archlint` (as pytest does for every
    run, through the plugin's entry point) costs no shared-library load."""
    from . import _native

    return _native


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
    ) -> None:
        self.root = Path(path).resolve()
        if not self.root.is_dir():
            raise ArchlintError(f"{self.root} is not a directory")
        self.config = Path(config).resolve() if config else None
        self._options: dict[str, Any] = {
            "config": str(self.config) if self.config else None,
            "cache_dir": str(cache_dir) if cache_dir else None,
            "no_cache": no_cache,
        }
        self._session: "_native.Session | None" = None
        self._lock = threading.Lock()
        self._info: dict[str, Any] | None = None

    # -- the loaded project ------------------------------------------------------------------

    def _loaded(self) -> "_native.Session":
        with self._lock:
            if self._session is None:
                self._session = _engine().Session(str(self.root), **self._options)
            return self._session

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        answer = json.loads(self._loaded().ask(json.dumps(request)))
        if "error" in answer:
            if answer.get("kind") == "configuration":
                raise ConfigError(answer["error"])
            raise ArchlintError(answer["error"])
        return answer

    def close(self) -> None:
        """Forget the loaded project (the next query loads it again, from the cache)."""
        with self._lock:
            self._session = None

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    def check(self, *, deps: bool | None = None, allow_plugins: bool = False) -> "CheckReport":
        """Run `archlint check` (configured contracts, and dependency checks when configured).
        `allow_plugins` runs import-linter custom contract types (Python classes of the
        project) with the interpreter of the active virtualenv."""
        _, report = _engine().check(str(self.root), deps=deps, allow_plugins=allow_plugins, **self._options)
        return CheckReport(json.loads(report))

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

        _, report = _engine().check_dependencies(
            str(self.root),
            venv=str(venv) if venv else None,
            python=str(python) if python else None,
            online=online,
            index_url=index_url,
            **self._options,
        )
        return Dependencies(json.loads(report))


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
