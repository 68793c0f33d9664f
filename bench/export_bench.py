"""Benchmark `archlint export postgres` on the generated 10k- and 50k-module trees.

python bench/export_bench.py [--quick] [--runs N]

Starts a throwaway PostgreSQL cluster (scripts/postgres.sh), then for each tree measures, with
wall-clock medians over N runs:
  cold      no archlint cache, empty database: analysis + first export of every row
  db-cold   warm archlint cache, empty database: the export itself dominates
  same      nothing changed: a new run, no module rewritten
  one-file  one file edited: that module and its imports rewritten
and the export's own steps (connect, compare, COPY modules, COPY imports, ...) from --format json.
Targets from the issue: cold <= 10 s, one-file <= 1 s on the 50k tree.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import benchlib

HERE = os.path.dirname(os.path.abspath(__file__))

ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
ARCHLINT = os.path.join(ROOT, "target", "release", "archlint")


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def start_postgres():
    out = sh("bash", os.path.join(ROOT, "scripts", "postgres.sh"), "start").stdout
    env = {}
    for line in out.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return env["ARCHLINT_PG_DIR"], env["ARCHLINT_TEST_DATABASE_URL"]


def fresh_db(server, name):
    sh("psql", "-q", server, "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    sh("psql", "-q", server, "-c", f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def export(tree, url):
    started = time.perf_counter()
    out = sh(ARCHLINT, "export", "postgres", tree, "--url", url, "--format", "json").stdout
    return time.perf_counter() - started, json.loads(out)


def touch_one(tree, i):
    path = os.path.join(tree, "synth", "f0", "api", "m0.py")
    with open(path, "a") as fh:
        fh.write(f"\n# edit {i}\n")


def bench_tree(n, server, runs):
    tree = os.path.join(WORK, f"tree{n}")
    if not os.path.isdir(tree):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_tree.py"), str(n), tree],
                       check=True, capture_output=True)
    figures = {"cold": [], "db-cold": [], "same": [], "one-file": []}
    steps = {}
    summary = None
    for r in range(runs):
        shutil.rmtree(os.path.join(tree, ".archlint_cache"), ignore_errors=True)
        url = fresh_db(server, f"bench{n}")
        t, summary = export(tree, url)
        figures["cold"].append(t)
        url = fresh_db(server, f"bench{n}")
        t, s = export(tree, url)
        figures["db-cold"].append(t)
        steps.setdefault("db-cold", []).append(dict(s["steps"]))
        t, s = export(tree, url)
        figures["same"].append(t)
        touch_one(tree, r)
        t, s = export(tree, url)
        assert s["modules_written"] == 1, s
        figures["one-file"].append(t)
        steps.setdefault("one-file", []).append(dict(s["steps"]))
    print(f"\n== {n} generated modules: {summary['modules']} files, {summary['imports']} imports "
          f"(median of {runs})")
    targets = {"cold": 10.0, "one-file": 1.0} if n >= 50000 else {}
    for name, values in figures.items():
        m = statistics.median(values)
        target = targets.get(name)
        note = f"   target <= {target:.0f} s: {'met' if m <= target else 'MISSED'}" if target else ""
        print(f"  {name:9s} {m * 1000:8.0f} ms   (runs: {', '.join(f'{v * 1000:.0f}' for v in values)}){note}")
    for name, records in steps.items():
        keys = records[0].keys()
        parts = ", ".join(f"{k} {statistics.median(r.get(k, 0) for r in records):.0f}" for k in keys)
        print(f"  export steps, {name} (ms): {parts}")
    return {"tree": n, "files": summary["modules"], "imports": summary["imports"], "runs": runs,
            "samples_s": figures, "median_s": {k: statistics.median(v) for k, v in figures.items()},
            "steps_ms": steps, "targets_s": targets}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="only the 10k tree")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    if not os.path.exists(ARCHLINT):
        sh("cargo", "build", "--release", "--bin", "archlint", cwd=ROOT)
    os.makedirs(WORK, exist_ok=True)
    pg_dir, server = start_postgres()
    try:
        sizes = [10000] if args.quick else [10000, 50000]
        rows = [bench_tree(n, server, args.runs) for n in sizes]
        benchlib.write_results("export", {"results": rows}, quick=args.quick)
    finally:
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "postgres.sh"), "stop", pg_dir])


if __name__ == "__main__":
    main()
