"""A/B: two archlint binaries on the same workloads, alternating, on the same machine at the
same time — the check that a change costs no speed, where comparing with a results file from
another day would compare machines.

python bench/ab.py OLD_BIN NEW_BIN [--runs N] [--quick] [--instructions] [--label NAME]

Workloads (from bench/work, as bench/run.sh leaves it): django, sympy, the 10k and 50k trees
(cold `--no-cache` and warm), the 10k-violation tree (cold and warm, text and JSON) and the 51k
one (cold text). Each sample runs OLD then NEW (then NEW then OLD, alternately, so neither
always runs second). The benchmark checks itself and exits 1 when the two binaries disagree:
exit codes, and the reports compared with the run's own timings and cache counters taken out.
With --instructions, each binary also runs once per workload under valgrind's callgrind, which
counts instructions rather than seconds: the same count for the same binary and input whatever
else the machine is doing, so a change of a few per cent is visible through a noisy machine's
timings (skipped for the 51k-violation tree, which takes minutes under valgrind).
Raw results (every sample) go to bench/results/ab-<UTC date>[-NAME].json.
"""

import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import time

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")
RESULTS = os.path.join(ROOT, "bench", "results")
CONFIGS = os.path.join(ROOT, "bench", "configs")

# Lines of the text report that hold the run's own timings (the JSON report's are
# benchlib.VOLATILE_KEYS).
VOLATILE_TEXT = re.compile(r"^Analysed .* in \d+ ms\.$", re.M)


def scrub(text, as_json):
    if not as_json:
        return VOLATILE_TEXT.sub("Analysed", text)
    return benchlib.scrub_json(text)


def workloads(quick):
    src = os.path.join(WORK, "src")
    out = []
    for name, config in (("django", "django.ini"), ("sympy", "sympy.ini")):
        if os.path.isdir(os.path.join(src, name)):
            args = ["--config", os.path.join(CONFIGS, config)]
            out.append((f"{name} cold", src, args + ["--no-cache"], False))
            out.append((f"{name} warm", src, args, False))
    for n in (10000, 50000):
        tree = os.path.join(WORK, f"tree{n}")
        if os.path.isdir(tree) and not (quick and n == 50000):
            out.append((f"tree {n // 1000}k cold", tree, ["--no-cache"], False))
            out.append((f"tree {n // 1000}k warm", tree, [], False))
    tree = os.path.join(WORK, "violations10209")
    if os.path.isdir(tree):
        out.append(("violations 10k cold", tree, ["--no-cache"], False))
        out.append(("violations 10k warm", tree, [], False))
        out.append(("violations 10k warm json", tree, ["--format", "json"], True))
    tree = os.path.join(WORK, "violations51009")
    if os.path.isdir(tree) and not quick:
        out.append(("violations 51k cold", tree, ["--no-cache"], False))
    return out


def run(binary, cwd, args):
    start = time.perf_counter()
    proc = subprocess.run([binary, "check", "."] + args, cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    return time.perf_counter() - start, proc.returncode, proc.stdout


def instructions(binary, cwd, args):
    """Instructions one run executes (all threads), counted by callgrind."""
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           binary, "check", "."] + args, cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    found = re.search(r"Collected : (\d+)", proc.stderr)
    return int(found.group(1)) if found else None


def main():
    argv = sys.argv[1:]
    runs = 11
    if "--runs" in argv:
        i = argv.index("--runs")
        runs = int(argv[i + 1])
        del argv[i:i + 2]
    suffix = ""
    if "--label" in argv:
        i = argv.index("--label")
        suffix = "-" + argv[i + 1]
        del argv[i:i + 2]
    quick = "--quick" in argv
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        sys.exit(__doc__)
    old, new = (os.path.abspath(a) for a in args)
    rows, failures = [], []
    for name, cwd, extra, as_json in workloads(quick):
        # Warm runs start from a cache each binary wrote itself (the cache key holds the version).
        for binary in (old, new):
            run(binary, cwd, extra)
        samples = {"old": [], "new": []}
        outputs = {}
        n = runs if "51k" not in name else max(3, runs // 4)
        for i in range(n):
            order = [("old", old), ("new", new)] if i % 2 == 0 else [("new", new), ("old", old)]
            for label, binary in order:
                seconds, code, stdout = run(binary, cwd, extra)
                samples[label].append(seconds)
                outputs[label] = (code, stdout)
        same = (outputs["old"][0] == outputs["new"][0]
                and scrub(outputs["old"][1], as_json) == scrub(outputs["new"][1], as_json))
        if not same:
            failures.append(name)
        old_ms = statistics.median(samples["old"]) * 1000
        new_ms = statistics.median(samples["new"]) * 1000
        row = {"workload": name, "old_median_ms": old_ms, "new_median_ms": new_ms,
               "change_pct": (new_ms / old_ms - 1) * 100, "same_output": same,
               "exit": outputs["new"][0], "samples_s": samples}
        counted = ""
        if "--instructions" in argv and "51k" not in name:
            ir = {label: instructions(b, cwd, extra) for label, b in (("old", old), ("new", new))}
            row["instructions"] = ir
            if ir["old"] and ir["new"]:
                row["instructions_change_pct"] = (ir["new"] / ir["old"] - 1) * 100
                counted = f" | instructions {ir['old'] / 1e6:8.1f}M -> {ir['new'] / 1e6:8.1f}M " \
                          f"{row['instructions_change_pct']:+5.2f} %"
        rows.append(row)
        print(f"{name:28} old {old_ms:8.1f} ms | new {new_ms:8.1f} ms | {row['change_pct']:+5.1f} % | "
              f"{'same output' if same else 'OUTPUT DIFFERS'}{counted}", flush=True)
    os.makedirs(RESULTS, exist_ok=True)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    path = os.path.join(RESULTS, f"ab-{date}{suffix}.json")
    versions = {label: subprocess.run([b, "--version"], capture_output=True, text=True).stdout.strip()
                for label, b in (("old", old), ("new", new))}
    with open(path, "w") as f:
        json.dump({"meta": {"old": old, "new": new, "versions": versions, "runs": runs,
                            "cpus": os.cpu_count(), "date": date},
                   "results": rows, "failures": failures}, f, indent=1)
    print(f"raw results: {os.path.relpath(path, ROOT)}")
    if failures:
        print("the binaries disagree on: " + ", ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
