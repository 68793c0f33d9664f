"""The same layering checked by tach and by archlint, and whether they found the same imports.

tach checks direct imports between declared modules; its `layers` forbid a module from
importing one in a higher layer. The equivalent here: every package under the root declared
as a tach module (so tach reads every file: a tach.toml declaring a few modules lets it skip
most of them), each in the layer of the import-linter layer it lies in, and one archlint
`layers` contract over the same layers with non-independent siblings (`:`, as modules of one
tach layer may import each other). Both must then report the same direct imports: tach's
`[FAIL] path:line` lines against archlint's direct routes (importer file, line).

python3 bench/tach_equiv.py SRC ROOT[,ROOT] [--containers=PATTERN,...] "layer1" "layer2 | layer3" ...
(writes the two configurations into SRC/.tach-bench/ and prints their paths)
"""

import ast
import json
import os
import re
import sys


def packages(src, roots):
    out = []
    for package in roots:
        for d, dirs, files in os.walk(os.path.join(src, package)):
            dirs[:] = sorted(x for x in dirs if x != "__pycache__")
            if "__init__.py" in files:
                out.append(os.path.relpath(d, src).replace(os.sep, "."))
    return sorted(out)


def configs(src, roots, layers, containers=None):
    """tach.toml and an import-linter INI for the same layering.

    `layers` top first; `a | b` (or `a : b`) shares a layer. Without `containers`, layers are
    module names and tach's global `layers` express them. With `containers` (import-linter
    patterns such as `synth.*`), layers are names inside each container, which import-linter
    checks container by container: tach's `cannot_depend_on` on each container's lower layers
    expresses that (its global layers would also forbid imports across containers)."""
    groups = [[m.strip() for m in re.split(r"[|:]", line) if m.strip()] for line in layers]
    modules = packages(src, roots)
    # Only the root packages are read, as archlint reads them (tach's default excludes, such as
    # **/tests, would skip files archlint reads).
    others = sorted(e for e in os.listdir(src) if e not in roots and not e.startswith("."))
    exclude = ["**/__pycache__"] + others
    lines = ['source_roots = ["."]', f"exclude = {json.dumps(exclude)}", "exact = false",
             "ignore_type_checking_imports = false", ""]
    if containers is None:
        names = [f"l{i}" for i in range(len(groups))]
        lines.insert(4, f"layers = {json.dumps(names)}")

        def layer_of(module):
            best = None
            for name, group in zip(names, groups):
                for top in group:
                    if module == top or module.startswith(top + "."):
                        if best is None or len(top) > len(best[1]):
                            best = (name, top)
            return best[0] if best else None

        for module in modules:
            lines += ["[[modules]]", f'path = "{module}"']
            if layer_of(module):
                lines.append(f'layer = "{layer_of(module)}"')
            lines.append("")
    else:
        def matches(module, pattern):
            parts, pat = module.split("."), pattern.split(".")
            return len(parts) == len(pat) and all(p == "*" or p == m for m, p in zip(parts, pat))

        cannot = {}
        for container in (m for m in modules if any(matches(m, c) for c in containers)):
            for i, group in enumerate(groups):
                higher = [f"{container}.{h}" for g in groups[:i] for h in g]
                for name in group:
                    cannot[f"{container}.{name}"] = higher
        for module in modules:
            lines += ["[[modules]]", f'path = "{module}"']
            if cannot.get(module):
                lines.append(f"cannot_depend_on = {json.dumps(cannot[module])}")
            lines.append("")
    tach = "\n".join(lines)
    ini = ["[importlinter]", "root_packages ="] + [f"    {r}" for r in roots]
    ini += ["", "[importlinter:contract:layers]", "name = Layers (tach-equivalent)", "type = layers"]
    if containers:
        ini += ["containers ="] + [f"    {c}" for c in containers]
    ini += ["layers ="] + [f"    {' : '.join(group)}" for group in groups]
    return tach, "\n".join(ini) + "\n"


_STATEMENTS = {}


def statement_line(src, path, line):
    """The first line of the import statement holding `line` (tach names the line of the
    imported name, import-linter and archlint the statement's)."""
    if path not in _STATEMENTS:
        spans = []
        try:
            with open(os.path.join(src, path), "rb") as fh:
                tree = ast.parse(fh.read())
            spans = [(n.lineno, n.end_lineno) for n in ast.walk(tree)
                     if isinstance(n, (ast.Import, ast.ImportFrom))]
        except (OSError, SyntaxError, ValueError):
            pass
        _STATEMENTS[path] = spans
    for start, end in _STATEMENTS[path]:
        if start <= line <= end:
            return start
    return line


def tach_imports(src, output):
    """(file, statement line) of every import tach fails (the configuration has only layers)."""
    return {(m.group(1), statement_line(src, m.group(1), int(m.group(2))))
            for m in re.finditer(r"^\[FAIL\] (\S+?):(\d+): ", output, flags=re.M)}


def module_path(src, module):
    base = os.path.join(src, *module.split("."))
    if os.path.isdir(base) and os.path.exists(os.path.join(base, "__init__.py")):
        return os.path.relpath(os.path.join(base, "__init__.py"), src)
    return os.path.relpath(base + ".py", src)


def archlint_imports(src, report):
    """(file, line) of every direct import archlint's layers contract reports."""
    out = set()
    for contract in report["contracts"]:
        for violation in contract.get("violations", []):
            for route in violation["routes"]:
                if len(route["chain"]) != 1:
                    continue
                for link in route["chain"] + route.get("extra_firsts", []) + route.get("extra_lasts", []):
                    for line in link["lines"]:
                        out.add((module_path(src, link["importer"]), line))
    return out


def main():
    src, roots, layers = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
    containers = None
    if layers and layers[0].startswith("--containers="):
        containers = layers.pop(0).split("=", 1)[1].split(",")
    tach, ini = configs(src, roots, layers, containers)
    out = os.path.join(src, ".tach-bench")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tach.toml"), "w") as fh:
        fh.write(tach)
    with open(os.path.join(out, "layers.ini"), "w") as fh:
        fh.write(ini)
    print(os.path.join(out, "tach.toml"))
    print(os.path.join(out, "layers.ini"))


if __name__ == "__main__":
    main()
