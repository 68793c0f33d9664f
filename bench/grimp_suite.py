"""Run grimp's own test suite against `archlint.grimp`.

grimp's sdist carries no tests, so they come from a checkout of grimp's repository
(`--grimp-repo DIR`, e.g. a clone at the release the conformance suite pins). A shim package
named `grimp` is put first on the path: its public graph API — `grimp.ImportGraph`,
`grimp.application.graph.ImportGraph`, `grimp.build_graph`, `grimp.exceptions`, the value
objects in `grimp.domain` — is archlint's, and every other module (`grimp.application.config`,
the adaptors, grimp's use cases, which the unit tests of the use cases call with fakes) falls
through to the installed grimp.

    python bench/grimp_suite.py --grimp-repo /path/to/grimp [--python target/wheel-venv/bin/python]

Writes bench/results/grimp-suite-<date>.json: the pass count and each failure with pytest's
one-line reason. The Python must have the archlint wheel, grimp, pytest, pyyaml and syrupy
installed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Modules of the shim: the public graph API, from archlint. `__path__` lets every other
# submodule come from the installed grimp.
SHIM = {
    "grimp/__init__.py": """
import importlib.machinery as _m, os as _os, sys as _sys
_here = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
_real = _os.path.dirname(_m.PathFinder.find_spec("grimp", [p for p in _sys.path if _os.path.abspath(p or ".") != _here]).origin)
__path__ = [_os.path.dirname(__file__), _real]
from archlint.grimp import *  # noqa
from archlint.grimp import exceptions  # noqa
from archlint.grimp import build_graph  # noqa
__version__ = "archlint"
""",
    "grimp/application/__init__.py": """
import os as _os, grimp as _g
__path__ = [_os.path.dirname(__file__), _os.path.join(_g.__path__[1], "application")]
""",
    "grimp/application/graph.py": "from archlint.grimp.graph import ImportGraph  # noqa\nfrom archlint.grimp.values import Import, DetailedImport, ImportTuple  # noqa\n",
    "grimp/domain/__init__.py": """
import os as _os, grimp as _g
__path__ = [_os.path.dirname(__file__), _os.path.join(_g.__path__[1], "domain")]
""",
    "grimp/domain/valueobjects.py": "from archlint.grimp.values import Module, DirectImport, Layer  # noqa\n",
    "grimp/domain/analysis.py": "from archlint.grimp.values import Route, PackageDependency  # noqa\n",
    "grimp/exceptions.py": "from archlint.grimp.exceptions import *  # noqa\nfrom archlint.grimp.exceptions import SourceSyntaxError, NotATopLevelModule  # noqa\n",
}


def run_suite(python: str, work: Path, shim: "Path | None") -> "tuple[dict, set, list]":
    """pytest on the tests in `work`, through the shim (archlint) or not (the installed grimp):
    the counts, the tests that did not pass, every case."""
    junit = work / "junit.xml"
    junit.unlink(missing_ok=True)
    env = dict(os.environ)
    if shim is not None:
        env["PYTHONPATH"] = str(shim)
    proc = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--continue-on-collection-errors", "--junitxml", str(junit),
         "tests/unit/application", "tests/unit/domain", "tests/unit/test_exceptions.py", "tests/functional"],
        cwd=work, env=env, capture_output=True, text=True,
    )
    if not junit.is_file():
        sys.exit(f"pytest wrote no report:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    cases = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome, reason = "passed", ""
        for tag in ("failure", "error", "skipped"):
            element = case.find(tag)
            if element is not None:
                outcome = tag
                reason = (element.get("message") or "").splitlines()[0][:300] if element.get("message") else ""
        cases.append({"test": f"{case.get('classname')}::{case.get('name')}", "outcome": outcome, "reason": reason})
    counts: dict = {}
    for c in cases:
        counts[c["outcome"]] = counts.get(c["outcome"], 0) + 1
    return counts, {c["test"] for c in cases if c["outcome"] != "passed"}, cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grimp-repo", required=True, type=Path)
    parser.add_argument("--python", default=str(ROOT / "target" / "wheel-venv" / "bin" / "python"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--source-commit", help="grimp's commit the tests come from (default: the checkout's HEAD)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grimp-suite-"))
    try:
        shim = work / "shim"
        for name, text in SHIM.items():
            path = shim / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.lstrip(), encoding="utf-8")
        shutil.copytree(args.grimp_repo / "tests", work / "tests")
        runs = {name: run_suite(args.python, work, shim if name == "archlint" else None) for name in ("archlint", "grimp")}
        head = subprocess.run(["git", "-C", str(args.grimp_repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        grimp_version = subprocess.run([args.python, "-c", "import importlib.metadata as m; print(m.version('grimp'))"], capture_output=True, text=True).stdout.strip()
        result = {
            "date": datetime.date.today().isoformat(),
            "grimp_tests_commit": args.source_commit or head or None,
            "installed_grimp": grimp_version,
            # The same tests on the installed grimp itself: what fails there is a difference
            # between the tests' grimp and the installed one, not archlint's.
            "grimp_counts": runs["grimp"][0],
            "counts": runs["archlint"][0],
            "not_passed": [
                dict(c, also_fails_on_installed_grimp=c["test"] in runs["grimp"][1])
                for c in runs["archlint"][2]
                if c["outcome"] != "passed"
            ],
        }
        out = args.out or ROOT / "bench" / "results" / f"grimp-suite-{result['date']}.json"
        out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print("archlint:", json.dumps(result["counts"]), "grimp:", json.dumps(result["grimp_counts"]), "->", out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
