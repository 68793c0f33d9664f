"""The bad case: a codebase with thousands of violations, archlint and lint-imports side by side.

python bench/violations_bench.py [--quick]      (run by bench/run.sh; --quick: the 10k tree only)

Trees: bench/gen_tree.py --violations at ~10k and ~51k modules (eight layers, every module with
one TYPE_CHECKING import of a random layer, ~2 % of imports upward), checked by one 8-layer
`layers` contract and one `forbidden` contract. Each command is a whole process, cold
(`--no-cache`), timed with a monotonic clock, peak RSS from wait4:
- lint-imports --no-cache (import-linter, the bench virtualenv);
- archlint check --no-cache (text), and with --format json and --format sarif;
- archlint lint-imports --no-cache (import-linter's text, from archlint).

The benchmark checks itself and exits 1, naming the row, when: an exit code is not 1 (both
contracts are broken); the violations differ (every headline, and the number of routes under
it); archlint's `lint-imports` text differs from import-linter's in anything but the order of
layers routes and the routes grimp's tie-breaking decides (compared as headline + route count);
or the text report is more than twice import-linter's size. The targets of issue 19 (50k: <= 3 s
and <= 600 MB for text and JSON, SARIF held to the same; 10k: <= 0.6 s) are reported as met or not, with every sample.

Raw results (every sample, the machine, the versions) go to
bench/results/violations-<UTC date>.json.
"""

import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")
RESULTS = os.path.join(ROOT, "bench", "results")
ARCHLINT = os.path.join(ROOT, "target", "release", "archlint")
PY = os.path.join(WORK, "venv", "bin", "python")
LINT_IMPORTS = os.path.join(WORK, "venv", "bin", "lint-imports")
QUICK = "--quick" in sys.argv
TREES = [("violations 10k", 10209, 5, 1), ("violations 50k", 51009, 3, 1)]
TARGETS = {"violations 10k": {"seconds": 0.6}, "violations 50k": {"seconds": 3.0, "peak_rss_mb": 600}}


def run(cmd, cwd):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "COLUMNS": "1000", "PYTHONHASHSEED": "0"})
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    return {"seconds": time.perf_counter() - start, "peak_rss_mb": usage.ru_maxrss // 1024,
            "exit": os.waitstatus_to_exitcode(status), "bytes": len(stdout)}, stdout.decode(errors="replace")


def measure(cmd, cwd, repeat):
    samples, out = [], ""
    for _ in range(repeat):
        sample, out = run(cmd, cwd)
        samples.append(sample)
    return {
        "command": cmd[0].rsplit("/", 1)[-1] + " " + " ".join(cmd[1:]),
        "samples": samples,
        "median_s": statistics.median(s["seconds"] for s in samples),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in samples),
        "exits": sorted({s["exit"] for s in samples}),
        "bytes": samples[-1]["bytes"],
    }, out


def violations(text):
    """Each violation headline with the number of routes under it (benchlib.headlines)."""
    return benchlib.headlines(text)


def violations_json(report):
    return sorted((v["summary"], len(v["routes"])) for c in report["contracts"] for v in c["violations"])


def machine():
    cpu = benchlib.cpu_model()
    versions = subprocess.run([PY, "-c", "import importlib.metadata as m; print(m.version('import-linter'), "
                               "m.version('grimp'))"], capture_output=True, text=True).stdout.split()
    return {
        "cpus": os.cpu_count(), "cpu": cpu, "platform": platform.platform(),
        "python": platform.python_version(),
        "archlint": subprocess.run([ARCHLINT, "--version"], capture_output=True, text=True).stdout.strip(),
        "import_linter": versions[0] if versions else None, "grimp": versions[1] if len(versions) > 1 else None,
    }


def main():
    os.makedirs(RESULTS, exist_ok=True)
    rows, failures = [], []
    for name, n, ours_repeat, theirs_repeat in TREES:
        if QUICK and "50k" in name:
            continue
        tree = os.path.join(WORK, f"violations{n}")
        if not os.path.isdir(tree):
            subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_tree.py"), str(n), tree,
                            "--violations"], check=True, stdout=subprocess.DEVNULL)
        theirs, their_text = measure([LINT_IMPORTS, "--no-cache"], tree, theirs_repeat)
        text, our_text = measure([ARCHLINT, "check", ".", "--no-cache"], tree, ours_repeat)
        as_json, our_json = measure([ARCHLINT, "check", ".", "--no-cache", "--format", "json"], tree, ours_repeat)
        as_sarif, our_sarif = measure([ARCHLINT, "check", ".", "--no-cache", "--format", "sarif"], tree,
                                      ours_repeat)
        dropin, dropin_text = measure([ARCHLINT, "lint-imports", "--no-cache"], tree, ours_repeat)
        row = {"workload": name, "tree": tree, "lint_imports": theirs, "archlint_text": text,
               "archlint_json": as_json, "archlint_sarif": as_sarif, "archlint_lint_imports": dropin}
        expected = violations(their_text)
        checks = {
            "exit codes": all(r["exits"] == [1] for r in (theirs, text, as_json, as_sarif, dropin)),
            "a SARIF result per route": len(json.loads(our_sarif)["runs"][0]["results"]) == sum(n for _, n in expected),
            "violations (text)": violations(our_text) == expected,
            "violations (json)": violations_json(json.loads(our_json)) == expected,
            "violations (lint-imports)": violations(dropin_text) == expected,
            "text report <= 2x import-linter's": text["bytes"] <= 2 * theirs["bytes"],
            "some violations": sum(n for _, n in expected) > 1000,
        }
        row["checks"] = checks
        row["routes"] = sum(n for _, n in expected)
        targets = TARGETS[name]
        row["targets"] = {
            fmt: {
                "seconds": r["median_s"] <= targets["seconds"],
                **({"peak_rss_mb": r["peak_rss_mb"] <= targets["peak_rss_mb"]} if "peak_rss_mb" in targets else {}),
            }
            for fmt, r in (("text", text), ("json", as_json), ("sarif", as_sarif))
        }
        for check, ok in checks.items():
            if not ok:
                failures.append(f"{name}: {check}")
        rows.append(row)
        print(f"{name}: {row['routes']} routes | lint-imports {theirs['median_s']:.2f} s {theirs['peak_rss_mb']} MB "
              f"{theirs['bytes'] / 1e6:.1f} MB out | archlint text {text['median_s']:.2f} s {text['peak_rss_mb']} MB "
              f"{text['bytes'] / 1e6:.1f} MB out ({theirs['median_s'] / text['median_s']:.1f}x) | json "
              f"{as_json['median_s']:.2f} s {as_json['peak_rss_mb']} MB | sarif {as_sarif['median_s']:.2f} s "
              f"{as_sarif['peak_rss_mb']} MB | archlint lint-imports "
              f"{dropin['median_s']:.2f} s | targets {row['targets']}")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    path = os.path.join(RESULTS, f"violations-{stamp}.json")
    with open(path, "w") as fh:
        json.dump({"benchmark": "violations", "date": stamp, "machine": machine(), "rows": rows,
                   "failures": failures}, fh, indent=1)
    print(f"raw results: {os.path.relpath(path, ROOT)}")
    for f in failures:
        print(f"FAILED {f}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
