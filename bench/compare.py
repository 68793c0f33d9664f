"""Run archlint, lint-imports --no-cache and grimp.build_graph side by side; print ratios.

Each command is a whole process (start-up included), timed with a monotonic clock; peak RSS
comes from wait4. archlint runs several times (median); the peers fewer times since they are
slower. Verdicts of archlint and lint-imports are compared on every workload.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")
ARCHLINT = os.path.join(ROOT, "target", "release", "archlint")
PY = os.path.join(WORK, "venv", "bin", "python")
LINT_IMPORTS = os.path.join(WORK, "venv", "bin", "lint-imports")
QUICK = "--quick" in sys.argv


def measure(cmd, cwd, repeat):
    times, rss, out, code = [], 0, "", None
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        rss = max(rss, usage.ru_maxrss // 1024)
        out, code = stdout.decode(errors="replace"), os.waitstatus_to_exitcode(status)
    return {"median_s": statistics.median(times), "min_s": min(times), "runs": repeat, "peak_rss_mb": rss,
            "exit": code, "output": out}


def verdicts(text):
    return dict(re.findall(r"^(.+?) (KEPT|BROKEN)(?: \(\d+ ignored imports?\))?$", text, flags=re.M))


WORKLOADS = [
    ("django", os.path.join(WORK, "src"), os.path.join(ROOT, "bench", "configs", "django.ini"), "django"),
    ("sympy", os.path.join(WORK, "src"), os.path.join(ROOT, "bench", "configs", "sympy.ini"), "sympy"),
    ("synthetic 10k", os.path.join(WORK, "tree10000"), None, "synth"),
    ("synthetic 50k", os.path.join(WORK, "tree50000"), None, "synth"),
]


def main():
    results = []
    for name, cwd, config, package in WORKLOADS:
        if QUICK and "50k" in name:
            continue
        files = sum(1 for d, _, fs in os.walk(os.path.join(cwd, package)) for f in fs if f.endswith(".py"))
        cfg = ["--config", config] if config else []
        big = "50k" in name
        ours = measure([ARCHLINT, "check", ".", *cfg], cwd, 3 if QUICK else (5 if big else 10))
        theirs = measure([LINT_IMPORTS, "--no-cache", *cfg], cwd, 1 if (QUICK or big) else 3)
        extra = "'common', " if package == "synth" else ""
        grimp_cmd = [PY, "-c", "import sys; sys.path.insert(0, '.'); import grimp; "
                     f"grimp.build_graph('{package}', {extra}cache_dir=None)"]
        grimp = measure(grimp_cmd, cwd, 1 if (QUICK or big) else 3)
        same = verdicts(ours["output"]) == verdicts(theirs["output"])
        results.append({
            "workload": name, "files": files,
            "archlint": {k: v for k, v in ours.items() if k != "output"},
            "lint_imports": {k: v for k, v in theirs.items() if k != "output"},
            "grimp_build_graph": {k: v for k, v in grimp.items() if k != "output"},
            "same_verdicts": same, "verdicts": verdicts(ours["output"]),
        })
        print(f"{name:15} {files:6} files  archlint {ours['median_s']*1000:8.0f} ms {ours['peak_rss_mb']:5} MB | "
              f"lint-imports {theirs['median_s']*1000:8.0f} ms {theirs['peak_rss_mb']:5} MB "
              f"({theirs['median_s']/ours['median_s']:5.1f}x) | grimp {grimp['median_s']*1000:8.0f} ms "
              f"{grimp['peak_rss_mb']:5} MB ({grimp['median_s']/ours['median_s']:5.1f}x) | "
              f"verdicts {'identical' if same else 'DIFFER'}", flush=True)
    meta = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "machine": platform.machine(),
            "kernel": platform.release(), "python": platform.python_version()}
    with open(os.path.join(WORK, "results.json"), "w") as fh:
        json.dump({"meta": meta, "results": results}, fh, indent=2)
    print(f"\n{meta}\nresults in bench/work/results.json")


if __name__ == "__main__":
    main()
