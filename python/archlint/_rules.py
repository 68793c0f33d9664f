"""Fluent architecture rules, evaluated by the Rust engine as import-linter contracts.

    modules("app.domain").should_not_import("app.infra").assert_holds(project)
    layers("app.api", "app.services", "app.domain").assert_holds(project)
    independent("app.plugins.a", "app.plugins.b").assert_holds(project)
    modules("app.domain.models").should_only_be_imported_by("app.services").assert_holds(project)

A rule that does not hold raises AssertionError with the same chains, `file:line` and source
lines as `archlint check` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ._project import ContractResult, Project


@dataclass(frozen=True)
class Rule:
    """An architecture rule: an import-linter contract built fluently."""

    options: dict[str, Any]
    description: str

    def ignoring(self, *imports: str) -> "Rule":
        """Leave out imports written `importer -> imported` (wildcards `*` and `**` allowed)."""
        ignored = list(self.options.get("ignore_imports", [])) + list(imports)
        return replace(self, options={**self.options, "ignore_imports": ignored})

    def allowing_indirect_imports(self) -> "Rule":
        """Only direct imports count (forbidden rules)."""
        return replace(self, options={**self.options, "allow_indirect_imports": True})

    def named(self, name: str) -> "Rule":
        return replace(self, options={**self.options, "name": name}, description=name)

    def check(self, project: Project) -> ContractResult:
        """Evaluate the rule; the result is falsy when it does not hold."""
        return project.check_contract(**{"name": self.description, **self.options})

    def assert_holds(self, project: Project) -> None:
        """Raise AssertionError, with every violating chain, when the rule does not hold."""
        result = self.check(project)
        if not result.kept:
            raise AssertionError(result.text)

    # pytestarch users know this name.
    assert_applies = assert_holds


@dataclass(frozen=True)
class ModuleSelection:
    """Modules named by `modules(...)`, waiting for what they should (not) do."""

    names: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    def should_not_import(self, *forbidden: str) -> Rule:
        """None of the modules (nor their descendants) may import any of `forbidden`, directly or
        through other modules."""
        return Rule(
            {"type": "forbidden", "source_modules": list(self.names), "forbidden_modules": list(forbidden), **self.extra},
            f"{', '.join(self.names)} should not import {', '.join(forbidden)}",
        )

    def should_only_be_imported_by(self, *allowed: str) -> Rule:
        """Only `allowed` (and the modules themselves) may import these modules directly."""
        return Rule(
            {"type": "protected", "protected_modules": list(self.names), "allowed_importers": list(allowed), **self.extra},
            f"{', '.join(self.names)} should only be imported by {', '.join(allowed)}",
        )

    def should_be_independent(self) -> Rule:
        """No module imports another, directly or indirectly."""
        return independent(*self.names)


def modules(*names: str) -> ModuleSelection:
    """Select modules by name (each with its descendants); `*` and `**` wildcards allowed."""
    if not names:
        raise ValueError("modules() needs at least one module name")
    return ModuleSelection(tuple(names))


def layers(*layers: str, containers: list[str] | None = None, exhaustive: bool = False) -> Rule:
    """Higher layers (first) may import lower ones, never the reverse. A layer may be several
    modules: `"a | b"` (independent) or `"a : b"` (not independent)."""
    options: dict[str, Any] = {"type": "layers", "layers": list(layers)}
    if containers:
        options["containers"] = list(containers)
    if exhaustive:
        options["exhaustive"] = True
    return Rule(options, "layers " + " > ".join(layers))


def independent(*names: str) -> Rule:
    """The modules must not import each other, directly or indirectly."""
    return Rule({"type": "independence", "modules": list(names)}, f"{', '.join(names)} are independent")


def private_modules(*packages: str) -> Rule:
    """Private modules (a leading underscore) may only be imported from within their parent
    package. With package names, only the private modules inside those packages are checked."""
    options: dict[str, Any] = {"type": "private_modules"}
    if packages:
        options["packages_with_private_modules"] = list(packages)
    where = f" in {', '.join(packages)}" if packages else ""
    return Rule(options, f"private modules{where} stay private")
