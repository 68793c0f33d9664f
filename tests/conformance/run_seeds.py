"""Many seeds, on demand: archlint's report against import-linter's on N generated projects of
varied size, a fifth of them violation-heavy (many imports per module, so thousands of routes).

Usage: python run_seeds.py [N] [--start S] [--variants V] [--keep DIR]

import-linter checks each chain-listing contract again on V copies of its graph built in
shuffled orders (il_driver.py); a contract whose report still differs from archlint's is checked
again on 3,000 copies before it counts as a mismatch.
(run with the Python that has import-linter; ARCHLINT_BIN names the binary, default
target/release/archlint). Prints one line per mismatching contract and a summary; exits 1 when
any contract's report differs. CI runs the 220 seeds of test_conformance.py; this is the long run
docs/compatibility.md quotes.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from generate import generate  # noqa: E402
from report import archlint_report, compare  # noqa: E402

ARCHLINT = os.environ.get("ARCHLINT_BIN", os.path.join(ROOT, "target", "release", "archlint"))


def shape_for(seed):
    """Small to large trees; every fifth seed violation-heavy."""
    rng = random.Random(f"shape-{seed}")
    heavy = seed % 5 == 4
    return {
        "children": (2, rng.randint(3, 7)),
        "depth": rng.randint(1, 3),
        "packages": rng.uniform(0.3, 0.6),
        "imports": (3, rng.randint(8, 14)) if heavy else (0, rng.randint(2, 6)),
    }, heavy


RETRY_VARIANTS = 3000


def import_linter(projects, variants):
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "il_driver.py"), "--variants", str(variants), *projects],
        capture_output=True, text=True, check=True,
        # A fixed hash seed: import-linter's report is the same on every run.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return {r["project"]: r for r in map(json.loads, proc.stdout.splitlines())}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("n", type=int, nargs="?", default=2000)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--variants", type=int, default=20)
    p.add_argument("--keep", help="generate the projects here and keep them")
    args = p.parse_args()
    base = args.keep or tempfile.mkdtemp(prefix="archlint-seeds-")
    os.makedirs(base, exist_ok=True)
    started = time.monotonic()
    counts = Counter()
    routes = Counter()
    failures = []
    batch = 50
    for first in range(args.start, args.start + args.n, batch):
        seeds = range(first, min(first + batch, args.start + args.n))
        projects = {}
        for seed in seeds:
            shape, heavy = shape_for(seed)
            projects[seed] = (generate(base, seed, shape), heavy)
        theirs_all = import_linter([p for p, _ in projects.values()], args.variants)
        for seed, (project, heavy) in projects.items():
            theirs = theirs_all[project]
            ours = archlint_report(ARCHLINT, project)
            counts["projects"] += 1
            counts["violation-heavy projects"] += heavy
            if theirs["error"]:
                ok = "fatal" in ours or all(v.get("verdict") == "error" for v in ours.values())
                counts["rejected as a whole" if ok else "MISMATCH"] += 1
                if not ok:
                    failures.append(f"{project}: import-linter rejects it ({theirs['error']}), archlint does not")
                continue
            if "fatal" in ours:
                counts["MISMATCH"] += 1
                failures.append(f"{project}: archlint: {ours['fatal']}")
                continue
            for name, entry in theirs["contracts"].items():
                counts["contracts"] += 1
                routes["routes compared"] += sum(len(r) for _, r in entry["blocks"])
                how = compare(ours.get(name, {}), entry)
                if how is None and entry["verdict"] == "broken":
                    # Some orders of grimp's graph are rare: look harder before calling it a
                    # difference.
                    entry = import_linter([project], RETRY_VARIANTS)[project]["contracts"][name]
                    how = compare(ours.get(name, {}), entry)
                    counts["looked again"] += 1
                counts[how or "MISMATCH"] += 1
                if how is None:
                    failures.append(f"{project}: {name}")
        print(f"seeds {seeds.start}-{seeds.stop - 1}: {dict(counts)}", flush=True)
    for f in failures:
        print("MISMATCH", f)
    summary = {**counts, **routes, "seconds": round(time.monotonic() - started, 1)}
    print(json.dumps(summary, sort_keys=True))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
