"""Differential test: `archlint check-external` against real `tach check-external` 0.35.3.

Each generated project has one to three packages (each a source root under its own directory,
declaring its distributions in `pyproject.toml` — `[project] dependencies`, Poetry's table, both
—, in `requirements.txt`, or nowhere), modules importing installed distributions whose import
names differ from their names (`yaml` from PyYAML, `git` from GitPython, `markdown_it`), the
standard library (`__future__`, `typing_extensions` included), distributions that are not
installed, first-party code of the same and of another package (absolute and relative), in
functions, under `if TYPE_CHECKING:`, with `# tach-ignore` directives, and files that do not
parse; and a random `tach.toml` over the keys check-external reads: modules with
`depends_on_external` / `cannot_depend_on_external` (globs, `<root>`), `[external]` `exclude`
(spelled as installed, normalised, or as import names — tach compares them unnormalised) and
`rename`, `[rules]` (`local_imports`, `unused_external_dependencies`, `unused_ignore_directives`,
`require_ignore_directive_reasons`), `ignore_type_checking_imports`, `exclude`, `root_module`.

tach has no JSON output for check-external, so its whole text report is compared: every line
(headings, each diagnostic with its file, line, severity and message, footers) as a multiset —
tach lists unused dependencies in hash order — and the exit status. Both read the same Python
environment: tach's own (archlint with `--python` naming its interpreter, read from its files).
"""

import json
import os
import random
import re
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ARCHLINT = os.environ.get("ARCHLINT_BIN", os.path.join(ROOT, "target", "release", "archlint"))
TACH = os.environ.get("TACH_BIN", os.path.join(ROOT, "target", "tach-venv", "bin", "tach"))
PYTHON = os.path.join(os.path.dirname(TACH), "python")
CASES = int(os.environ.get("TACH_EXTERNAL_CASES", "80"))

# Installed in tach's environment (import name -> distribution as declared in some spelling).
INSTALLED = {
    "yaml": ["PyYAML", "pyyaml", "py-yaml"],
    "git": ["GitPython", "gitpython"],
    "markdown_it": ["markdown-it-py", "Markdown_It.Py", "markdown_it_py"],
    "prompt_toolkit": ["prompt_toolkit", "Prompt-Toolkit"],
    "pygments": ["Pygments"],
    "rich": ["rich"],
    "networkx": ["networkx"],
    "pydot": ["pydot"],
    "mdurl": ["mdurl"],
}
MISSING = ["requests", "numpy", "attr", "PIL", "zope"]
STDLIB = ["os", "json", "typing_extensions", "__future__", "collections.abc", "tomllib"]
SPECIFIERS = ["", ">=1", "==2.0", " ~= 1.2", "[extra]", " ; python_version > '3'", "!=3"]


def toml_list(items):
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def generate(seed, base):
    rnd = random.Random(seed)
    packages = []
    for p in range(rnd.randint(1, 3)):
        top = f"pkg{p}"
        layout = rnd.choice(["src", "flat"])
        directory = f"dist{p}"
        source_root = f"{directory}/src" if layout == "src" else directory
        packages.append({"top": top, "dir": directory, "root": source_root,
                         "modules": [top] + [f"{top}.m{j}" for j in range(rnd.randint(0, 3))]})
    if rnd.random() < 0.2:
        # One package's source root at the project root (its package is the project's).
        packages[0]["root"] = "."
        packages[0]["dir"] = "."

    def declared_names():
        names = []
        for module in rnd.sample(sorted(INSTALLED), rnd.randint(0, 5)):
            names.append(rnd.choice(INSTALLED[module]))
        names += rnd.sample(["requests", "numpy", "unused-thing", "Unused_Other", "python",
                             "poetry", "poetry-core", "zope.interface"], rnd.randint(0, 3))
        for other in packages:
            if rnd.random() < 0.3:
                names.append(f"Dist-{other['top']}")
        return names

    for pkg in packages:
        kind = rnd.random()
        names = declared_names()
        deps = [n + rnd.choice(SPECIFIERS) for n in names]
        path = os.path.join(base, pkg["dir"])
        os.makedirs(path, exist_ok=True)
        if pkg["dir"] == ".":
            continue  # written with tach.toml below
        if kind < 0.45:
            text = "[project]\n"
            if rnd.random() < 0.85:
                text += f'name = "Dist-{pkg["top"]}"\n'
            text += f"dependencies = {toml_list(deps)}\n"
            if rnd.random() < 0.2:
                text += "\n[tool.poetry.dependencies]\npython = \"^3.11\"\nother-poetry = \"*\"\n"
            with open(os.path.join(path, "pyproject.toml"), "w") as fh:
                fh.write(text)
        elif kind < 0.6:
            text = f'[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.11"\n'
            text += "".join(f'{json.dumps(n)} = "*"\n' for n in dict.fromkeys(names) if n != "python")
            with open(os.path.join(path, "pyproject.toml"), "w") as fh:
                fh.write(text)
        elif kind < 0.85:
            text = "# requirements\n" + "".join(d + "\n" for d in deps) + "-r other.txt\n\n"
            with open(os.path.join(path, "requirements.txt"), "w") as fh:
                fh.write(text)
        # else: nothing declared; the package is the project root's

    all_modules = [m for pkg in packages for m in pkg["modules"]]

    def import_line(pkg, module, indent=""):
        r = rnd.random()
        if r < 0.3:
            name = rnd.choice(sorted(INSTALLED))
            return rnd.choice([f"{indent}import {name}\n", f"{indent}from {name} import thing\n",
                               f"{indent}import {name}.sub as s\n"])
        if r < 0.45:
            return f"{indent}import {rnd.choice(MISSING)}\n"
        if r < 0.55:
            std = rnd.choice(STDLIB)
            return f"{indent}from {std} import annotations\n" if std == "__future__" else f"{indent}import {std}\n"
        if r < 0.75:
            target = rnd.choice(all_modules)
            return rnd.choice([f"{indent}import {target}\n", f"{indent}from {target} import name\n"])
        if r < 0.85 and module != pkg["top"] and packages[0]["root"] != ".":
            # (Under nested roots tach resolves relative imports from a module path that
            # changes from run to run; see the configured modules below.)
            return f"{indent}from . import m0\n"
        return f"{indent}from {rnd.choice(sorted(INSTALLED))} import (\n{indent}    a,\n{indent}    b as c,\n{indent})\n"

    for pkg in packages:
        for module in pkg["modules"]:
            parts = module.split(".")
            if module == pkg["top"]:
                rel = os.path.join(*parts, "__init__.py")
            else:
                rel = os.path.join(*parts) + ".py"
            lines = ["from typing import TYPE_CHECKING\n"]
            for _ in range(rnd.randint(0, 6)):
                where = rnd.random()
                directive = rnd.random()
                if directive < 0.06:
                    lines.append("# tach-ignore\n")
                elif directive < 0.1:
                    lines.append(f"# tach-ignore(reason) {rnd.choice(sorted(INSTALLED))}\n")
                line = import_line(pkg, module)
                if where < 0.6:
                    if rnd.random() < 0.1 and line.count("\n") == 1:
                        line = line.rstrip("\n") + rnd.choice(["  # tach-ignore", "  # tach-ignore(why)"]) + "\n"
                    lines.append(line)
                elif where < 0.75:
                    lines.append("def f():\n" + import_line(pkg, module, "    "))
                elif where < 0.9:
                    lines.append("if TYPE_CHECKING:\n" + import_line(pkg, module, "    "))
                else:
                    lines.append("try:\n" + import_line(pkg, module, "    ") + "except ImportError:\n    pass\n")
            if rnd.random() < 0.03:
                lines.append("def broken(:\n")
            path = os.path.join(base, pkg["root"], rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                fh.write("".join(lines))
        if rnd.random() < 0.2:
            with open(os.path.join(base, pkg["root"], "script.py"), "w") as fh:
                fh.write(f"import {rnd.choice(sorted(INSTALLED) + MISSING)}\n")

    out = [f"source_roots = {toml_list([p['root'] for p in packages])}"]
    if rnd.random() < 0.3:
        out.append(f"ignore_type_checking_imports = {rnd.choice(['true', 'false'])}")
    if rnd.random() < 0.2:
        out.append(f"exclude = {toml_list(['**/m1.py'])}")
    if rnd.random() < 0.2:
        out.append(f"root_module = {json.dumps(rnd.choice(['ignore', 'allow']))}")
    out.append("")
    nested = packages[0]["root"] == "."
    # Under nested source roots tach names a file's module from whichever root its hash set
    # yields first (it differs from run to run; archlint takes the most specific root): so
    # with a root at ".", only modules no other root holds are configured.
    candidates = packages[0]["modules"] if nested else all_modules
    configured = rnd.sample(candidates, rnd.randint(0, len(candidates)))
    if rnd.random() < 0.15:
        configured.append(packages[0]["top"] + ".*")
    if rnd.random() < 0.1 and not nested:
        configured.append("<root>")
    choices = sorted(INSTALLED) + MISSING + ["os"]
    for module in dict.fromkeys(configured):
        out += ["[[modules]]", f"path = {json.dumps(module)}", "depends_on = []"]
        if rnd.random() < 0.5:
            out.append(f"depends_on_external = {toml_list(rnd.sample(choices, rnd.randint(0, 4)))}")
        if rnd.random() < 0.4:
            out.append(f"cannot_depend_on_external = {toml_list(rnd.sample(choices, rnd.randint(1, 3)))}")
        out.append("")
    if rnd.random() < 0.1:
        out += ["[[modules]]", 'path = "ghost.module"', "depends_on = []", ""]
    if rnd.random() < 0.6:
        out.append("[external]")
        if rnd.random() < 0.7:
            pool = [n for names in INSTALLED.values() for n in names] + sorted(INSTALLED) + MISSING + ["unused_thing", "unused-thing"]
            out.append(f"exclude = {toml_list(rnd.sample(pool, rnd.randint(1, 4)))}")
        if rnd.random() < 0.4:
            renames = rnd.sample(["attr:attrs", "PIL:Pillow", "yaml:Py-Yaml", "zope:zope.interface",
                                  f"{packages[0]['top']}:requests"], rnd.randint(1, 2))
            out.append(f"rename = {toml_list(renames)}")
        out.append("")
    if rnd.random() < 0.5:
        out.append("[rules]")
        for rule in ["local_imports", "unused_external_dependencies", "unused_ignore_directives",
                     "require_ignore_directive_reasons"]:
            if rnd.random() < 0.5:
                out.append(f"{rule} = {json.dumps(rnd.choice(['error', 'warn', 'off']))}")
    tach = "\n".join(out) + "\n"
    if any(p["dir"] == "." for p in packages) and rnd.random() < 0.5:
        # The project's own pyproject.toml: the configuration and the package's declarations.
        names = declared_names()
        text = f'[project]\nname = "Root-Project"\ndependencies = {toml_list(names)}\n\n'
        text += "\n".join(f"[tool.tach]\n{tach}".replace("[[modules]]", "[[tool.tach.modules]]")
                          .replace("[external]", "[tool.tach.external]")
                          .replace("[rules]", "[tool.tach.rules]").splitlines()) + "\n"
        with open(os.path.join(base, "pyproject.toml"), "w") as fh:
            fh.write(text)
    else:
        with open(os.path.join(base, "tach.toml"), "w") as fh:
            fh.write(tach)


DUPLICATES = re.compile(r"(defined more than once: )(\[.*\])$")


def lines_of(text):
    """A report's lines as a multiset; the list of modules defined twice sorted (tach lists
    them in the order its directory walk meets them)."""
    out = []
    warning = False
    for line in text.splitlines():
        line = line.strip()
        # tach's warning about '<root>' with root_module = "ignore" (archlint's is on stderr).
        warning = warning or line.startswith("WARNING: root module treatment")
        if warning:
            warning = not line.startswith("Documentation:")
            continue
        if not line or line.startswith("Warning: Both project dependencies"):
            continue
        line = DUPLICATES.sub(lambda m: m.group(1) + json.dumps(sorted(json.loads(m.group(2)))), line)
        out.append(line.lstrip("✅").strip())
    return sorted(out)


def compare(project):
    theirs = subprocess.run([TACH, "check-external"], cwd=project, capture_output=True, text=True, timeout=120)
    ours = subprocess.run([ARCHLINT, "check-external", "--no-cache", "--python", PYTHON],
                          cwd=project, capture_output=True, text=True, timeout=120)
    expected = (theirs.returncode, lines_of(theirs.stdout + theirs.stderr))
    got = (ours.returncode, lines_of(ours.stdout))
    config = os.path.join(project, "tach.toml")
    if not os.path.exists(config):
        config = os.path.join(project, "pyproject.toml")
    assert got == expected, (open(config).read(), ours.stderr)
    warned = "WARNING: root module treatment" in theirs.stderr
    assert warned == ("'<root>' appears in the configuration" in ours.stderr), ours.stderr
    return theirs.returncode, expected[1]


@pytest.mark.parametrize("seed", range(CASES))
def test_generated_projects_match_tach_check_external(seed, tmp_path):
    generate(seed, str(tmp_path))
    compare(str(tmp_path))


def write(base, files):
    for rel, text in files.items():
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)


def test_documented_example_matches_tach(tmp_path):
    """tach's documentation: a module restricted to some external packages, a rename, an
    exclusion, an unused declared dependency and one imported but not declared."""
    write(str(tmp_path), {
        "pyproject.toml": '[project]\nname = "myapp"\ndependencies = ["PyYAML", "GitPython", "rich", "unused"]\n',
        "src/myapp/__init__.py": "import yaml\nimport git\n",
        "src/myapp/cli.py": "import rich\nimport yaml\nimport requests\n",
        "src/myapp/core.py": "import git\nimport attr\n",
        "tach.toml": (
            'source_roots = ["src"]\n'
            '[[modules]]\npath = "myapp.core"\ndepends_on = []\ndepends_on_external = ["yaml"]\n'
            '[[modules]]\npath = "myapp.cli"\ndepends_on = []\ncannot_depend_on_external = ["yaml"]\n'
            '[external]\nexclude = ["requests"]\nrename = ["attr:attrs"]\n'
        ),
    })
    code, lines = compare(str(tmp_path))
    assert code == 1
    assert "[FAIL] src/myapp/core.py:1: Module 'myapp.core' does not declare a dependency on external package 'git'." in lines
    assert "[FAIL] src/myapp/cli.py:2: Module 'myapp.cli' cannot depend on external package 'yaml'." in lines
    assert "[FAIL] Error: External package 'unused' is not used in package 'myapp'." in lines


def test_clean_project_passes_like_tach(tmp_path):
    write(str(tmp_path), {
        "requirements.txt": "PyYAML==6\n",
        "app/__init__.py": "import os\nimport yaml\nfrom . import util\n",
        "app/util.py": "from __future__ import annotations\nimport typing_extensions\n",
        "tach.toml": '[[modules]]\npath = "app"\ndepends_on = []\n',
    })
    code, lines = compare(str(tmp_path))
    assert code == 0 and lines == ["All external dependencies validated!"]


@pytest.mark.parametrize("config, message", [
    ('forbid_circular_dependencies = true\n[[modules]]\npath = "a"\ndepends_on = ["b"]\n'
     '[[modules]]\npath = "b"\ndepends_on = ["a"]\n', "Circular dependency error"),
    ('[[modules]]\npath = "a"\ndepends_on = ["b"]\n[[modules]]\npath = "b"\ndepends_on = []\n'
     'visibility = ["nobody"]\n', "Visibility error"),
    ('[[modules]]\npath = "a"\ndepends_on = []\n[[modules]]\npath = "a"\ndepends_on = []\n',
     'Module tree error: Failed to build module tree. The following modules were defined more than once: ["a"]'),
])
def test_configuration_stops_match_tach(tmp_path, config, message):
    write(str(tmp_path), {"a/__init__.py": "import yaml\n", "b/__init__.py": "", "tach.toml": config})
    code, lines = compare(str(tmp_path))
    assert (code, lines) == (1, [message])


def test_bad_package_metadata_is_exit_2_with_file_and_line(tmp_path):
    """tach stops with exit 1 and a parser message; archlint says which file and line (exit 2).
    A setup.py package is refused by both (archlint never runs it)."""
    write(str(tmp_path), {
        "pkg/pyproject.toml": '[project]\nname = "x"\ndependencies = ["a",\n',
        "pkg/x/__init__.py": "import yaml\n",
        "tach.toml": 'source_roots = ["pkg"]\n',
    })
    proc = subprocess.run([ARCHLINT, "check-external", "--no-cache", "--python", PYTHON], cwd=str(tmp_path),
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "pkg/pyproject.toml:3: invalid TOML" in proc.stderr, proc.stderr
    theirs = subprocess.run([TACH, "check-external"], cwd=str(tmp_path), capture_output=True, text=True)
    assert theirs.returncode == 1
    os.remove(tmp_path / "pkg" / "pyproject.toml")
    write(str(tmp_path), {"pkg/setup.py": "raise SystemExit('never run')\n"})
    proc = subprocess.run([ARCHLINT, "check-external", "--no-cache", "--python", PYTHON], cwd=str(tmp_path),
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "setup.py" in proc.stderr and "not supported" in proc.stderr, proc.stderr


def test_ci_formats_carry_every_external_diagnostic(tmp_path):
    """JSON in tach's diagnostic shape, SARIF with one result per diagnostic."""
    generate(3, str(tmp_path))
    text = subprocess.run([ARCHLINT, "check-external", "--no-cache", "--python", PYTHON], cwd=str(tmp_path),
                          capture_output=True, text=True)
    shown = [l for l in text.stdout.splitlines() if l.startswith(("[FAIL]", "[WARN]"))]
    js = subprocess.run([ARCHLINT, "check-external", "--no-cache", "--format", "json", "--python", PYTHON],
                        cwd=str(tmp_path), capture_output=True, text=True)
    assert js.returncode == text.returncode
    diagnostics = json.loads(js.stdout)
    assert len(diagnostics) == len(shown) > 0
    sarif = subprocess.run([ARCHLINT, "check-external", "--no-cache", "--format", "sarif", "--python", PYTHON],
                           cwd=str(tmp_path), capture_output=True, text=True)
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    # "[FAIL] path:line: message" and "[FAIL] Error: message" alike.
    assert sorted(r["message"]["text"] for r in results) == sorted(l.split(": ", 1)[1] for l in shown)
