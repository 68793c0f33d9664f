"""grimp's exceptions, raised by `archlint.grimp` where grimp raises them."""

from __future__ import annotations

import warnings
from typing import Any


def __getattr__(name: str) -> Any:
    if name == "NamespacePackageEncountered":
        warnings.warn(
            "NamespacePackageEncountered is deprecated; graphs can be built from namespace "
            "packages, and it is never raised.",
            DeprecationWarning,
            stacklevel=2,
        )
        return _NamespacePackageEncountered
    raise AttributeError(name)


class GrimpException(Exception):
    """The base of every exception of this module."""


class ModuleNotPresent(GrimpException):
    """A module is not in the graph."""


class NoSuchContainer(GrimpException):
    """A container given to `find_illegal_dependencies_for_layers` is not in the graph."""


class _NamespacePackageEncountered(GrimpException):
    """Deprecated (grimp 3.14): never raised."""


class NotATopLevelModule(GrimpException):
    """`build_graph` was given a module that is not a top-level package."""


class InvalidModuleExpression(GrimpException):
    """A module expression is not valid (`*` and `**` must stand for whole names)."""


class InvalidImportExpression(GrimpException):
    """An import expression is not `importer_expression -> imported_expression`."""


class SourceSyntaxError(GrimpException):
    """A file of the graph's packages cannot be parsed."""

    def __init__(self, filename: str, lineno: int | None, text: str | None) -> None:
        super().__init__(filename, lineno, text)
        self.filename = filename
        self.lineno = lineno
        self.text = text

    def __str__(self) -> str:
        return f"Syntax error in {self.filename}, line {self.lineno or '?'}: {self.text or '<unavailable>'}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceSyntaxError):
            return NotImplemented
        return (self.filename, self.lineno, self.text) == (other.filename, other.lineno, other.text)

    def __hash__(self) -> int:
        return hash((self.filename, self.lineno, self.text))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return SourceSyntaxError, (self.filename, self.lineno, self.text)
