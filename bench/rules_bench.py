"""What the code-structure rules cost, and archlint against radon side by side.

For each workload (django, the synthetic 10k and 50k trees):
- cold (empty cache, facts written) and warm runs of `archlint check`, without the rules
  (`--no-rules`) and with every rule (`--rules`); the issue's budget is +30 % cold, +10 % warm;
- `radon cc` on the same files (complexity only, one of the fifteen rules) for scale;
- duplication: its stage of the rules phase (evaluated, `--no-cache`) per MB of Python on every workload, to show it
  stays near-linear in code size.

Usage: python3 bench/rules_bench.py [--quick]   (run by bench/run.sh)
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
ARCHLINT = os.path.join(ROOT, "target", "release", "archlint")
RADON = os.path.join(WORK, "venv", "bin", "radon")
QUICK = "--quick" in sys.argv

WORKLOADS = [
    ("django", os.path.join(WORK, "src"), os.path.join(ROOT, "bench", "configs", "django.ini"), "django"),
    ("synthetic 10k", os.path.join(WORK, "tree10000"), None, "synth"),
    ("synthetic 50k", os.path.join(WORK, "tree50000"), None, "synth"),
]


def timed(cmd, cwd):
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def report(cmd, cwd):
    out = subprocess.run(cmd + ["--format", "json"], cwd=cwd, capture_output=True, text=True)
    return json.loads(out.stdout)


def median_of(cmd, cwd, n):
    return statistics.median(timed(cmd, cwd) for _ in range(n))


def main():
    results = []
    for name, cwd, config, package in WORKLOADS:
        if not os.path.isdir(cwd):
            continue
        if QUICK and "50k" in name:
            continue
        cfg = ["--config", config] if config else []
        repeat = 3 if QUICK or "50k" in name else 7
        row = {"workload": name}
        # Without and with the rules alternate, so drift on a shared machine hits both alike.
        flags = (("without", "--no-rules"), ("with", "--rules"))
        colds = {label: [] for label, _ in flags}
        for _ in range(3 if "50k" in name else 5):
            for label, flag in flags:
                cache = tempfile.mkdtemp(prefix="archlint-rules-bench-")
                colds[label].append(timed([ARCHLINT, "check", ".", "-q", *cfg, "--cache-dir", cache, flag], cwd))
                shutil.rmtree(cache, ignore_errors=True)
        caches = {label: tempfile.mkdtemp(prefix="archlint-rules-bench-") for label, _ in flags}
        cmds = {label: [ARCHLINT, "check", ".", "-q", *cfg, "--cache-dir", caches[label], flag]
                for label, flag in flags}
        for label, _ in flags:
            timed(cmds[label], cwd)
        time.sleep(1.1)  # past the racy-mtime window
        for label, _ in flags:
            timed(cmds[label], cwd)
        warms = {label: [] for label, _ in flags}
        for _ in range(repeat * 2):
            for label, _ in flags:
                warms[label].append(timed(cmds[label], cwd))
        r = report(cmds["with"], cwd)
        assert r["cache"]["parsed"] == 0, r["cache"]
        row["rules_ms_warm"] = r["timings"].get("rules_ms")
        row["findings"] = len(r["rules"]["findings"])
        for label, _ in flags:
            shutil.rmtree(caches[label], ignore_errors=True)
            row[f"cold_{label}_s"] = statistics.median(colds[label])
            row[f"warm_{label}_s"] = statistics.median(warms[label])
        row["cold_added_pct"] = 100 * (row["cold_with_s"] / row["cold_without_s"] - 1)
        row["warm_added_pct"] = 100 * (row["warm_with_s"] / row["warm_without_s"] - 1)
        target = os.path.join(cwd, package)
        radon = None
        if os.path.exists(RADON):
            radon = median_of([RADON, "cc", "-s", "-j", target], cwd, 1)
            row["radon_cc_s"] = radon
        print(
            f"{name:14} cold {row['cold_without_s']*1000:7.0f} -> {row['cold_with_s']*1000:7.0f} ms "
            f"({row['cold_added_pct']:+5.1f} %) | warm {row['warm_without_s']*1000:6.1f} -> "
            f"{row['warm_with_s']*1000:6.1f} ms ({row['warm_added_pct']:+5.1f} %; rules phase "
            f"{row['rules_ms_warm']:.1f} ms) | {row['findings']} findings"
            + (f" | radon cc alone {radon*1000:7.0f} ms ({radon/row['cold_with_s']:5.1f}x archlint "
               f"cold with every rule)" if radon else ""),
            flush=True,
        )
        results.append(row)

    # Duplication: near-linear in code size (its stage of the rules phase, warm cache).
    print("\nduplicate-code stage of the rules phase (evaluated, not read back):")
    for name, cwd, config, package in WORKLOADS:
        if not os.path.isdir(cwd) or (QUICK and "50k" in name):
            continue
        cfg = ["--config", config] if config else []
        cmd = [ARCHLINT, "check", ".", "-q", *cfg, "--no-cache", "--rules"]
        runs = [report(cmd, cwd) for _ in range(3)]
        dup_ms = statistics.median(r["rules"]["timings_ms"]["duplication"] for r in runs)
        size_mb = sum(
            os.path.getsize(os.path.join(d, f))
            for d, _, fs in os.walk(os.path.join(cwd, package)) for f in fs if f.endswith(".py")
        ) / 1e6
        print(f"  {name:14} {dup_ms:7.1f} ms for {size_mb:6.1f} MB of Python: "
              f"{dup_ms / size_mb:5.2f} ms per MB", flush=True)
        results.append({"workload": name, "duplication_ms": dup_ms, "python_mb": size_mb})
    benchlib.write_results("rules", {"results": results}, quick=QUICK)


if __name__ == "__main__":
    main()
