"""grimp's value types: modules, imports, layers, routes and package dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence, Tuple, TypedDict


class Import(TypedDict):
    importer: str
    imported: str


class DetailedImport(Import):
    line_number: int
    line_contents: str
    is_lazy: bool


ImportTuple = Tuple[str, str]


@dataclass(frozen=True, order=True)
class Module:
    """A Python module, by its full dotted name."""

    name: str

    def __str__(self) -> str:
        return self.name

    @property
    def package_name(self) -> str:
        return self.name.split(".")[0]

    @property
    def root(self) -> "Module":
        return Module(self.package_name)

    @property
    def parent(self) -> "Module":
        if "." not in self.name:
            raise ValueError("Module has no parent.")
        return Module(self.name.rsplit(".", 1)[0])

    def is_child_of(self, module: "Module") -> bool:
        return "." in self.name and self.parent == module

    def is_descendant_of(self, module: "Module") -> bool:
        return self.name.startswith(f"{module.name}.")


@dataclass(frozen=True, order=True)
class DirectImport:
    """One import statement from one module to another."""

    importer: Module
    imported: Module
    line_number: int
    line_contents: str
    is_lazy: bool = False

    def __str__(self) -> str:
        lazy = ", lazy" if self.is_lazy else ""
        return f"{self.importer} -> {self.imported} (l. {self.line_number}{lazy})"


@dataclass(frozen=True, order=True)
class Layer:
    """A level of a layered architecture: one or more sibling modules, independent of each
    other unless `independent=False`; a `closed` layer may not be bypassed by higher ones."""

    module_tails: "set[str]"
    independent: bool
    closed: bool

    def __init__(self, *module_tails: str, independent: bool = True, closed: bool = False) -> None:
        object.__setattr__(self, "module_tails", set(module_tails))
        object.__setattr__(self, "independent", independent)
        object.__setattr__(self, "closed", closed)

    def __str__(self) -> str:
        return f"{sorted(self.module_tails)}, independent={self.independent}, closed={self.closed}"


@dataclass(frozen=True, order=True)
class Route:
    """Chains that share their middle: each head imports the middle's first module and the
    middle's last module imports each tail (a direct import has an empty middle)."""

    heads: "frozenset[str]"
    middle: "tuple[str, ...]"
    tails: "frozenset[str]"

    @classmethod
    def new(cls, heads: Iterable[str], tails: Iterable[str], middle: Sequence[str] | None = None) -> "Route":
        return cls(heads=frozenset(heads), middle=tuple(middle) if middle else (), tails=frozenset(tails))

    @classmethod
    def single_chained(cls, *modules: str) -> "Route":
        return cls.new(heads={modules[0]}, middle=tuple(modules[1:-1]), tails={modules[-1]})


@dataclass(frozen=True, order=True)
class PackageDependency:
    """The routes by which one package (`importer`) depends on another (`imported`)."""

    importer: str
    imported: str
    routes: "frozenset[Route]"

    @classmethod
    def new(cls, importer: str, imported: str, routes: Iterable[Route]) -> "PackageDependency":
        return cls(importer=importer, imported=imported, routes=frozenset(routes))
