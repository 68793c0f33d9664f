"""`ImportGraph`: grimp's graph API, answered by archlint's Rust graph (`archlint._native.Graph`)."""

from __future__ import annotations

from typing import Sequence, Union

from .. import _native
from .exceptions import InvalidImportExpression, ModuleNotPresent
from .values import DetailedImport, Import, ImportTuple, Layer, PackageDependency, Route


def _not_present(module: str) -> ModuleNotPresent:
    return ModuleNotPresent(f'"{module}" not present in the graph.')


class ImportGraph:
    """A directed graph of imports between Python modules, with grimp's methods, results and
    exceptions."""

    def __init__(self) -> None:
        self._graph = _native.Graph()
        self._modules: "set[str] | None" = None

    # Modules -------------------------------------------------------------------------------

    @property
    def modules(self) -> "set[str]":
        """Every module in the graph."""
        if self._modules is None:
            self._modules = self._graph.get_modules()
        return self._modules

    def _changed(self) -> None:
        self._modules = None

    def find_matching_modules(self, expression: str) -> "set[str]":
        """The modules matching a module expression (`*` one name, `**` any number)."""
        return self._graph.find_matching_modules(expression)

    def add_module(self, module: str, is_squashed: bool = False) -> None:
        self._changed()
        self._graph.add_module(module, is_squashed)

    def remove_module(self, module: str) -> None:
        """Remove a module (and its descendants); nothing happens if it is not in the graph."""
        self._changed()
        self._graph.remove_module(module)

    def squash_module(self, module: str) -> None:
        """Make the module stand for itself and its descendants."""
        self._changed()
        if not self._graph.contains_module(module):
            raise _not_present(module)
        self._graph.squash_module(module)

    def is_module_squashed(self, module: str) -> bool:
        if not self._graph.contains_module(module):
            raise _not_present(module)
        return self._graph.is_module_squashed(module)

    def add_import(
        self,
        *,
        importer: str,
        imported: str,
        line_number: "int | None" = None,
        line_contents: "str | None" = None,
        is_lazy: "bool | None" = None,
    ) -> None:
        """Add an import (and the modules, when missing); `line_number` and `line_contents`
        go together."""
        self._changed()
        self._graph.add_import(
            importer=importer, imported=imported, line_number=line_number, line_contents=line_contents, is_lazy=is_lazy
        )

    def remove_import(self, *, importer: str, imported: str) -> None:
        self._changed()
        self._graph.remove_import(importer=importer, imported=imported)

    def count_imports(self) -> int:
        return self._graph.count_imports()

    # Hierarchy -----------------------------------------------------------------------------

    def find_children(self, module: str) -> "set[str]":
        if self.is_module_squashed(module):
            raise ValueError("Cannot find children of a squashed module.")
        return self._graph.find_children(module)

    def find_descendants(self, module: str) -> "set[str]":
        if self.is_module_squashed(module):
            raise ValueError("Cannot find descendants of a squashed module.")
        return self._graph.find_descendants(module)

    # Direct imports ------------------------------------------------------------------------

    def direct_import_exists(self, *, importer: str, imported: str, as_packages: bool = False) -> bool:
        return self._graph.direct_import_exists(importer=importer, imported=imported, as_packages=as_packages)

    def find_modules_directly_imported_by(self, module: str, as_package: bool = False) -> "set[str]":
        if not self._graph.contains_module(module):
            raise _not_present(module)
        return self._graph.find_modules_directly_imported_by(module, as_package)

    def find_modules_that_directly_import(self, module: str, as_package: bool = False) -> "set[str]":
        if not self._graph.contains_module(module):
            raise _not_present(module)
        return self._graph.find_modules_that_directly_import(module, as_package)

    def get_import_details(self, *, importer: str, imported: str) -> "list[DetailedImport]":
        """Each import statement from `importer` to `imported` (line number, contents,
        laziness), sorted; empty when unknown."""
        return self._graph.get_import_details(importer=importer, imported=imported)

    def find_matching_direct_imports(self, import_expression: str) -> "list[Import]":
        """The imports matching `importer_expression -> imported_expression`, sorted."""
        parts = import_expression.split(" -> ")
        if len(parts) != 2:
            raise InvalidImportExpression(f"{import_expression} is not a valid import expression.")
        try:
            return self._graph.find_matching_direct_imports(importer_expression=parts[0], imported_expression=parts[1])
        except Exception as exc:
            from .exceptions import InvalidModuleExpression

            if isinstance(exc, InvalidModuleExpression):
                raise InvalidImportExpression(f"{import_expression} is not a valid import expression.") from exc
            raise

    # Indirect imports ----------------------------------------------------------------------

    def find_downstream_modules(self, module: str, as_package: bool = False) -> "set[str]":
        """Modules that import `module`, directly or not."""
        return self._graph.find_downstream_modules(module, as_package)

    def find_upstream_modules(self, module: str, as_package: bool = False) -> "set[str]":
        """Modules that `module` imports, directly or not."""
        return self._graph.find_upstream_modules(module, as_package)

    def find_shortest_chain(self, importer: str, imported: str, as_packages: bool = False) -> "tuple[str, ...] | None":
        for module in (importer, imported):
            if not self._graph.contains_module(module):
                raise ValueError(f"Module {module} is not present in the graph.")
        chain = self._graph.find_shortest_chain(importer, imported, as_packages)
        return tuple(chain) if chain else None

    def find_shortest_chains(self, importer: str, imported: str, as_packages: bool = True) -> "set[tuple[str, ...]]":
        """Shortest chains between the two (as packages by default) that share no import."""
        return self._graph.find_shortest_chains(importer, imported, as_packages)

    def chain_exists(self, importer: str, imported: str, as_packages: bool = False) -> bool:
        return self._graph.chain_exists(importer, imported, as_packages)

    # Analysis ------------------------------------------------------------------------------

    def find_illegal_dependencies_for_layers(
        self,
        layers: "Sequence[Union[Layer, str, set[str]]]",
        containers: "set[str] | None" = None,
    ) -> "set[PackageDependency]":
        """The dependencies that break a layered architecture (highest layer first)."""
        parsed = [
            layer if isinstance(layer, Layer) else Layer(layer) if isinstance(layer, str) else Layer(*tuple(layer))
            for layer in layers
        ]
        seen: "set[str]" = set()
        repeated: "set[str]" = set()
        for layer in parsed:
            for module in layer.module_tails:
                (repeated if module in seen else seen).add(module)
        if repeated:
            listed = ", ".join(repr(m) for m in sorted(repeated))
            raise ValueError(
                f"Modules can only belong to one layer, but the following appear in more than one: {listed}."
            )
        found = self._graph.find_illegal_dependencies_for_layers(
            [(sorted(layer.module_tails), layer.independent, layer.closed) for layer in parsed],
            set(containers) if containers else set(),
        )
        return {
            PackageDependency(
                importer=importer,
                imported=imported,
                routes=frozenset(Route(heads=h, middle=m, tails=t) for h, m, t in routes),
            )
            for importer, imported, routes in found
        }

    def nominate_cycle_breakers(self, package: str, *additional_packages: str) -> "set[ImportTuple]":
        """Imports whose removal would leave the package's children (or the packages given)
        without cycles."""
        for name in (package, *additional_packages):
            if not self._graph.contains_module(name):
                raise _not_present(name)
        return self._graph.nominate_cycle_breakers(package, list(additional_packages))

    # Python --------------------------------------------------------------------------------

    def __repr__(self) -> str:
        modules = self.modules
        if not modules:
            return f"<{type(self).__name__}: empty>"
        shown = ", ".join(repr(m) for m in list(modules)[:5])
        return f"<{type(self).__name__}: {shown}{', ...' if len(modules) > 5 else ''}>"

    def __deepcopy__(self, memo: dict) -> "ImportGraph":
        copy = type(self)()
        copy._graph = self._graph.clone()
        return copy

    def copy(self) -> "ImportGraph":
        return self.__deepcopy__({})
