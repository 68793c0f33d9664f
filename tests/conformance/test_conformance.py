"""Differential test: archlint and import-linter must give the same report for every contract.

Compared per contract: the verdict (kept, broken, or an error), every violation with every
route, import and line number, the warnings (unmatched ignored imports), the number of ignored
imports, the undeclared modules of exhaustive layers contracts, and for acyclic_siblings the
dependencies to remove in each package. Where import-linter's own routes depend on grimp's
tie-breaking (see il_driver.py), the number and lengths of the routes under each violation are
compared instead of the routes themselves.
"""

import json
import os
import subprocess
import sys

import pytest

from generate import generate
from report import archlint_report, compare

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ARCHLINT = os.environ.get("ARCHLINT_BIN", os.path.join(ROOT, "target", "release", "archlint"))
IL_PYTHON = os.environ.get("IMPORTLINTER_PYTHON", sys.executable)
CASES = int(os.environ.get("CONFORMANCE_CASES", "220"))


VARIANTS = int(os.environ.get("CONFORMANCE_VARIANTS", "20"))
RETRY_VARIANTS = 3000


def run_import_linter(projects, variants=VARIANTS):
    proc = subprocess.run(
        [IL_PYTHON, os.path.join(HERE, "il_driver.py"), "--variants", str(variants), *projects],
        capture_output=True, text=True, check=True,
        # import-linter's own graph is built from a Python set of files: a fixed hash seed makes
        # its report (and so this comparison) the same on every run.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return {r["project"]: r for r in map(json.loads, proc.stdout.splitlines())}


def run_archlint(project):
    return archlint_report(ARCHLINT, project)


def assert_same_report(project, name, ours, theirs):
    """The whole report of one contract (see report.compare). A report that differs only where
    grimp's tie-breaking decides is found by checking import-linter again on more copies of the
    graph built in other orders: some orders are rare."""
    if theirs["verdict"] == "error":
        assert ours.get("verdict") == "error", f"{project}: {name}: import-linter: {theirs['error']}"
    assert ours.get("verdict") == theirs["verdict"], f"{project}: {name}: {ours.get('error')}"
    if compare(ours, theirs) is None and theirs["verdict"] == "broken":
        theirs = run_import_linter([project], variants=RETRY_VARIANTS)[project]["contracts"][name]
    if compare(ours, theirs) is None:
        expected = {k: theirs[k] for k in ("verdict", "blocks", "warnings", "ignored", "undeclared")}
        assert ours == expected, f"{project}: {name}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    base = str(tmp_path_factory.mktemp("conformance"))
    projects = [generate(base, seed) for seed in range(CASES)]
    return projects, run_import_linter(projects)


def test_enough_cases(generated):
    projects, _ = generated
    assert len(projects) >= 200


@pytest.mark.parametrize("seed", range(CASES))
def test_same_verdicts(generated, seed):
    projects, il_results = generated
    project = projects[seed]
    theirs = il_results[project]
    ours = run_archlint(project)
    if theirs["error"]:
        # A configuration import-linter rejects as a whole must be rejected by archlint too.
        assert "fatal" in ours or all(v["error"] for v in ours.values()), theirs["error"]
        return
    assert "fatal" not in ours, ours.get("fatal")
    for name, entry in theirs["contracts"].items():
        assert name in ours, f"{project}: contract {name!r} missing from archlint's report"
        assert_same_report(project, name, ours[name], entry)


@pytest.fixture(scope="module")
def fixture_projects(tmp_path_factory):
    from fixtures import write_fixtures

    paths = write_fixtures(tmp_path_factory.mktemp("fixtures"))
    return paths, run_import_linter(list(paths.values()))


def test_enough_fixtures():
    from fixtures import FIXTURES

    assert len(FIXTURES) >= 20


@pytest.mark.parametrize("name", sorted(__import__("fixtures").FIXTURES))
def test_fixture(fixture_projects, name):
    from fixtures import FIXTURES

    paths, il_results = fixture_projects
    project = paths[name]
    expected = FIXTURES[name][3]
    theirs = il_results[project]
    assert theirs["error"] is None, theirs["error"]
    ours = run_archlint(project)
    assert "fatal" not in ours, ours.get("fatal")
    for contract, verdict in expected.items():
        assert theirs["contracts"][contract]["verdict"] == verdict, ("import-linter", contract)
        assert_same_report(project, contract, ours[contract], theirs["contracts"][contract])


@pytest.mark.parametrize("ids", [["one", "one"], ["a:b"]])
def test_contract_ids_rejected_as_a_whole(tmp_path, ids):
    """import-linter 2.17 rejects duplicate contract ids and ids with a colon before any check."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "a.py").write_text("")
    contracts = "".join(
        f'[[tool.importlinter.contracts]]\nid = "{i}"\nname = "C{n}"\ntype = "forbidden"\n'
        'source_modules = ["app.a"]\nforbidden_modules = ["app"]\n'
        for n, i in enumerate(ids)
    )
    (tmp_path / "pyproject.toml").write_text(f'[tool.importlinter]\nroot_package = "app"\n{contracts}')
    theirs = run_import_linter([str(tmp_path)])[str(tmp_path)]
    assert theirs["error"], theirs
    ours = run_archlint(str(tmp_path))
    assert "fatal" in ours, ours
    assert "contract ids" in ours["fatal"], ours["fatal"]


def test_module_shadowed_by_package(tmp_path):
    """`app/a.py` next to `app/a/__init__.py`: Python imports the package, and so does archlint,
    saying so with both paths; import-linter (grimp) reads `a.py`, so here the verdicts differ —
    the one difference listed in docs/compatibility.md under "A module next to a package of the
    same name"."""
    files = {
        "app/__init__.py": "",
        "app/a.py": "import app.b\n",
        "app/a/__init__.py": "import app.c\n",
        "app/b.py": "",
        "app/c.py": "",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = app\n\n[importlinter:contract:c0]\nname = Module file\n"
        "type = forbidden\nsource_modules = app.a\nforbidden_modules = app.b\n\n"
        "[importlinter:contract:c1]\nname = Package\ntype = forbidden\nsource_modules = app.a\n"
        "forbidden_modules = app.c\n"
    )
    theirs = run_import_linter([str(tmp_path)])[str(tmp_path)]["contracts"]
    assert theirs["Module file"]["verdict"] == "broken" and theirs["Package"]["verdict"] == "kept"
    proc = subprocess.run([ARCHLINT, "check", str(tmp_path), "--format", "json", "--no-cache"],
                          capture_output=True, text=True)
    verdicts = {c["name"]: c["kept"] for c in json.loads(proc.stdout)["contracts"]}
    assert verdicts == {"Module file": True, "Package": False}
    warning = next(w for w in json.loads(proc.stdout)["warnings"] if "are both module app.a" in w)
    assert "app/a.py" in warning and "app/a/__init__.py" in warning
    assert "are both module app.a" in proc.stderr
