"""Differential test: `archlint check` on a tach configuration against real `tach check` 0.35.3.

Each generated project (packages, modules, imports of every shape: members, plain, relative,
nested in functions and blocks, under `if TYPE_CHECKING:` and its `else:`, `# tach-ignore`
directives on the line or above it, with reasons and names) gets a random
`tach.toml` using the keys tach check reads: modules with `depends_on` (deprecated edges,
globs), `cannot_depend_on`, `layer`, `visibility`, `utility`, `unchecked`, `paths`; layers
(closed ones too) and `layers_explicit_depends_on`; interfaces with `expose`, `from`,
`visibility`, `exclusive`; `source_roots`, `exclude`, `root_module`, `exact`,
`forbid_circular_dependencies`, `ignore_type_checking_imports`, `rules` (`local_imports`,
`unused_ignore_directives`, `require_ignore_directive_reasons`). Both
tools' JSON reports are compared whole — every diagnostic (file, line, statement line,
severity, kind and fields) as a multiset — and so are their exit statuses.
"""

import json
import os
import random
import re
import subprocess
import tempfile
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ARCHLINT = os.environ.get("ARCHLINT_BIN", os.path.join(ROOT, "target", "release", "archlint"))
TACH = os.environ.get("TACH_BIN", os.path.join(ROOT, "target", "tach-venv", "bin", "tach"))
CASES = int(os.environ.get("TACH_CASES", "120"))


def toml_list(items):
    return "[" + ", ".join(json.dumps(i) if isinstance(i, str) else i for i in items) + "]"


def generate(seed, base):
    rnd = random.Random(seed)
    src = "src" if rnd.random() < 0.3 else "."
    root = os.path.join(base, src)
    tops = [f"p{i}" for i in range(rnd.randint(2, 5))]
    modules = []  # every module path
    packages = []
    for top in tops:
        packages.append(top)
        modules.append(top)
        for j in range(rnd.randint(0, 3)):
            sub = f"{top}.m{j}"
            if rnd.random() < 0.35:
                packages.append(sub)
                modules.append(sub)
                for k in range(rnd.randint(1, 2)):
                    modules.append(f"{sub}.n{k}")
            else:
                modules.append(sub)
    loose = ["script"] if rnd.random() < 0.4 else []
    members = ["Thing", "helper", "_private", "api_call", "Model"]

    def path_of(module):
        parts = module.split(".")
        if module in packages:
            return os.path.join(root, *parts, "__init__.py")
        return os.path.join(root, *parts) + ".py"

    def import_line(importer, target, indent=""):
        kind = rnd.random()
        member = rnd.choice(members)
        if kind < 0.45:
            return f"{indent}from {target} import {member}\n"
        if kind < 0.6:
            return f"{indent}import {target}\n"
        if kind < 0.7:
            return f"{indent}from {target} import (\n{indent}    {member},\n{indent}    helper as h,\n{indent})\n"
        # relative, when both share the top package
        imp_parts, tgt_parts = importer.split("."), target.split(".")
        if imp_parts[0] == tgt_parts[0] and len(tgt_parts) > 1:
            pkg = imp_parts if importer in packages else imp_parts[:-1]
            level = len(pkg) - 1 + 1
            rest = ".".join(tgt_parts[1:])
            return f"{indent}from {'.' * level}{rest} import {member}\n"
        return f"{indent}from {target} import {member}\n"

    everyone = modules + loose
    for module in everyone:
        lines = ["from typing import TYPE_CHECKING\n"]
        for name in members:
            lines.append(f"def {name}(): pass\n" if name != "Thing" else "class Thing: pass\n")
        for _ in range(rnd.randint(0, 5)):
            target = rnd.choice(modules)
            where = rnd.random()
            directive = rnd.random()
            if directive < 0.08:
                lines.append("# tach-ignore\n")
            elif directive < 0.12:
                lines.append(f"# tach-ignore(known) {rnd.choice(members)} {target}\n")
            elif directive < 0.16:
                lines.append(f"import json  # tach-ignore\n")
            if where < 0.6:
                line = import_line(module, target)
                if rnd.random() < 0.1 and line.count("\n") == 1:
                    line = line.rstrip("\n") + rnd.choice(["  # tach-ignore", "  #tach-ignore(why) Thing", "  # tach-ignore helper"]) + "\n"
                lines.append(line)
            elif where < 0.7:
                lines.append("def f():\n" + import_line(module, target, "    "))
            elif where < 0.8:
                lines.append("if TYPE_CHECKING:\n" + import_line(module, target, "    "))
                if rnd.random() < 0.5:
                    lines.append("else:\n" + import_line(module, rnd.choice(modules), "    "))
            elif where < 0.9:
                lines.append("try:\n" + import_line(module, target, "    ") + "except ImportError:\n    pass\n")
            else:
                lines.append(f"import os, {target}\n")
        if rnd.random() < 0.02:
            lines.append("def broken(:\n")
        path = path_of(module) if module in modules else os.path.join(root, module + ".py")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write("".join(lines))

    # The configuration.
    out = []
    out.append(f"source_roots = [{json.dumps(src)}]")
    if rnd.random() < 0.3:
        out.append(f"exclude = {toml_list(['**/m1', '**/__pycache__'])}")
    if rnd.random() < 0.3:
        out.append(f"ignore_type_checking_imports = {rnd.choice(['true', 'false'])}")
    if rnd.random() < 0.2:
        out.append("forbid_circular_dependencies = true")
    if rnd.random() < 0.2:
        out.append("layers_explicit_depends_on = true")
    if rnd.random() < 0.3:
        out.append(f"root_module = {json.dumps(rnd.choice(['ignore', 'allow', 'dependenciesonly', 'forbid']))}")
    layers = []
    if rnd.random() < 0.5:
        layers = [f"l{i}" for i in range(rnd.randint(2, 4))]
        entries = []
        for name in layers:
            entries.append(f'{{ name = "{name}", closed = true }}' if rnd.random() < 0.25 else json.dumps(name))
        out.append(f"layers = [{', '.join(entries)}]")
    out.append("")
    declared = rnd.sample(modules, rnd.randint(1, len(modules)))
    if rnd.random() < 0.2:
        declared = [m for m in declared if not m.startswith(tops[0] + ".")] + [f"{tops[0]}.*"]
    used = set()
    for module in declared:
        if module in used:
            continue
        used.add(module)
        out.append("[[modules]]")
        out.append(f"path = {json.dumps(module)}")
        r = rnd.random()
        if r < 0.75:
            deps = []
            for d in rnd.sample(modules, rnd.randint(0, min(4, len(modules)))):
                if rnd.random() < 0.2:
                    deps.append(f'{{ path = "{d}", deprecated = true }}')
                else:
                    deps.append(json.dumps(d))
            if rnd.random() < 0.1:
                deps.append(json.dumps(f"{rnd.choice(tops)}.**"))
            out.append(f"depends_on = [{', '.join(deps)}]")
        if rnd.random() < 0.15:
            out.append(f"cannot_depend_on = {toml_list(rnd.sample(modules, 1))}")
        if layers and rnd.random() < 0.7:
            out.append(f"layer = {json.dumps(rnd.choice(layers + ['undeclared'] if rnd.random() < 0.05 else layers))}")
        if rnd.random() < 0.1:
            out.append("utility = true")
        if rnd.random() < 0.08:
            out.append("unchecked = true")
        if rnd.random() < 0.04:
            out.append(f"visibility = {toml_list(rnd.sample(modules, 1) + ['p0*'])}")
        out.append("")
    if rnd.random() < 0.1:
        out += ["[[modules]]", 'path = "ghost.module"', ""]
    for _ in range(rnd.randint(0, 3)):
        out.append("[[interfaces]]")
        out.append(f"expose = {toml_list(rnd.sample(['Thing', 'helper', 'api_.*', 'm0.*', 'Model'], rnd.randint(1, 2)))}")
        if rnd.random() < 0.8:
            out.append(f"from = {toml_list(rnd.sample(declared, 1) + (['p1.*'] if rnd.random() < 0.3 else []))}")
        if rnd.random() < 0.3:
            out.append(f"visibility = {toml_list(rnd.sample(declared, 1))}")
            if rnd.random() < 0.5:
                out.append("exclusive = true")
        out.append("")
    if rnd.random() < 0.4:
        out.append("[rules]")
        for rule in ["local_imports", "unused_ignore_directives", "require_ignore_directive_reasons"]:
            if rnd.random() < 0.5:
                out.append(f"{rule} = {json.dumps(rnd.choice(['error', 'warn', 'off']))}")
    with open(os.path.join(base, "tach.toml"), "w") as fh:
        fh.write("\n".join(out) + "\n")


def normalise(report):
    """A report as something to compare: diagnostics as a sorted multiset; a stop with its
    module list sorted (tach's order is its graph library's)."""
    if isinstance(report, dict):
        report = dict(report)
        for key in ("dependencies", "visibility_errors"):
            if key in report:
                report[key] = sorted(json.dumps(x) for x in report[key])
        return report
    return sorted(json.dumps(d, sort_keys=True) for d in report)


def run(cmd, cwd):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = {"unparsed": proc.stdout, "stderr": proc.stderr}
    return proc.returncode, report


def compare(project):
    t_code, theirs = run([TACH, "check", "--output", "json"], project)
    a_code, ours = run([ARCHLINT, "check", "--format", "json", "--no-cache"], project)
    assert (a_code, normalise(ours)) == (t_code, normalise(theirs)), (
        open(os.path.join(project, "tach.toml")).read()
    )
    # Through the cache too (each file parsed ahead of the check, then read back): filled,
    # then warm — the same report as the streaming run without a cache.
    with tempfile.TemporaryDirectory() as cache:
        for run_kind in ("cold", "warm"):
            c_code, cached = run([ARCHLINT, "check", "--format", "json", "--cache-dir", cache], project)
            assert (c_code, normalise(cached)) == (a_code, normalise(ours)), run_kind
    return t_code


@pytest.mark.parametrize("seed", range(CASES))
def test_generated_projects_match_tach(seed, tmp_path):
    generate(seed, str(tmp_path))
    compare(str(tmp_path))


def write(base, files):
    for rel, text in files.items():
        path = os.path.join(base, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)


def test_documented_examples_match_tach(tmp_path):
    """tach's documentation: an interface, a deprecated dependency, layers with a closed one."""
    write(str(tmp_path), {
        "core/__init__.py": "def get_data(): pass\n",
        "core/main.py": "class DataModel: pass\n",
        "domain/__init__.py": "from core.main import DataModel\nfrom core import get_data\n",
        "ui/__init__.py": "import core\nimport domain\n",
        "tach.toml": (
            'layers = ["ui", { name = "domain", closed = true }, "core"]\n'
            '[[modules]]\npath = "domain"\nlayer = "domain"\n'
            'depends_on = [{ path = "core", deprecated = true }]\n'
            '[[modules]]\npath = "core"\nlayer = "core"\ndepends_on = []\n'
            '[[modules]]\npath = "ui"\nlayer = "ui"\ndepends_on = []\n'
            '[[interfaces]]\nexpose = ["get_data"]\nfrom = ["core"]\n'
        ),
    })
    compare(str(tmp_path))


@pytest.mark.parametrize("seed", range(0, 40, 4))
def test_ci_formats_carry_every_tach_diagnostic(seed, tmp_path):
    """SARIF, GitHub annotations and JUnit: one result per tach diagnostic, with its file,
    line, severity and message."""
    generate(seed, str(tmp_path))
    t_code, theirs = run([TACH, "check", "--output", "json"], str(tmp_path))
    if isinstance(theirs, dict):
        # A configuration stop: one error per line tach prints for it.
        lines = len(theirs.get("visibility_errors") or theirs.get("dependencies") or [1])
        proc = subprocess.run([ARCHLINT, "check", "--format", "sarif", "--no-cache"], cwd=str(tmp_path),
                              capture_output=True, text=True)
        assert proc.returncode == t_code == 1
        results = json.loads(proc.stdout)["runs"][0]["results"]
        assert [(r["ruleId"], r["level"]) for r in results] == [("tach-configuration", "error")] * lines
        return
    expected = []
    for d in theirs:
        (shape, body), = d.items()
        (group, details), = body["details"].items()
        (kind, fields), = details.items() if isinstance(details, dict) else ((details, {}),)
        level = "error" if body["severity"] == "Error" else "warning"
        expected.append((body.get("file_path"), body.get("line_number"), level))
    proc = subprocess.run([ARCHLINT, "check", "--format", "sarif", "--no-cache"], cwd=str(tmp_path),
                          capture_output=True, text=True)
    assert proc.returncode == t_code
    results = json.loads(proc.stdout)["runs"][0]["results"]
    got = []
    for r in results:
        loc = r.get("locations", [{}])[0].get("physicalLocation", {})
        got.append((loc.get("artifactLocation", {}).get("uri"), loc.get("region", {}).get("startLine"), r["level"]))
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    proc = subprocess.run([ARCHLINT, "check", "--format", "github", "--no-cache"], cwd=str(tmp_path),
                          capture_output=True, text=True)
    assert proc.returncode == t_code
    assert len([l for l in proc.stdout.splitlines() if l.startswith(("::error", "::warning"))]) == len(theirs)


UNUSED = re.compile(r"'(.+)' does not depend on: \[(.*)\]")


@pytest.mark.parametrize("seed", range(1, 60, 3))
def test_exact_reports_the_same_unused_dependencies(seed, tmp_path):
    """`exact = true` (text reports only, as tach): the same modules with the same unused
    declared dependencies, and the same exit status."""
    generate(seed, str(tmp_path))
    config = tmp_path / "tach.toml"
    config.write_text("exact = true\n" + config.read_text())
    theirs = subprocess.run([TACH, "check"], cwd=str(tmp_path), capture_output=True, text=True)
    ours = subprocess.run([ARCHLINT, "check", "--no-cache"], cwd=str(tmp_path), capture_output=True, text=True)
    assert ours.returncode == theirs.returncode, (ours.stdout, theirs.stderr)
    assert UNUSED.findall(ours.stdout) == UNUSED.findall(theirs.stderr + theirs.stdout), config.read_text()


def test_domain_files_match_tach(tmp_path):
    """`tach.domain.toml`: a [root], relative modules, `//` paths, `<domain_root>` interfaces."""
    write(str(tmp_path), {
        "tach/__init__.py": "",
        "tach/hooks.py": "def hook(): pass\n",
        "tach/filesystem/__init__.py": "from tach.hooks import hook\nfrom tach.filesystem.service import run\n",
        "tach/filesystem/service.py": "from tach.filesystem.git_ops import clone\ndef run(): pass\n",
        "tach/filesystem/git_ops.py": "from tach.hooks import hook\ndef clone(): pass\n",
        "tach/cli.py": "from tach.filesystem import service\nfrom tach.filesystem.git_ops import clone\n"
                       "from tach.filesystem.service import run\n",
        "tach/filesystem/tach.domain.toml": (
            '[root]\ndepends_on = ["//tach.hooks", "service"]\n'
            '[[modules]]\npath = "service"\ndepends_on = []\n'
            '[[modules]]\npath = "git_ops"\ndepends_on = ["//tach.hooks"]\nvisibility = ["//tach.filesystem"]\n'
            '[[interfaces]]\nexpose = ["run"]\nfrom = ["service"]\n'
            '[[interfaces]]\nexpose = ["service"]\nfrom = ["<domain_root>"]\n'
        ),
        "tach.toml": (
            '[[modules]]\npath = "tach.hooks"\ndepends_on = []\nutility = true\n'
            '[[modules]]\npath = "tach.cli"\ndepends_on = ["tach.filesystem"]\n'
        ),
    })
    assert compare(str(tmp_path)) == 1
    # The same with `tach.other` depending on the restricted `git_ops`: a visibility stop.
    with open(tmp_path / "tach.toml", "a") as fh:
        fh.write('[[modules]]\npath = "tach.other"\ndepends_on = ["tach.filesystem.git_ops"]\n')
    write(str(tmp_path), {"tach/other.py": ""})
    compare(str(tmp_path))


@pytest.mark.parametrize("config", [
    '[[modules]]\npath = "a"\ndepends_on = []\n[[modules]]\npath = "a"\ndepends_on = ["b"]\n',
    'root_module = "forbid"\n[[modules]]\npath = "a"\ndepends_on = ["<root>"]\n',
    'root_module = "dependenciesonly"\n[[modules]]\npath = "<root>"\ndepends_on = ["a"]\n'
    '[[modules]]\npath = "a"\ndepends_on = ["<root>"]\n',
])
def test_module_tree_stops_match_tach(tmp_path, config):
    """Duplicate modules and the root module's treatment: tach stops with its module-tree
    error; the JSON and the exit status match, and the text report prints the same line."""
    write(str(tmp_path), {"a/__init__.py": "import b\n", "b/__init__.py": "", "tach.toml": config})
    assert compare(str(tmp_path)) == 1
    theirs = subprocess.run([TACH, "check"], cwd=str(tmp_path), capture_output=True, text=True)
    ours = subprocess.run([ARCHLINT, "check", "--no-cache"], cwd=str(tmp_path), capture_output=True, text=True)
    assert ours.stdout == theirs.stdout and theirs.stdout.startswith("Module tree error: ")


def test_missing_dependency_is_an_error_where_tach_passes(tmp_path):
    """A `depends_on` naming no module: tach passes silently, archlint stops with file:line."""
    write(str(tmp_path), {
        "a/__init__.py": "",
        "b/__init__.py": "import a\n",
        "tach.toml": '[[modules]]\npath = "a"\ndepends_on = []\n[[modules]]\npath = "b"\ndepends_on = ["a", "nothere"]\n',
    })
    t_code, _ = run([TACH, "check", "--output", "json"], str(tmp_path))
    assert t_code == 0
    proc = subprocess.run([ARCHLINT, "check", "--no-cache"], cwd=str(tmp_path), capture_output=True, text=True)
    assert proc.returncode == 2
    assert "tach.toml:6: module 'b' names 'nothere' as a dependency" in proc.stderr


@pytest.mark.parametrize("text, line, needle", [
    ('[[modules]]\npath = "a"\ndepend_on = []\n', 3, "unknown key `depend_on`"),
    ('[[modules]]\npath = "a"\nutility = "yes"\n', 3, "`utility` must be true or false"),
    ('layers = ["x"\n', 1, "invalid TOML"),
    ('root_module = "sometimes"\n', 1, "`root_module` must be"),
    ('include_string_imports = true\n', 1, "`include_string_imports = true` is not supported"),
    ('[[interfaces]]\nexpose = ["(unclosed"]\n', 2, "invalid regular expression"),
])
def test_broken_configuration_is_exit_2_with_file_and_line(tmp_path, text, line, needle):
    write(str(tmp_path), {"a/__init__.py": "", "tach.toml": text})
    proc = subprocess.run([ARCHLINT, "check", "--no-cache"], cwd=str(tmp_path), capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert f"tach.toml:{line}: " in proc.stderr and needle in proc.stderr, proc.stderr


if __name__ == "__main__":
    # python test_tach.py SEED DIR: write one generated project to look at.
    generate(int(sys.argv[1]), sys.argv[2])
