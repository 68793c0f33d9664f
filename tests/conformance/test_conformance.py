"""Differential test: archlint and import-linter must agree on every contract.

Compared per contract: the verdict (kept, broken, or an error), the set of directly violating
imports, and for acyclic_siblings the packages found to have cycles.
"""

import json
import os
import subprocess
import sys

import pytest

from generate import generate

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ARCHLINT = os.environ.get("ARCHLINT_BIN", os.path.join(ROOT, "target", "release", "archlint"))
IL_PYTHON = os.environ.get("IMPORTLINTER_PYTHON", sys.executable)
CASES = int(os.environ.get("CONFORMANCE_CASES", "220"))


def run_import_linter(projects):
    proc = subprocess.run(
        [IL_PYTHON, os.path.join(HERE, "il_driver.py"), *projects],
        capture_output=True, text=True, check=True,
    )
    return {r["project"]: r for r in map(json.loads, proc.stdout.splitlines())}


def run_archlint(project):
    proc = subprocess.run([ARCHLINT, "check", project, "--format", "json"], capture_output=True, text=True)
    assert proc.returncode in (0, 1, 2), proc.stderr
    if proc.returncode == 2 and not proc.stdout.strip():
        return {"fatal": proc.stderr}
    report = json.loads(proc.stdout)
    out = {}
    for c in report["contracts"]:
        packages = sorted(v["importer"] for v in c["violations"]) if c["kind"] == "acyclic_siblings" else []
        out[c["name"]] = {
            "kept": c["kept"],
            # Cycle breakers are a heuristic choice in both tools: compare packages, not imports.
            "direct": [] if c["kind"] == "acyclic_siblings"
            else sorted([d["importer"], d["imported"]] for d in c["direct_imports"]),
            "packages": packages,
            "error": None,
        }
    for e in report["errors"]:
        out[e["contract"]] = {"kept": None, "direct": [], "packages": [], "error": e["message"]}
    return out


def normalise(entry):
    return {
        "verdict": "error" if entry["error"] else ("kept" if entry["kept"] else "broken"),
        "direct": sorted(map(list, entry["direct"])),
        "packages": entry["packages"],
    }


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
        assert normalise(ours[name]) == normalise(entry), f"{project}: {name}: {entry.get('error')}"


@pytest.fixture(scope="module")
def fixture_projects(tmp_path_factory):
    from fixtures import FIXTURES

    base = tmp_path_factory.mktemp("fixtures")
    paths = {}
    for name, (files, config_name, config_text, _) in FIXTURES.items():
        project = base / name
        for rel, text in files.items():
            path = project / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        (project / config_name).write_text(config_text)
        paths[name] = str(project)
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
        assert normalise(theirs["contracts"][contract])["verdict"] == verdict, ("import-linter", contract)
        assert normalise(ours[contract]) == normalise(theirs["contracts"][contract]), contract


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
