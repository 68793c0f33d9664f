"""A CI-safe smoke benchmark: seconds, not minutes. Fails on a slow path or a wrong result.

python3 bench/smoke.py [--record] [--archlint PATH]

On a generated tree of 3,000 modules (bench/gen_tree.py, fixed seed), runs archlint as a whole
process: cold (`--no-cache`), warm (nothing changed) and after one edit, several times each, and
checks every run — the exit code is the one expected, the verdicts are the recorded ones, a warm
run parses 0 files and a one-edit run exactly 1.

Timings are compared with bench/results/smoke-<machine kind>.json (the same CPU architecture
and core count); a row whose median is more than twice the recorded one (and over 20 ms slower,
so noise on a few milliseconds cannot fail it) is measured again after a pause, and fails the run,
naming the row, when the second round is slow too (a busy machine doubles a run once; a slow
path stays slow). Every run writes
its raw samples, the machine and the versions to target/bench-smoke.json. `--record` writes the
baseline for this machine kind instead (commit it).
"""

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = 3000
SEED = 7
REPEAT = {"cold": 7, "warm": 9, "one_edit": 5}
# Slower than the recorded median by both of these fails the run.
FACTOR = 2.0
MIN_SLOWER_S = 0.020


machine_kind = benchlib.machine_kind


def machine():
    return {"kind": machine_kind(), "cpu": benchlib.cpu_model(), "cpus": os.cpu_count(),
            "kernel": platform.release(), "python": platform.python_version()}


def run(cmd, cwd):
    """One whole process: wall time, peak RSS (MB), exit code, stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    return {"s": time.perf_counter() - start, "rss_mb": usage.ru_maxrss // 1024,
            "exit": os.waitstatus_to_exitcode(status), "out": out}


class Failure(Exception):
    pass


def expect(cond, row, what):
    if not cond:
        raise Failure(f"{row}: {what}")


def report_of(result, row):
    try:
        report = json.loads(result["out"])
    except ValueError:
        raise Failure(f"{row}: no JSON report (exit {result['exit']})")
    verdicts = {c["name"]: c["status"] for c in report["contracts"]}
    expect(verdicts, row, "no contract was checked")
    return report, verdicts


def measure(archlint):
    """One round: every row's samples, and the verdicts every run gave."""
    work = tempfile.mkdtemp(prefix="archlint-smoke-")
    try:
        tree = os.path.join(work, "tree")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_tree.py"), str(MODULES), tree,
                        "--seed", str(SEED)], check=True, stdout=subprocess.DEVNULL)
        cache = os.path.join(work, "cache")
        base = [archlint, "check", ".", "--format", "json", "--no-deps"]
        samples = {row: [] for row in REPEAT}
        verdicts_seen = {}

        def checked(row, args, parsed=None):
            r = run(base + args, tree)
            # The generated tree breaks its contracts on purpose: exit 1, every time.
            expect(r["exit"] == 1, row, f"exit {r['exit']}, expected 1")
            report, verdicts = report_of(r, row)
            first = verdicts_seen.setdefault("verdicts", verdicts)
            expect(verdicts == first, row, f"verdicts {verdicts} differ from {first}")
            if parsed is not None:
                got = report["cache"]["parsed"]
                expect(got == parsed, row, f"parsed {got} files, expected {parsed}")
            samples[row].append({"s": r["s"], "rss_mb": r["rss_mb"]})

        for _ in range(REPEAT["cold"]):
            checked("cold", ["--no-cache"])
        run(base + ["--cache-dir", cache], tree)  # fills the cache
        time.sleep(1.1)  # files age past the racy-mtime window; one run settles the manifest
        run(base + ["--cache-dir", cache], tree)
        for _ in range(REPEAT["warm"]):
            checked("warm", ["--cache-dir", cache], parsed=0)
        victim = os.path.join(tree, "synth", "f0", "api", "m0.py")
        if not os.path.exists(victim):
            victim = next(os.path.join(d, f) for d, _, fs in sorted(os.walk(os.path.join(tree, "synth")))
                          for f in sorted(fs) if f.endswith(".py") and f != "__init__.py")
        original = open(victim).read()
        for i in range(REPEAT["one_edit"]):
            with open(victim, "w") as fh:
                fh.write(original + f"\nSMOKE_EDIT = {i}\n")
            checked("one_edit", ["--cache-dir", cache], parsed=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    return samples, verdicts_seen


def too_slow(median, before):
    return median > FACTOR * before and median - before > MIN_SLOWER_S


def main():
    record = "--record" in sys.argv
    archlint = os.path.join(ROOT, "target", "release", "archlint")
    if "--archlint" in sys.argv:
        archlint = sys.argv[sys.argv.index("--archlint") + 1]
    try:
        samples, verdicts_seen = measure(archlint)
    except Failure as e:
        print(f"smoke benchmark FAILED: {e}", file=sys.stderr)
        return 1

    medians = {row: statistics.median(s["s"] for s in rows) for row, rows in samples.items()}
    version = subprocess.run([archlint, "--version"], capture_output=True, text=True).stdout.strip()
    result = {"machine": machine(), "archlint": version, "date": time.strftime("%Y-%m-%d"),
              "modules": MODULES, "seed": SEED, "verdicts": verdicts_seen["verdicts"],
              "medians_s": medians, "samples": samples}
    out = os.path.join(ROOT, "target", "bench-smoke.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as fh:
        json.dump(result, fh, indent=2)
    baseline_path = os.path.join(ROOT, "bench", "results", f"smoke-{machine_kind()}.json")
    for row, m in medians.items():
        peak = max(s["rss_mb"] for s in samples[row])
        print(f"smoke {row:9} median {m * 1000:7.1f} ms  peak {peak:4} MB  ({len(samples[row])} runs)")
    if record:
        with open(baseline_path, "w") as fh:
            json.dump(result, fh, indent=2)
        print(f"recorded {os.path.relpath(baseline_path, ROOT)}")
        return 0
    if not os.path.exists(baseline_path):
        print(f"no recorded results for {machine_kind()} (bench/results/smoke-{machine_kind()}.json): "
              "timings not compared")
        return 0
    with open(baseline_path) as fh:
        baseline = json.load(fh)
    failed = False
    if baseline["verdicts"] != result["verdicts"]:
        print(f"smoke benchmark FAILED: verdicts {result['verdicts']} differ from the recorded "
              f"{baseline['verdicts']}", file=sys.stderr)
        failed = True
    slow = [row for row, m in medians.items() if too_slow(m, baseline["medians_s"][row])]
    if slow:
        # A busy machine (another build, a noisy neighbour) can double a short run once; a
        # slow path stays slow. Measure again after a pause and keep each row's better median.
        print(f"smoke: {', '.join(slow)} over {FACTOR:g}x the recorded median; measuring again")
        time.sleep(5)
        try:
            again, _ = measure(archlint)
        except Failure as e:
            print(f"smoke benchmark FAILED: {e}", file=sys.stderr)
            return 1
        for row in slow:
            m = statistics.median(s["s"] for s in again[row])
            print(f"smoke {row:9} median {m * 1000:7.1f} ms  (second round)")
            medians[row] = min(medians[row], m)
    for row, m in medians.items():
        before = baseline["medians_s"][row]
        if too_slow(m, before):
            print(f"smoke benchmark FAILED: {row} median {m * 1000:.1f} ms is more than {FACTOR:g}x the "
                  f"recorded {before * 1000:.1f} ms ({os.path.relpath(baseline_path, ROOT)})", file=sys.stderr)
            failed = True
    if not failed:
        print(f"within {FACTOR:g}x of {os.path.relpath(baseline_path, ROOT)} ({baseline['date']})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
