"""`archlint.grimp` against the real grimp (the version import-linter's conformance suite uses):
the same random graphs built and changed through both, every query asked of both, every result
and every exception (type and message) compared.

Where grimp's answer depends on its hash order (which of several equally short chains it
takes), grimp is asked again on copies of the graph built in shuffled orders, and archlint's
answer must be one of grimp's."""

from __future__ import annotations

import os
import random

import pytest

grimp = pytest.importorskip("grimp")  # installed beside the wheel by scripts/test.sh
from archlint import grimp as ours  # noqa: E402

NAMES = ["pkg", "pkg.a", "pkg.a.one", "pkg.a.two", "pkg.b", "pkg.b.one", "pkg.b.one.x", "pkg.c", "pkg.d", "ext", "other.z"]
SHUFFLES = 60


def outcome(call):
    try:
        result = call()
    except BaseException as e:  # grimp's PanicException is a BaseException
        if type(e).__name__ == "PanicException":
            return ("panic",)
        return ("raises", type(e).__name__, str(e))
    return ("value", plain(result))


def plain(value):
    """Results as plain data: grimp's and archlint's value classes are different classes."""
    if hasattr(value, "routes"):
        return ("dependency", value.importer, value.imported, frozenset(plain(r) for r in value.routes))
    if hasattr(value, "heads"):
        return ("route", value.heads, value.middle, value.tails)
    if isinstance(value, (set, frozenset)):
        return frozenset(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def random_ops(rng: random.Random, n: int) -> list[tuple]:
    ops: list[tuple] = []
    for _ in range(n):
        kind = rng.random()
        a, b = rng.choice(NAMES), rng.choice(NAMES)
        if kind < 0.6:
            if rng.random() < 0.5:
                line = rng.randint(1, 40)
                ops.append(("add_import", dict(importer=a, imported=b, line_number=line, line_contents=f"import {b}  # {line}", is_lazy=rng.random() < 0.2)))
            else:
                ops.append(("add_import", dict(importer=a, imported=b)))
        elif kind < 0.72:
            ops.append(("add_module", (a, rng.random() < 0.15)))
        elif kind < 0.8:
            ops.append(("remove_import", dict(importer=a, imported=b)))
        elif kind < 0.86:
            ops.append(("remove_module", (a,)))
        elif kind < 0.9:
            ops.append(("squash_module", (a,)))
        else:
            ops.append(("add_import", dict(importer=a, imported=b, line_number=3)))
    return ops


def apply(module, ops: list[tuple]):
    graph = module.ImportGraph()
    results = []
    for name, args in ops:
        method = getattr(graph, name)
        results.append(outcome(lambda: method(**args) if isinstance(args, dict) else method(*args)))
    return graph, results


QUERIES = [
    ("modules", lambda g, a, b: set(g.modules)),
    ("count_imports", lambda g, a, b: g.count_imports()),
    ("find_children", lambda g, a, b: g.find_children(a)),
    ("find_descendants", lambda g, a, b: g.find_descendants(a)),
    ("is_module_squashed", lambda g, a, b: g.is_module_squashed(a)),
    ("direct_import_exists", lambda g, a, b: g.direct_import_exists(importer=a, imported=b)),
    ("direct_import_exists as packages", lambda g, a, b: g.direct_import_exists(importer=a, imported=b, as_packages=True)),
    ("find_modules_directly_imported_by", lambda g, a, b: g.find_modules_directly_imported_by(a)),
    ("find_modules_directly_imported_by as package", lambda g, a, b: g.find_modules_directly_imported_by(a, as_package=True)),
    ("find_modules_that_directly_import", lambda g, a, b: g.find_modules_that_directly_import(a)),
    ("find_modules_that_directly_import as package", lambda g, a, b: g.find_modules_that_directly_import(a, as_package=True)),
    ("get_import_details", lambda g, a, b: g.get_import_details(importer=a, imported=b)),
    ("find_upstream_modules", lambda g, a, b: g.find_upstream_modules(a)),
    ("find_upstream_modules as package", lambda g, a, b: g.find_upstream_modules(a, as_package=True)),
    ("find_downstream_modules", lambda g, a, b: g.find_downstream_modules(a)),
    ("find_downstream_modules as package", lambda g, a, b: g.find_downstream_modules(a, as_package=True)),
    ("chain_exists", lambda g, a, b: g.chain_exists(a, b)),
    ("chain_exists as packages", lambda g, a, b: g.chain_exists(a, b, as_packages=True)),
    ("find_shortest_chain", lambda g, a, b: g.find_shortest_chain(a, b)),
    ("find_shortest_chain as packages", lambda g, a, b: g.find_shortest_chain(a, b, as_packages=True)),
    ("find_shortest_chains", lambda g, a, b: g.find_shortest_chains(a, b)),
    ("find_shortest_chains as modules", lambda g, a, b: g.find_shortest_chains(a, b, as_packages=False)),
    ("find_matching_modules", lambda g, a, b: g.find_matching_modules(a.rsplit(".", 1)[0] + ".*" if "." in a else "**")),
    ("find_matching_modules **", lambda g, a, b: g.find_matching_modules(a.split(".")[0] + ".**")),
    ("find_matching_modules invalid", lambda g, a, b: g.find_matching_modules(a + "*")),
    ("find_matching_direct_imports", lambda g, a, b: g.find_matching_direct_imports(f"{a.split('.')[0]}.** -> {b}")),
    ("find_matching_direct_imports invalid", lambda g, a, b: g.find_matching_direct_imports(f"{a} {b}")),
    ("layers", lambda g, a, b: g.find_illegal_dependencies_for_layers(["c", "b", "a"], {"pkg"})),
    ("layers closed", lambda g, a, b: g.find_illegal_dependencies_for_layers([ours_or_grimp(g).Layer("c"), ours_or_grimp(g).Layer("b", closed=True), ours_or_grimp(g).Layer("a", "d", independent=False)], {"pkg"})),
    ("layers absolute", lambda g, a, b: g.find_illegal_dependencies_for_layers(["pkg.a", {"pkg.b", "pkg.c"}, "ext"])),
    ("layers repeated", lambda g, a, b: g.find_illegal_dependencies_for_layers(["pkg.a", "pkg.a"])),
    ("layers no container", lambda g, a, b: g.find_illegal_dependencies_for_layers(["a"], {"nowhere"})),
    ("nominate_cycle_breakers", lambda g, a, b: g.nominate_cycle_breakers(a)),
    ("nominate_cycle_breakers several", lambda g, a, b: g.nominate_cycle_breakers(a, b)),
]


def ours_or_grimp(graph):
    return ours if isinstance(graph, ours.ImportGraph) else grimp


def shuffled_copies(ops: list[tuple], rng: random.Random):
    """grimp graphs equal to the one `ops` built, with modules and imports added in random
    orders (grimp's tie-breaking follows them)."""
    graph, _ = apply(grimp, ops)
    modules = sorted(graph.modules)
    squashed = {m for m in modules if graph.is_module_squashed(m)}
    imports = []
    for m in modules:
        for target in graph.find_modules_directly_imported_by(m):
            imports.append((m, target, graph.get_import_details(importer=m, imported=target)))
    for _ in range(SHUFFLES):
        rng.shuffle(modules)
        rng.shuffle(imports)
        copy = grimp.ImportGraph()
        # Placeholder modules first, removed at the end: they shift the keys grimp gives the
        # real modules, and its hash order with them.
        placeholders = [f"placeholder{i}" for i in range(rng.randint(0, 40))]
        for p in placeholders:
            copy.add_module(p)
        # Squashed modules first (nothing below them yet), then the imports (which add modules
        # without checks, as the original's may have), then the modules left.
        for m in modules:
            if m in squashed:
                outcome(lambda: copy.add_module(m, is_squashed=True))
        for a, b, details in imports:
            if details:
                for d in details:
                    copy.add_import(importer=a, imported=b, line_number=d["line_number"], line_contents=d["line_contents"], is_lazy=d["is_lazy"])
            else:
                copy.add_import(importer=a, imported=b)
        for m in modules:
            if m not in squashed and m not in copy.modules:
                outcome(lambda: copy.add_module(m))
        for p in placeholders:
            copy.remove_module(p)
        if copy.modules == graph.modules:
            yield copy


@pytest.mark.parametrize("seed", range(int(os.environ.get("ARCHLINT_GRIMP_SEEDS", "120"))))
def test_random_graphs_answer_as_grimp_does(seed: int) -> None:
    rng = random.Random(seed)
    ops = random_ops(rng, rng.randint(5, 45))
    theirs_graph, theirs_ops = apply(grimp, ops)
    ours_graph, ours_ops = apply(ours, ops)
    for op, t, o in zip(ops, theirs_ops, ours_ops):
        if t == ("panic",):
            # grimp panics (PanicException) where a squashed module would get children;
            # archlint raises ValueError (docs/python.md).
            assert o[0] == "raises" and o[1] == "ValueError", (op, o)
            return
        assert o == t, op
    copies = None
    for a in NAMES + ["missing"]:
        for b in rng.sample(NAMES, 4):
            for label, query in QUERIES:
                t = outcome(lambda: query(theirs_graph, a, b))
                o = outcome(lambda: query(ours_graph, a, b))
                if o == t:
                    continue
                # Equally short chains: archlint's answer must be grimp's under some order.
                if copies is None:
                    copies = list(shuffled_copies(ops, random.Random(seed)))
                alternatives = [outcome(lambda: query(c, a, b)) for c in copies]
                assert o in alternatives, f"{label}({a!r}, {b!r}): grimp {t}, archlint {o}"
    # A copy is independent of its original.
    import copy

    clone = copy.deepcopy(ours_graph)
    clone.add_import(importer="new.one", imported="new.two")
    assert "new.one" not in ours_graph.modules and "new.one" in clone.modules


# build_graph ---------------------------------------------------------------------------------

PROJECT = {
    "shop/__init__.py": "",
    "shop/api.py": "from shop import services\nimport shop.domain.models as m\nimport requests\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shop.infra import db\n",
    "shop/services.py": "from .domain import models\nfrom . import infra  # the package\n\ndef f():\n    import shop.infra.db\n",
    "shop/domain/__init__.py": "",
    "shop/domain/models.py": "import os.path\nfrom ..infra.db import (\n    session,\n)\nfrom shop.domain.models import x\n",
    "shop/infra/__init__.py": "from .db import *\n",
    "shop/infra/db.py": "import sqlalchemy.orm\nimport yaml\nfrom shop import api\n",
    "plugins/__init__.py": "",
    "plugins/one.py": "import shop.api\nimport shop.nowhere\n",
    "space/portion/__init__.py": "",
    "space/portion/a.py": "from space.portion import b\n",
    "space/portion/b.py": "",
}


def graph_dump(module, *names, **options):
    def build():
        graph = module.build_graph(*names, cache_dir=None, **options)
        return {
            m: {
                i: sorted((d["line_number"], d["line_contents"], d["is_lazy"]) for d in graph.get_import_details(importer=m, imported=i))
                for i in graph.find_modules_directly_imported_by(m)
                if i != m  # grimp records a module importing itself; archlint does not (docs/python.md)
            }
            for m in graph.modules
        }, {m for m in graph.modules if graph.is_module_squashed(m)}

    return outcome(build)


@pytest.fixture
def on_path(tmp_path, monkeypatch):
    import importlib
    import textwrap

    for name, text in PROJECT.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    # Finding `shop.api` imports `shop`: a later test must not find an earlier one's.
    import sys

    for name in list(sys.modules):
        if name.split(".")[0] in {"shop", "plugins", "space"}:
            monkeypatch.delitem(sys.modules, name)
    importlib.invalidate_caches()
    return tmp_path


@pytest.mark.parametrize(
    "names, options",
    [
        (("shop",), {}),
        (("shop",), {"include_external_packages": True}),
        (("shop",), {"exclude_type_checking_imports": True}),
        (("shop", "plugins"), {"include_external_packages": True}),
        (("space.portion",), {}),
        (("shop", "space.portion", "plugins"), {}),
    ],
)
def test_build_graph_builds_grimps_graph(on_path, names, options) -> None:
    theirs = graph_dump(grimp, *names, **options)
    assert theirs[0] == "value", theirs
    assert graph_dump(ours, *names, **options) == theirs


@pytest.mark.parametrize(
    "names",
    [("nowhere",), ("shop.api",), ("shop.domain",), (3,)],
)
def test_build_graph_refuses_what_grimp_refuses(on_path, names) -> None:
    theirs = graph_dump(grimp, *names)
    assert theirs[0] == "raises"
    assert graph_dump(ours, *names) == theirs


def test_build_graph_reports_a_syntax_error_as_grimp_does(on_path) -> None:
    (on_path / "shop" / "broken.py").write_text("import os\ndef f(:\n    pass\n")
    theirs = outcome(lambda: grimp.build_graph("shop", cache_dir=None))
    o = outcome(lambda: ours.build_graph("shop", cache_dir=None))
    assert theirs[:2] == ("raises", "SourceSyntaxError")
    assert o == theirs


def test_build_graph_is_cached(on_path, tmp_path_factory) -> None:
    cache = tmp_path_factory.mktemp("cache") / "archlint"
    first = ours.build_graph("shop", cache_dir=str(cache))
    assert cache.is_dir() and oct(cache.stat().st_mode & 0o777) == "0o700"
    (on_path / "shop" / "services.py").write_text("import shop.api\n")
    second = ours.build_graph("shop", cache_dir=str(cache))
    assert first.find_modules_directly_imported_by("shop.services") == {"shop.domain.models", "shop.infra", "shop.infra.db"}
    assert second.find_modules_directly_imported_by("shop.services") == {"shop.api"}
    assert second.get_import_details(importer="shop.services", imported="shop.api") == [
        {"importer": "shop.services", "imported": "shop.api", "line_number": 1, "line_contents": "import shop.api", "is_lazy": False}
    ]
