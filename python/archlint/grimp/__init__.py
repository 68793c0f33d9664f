"""grimp's graph API, answered by archlint's Rust engine: change `import grimp` to
`from archlint import grimp`.

    from archlint import grimp

    graph = grimp.ImportGraph()
    graph.add_import(importer="app.api", imported="app.domain", line_number=3, line_contents="import app.domain")
    graph.find_shortest_chain("app.api", "app.domain")

    graph = grimp.build_graph("mypackage", include_external_packages=True)

Results and exceptions are grimp's (3.20); where several chains are equally short, the one
chosen follows module-name order (grimp's follows hash order). See docs/python.md.
"""

from __future__ import annotations

from . import exceptions
from .build import build_graph
from .graph import ImportGraph
from .values import DetailedImport, DirectImport, Import, Layer, Module, PackageDependency, Route

__all__ = [
    "DetailedImport",
    "DirectImport",
    "Import",
    "ImportGraph",
    "Layer",
    "Module",
    "PackageDependency",
    "Route",
    "build_graph",
    "exceptions",
]
