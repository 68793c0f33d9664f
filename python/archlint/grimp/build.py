"""`build_graph`: grimp's entry point, on archlint's engine."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from .. import _native
from .exceptions import NotATopLevelModule
from .graph import ImportGraph


class NotSupplied:
    """`cache_dir` left out: the default cache directory (`.archlint_cache` in the working
    directory, where grimp keeps `.grimp_cache`)."""


def _search_dirs(name: str) -> "list[str]":
    """The directories the package `name` is found in, as `importlib` finds it (several for a
    namespace package), each taken up to the directory holding its top-level name."""
    spec = importlib.util.find_spec(name)
    if not spec:
        raise ValueError(f"Could not find package '{name}' in your Python path.")
    if spec.has_location and spec.origin:
        is_package = os.path.basename(spec.origin) == "__init__.py"
        parent_is_regular = False
        if "." in name:
            parent = importlib.util.find_spec(name.rsplit(".", 1)[0])
            parent_is_regular = bool(parent and parent.has_location)
        if not is_package or parent_is_regular:
            raise NotATopLevelModule
    depth = name.count(".") + 1
    dirs = []
    for location in spec.submodule_search_locations or ():
        path = Path(location)
        for _ in range(depth):
            path = path.parent
        dirs.append(str(path))
    return dirs


def build_graph(
    package_name: str,
    *additional_package_names: str,
    include_external_packages: bool = False,
    exclude_type_checking_imports: bool = False,
    cache_dir: "str | os.PathLike[str] | type[NotSupplied] | None" = NotSupplied,
) -> ImportGraph:
    """The import graph of the given packages (top-level names, or portions of namespace
    packages), found on the Python path as grimp finds them. Files are parsed in parallel by
    archlint's engine, through its cache: `cache_dir` (default `.archlint_cache` in the working
    directory; `None` for no cache)."""
    names = [package_name, *additional_package_names]
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"Package names must be strings, got {name.__class__.__name__}.")
    search_dirs: "list[str]" = []
    for name in names:
        for directory in _search_dirs(name):
            if directory not in search_dirs:
                search_dirs.append(directory)
    if cache_dir is NotSupplied:
        cache = os.path.join(os.getcwd(), ".archlint_cache")
    elif cache_dir is None:
        cache = None
    else:
        cache = os.fspath(cache_dir)  # type: ignore[arg-type]
    graph = ImportGraph()
    graph._graph = _native.build_graph(
        search_dirs,
        names,
        include_external_packages=include_external_packages,
        exclude_type_checking_imports=exclude_type_checking_imports,
        cache_dir=cache,
    )
    return graph
