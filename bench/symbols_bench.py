"""What the symbol facts cost, and what the symbol-level contracts cost, on a large tree.

python bench/symbols_bench.py OLD_BIN NEW_BIN [--runs N] [--tree NAME]

OLD_BIN is an archlint built without symbol facts (the commit before them), NEW_BIN one with
them. On bench/work/<tree> (default tree50000, from bench/run.sh) with the tree's own
.importlinter, each sample runs OLD then NEW (alternating which goes first):

- cold: `--no-cache` (a contracts check that needs no symbols parses for imports only),
- cold, filling a cache: a fresh `--cache-dir` (full facts, symbols included, are written),
- warm: the same cache again (nothing changed).

Both binaries must agree: exit codes and JSON reports (timings and cache counters taken out).
Then NEW alone with two symbol-level contracts added (`public_interface` on every feature
package, `private_names` everywhere): cold and warm, to show what the contracts themselves
cost. Raw samples go to bench/results/symbols-<UTC date>.json.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")

SYMBOL_CONTRACTS = """
[importlinter:contract:interface]
name = Feature packages are used through their interface
type = public_interface
packages = synth.*

[importlinter:contract:private]
name = Private names stay in their package
type = private_names
"""

def run(binary, tree, args):
    start = time.perf_counter()
    proc = subprocess.run([binary, "check", ".", "--no-deps", "--format", "json"] + args, cwd=tree,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{binary} {' '.join(args)}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    return seconds, proc.returncode, proc.stdout


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
    tree_name = sys.argv[sys.argv.index("--tree") + 1] if "--tree" in sys.argv else "tree50000"
    tree = os.path.join(WORK, tree_name)
    if not os.path.isdir(tree):
        sys.exit(f"{tree} is missing: run bench/run.sh first")
    scratch = tempfile.mkdtemp(prefix="archlint-symbols-bench-")
    samples = {}
    try:
        warm_dirs = {label: os.path.join(scratch, f"warm-{label}") for label in ("old", "new")}
        for label, binary in (("old", old), ("new", new)):
            run(binary, tree, ["--cache-dir", warm_dirs[label]])
            time.sleep(1.1)
            run(binary, tree, ["--cache-dir", warm_dirs[label]])
        for i in range(runs):
            order = [("old", old), ("new", new)] if i % 2 == 0 else [("new", new), ("old", old)]
            reports = {}
            for label, binary in order:
                fill = os.path.join(scratch, f"fill-{label}-{i}")
                for row, args in (("cold", ["--no-cache"]),
                                  ("cold, filling a cache", ["--cache-dir", fill]),
                                  ("warm", ["--cache-dir", warm_dirs[label]])):
                    seconds, code, out = run(binary, tree, args)
                    samples.setdefault(row, {}).setdefault(label, []).append(seconds)
                    reports.setdefault(row, {})[label] = (code, benchlib.scrub_json(out))
                shutil.rmtree(fill, ignore_errors=True)
            for row, by in reports.items():
                if by["old"] != by["new"]:
                    sys.exit(f"FAILED: {row}: the two binaries disagree (exit {by['old'][0]} vs "
                             f"{by['new'][0]}, or the reports differ)")
        # The symbol-level contracts themselves (NEW only).
        with open(os.path.join(tree, ".importlinter")) as fh:
            config = fh.read()
        config_path = os.path.join(scratch, "symbols.ini")
        with open(config_path, "w") as fh:
            fh.write(config + SYMBOL_CONTRACTS)
        cache = os.path.join(scratch, "symbols-cache")
        with_config = ["--config", config_path]
        run(new, tree, with_config + ["--cache-dir", cache])
        time.sleep(1.1)
        verdicts = None
        for _ in range(runs):
            for row, args in (("symbol contracts cold", ["--no-cache"]),
                              ("symbol contracts warm", ["--cache-dir", cache])):
                seconds, code, out = run(new, tree, with_config + args)
                samples.setdefault(row, {}).setdefault("new", []).append(seconds)
                report = json.loads(out)
                got = {c["name"]: (c["status"], sum(len(v["routes"]) for v in c["violations"]))
                       for c in report["contracts"]}
                if verdicts is None:
                    verdicts = got
                elif got != verdicts:
                    sys.exit(f"FAILED: {row}: verdicts {got} differ from {verdicts}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    medians = {row: {label: statistics.median(v) for label, v in by.items()} for row, by in samples.items()}
    print(f"{tree_name}, {runs} runs each (median):")
    for row, by in medians.items():
        if "old" in by:
            change = (by["new"] / by["old"] - 1) * 100
            print(f"  {row:28} old {by['old'] * 1000:8.1f} ms  new {by['new'] * 1000:8.1f} ms  "
                  f"({change:+.1f} %)")
        else:
            print(f"  {row:28} new {by['new'] * 1000:8.1f} ms")
    print(f"  symbol contracts (contract: status, violations): {verdicts}")
    versions = {label: subprocess.run([b, "--version"], capture_output=True, text=True).stdout.strip()
                for label, b in (("old", old), ("new", new))}
    benchlib.write_results("symbols", {"tree": tree_name, "runs": runs, "versions": versions,
                                       "medians_s": medians, "samples_s": samples,
                                       "symbol_contract_verdicts": verdicts})
    return 0


if __name__ == "__main__":
    sys.exit(main())
