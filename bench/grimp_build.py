"""`archlint.grimp.build_graph` against `grimp.build_graph`, side by side, on real packages.

    python bench/grimp_build.py [--runs N] [--python PY]

Needs bench/work/src (django and sympy, from bench/run.sh) and a Python with the archlint wheel
and grimp installed (default: target/wheel-venv). For each package: cold (no cache) and warm
(the cache filled by a first run, nothing changed) samples of each tool, alternating, each in a
fresh interpreter that times the `build_graph` call alone. The graphs are compared first —
modules, imports, every import's line numbers and line text — and any difference other than the
documented one (grimp records a module importing itself, archlint does not) fails the run.
Results: bench/results/grimp-build-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "bench", "work", "src")

TIME = """
import json, sys, time
sys.path.insert(0, {src!r})
if {ours!r}:
    from archlint import grimp
else:
    import grimp
cache = {cache!r}
t = time.perf_counter()
graph = grimp.build_graph({package!r}, cache_dir=cache)
ms = (time.perf_counter() - t) * 1000
print(json.dumps({{"ms": ms, "modules": len(graph.modules), "imports": graph.count_imports()}}))
"""

DUMP = """
import json, sys
sys.path.insert(0, {src!r})
if {ours!r}:
    from archlint import grimp
else:
    import grimp
graph = grimp.build_graph({package!r}, cache_dir=None)
out = {{}}
for m in sorted(graph.modules):
    out[m] = {{i: sorted((d["line_number"], d["line_contents"]) for d in graph.get_import_details(importer=m, imported=i))
              for i in sorted(graph.find_modules_directly_imported_by(m))}}
print(json.dumps(out))
"""


def run(python: str, code: str) -> dict:
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tempfile.gettempdir())
    if proc.returncode != 0:
        sys.exit(f"build_graph failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def compare(python: str, package: str) -> dict:
    theirs = run(python, DUMP.format(src=SRC, ours=False, package=package))
    ours = run(python, DUMP.format(src=SRC, ours=True, package=package))
    differences = []
    self_imports = 0
    for module in sorted(set(theirs) | set(ours)):
        if module not in theirs or module not in ours:
            differences.append(f"module {module}: only in {'grimp' if module in theirs else 'archlint'}")
            continue
        t, o = theirs[module], ours[module]
        if module in t and module not in o:
            self_imports += 1
            del t[module]
        for imported in sorted(set(t) | set(o)):
            if t.get(imported) != o.get(imported):
                differences.append(f"{module} -> {imported}: grimp {t.get(imported)}, archlint {o.get(imported)}")
    return {
        "modules": len(theirs),
        "imports": sum(len(v) for v in theirs.values()),
        "self_imports_recorded_by_grimp_only": self_imports,
        "differences": differences,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python", default=os.path.join(ROOT, "target", "wheel-venv", "bin", "python"))
    parser.add_argument("--packages", default="django,sympy")
    args = parser.parse_args()
    results = {"machine": benchlib.machine_kind(), "cpu": benchlib.cpu_model(), "runs": args.runs, "packages": {}}
    failed = []
    for package in args.packages.split(","):
        print(f"== {package}", flush=True)
        agreement = compare(args.python, package)
        if agreement["differences"]:
            failed.append(f"{package}: {len(agreement['differences'])} differences, first: {agreement['differences'][0]}")
        samples: dict = {"grimp cold": [], "archlint cold": [], "grimp warm": [], "archlint warm": []}
        caches = {tool: tempfile.mkdtemp(prefix=f"bench-{tool}-") for tool in ("grimp", "archlint")}
        try:
            for tool in ("grimp", "archlint"):
                cache = os.path.join(caches[tool], "cache")
                run(args.python, TIME.format(src=SRC, ours=tool == "archlint", cache=cache, package=package))
            for i in range(args.runs):
                order = ("grimp", "archlint") if i % 2 == 0 else ("archlint", "grimp")
                for tool in order:
                    ours = tool == "archlint"
                    cold = run(args.python, TIME.format(src=SRC, ours=ours, cache=None, package=package))
                    warm = run(args.python, TIME.format(src=SRC, ours=ours, cache=os.path.join(caches[tool], "cache"), package=package))
                    samples[f"{tool} cold"].append(cold["ms"])
                    samples[f"{tool} warm"].append(warm["ms"])
        finally:
            for d in caches.values():
                shutil.rmtree(d, ignore_errors=True)
        medians = {k: statistics.median(v) for k, v in samples.items()}
        ratios = {
            "cold archlint/grimp": medians["archlint cold"] / medians["grimp cold"],
            "warm archlint/grimp": medians["archlint warm"] / medians["grimp warm"],
        }
        for k, v in medians.items():
            print(f"  {k}: {v:.1f} ms", flush=True)
        for k, v in ratios.items():
            print(f"  {k}: {v:.1%}", flush=True)
        results["packages"][package] = {"agreement": agreement, "samples_ms": samples, "median_ms": medians, "ratios": ratios}
    results["failures"] = failed
    path = benchlib.write_results("grimp-build", results)
    print("->", path)
    if failed:
        for f in failed:
            print("FAILED", f)
        sys.exit(1)


if __name__ == "__main__":
    main()
