"""Cyclomatic complexity: archlint agrees with radon on every function radon reports.

Corpora: the bundled example, a seeded generated corpus exercising every construct radon counts
(branches with `else`, `try` handlers, boolean operators, ternaries, comprehensions, lambdas,
asserts, `match` with and without a wildcard, nested functions, decorators, async), and real
packages from the test environment (pytest's own source, attrs, PyYAML).

The only functions archlint reports and radon does not are methods of classes defined inside
functions: radon's visitor drops those classes. That difference is asserted, not ignored.
"""

import ast
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from radon.visitors import ComplexityVisitor

ROOT = Path(__file__).resolve().parents[2]
ARCHLINT = os.environ.get("ARCHLINT_BIN", str(ROOT / "target" / "release" / "archlint"))


def archlint_functions(root):
    out = subprocess.run(
        [ARCHLINT, "metrics", "--format", "json", "--no-cache", "-q", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    return report["functions"], report["classes"]


def radon_functions(root):
    """(path, line, name) -> complexity for every block radon reports, closures included."""
    found = {}

    def add_function(path, f):
        found[(path, f.lineno, f.name)] = f.complexity
        for closure in f.closures:
            add_function(path, closure)

    def add_class(path, c):
        for m in c.methods:
            add_function(path, m)
        for inner in c.inner_classes:
            add_class(path, inner)

    skipped = []
    for file in sorted(Path(root).rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue  # hidden directories (.venv) are not the project's code
        source = file.read_text(encoding="utf-8", errors="replace")
        try:
            ast.parse(source)
        except SyntaxError:
            skipped.append(rel)  # newer syntax than this Python reads; radon cannot either
            continue
        visitor = ComplexityVisitor.from_code(source)
        for f in visitor.functions:
            add_function(rel, f)
        for c in visitor.classes:
            add_class(rel, c)
    return found, skipped


def inside_function_class(qualname, function_names, class_names):
    """A method of a class that is defined inside a function."""
    parts = qualname.split(".")
    prefixes = [".".join(parts[:i]) for i in range(1, len(parts))]
    seen_function = False
    for p in prefixes:
        if p in function_names:
            seen_function = True
        elif p in class_names and seen_function:
            return True
    return False


def compare(root):
    ours, classes = archlint_functions(root)
    theirs, skipped = radon_functions(root)
    by_key = {}
    for f in ours:
        if f["path"] in skipped:
            continue
        by_key[(f["path"], f["line"], f["qualname"].rsplit(".", 1)[-1])] = f
    mismatches = [
        (key, by_key[key]["complexity"], theirs[key])
        for key in theirs
        if key in by_key and by_key[key]["complexity"] != theirs[key]
    ]
    assert mismatches == [], mismatches[:20]
    missing = [key for key in theirs if key not in by_key]
    assert missing == [], missing[:20]
    functions_by_path = {}
    classes_by_path = {}
    for f in ours:
        functions_by_path.setdefault(f["path"], set()).add(f["qualname"])
    for c in classes:
        classes_by_path.setdefault(c["path"], set()).add(c["qualname"])
    extra = [f for key, f in by_key.items() if key not in theirs]
    unexplained = [
        f
        for f in extra
        if not inside_function_class(
            f["qualname"], functions_by_path[f["path"]], classes_by_path.get(f["path"], set())
        )
    ]
    assert unexplained == [], unexplained[:20]
    return len(theirs), len(extra)


def test_bundled_example():
    compared, _ = compare(ROOT / "examples" / "layered-shop")
    assert compared >= 5


# --- a generated corpus --------------------------------------------------------------------


def expr(rng, depth=0):
    if depth > 2:
        return rng.choice(["a", "b", "c", "x.y", "n"])
    r = rng.random()
    if r < 0.15:
        op = rng.choice(["and", "or"])
        return f"({' {} '.format(op).join(expr(rng, depth + 1) for _ in range(rng.randint(2, 4)))})"
    if r < 0.25:
        return f"({expr(rng, depth + 1)} if {expr(rng, depth + 1)} else {expr(rng, depth + 1)})"
    if r < 0.35:
        ifs = "".join(f" if {expr(rng, depth + 1)}" for _ in range(rng.randint(0, 2)))
        extra = f" for z in {expr(rng, depth + 1)}" if rng.random() < 0.3 else ""
        kind = rng.choice(["[q {}]", "{{q {}}}", "(q {})", "{{q: 1 {}}}"])
        return kind.format(f"for q in {expr(rng, depth + 1)}{ifs}{extra}")
    if r < 0.42:
        return f"(lambda v: {expr(rng, depth + 1)})"
    if r < 0.5:
        return f"not {expr(rng, depth + 1)}"
    if r < 0.6:
        return f"f({expr(rng, depth + 1)}, k={expr(rng, depth + 1)})"
    return rng.choice(["a", "b", "c", "x.y", "n", "1", "'s'"])


def block(rng, indent, depth, lines):
    pad = "    " * indent
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if depth > 3 or r < 0.25:
            lines.append(f"{pad}{rng.choice(['n = ', 'return ', 'assert ', ''])}{expr(rng)}")
            continue
        if r < 0.35:
            lines.append(f"{pad}if {expr(rng)}:")
            block(rng, indent + 1, depth + 1, lines)
            for _ in range(rng.randint(0, 2)):
                lines.append(f"{pad}elif {expr(rng)}:")
                block(rng, indent + 1, depth + 1, lines)
            if rng.random() < 0.5:
                lines.append(f"{pad}else:")
                block(rng, indent + 1, depth + 1, lines)
        elif r < 0.45:
            lines.append(f"{pad}for i in {expr(rng)}:")
            block(rng, indent + 1, depth + 1, lines)
            if rng.random() < 0.3:
                lines.append(f"{pad}else:")
                block(rng, indent + 1, depth + 1, lines)
        elif r < 0.52:
            lines.append(f"{pad}while {expr(rng)}:")
            block(rng, indent + 1, depth + 1, lines)
            if rng.random() < 0.3:
                lines.append(f"{pad}else:")
                block(rng, indent + 1, depth + 1, lines)
        elif r < 0.62:
            lines.append(f"{pad}try:")
            block(rng, indent + 1, depth + 1, lines)
            handlers = rng.randint(0, 3)
            for e in range(handlers):
                lines.append(f"{pad}except E{e}:")
                block(rng, indent + 1, depth + 1, lines)
            if handlers and rng.random() < 0.4:
                lines.append(f"{pad}else:")
                block(rng, indent + 1, depth + 1, lines)
            if not handlers or rng.random() < 0.3:
                lines.append(f"{pad}finally:")
                block(rng, indent + 1, depth + 1, lines)
        elif r < 0.7:
            lines.append(f"{pad}with {expr(rng)} as w:")
            block(rng, indent + 1, depth + 1, lines)
        elif r < 0.8:
            lines.append(f"{pad}match {expr(rng)}:")
            cases = rng.randint(1, 4)
            for c in range(cases):
                pattern = rng.choice(["1", "'a'", "[p, *rest]", "{'k': v}", "Point(x=0)", "p if p"])
                lines.append(f"{pad}    case {pattern}:")
                block(rng, indent + 2, depth + 1, lines)
            if rng.random() < 0.5:
                lines.append(f"{pad}    case {rng.choice(['_', 'other'])}:")
                block(rng, indent + 2, depth + 1, lines)
        elif r < 0.9:
            name = f"inner{len(lines)}"
            lines.append(f"{pad}@deco({expr(rng)})")
            lines.append(f"{pad}def {name}(p={expr(rng)}):")
            block(rng, indent + 1, depth + 1, lines)
        else:
            lines.append(f"{pad}class Local{len(lines)}:")
            lines.append(f"{pad}    flag = {expr(rng)}")
            lines.append(f"{pad}    def method(self):")
            block(rng, indent + 2, depth + 1, lines)


def generated_module(rng, index):
    lines = []
    for i in range(rng.randint(3, 8)):
        if rng.random() < 0.3:
            lines.append(f"class C{i}:")
            for m in range(rng.randint(1, 3)):
                lines.append(f"    {'async ' if rng.random() < 0.2 else ''}def m{m}(self, a, b=({expr(rng)})):")
                block(rng, 2, 1, lines)
        else:
            if rng.random() < 0.3:
                lines.append(f"@decorator({expr(rng)})")
            lines.append(f"{'async ' if rng.random() < 0.2 else ''}def f{i}(a, b, c, n, x):")
            block(rng, 1, 1, lines)
        lines.append("")
    return "\n".join(lines) + "\n"


def test_generated_corpus(tmp_path):
    rng = random.Random(9)
    pkg = tmp_path / "gen"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    written = 0
    for i in range(150):
        source = generated_module(rng, i)
        try:
            compile(source, f"m{i}.py", "exec")
        except SyntaxError:
            continue  # e.g. `yield` where Python refuses it; the generator is not a grammar
        (pkg / f"m{i}.py").write_text(source)
        written += 1
    assert written > 100
    compared, extra = compare(tmp_path)
    assert compared > 1000
    # The generator defines classes inside functions; their methods are the explained extra.
    assert extra > 0


@pytest.mark.parametrize("package", ["_pytest", "attr", "yaml"])
def test_real_packages(package):
    import importlib.util

    spec = importlib.util.find_spec(package)
    root = Path(spec.origin).parent.parent
    # Only that package: copy-free, point archlint at a directory holding just it.
    compared, _ = compare_package(root, package)
    assert compared > 50


def compare_package(site, package):
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(site / package, Path(tmp) / package)
        return compare(Path(tmp))
