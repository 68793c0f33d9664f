"""Seeded generator of random Python projects with import-linter contracts.

Each project gets a unique root package name (so many projects can be analysed in one Python
process), a random package tree, random imports in every syntactic form import-linter
understands, and a random `.importlinter` with contracts of every type and option.
"""

import os
import random

EXTERNALS = ["requests", "django.db.models", "yaml", "sqlalchemy.orm", "os.path", "json"]


# The shape of a generated project: children per package, package depth, the chance that a
# child is a package, imports per module. CI's projects use DEFAULT_SHAPE; run_seeds.py varies it.
DEFAULT_SHAPE = {"children": (2, 4), "depth": 2, "packages": 0.45, "imports": (0, 4)}


def build_tree(rng, root, shape=DEFAULT_SHAPE):
    """Return (modules, packages): dotted names; packages have __init__.py."""
    packages = [root]
    modules = [root]
    frontier = [(root, 0)]
    while frontier:
        pkg, depth = frontier.pop()
        for i in range(rng.randint(*shape["children"])):
            # Some modules are private (a leading underscore), for private_modules contracts.
            private = "_" if rng.random() < 0.2 else ""
            name = f"{pkg}.{private}{rng.choice('abcdefgh')}{i}"
            modules.append(name)
            if depth < shape["depth"] and rng.random() < shape["packages"]:
                packages.append(name)
                frontier.append((name, depth + 1))
    return sorted(set(modules)), sorted(set(packages))


def import_line(rng, importer, is_package, target, modules):
    """An import statement of `target` written in one of several forms."""
    parts = target.split(".")
    form = rng.random()
    imp_parts = importer.split(".")
    base = imp_parts if is_package else imp_parts[:-1]
    if form < 0.2:
        return f"import {target}"
    if form < 0.35 and len(parts) > 1:
        return f"from {'.'.join(parts[:-1])} import {parts[-1]}"
    if form < 0.45:
        return f"from {target} import some_function"
    if form < 0.5:
        return f"from {target} import *"
    if form < 0.75 and len(parts) > 1:
        # Relative import when target shares a prefix with the importer's package.
        common = 0
        while common < min(len(base), len(parts) - 1) and base[common] == parts[common]:
            common += 1
        if common >= 1:
            level = len(base) - common + 1
            rest = parts[common:]
            if len(rest) == 1:
                return f"from {'.' * level} import {rest[0]}"
            return f"from {'.' * level}{'.'.join(rest[:-1])} import {rest[-1]}"
    return f"import {target} as alias_{rng.randint(0, 99)}"


def write_module(rng, path, importer, is_package, modules, edges, externals, imports=(0, 4)):
    lines = ['"""generated"""']
    tc_lines, fn_lines = [], []
    targets = rng.sample(modules, k=min(len(modules), rng.randint(*imports)))
    for target in targets:
        if target == importer:
            continue
        stmt = import_line(rng, importer, is_package, target, modules)
        where = rng.random()
        if where < 0.12:
            tc_lines.append(stmt)
        elif where < 0.24:
            fn_lines.append(stmt)
        else:
            lines.append(stmt)
        edges.append((importer, target))
    if externals and rng.random() < 0.4:
        lines.append(f"import {rng.choice(EXTERNALS)}")
    if tc_lines:
        lines.append("from typing import TYPE_CHECKING")
        lines.append("if TYPE_CHECKING:")
        lines.extend(f"    {s}" for s in tc_lines)
    if fn_lines:
        lines.append("def f():")
        lines.extend(f"    {s}" for s in fn_lines)
        lines.append("    return None")
    lines.append("some_function = 1")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def children(modules, pkg):
    depth = pkg.count(".") + 1
    return [m for m in modules if m.startswith(pkg + ".") and m.count(".") == depth]


def random_ignores(rng, edges, modules):
    out = []
    for _ in range(rng.randint(0, 2)):
        r = rng.random()
        if edges and r < 0.6:
            a, b = rng.choice(edges)
            out.append(f"{a} -> {b}")
        elif r < 0.8:
            a = rng.choice(modules)
            out.append(f"{a}.** -> {rng.choice(modules)}")
        else:
            out.append(f"{rng.choice(modules)} -> {rng.choice(modules)}.*")
    return out


def contract_sections(rng, root, modules, packages, edges, externals):
    sections = []
    subpackages = [p for p in packages if len(children(modules, p)) >= 2]
    for n in range(rng.randint(1, 4)):
        kind = rng.choice(["layers", "layers", "forbidden", "forbidden", "independence", "protected",
                           "private_modules", "acyclic_siblings"])
        opts = {"name": f"{kind} {n}", "type": kind}
        if kind == "layers":
            container = rng.choice(subpackages)
            kids = [k.rsplit(".", 1)[1] for k in children(modules, container)]
            rng.shuffle(kids)
            kids = kids[: rng.randint(2, len(kids))]
            layers = []
            i = 0
            while i < len(kids):
                take = 1 if rng.random() < 0.7 else 2
                group = kids[i:i + take]
                i += take
                sep = rng.choice([" | ", " : "])
                layers.append(sep.join(group))
            if rng.random() < 0.2:
                layers.append("(missing_layer)")
            if rng.random() < 0.6:
                opts["containers"] = [container]
                if rng.random() < 0.25:
                    opts["exhaustive"] = "true"
                    if rng.random() < 0.5:
                        opts["exhaustive_ignores"] = [rng.choice("abcdefgh") + "0"]
            else:
                layers = [
                    " | ".join(f"{container}.{x.strip()}" for x in l.split("|")) if "|" in l
                    else " : ".join(f"{container}.{x.strip()}" for x in l.split(":")) if ":" in l
                    else (f"({container}.{l[1:-1]})" if l.startswith("(") else f"{container}.{l}")
                    for l in layers
                ]
            opts["layers"] = layers
        elif kind == "forbidden":
            src = rng.choice(modules[1:] or modules)
            forb = [rng.choice(modules[1:] or modules)]
            if externals and rng.random() < 0.4:
                forb.append(rng.choice(["requests", "django", "yaml", "sqlalchemy"]))
            if rng.random() < 0.2:
                forb.append(rng.choice(subpackages) + ".*")
            opts["source_modules"] = [src]
            opts["forbidden_modules"] = forb
            if rng.random() < 0.3:
                opts["allow_indirect_imports"] = "true"
            if rng.random() < 0.3:
                opts["as_packages"] = rng.choice(["true", "false"])
        elif kind == "independence":
            pkg = rng.choice(subpackages)
            if rng.random() < 0.5:
                opts["modules"] = [f"{pkg}.*"]
            else:
                opts["modules"] = children(modules, pkg)[:3]
        elif kind == "protected":
            opts["protected_modules"] = [rng.choice(modules[1:] or modules)]
            opts["allowed_importers"] = [rng.choice(modules)]
            if rng.random() < 0.3:
                opts["as_packages"] = rng.choice(["true", "false"])
        elif kind == "private_modules":
            r = rng.random()
            if r < 0.4:
                pass  # every module's private children
            elif r < 0.8:
                opts["packages_with_private_modules"] = rng.sample(packages, k=min(len(packages), rng.randint(1, 2)))
            else:
                # A wildcard, which may match a private package (an error in both tools).
                opts["packages_with_private_modules"] = [rng.choice(packages) + rng.choice([".*", ".**"])]
        else:
            opts["ancestors"] = [rng.choice(subpackages)]
            if rng.random() < 0.5:
                opts["depth"] = str(rng.randint(0, 3))
        ignores = random_ignores(rng, edges, modules) if rng.random() < 0.5 else []
        if ignores:
            opts["ignore_imports"] = ignores
            opts["unmatched_ignore_imports_alerting"] = rng.choice(["none", "warn", "error"])
        sections.append(opts)
    return sections


def render_ini(root, externals, exclude_tc, sections):
    out = ["[importlinter]", f"root_package = {root}"]
    if externals:
        out.append("include_external_packages = True")
    if exclude_tc:
        out.append("exclude_type_checking_imports = True")
    for i, opts in enumerate(sections):
        out.append("")
        out.append(f"[importlinter:contract:c{i}]")
        for key, value in opts.items():
            if isinstance(value, list):
                out.append(f"{key} =")
                out.extend(f"    {v}" for v in value)
            else:
                out.append(f"{key} = {value}")
    return "\n".join(out) + "\n"


def generate(base_dir, seed, shape=DEFAULT_SHAPE):
    """Create one project under base_dir; return its path."""
    rng = random.Random(seed)
    root = f"gen{seed}"
    project = os.path.join(base_dir, root)
    modules, packages = build_tree(rng, root, shape)
    externals = rng.random() < 0.5
    exclude_tc = rng.random() < 0.3
    edges = []
    for module in modules:
        rel = module.split(".")
        if module in packages:
            path = os.path.join(project, *rel, "__init__.py")
        else:
            path = os.path.join(project, *rel[:-1], rel[-1] + ".py")
        write_module(rng, path, module, module in packages, modules, edges, externals, shape["imports"])
    sections = contract_sections(rng, root, modules, packages, edges, externals)
    with open(os.path.join(project, ".importlinter"), "w") as fh:
        fh.write(render_ini(root, externals, exclude_tc, sections))
    return project
