"""`archlint check` and `tach check` on the same tach.toml, side by side.

For each workload, bench/tach_equiv.py writes one tach.toml (every package declared as a
module, each in the layer of the workload's layering, so tach reads every file and reports
every layer violation). Both tools check it: tach 0.35.3 (`tach check --output json`) and
archlint (`archlint check --config tach.toml --format json`), cold (archlint without its cache;
tach has no cache for `check`) and archlint warm (its cache filled by a first run). The two
JSON reports must be identical — every diagnostic, compared as a multiset — and the exit
statuses equal, or the run fails. Raw samples go to bench/results/tach-<date>.json.

python3 bench/tach_bench.py [--quick]   (bench/run.sh prepares bench/work: trees, tach)
"""

import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import tach_equiv  # noqa: E402
from benchlib import write_results  # noqa: E402
from compare import TACH, measure  # noqa: E402

WORK = os.path.join(HERE, "work")
ARCHLINT = os.path.join(ROOT, "target", "release", "archlint")
TACH_BIN = os.path.join(WORK, "venv", "bin", "tach")
QUICK = "--quick" in sys.argv

WORKLOADS = [
    # name, directory, layering (bench/compare.py's TACH), runs
    ("django", os.path.join(WORK, "src"), "django", 3 if QUICK else 7),
    ("synthetic 10k", os.path.join(WORK, "tree10000"), "synth", 2 if QUICK else 5),
    ("synthetic 50k", os.path.join(WORK, "tree50000"), "synth", 1 if QUICK else 5),
]


def normalised(text):
    report = json.loads(text)
    if isinstance(report, dict):
        return report
    return sorted(json.dumps(d, sort_keys=True) for d in report)


def main():
    rows, failures = [], []
    for name, cwd, layering, runs in WORKLOADS:
        if not os.path.isdir(cwd):
            print(f"{name}: {cwd} missing (bench/run.sh makes it); skipped")
            continue
        roots, containers, layers = TACH[layering]
        toml, _ = tach_equiv.configs(cwd, roots, layers, containers)
        config = os.path.join(cwd, "tach.toml")
        with open(config, "w") as fh:
            fh.write(toml)
        cache = tempfile.mkdtemp(prefix="archlint-tach-bench-")
        try:
            theirs = measure([TACH_BIN, "check", "--output", "json"], cwd, runs)
            cold = measure([ARCHLINT, "check", "--config", config, "--format", "json", "--no-cache"], cwd, runs)
            warm_cmd = [ARCHLINT, "check", "--config", config, "--format", "json", "--cache-dir", cache]
            measure(warm_cmd, cwd, 1)
            warm = measure(warm_cmd, cwd, runs)
        finally:
            os.remove(config)
            shutil.rmtree(cache, ignore_errors=True)
        same = normalised(theirs["output"]) == normalised(cold["output"]) == normalised(warm["output"])
        exits = {theirs["exit"], cold["exit"], warm["exit"]}
        diagnostics = len(normalised(theirs["output"]))
        if not same:
            failures.append(f"{name}: reports differ")
        if len(exits) != 1:
            failures.append(f"{name}: exit statuses differ: tach {theirs['exit']}, archlint {cold['exit']}/{warm['exit']}")
        speedup = theirs["median_s"] / cold["median_s"]
        print(f"{name:14} tach check {theirs['median_s']*1000:8.0f} ms {theirs['peak_rss_mb']:5} MB | "
              f"archlint cold {cold['median_s']*1000:7.0f} ms {cold['peak_rss_mb']:5} MB ({speedup:4.1f}x) | "
              f"warm {warm['median_s']*1000:6.0f} ms | {diagnostics} diagnostics, "
              f"{'identical' if same else 'DIFFER'}", flush=True)
        strip = lambda r: {k: v for k, v in r.items() if k != "output"}
        rows.append({"workload": name, "diagnostics": diagnostics, "identical": same,
                     "tach_check": strip(theirs), "archlint_cold": strip(cold), "archlint_warm": strip(warm),
                     "cold_speedup": speedup})
    write_results("tach", {"rows": rows, "failures": failures}, quick=QUICK)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
