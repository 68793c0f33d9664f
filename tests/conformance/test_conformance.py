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
