"""archlint: architecture contracts and dependency compliance for Python codebases, computed by a
Rust engine.

    import archlint

    project = archlint.Project(".")
    archlint.modules("app.domain").should_not_import("app.infra").assert_holds(project)
    project.dependencies().assert_licenses_allowed()

The pytest plugin (`pytest --archlint`, or `[tool.archlint] pytest = true`) turns every
configured contract and dependency area into a test item.
"""

from __future__ import annotations

from ._binary import find_archlint_bin
from ._deps import AREAS, Dependencies, DependencyFinding, area_of
from ._errors import ArchlintError, ConfigError
from ._project import Chain, CheckReport, ContractResult, Import, Link, Project
from ._rules import ModuleSelection, Rule, independent, layers, modules, private_modules



def __getattr__(name: str) -> str:
    # Read on first use: importing archlint (pytest does, for every run) reads no metadata.
    if name == "__version__":
        try:
            from importlib.metadata import version

            return version("archlint")
        except Exception:  # pragma: no cover - running from a source checkout
            return "0+unknown"
    raise AttributeError(f"module 'archlint' has no attribute {name!r}")

__all__ = [
    "AREAS",
    "ArchlintError",
    "Chain",
    "CheckReport",
    "ConfigError",
    "ContractResult",
    "Dependencies",
    "DependencyFinding",
    "Import",
    "Link",
    "ModuleSelection",
    "Project",
    "Rule",
    "area_of",
    "find_archlint_bin",
    "independent",
    "layers",
    "modules",
    "private_modules",
]
