"""`archlint lint-imports` against the real `lint-imports`: the same text report and exit code.

Both run as a CI job runs them — in the project directory, output piped, default options and a
few flag combinations — on the hand-written fixtures and generated projects. What may differ is
only what import-linter itself does not fix (docs/compatibility.md, "lint-imports"):
- the order of layers and independence violations and of their routes, and of each contract's
  warnings (import-linter keeps them in sets, so its order changes from run to run): compared
  sorted;
- the routes of contracts whose chains depend on grimp's tie-breaking (see il_driver.py; their
  routes are compared by test_conformance.py): compared without their details;
- durations (`--show-timings`, `--verbose`): compared with the figures masked.
"""

import json
import os
import re
import subprocess

import pytest

from generate import generate
from test_conformance import ARCHLINT, HERE, IL_PYTHON, run_import_linter

LINT_IMPORTS = os.path.join(os.path.dirname(IL_PYTHON), "lint-imports")
PROJECTS = int(os.environ.get("LINT_IMPORTS_PROJECTS", "60"))
RULE = re.compile(r"^-+$")


def env():
    e = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    e["PYTHONHASHSEED"] = "0"
    return e


def run(command, project, flags):
    proc = subprocess.run([*command, *flags], cwd=project, capture_output=True, text=True, env=env())
    return proc.returncode, proc.stdout


def sections(text):
    """The report cut at each contract's heading in "Broken contracts": (head, {name: body})."""
    lines = text.split("\n")
    try:
        start = lines.index("Broken contracts")
    except ValueError:
        return text, {}
    head = "\n".join(lines[: start + 3])
    bodies, name, body = {}, None, []
    i = start + 3
    while i < len(lines):
        if i + 1 < len(lines) and lines[i] and RULE.match(lines[i + 1]) and len(lines[i + 1]) == len(lines[i]):
            if name is not None:
                bodies[name] = body
            name, body = lines[i], []
            i += 2
            continue
        body.append(lines[i])
        i += 1
    if name is not None:
        bodies[name] = body
    return head, bodies


def sorted_blocks(body):
    """A layers or independence contract's details, each violation's routes sorted and the
    violations sorted (anything after them, undeclared modules and guidance, kept in place)."""
    blocks, tail, current = [], [], None
    for line in body:
        if line.endswith(":") and " is not allowed to import " in line:
            current = [line, []]
            blocks.append(current)
        elif current is None or line.startswith("The following modules are not listed"):
            current = None
            tail.append(line)
        else:
            current[1].append(line)
    out = []
    for headline, lines in blocks:
        routes = "\n".join(lines).strip("\n").split("\n\n")
        out.append([headline, sorted(r for r in routes if r)])
    return sorted(out), tail


def sorted_warnings(head):
    """Each contract's warnings sorted: import-linter keeps ignore_imports in a set."""
    lines = head.split("\n")
    if "Warnings" not in lines:
        return head
    out, run = [], []
    for line in lines[lines.index("Warnings"):]:
        if line.startswith("- "):
            run.append(line)
            continue
        out += sorted(run) + [line]
        run = []
    return "\n".join(lines[: lines.index("Warnings")] + out + sorted(run))


def canonical(text, kinds, tie_dependent):
    text = re.sub(r"\d+\.\d+s\b", "<duration>", text)
    head, bodies = sections(text)
    head = sorted_warnings(head)
    canon = {}
    for name, body in bodies.items():
        if name in tie_dependent:
            canon[name] = "(routes depend on grimp's tie-breaking)"
        elif kinds.get(name) in ("layers", "independence"):
            canon[name] = sorted_blocks(body)
        else:
            canon[name] = body
    return head, canon


def kinds_of(project):
    proc = subprocess.run([ARCHLINT, "check", project, "--format", "json", "--no-cache"],
                          capture_output=True, text=True)
    try:
        return {c["name"]: c["kind"] for c in json.loads(proc.stdout)["contracts"]}
    except (ValueError, KeyError):
        return {}


@pytest.fixture(scope="module")
def projects(tmp_path_factory):
    from fixtures import write_fixtures

    base = tmp_path_factory.mktemp("lint_imports")
    paths = list(write_fixtures(base).values())
    paths += [generate(str(base), seed) for seed in range(PROJECTS)]
    theirs = run_import_linter(paths)
    ties = {
        p: {name for name, c in r["contracts"].items() if c["tie_dependent"]}
        for p, r in theirs.items()
    }
    # Each contract's type, read once per project (the flag sets below reuse it).
    kinds = {p: kinds_of(p) for p in paths}
    return paths, ties, kinds


FLAGS = [[], ["--no-logo"], ["--no-logo", "--show-timings"], ["--no-logo", "--verbose"]]


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: " ".join(f) or "default")
def test_same_text_and_exit_code(projects, flags):
    paths, ties, kinds_by_project = projects
    compared = 0
    for project in paths:
        kinds = kinds_by_project[project]
        if "--verbose" in flags and {"forbidden", "acyclic_siblings"} & set(kinds.values()):
            # Verbose forbidden and acyclic_siblings checks print a line per pair of modules and
            # per package searched; not reproduced.
            continue
        their_code, theirs = run([LINT_IMPORTS, "--no-cache"], project, flags)
        our_code, ours = run([ARCHLINT, "lint-imports", "--no-cache"], project, flags)
        assert our_code == their_code, (project, flags, theirs, ours)
        assert canonical(ours, kinds, ties[project]) == canonical(theirs, kinds, ties[project]), (
            project, flags, theirs, ours)
        compared += 1
    assert compared >= 20


def test_no_configuration(tmp_path):
    for command in ([LINT_IMPORTS], [ARCHLINT, "lint-imports"]):
        code, out = run(command, str(tmp_path), ["--no-logo"])
        assert (code, out) == (1, "Could not read any configuration.\n")


def test_unknown_contract_and_no_contracts(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / ".importlinter").write_text("[importlinter]\nroot_package = app\n")
    expected = run([LINT_IMPORTS], str(tmp_path), ["--no-logo"])
    assert expected[0] == 1 and "No contracts found" in expected[1]
    assert run([ARCHLINT, "lint-imports"], str(tmp_path), ["--no-logo"]) == expected
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = app\n\n[importlinter:contract:c]\nname = C\ntype = forbidden\n"
        "source_modules = app\nforbidden_modules = app\n")
    expected = run([LINT_IMPORTS, "--no-cache"], str(tmp_path), ["--no-logo", "--contract", "nope"])
    assert expected[0] == 1 and "Could not find contract 'nope'" in expected[1]
    assert run([ARCHLINT, "lint-imports", "--no-cache"], str(tmp_path), ["--no-logo", "--contract", "nope"]) == expected


def test_wrapped_at_columns(tmp_path):
    """Long lines wrap where rich wraps them, at COLUMNS."""
    (tmp_path / "application_package").mkdir()
    (tmp_path / "application_package" / "__init__.py").write_text("")
    (tmp_path / "application_package" / "very_long_module_name_low.py").write_text(
        "import application_package.very_long_module_name_high\n")
    (tmp_path / "application_package" / "very_long_module_name_high.py").write_text("")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = application_package\n\n[importlinter:contract:c]\n"
        "name = A contract with a rather long name that goes on\ntype = layers\nlayers =\n"
        "    application_package.very_long_module_name_high\n"
        "    application_package.very_long_module_name_low\n")
    for columns in ("40", "23"):
        e = {**env(), "COLUMNS": columns}
        theirs = subprocess.run([LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=tmp_path,
                                capture_output=True, text=True, env=e)
        ours = subprocess.run([ARCHLINT, "lint-imports", "--no-cache", "--no-logo"], cwd=tmp_path,
                              capture_output=True, text=True, env=e)
        assert theirs.returncode == ours.returncode == 1
        assert ours.stdout == theirs.stdout
        assert max(len(l) for l in theirs.stdout.split("\n")) > 0


@pytest.mark.parametrize("flags", [
    ["a.ini", "b.ini"],
    ["a.ini", "c.ini"],
    ["--show-timings", "a.ini", "b.ini", "c.ini"],
    ["--contract", "a1", "a.ini", "b.ini"],
    ["--contract", "a.ini:a1", "a.ini", "b.ini", "c.ini"],
    ["--config", "a.ini", "--config", "b.ini"],
    ["--contract", "zz", "--contract", "yy", "a.ini"],
    ["--contract", "dup", "a.ini", "d.ini"],
    ["a.ini", "a.ini"],
    ["missing.ini"],
], ids=lambda f: " ".join(f))
def test_several_configuration_files(tmp_path, flags):
    """Several files in one run: contracts of files that agree on the graph share one, a table
    of graphs when there are several (or with --show-timings), FILE:ID selection."""
    (tmp_path / "app").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "other" / "__init__.py").write_text("")
    (tmp_path / "other" / "x.py").write_text("import app\n")
    (tmp_path / "app" / "y.py").write_text("import other.x\n")
    head = "[importlinter]\nroot_package = app\n\n"
    (tmp_path / "a.ini").write_text(head + "[importlinter:contract:a1]\nname = A one\ntype = forbidden\n"
                                    "source_modules = app.y\nforbidden_modules = app\nas_packages = False\n\n"
                                    "[importlinter:contract:dup]\nname = Dup A\ntype = layers\nlayers = app.y\n")
    (tmp_path / "b.ini").write_text(head + "[importlinter:contract:a2]\nname = A two\ntype = layers\n"
                                    "layers =\n    app.y\n")
    (tmp_path / "c.ini").write_text("[importlinter]\nroot_packages =\n    app\n    other\n\n"
                                    "[importlinter:contract:o1]\nname = O one\ntype = forbidden\n"
                                    "source_modules = other\nforbidden_modules = app\n")
    (tmp_path / "d.ini").write_text(head + "[importlinter:contract:dup]\nname = Dup D\ntype = layers\n"
                                    "layers = app.y\n")
    their_code, theirs = run([LINT_IMPORTS, "--no-cache", "--no-logo"], str(tmp_path), flags)
    our_code, ours = run([ARCHLINT, "lint-imports", "--no-cache", "--no-logo"], str(tmp_path), flags)
    mask = lambda text: re.sub(r"\d+\.\d+s\b", "<duration>", text)  # noqa: E731
    assert (our_code, mask(ours)) == (their_code, mask(theirs))
