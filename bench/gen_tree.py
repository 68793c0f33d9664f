"""Generate a synthetic Python codebase of N modules with realistic imports, plus contracts.

python gen_tree.py N OUT_DIR [--seed S] [--violations] [--lines L]

Layout: root package `synth` with `N // 50` feature packages, each holding layered
subpackages (api, services, domain, infra) of modules. Each module imports 4-10 others: mostly
from its own feature (downwards, as a layered design would), some from shared utilities, some
across features, a few upwards (violations), a few under TYPE_CHECKING or inside functions, and
some external packages. Module bodies carry classes and functions so parsing is realistic.

--lines L: pad every module with more realistic code (methods with branches, loops, comprehensions,
f-strings, docstrings, decorators) to about L lines; the default modules are ~35 lines. The imports and
the contracts do not change, so the same tree at two sizes measures what module size costs.

--violations: a legacy codebase adopting contracts, with thousands of violations. Root package
`pkg` with eight layers `pkg.l0` (highest) ... `pkg.l7` (lowest), each of subpackages of 50
modules. Every module imports 4-6 modules of its own or a lower layer, ~2 % of its imports go
upward, and it has one `if TYPE_CHECKING:` import of a module in a random layer (import-linter
counts those by default). Checked by one 8-layer `layers` contract and one `forbidden` contract
(the lowest layer must not import the highest).
"""

import argparse
import os
import random

LAYERS = ["api", "services", "domain", "infra"]
EXTERNALS = ["os", "json", "typing", "dataclasses", "requests", "sqlalchemy", "django.db.models", "yaml"]


def write_module(out, mod, text, package=False):
    parts = mod.split(".")
    path = os.path.join(out, *parts, "__init__.py") if package else os.path.join(out, *parts[:-1], parts[-1] + ".py")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)


def violation_heavy(n, out, rng):
    """The --violations tree (see the module docstring)."""
    layers = [f"pkg.l{i}" for i in range(8)]
    per_layer = max(1, (n - 1) // len(layers))
    modules = {layer: [] for layer in layers}
    write_module(out, "pkg", "", True)
    for layer in layers:
        write_module(out, layer, "", True)
        count = 0
        sub = 0
        while count < per_layer:
            package = f"{layer}.s{sub}"
            write_module(out, package, "", True)
            count += 1
            for i in range(min(50, per_layer - count)):
                modules[layer].append(f"{package}.m{i}")
                count += 1
            sub += 1
    for li, layer in enumerate(layers):
        for mod in modules[layer]:
            lines = ['"""Generated module."""', "from typing import TYPE_CHECKING", ""]
            for _ in range(rng.randint(4, 6)):
                if li > 0 and rng.random() < 0.02:
                    target_layer = layers[rng.randrange(li)]
                else:
                    target_layer = layers[rng.randrange(li, len(layers))]
                target = rng.choice(modules[target_layer])
                if target != mod:
                    pkg, _, name = target.rpartition(".")
                    lines.append(f"from {pkg} import {name}")
            target = rng.choice(modules[rng.choice(layers)])
            if target != mod:
                lines.append(f"if TYPE_CHECKING:\n    import {target}")
            lines.append("\ndef work(a, b=None):\n    return [a, b]\n")
            write_module(out, mod, "\n".join(lines) + "\n")
    with open(os.path.join(out, ".importlinter"), "w") as fh:
        fh.write(
            "[importlinter]\nroot_package = pkg\n\n"
            "[importlinter:contract:layers]\nname = Eight layers\ntype = layers\nlayers =\n"
            + "".join(f"    {layer}\n" for layer in layers)
            + "\n[importlinter:contract:lowest-highest]\nname = Lowest layer does not use the highest\n"
            f"type = forbidden\nsource_modules = {layers[-1]}\nforbidden_modules = {layers[0]}\n"
        )
    total = sum(len(files) for _, _, files in os.walk(out)) - 1
    print(f"{total} modules in {len(layers)} layers (violation-heavy)")


FILLER = '''

def parse_{n}(raw, strict=False):
    """Parse one record."""
    out = {{}}
    for i, part in enumerate(raw.split(",")):
        key, _, value = part.partition("=")
        if not key:
            continue
        if strict and key[0] == "_":
            raise ValueError(f"bad {{key!r}} at {{i}}")
        out[key] = value or None
    return out


def count_{n}(items, limit=10):
    seen = {{}}
    for item in items[:limit]:
        kind = type(item).__name__
        seen[kind] = seen.get(kind, 0) + 1
    total = sum(seen.values())
    return total, sorted(seen)


class Handler{n}:
    """A service object."""

    retries = 3

    def __init__(self, name, opts=None):
        self.name = name
        self.opts = dict(opts or {{}})
        self._seen = set()

    def handle(self, event):
        if event in self._seen:
            return False
        self._seen.add(event)
        try:
            value = self.opts[event] * 2
        except KeyError as err:
            raise RuntimeError(self.name) from err
        while value > 100:
            value //= 2
        return value
'''


def pad_module(lines, target, rng):
    """Append filler blocks until the module has about `target` lines."""
    count = sum(line.count("\n") + 1 for line in lines)
    n = 0
    while True:
        block = FILLER.format(n=n)
        size = block.count("\n") + 1
        if count + size // 2 > target:
            break
        lines.append(block)
        count += size
        n += 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int)
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--violations", action="store_true", help="the violation-heavy layered tree")
    p.add_argument("--lines", type=int, default=0, help="pad each module to about this many lines")
    args = p.parse_args()
    rng = random.Random(args.seed)
    if args.violations:
        violation_heavy(args.n, args.out, rng)
        return
    features = max(2, args.n // 50)
    per_layer = 12
    modules = {}
    for f in range(features):
        for layer in LAYERS:
            modules[(f, layer)] = [f"synth.f{f}.{layer}.m{i}" for i in range(per_layer)]
    utils = [f"common.util{i}" for i in range(20)]
    all_mods = [m for ms in modules.values() for m in ms]

    def write(mod, text, package=False):
        parts = mod.split(".")
        path = os.path.join(args.out, *parts, "__init__.py") if package else os.path.join(args.out, *parts[:-1], parts[-1] + ".py")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)

    write("synth", "", True)
    write("common", "", True)
    for u in utils:
        write(u, "import os\n\ndef helper(x):\n    return os.path.join(str(x), 'a')\n")
    for f in range(features):
        write(f"synth.f{f}", "", True)
        for li, layer in enumerate(LAYERS):
            write(f"synth.f{f}.{layer}", "", True)
            for mod in modules[(f, layer)]:
                lines = ['"""Generated module."""', "from __future__ import annotations", ""]
                for _ in range(rng.randint(4, 10)):
                    r = rng.random()
                    if r < 0.55 and li + 1 < len(LAYERS):
                        target = rng.choice(modules[(f, rng.choice(LAYERS[li + 1:]))])
                    elif r < 0.7:
                        target = rng.choice(utils)
                    elif r < 0.85:
                        target = rng.choice(modules[(f, layer)])
                    elif r < 0.97 or f >= 10:
                        # Across features: only into another feature's infrastructure.
                        g = rng.randrange(features)
                        target = rng.choice(modules[(g, "infra")])
                    else:
                        # A deliberate upward import, in the first ten features only.
                        target = rng.choice(modules[(f, LAYERS[rng.randint(0, li)])])
                    if target == mod:
                        continue
                    pkg, _, name = target.rpartition(".")
                    lines.append(f"from {pkg} import {name}" if rng.random() < 0.6 else f"import {target}")
                lines.append(f"import {rng.choice(EXTERNALS)}")
                lines.append("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from common import util0\n")
                for c in range(rng.randint(1, 3)):
                    lines.append(f"class Thing{c}:\n    def __init__(self, a, b=1):\n        self.a = a\n        self.b = b\n")
                    lines.append(f"    def run(self, x):\n        if x:\n            for i in range(x):\n                self.a += i\n        return self.a\n")
                lines.append("def work(a, b, c=None):\n    import json\n    return json.dumps([a, b, c])\n")
                pad_module(lines, args.lines, rng)
                write(mod, "\n".join(lines) + "\n")
    with open(os.path.join(args.out, ".importlinter"), "w") as fh:
        fh.write(
            "[importlinter]\nroot_packages =\n    synth\n    common\ninclude_external_packages = True\n\n"
            "[importlinter:contract:layers]\nname = Feature layers\ntype = layers\n"
            "containers = synth.*\nlayers =\n    api\n    services\n    domain\n    infra\n"
            "exhaustive = false\n\n"
            "[importlinter:contract:no-django]\nname = Domain is framework-free\ntype = forbidden\n"
            "source_modules = synth.f0.domain\nforbidden_modules =\n    django\n    sqlalchemy\n\n"
            "[importlinter:contract:shared]\nname = Shared is a leaf\ntype = forbidden\n"
            "source_modules = common\nforbidden_modules = synth\n\n"
            "[importlinter:contract:features]\nname = Features 0-4 independent\ntype = independence\n"
            "modules =\n    synth.f0\n    synth.f1\n    synth.f2\n    synth.f3\n    synth.f4\n"
        )
    print(f"{len(all_mods) + len(utils)} modules in {features} features")


if __name__ == "__main__":
    main()
