"""Run archlint, lint-imports and grimp.build_graph side by side; print ratios.

Part 1, cold: archlint --no-cache against lint-imports --no-cache and grimp.build_graph.
Part 2, cache: archlint warm (nothing changed) and with one file changed, against lint-imports
with its own cache, warm. Every cached run is checked: a warm run must parse nothing and hit
100 %, a one-change run must parse exactly one file.

Each command is a whole process (start-up included), timed with a monotonic clock; peak RSS
comes from wait4. archlint runs several times (median); the peers fewer times since they are
slower. Verdicts of archlint and lint-imports are compared on every workload.
"""

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work")
ARCHLINT = os.path.join(ROOT, "target", "release", "archlint")
PY = os.path.join(WORK, "venv", "bin", "python")
LINT_IMPORTS = os.path.join(WORK, "venv", "bin", "lint-imports")
QUICK = "--quick" in sys.argv


FAILURES = []


def fail(row, what):
    """Record a failed check; the run goes on, and exits non-zero at the end naming each row."""
    FAILURES.append(f"{row}: {what}")
    print(f"  FAILED {row}: {what}", flush=True)


def measure(cmd, cwd, repeat, row=None, expect_exit=None, stderr=False):
    """Run `cmd` `repeat` times as a whole process; every sample is kept. Every run's exit code
    must be `expect_exit` (when given) and its output the same as the first run's."""
    times, rsss, out, codes = [], [], None, []
    for _ in range(repeat):
        start = time.perf_counter()
        # `stderr`: keep it in the output (tach prints its findings there).
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT if stderr else subprocess.DEVNULL)
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        rsss.append(usage.ru_maxrss // 1024)
        code = os.waitstatus_to_exitcode(status)
        codes.append(code)
        text = stdout.decode(errors="replace")
        if row and expect_exit is not None and code != expect_exit:
            fail(row, f"{os.path.basename(cmd[0])} exited {code}, expected {expect_exit}")
        if out is None:
            out = text
    return {"median_s": statistics.median(times), "min_s": min(times), "runs": repeat,
            "peak_rss_mb": max(rsss), "samples_s": times, "rss_mb": rsss, "exits": codes,
            "exit": codes[-1], "output": out or ""}


def expected_exit(verdict_map):
    return 1 if any(v == "BROKEN" for v in verdict_map.values()) else 0


def verdicts(text):
    return dict(re.findall(r"^(.+?) (KEPT|BROKEN)(?: \(\d+ ignored imports?\))?$", text, flags=re.M))


WORKLOADS = [
    ("django", os.path.join(WORK, "src"), os.path.join(ROOT, "bench", "configs", "django.ini"), "django"),
    ("sympy", os.path.join(WORK, "src"), os.path.join(ROOT, "bench", "configs", "sympy.ini"), "sympy"),
    ("synthetic 10k", os.path.join(WORK, "tree10000"), None, "synth"),
    ("synthetic 50k", os.path.join(WORK, "tree50000"), None, "synth"),
]

# The layering each workload's configuration declares, for tach (bench/tach_equiv.py):
# (root packages, containers, layers top first).
TACH = {
    "django": (["django"], None, ["django.contrib", "django.test",
                                  "django.views | django.forms | django.template", "django.db", "django.utils"]),
    "sympy": (["sympy"], None, ["sympy.physics", "sympy.solvers", "sympy.functions", "sympy.core"]),
    "synth": (["synth", "common"], ["synth.*"], ["api", "services", "domain", "infra"]),
}
TACH_BIN = os.path.join(WORK, "venv", "bin", "tach")


def tach_row(name, cwd, package, repeat):
    """`tach check` and archlint on the same layering, every package declared: both timed,
    and their findings (file, import statement line) compared."""
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import tach_equiv
    roots, containers, layers = TACH[package]
    tach_toml, ini = tach_equiv.configs(cwd, roots, layers, containers)
    toml_path = os.path.join(cwd, "tach.toml")
    ini_path = os.path.join(cwd, ".tach-bench.ini")
    with open(toml_path, "w") as fh:
        fh.write(tach_toml)
    with open(ini_path, "w") as fh:
        fh.write(ini)
    try:
        ours = measure([ARCHLINT, "check", ".", "--no-cache", "--no-deps", "--config", ini_path, "--format", "json"],
                       cwd, repeat)
        theirs = measure([TACH_BIN, "check"], cwd, max(1, repeat // 2), stderr=True)
    finally:
        os.remove(toml_path)
        os.remove(ini_path)
    try:
        found_ours = tach_equiv.archlint_imports(cwd, json.loads(ours["output"]))
    except ValueError:
        found_ours = None
        fail(f"{name} tach", "archlint gave no JSON report")
    found_theirs = tach_equiv.tach_imports(cwd, theirs["output"])
    expected = 1 if found_theirs else 0
    for who, r in (("archlint", ours), ("tach", theirs)):
        bad = [c for c in r["exits"] if c != expected]
        if bad:
            fail(f"{name} tach", f"{who} exited {bad[0]}, expected {expected}")
    if found_ours is not None and found_ours != found_theirs:
        fail(f"{name} tach", f"findings differ: {len(found_ours - found_theirs)} only archlint "
             f"{sorted(found_ours - found_theirs)[:3]}, {len(found_theirs - found_ours)} only tach "
             f"{sorted(found_theirs - found_ours)[:3]}")
    print(f"{name:15} layering only:  archlint {ours['median_s']*1000:8.0f} ms {ours['peak_rss_mb']:5} MB | "
          f"tach check {theirs['median_s']*1000:8.0f} ms {theirs['peak_rss_mb']:5} MB "
          f"({theirs['median_s']/ours['median_s']:5.1f}x) | {len(found_theirs)} imports, "
          f"{'identical' if found_ours == found_theirs else 'DIFFER'}", flush=True)
    return {"archlint": {k: v for k, v in ours.items() if k != "output"},
            "tach_check": {k: v for k, v in theirs.items() if k != "output"},
            "imports_found": len(found_theirs), "same_findings": found_ours == found_theirs}


def main():
    results = []
    for name, cwd, config, package in WORKLOADS:
        if QUICK and "50k" in name:
            continue
        files = sum(1 for d, _, fs in os.walk(os.path.join(cwd, package)) for f in fs if f.endswith(".py"))
        cfg = ["--config", config] if config else []
        big = "50k" in name
        ours = measure([ARCHLINT, "check", ".", "--no-cache", *cfg], cwd, 3 if QUICK else (5 if big else 20))
        theirs = measure([LINT_IMPORTS, "--no-cache", *cfg], cwd, 1 if (QUICK or big) else 3)
        extra = "'common', " if package == "synth" else ""
        grimp_cmd = [PY, "-c", "import sys; sys.path.insert(0, '.'); import grimp; "
                     f"grimp.build_graph('{package}', {extra}cache_dir=None)"]
        grimp = measure(grimp_cmd, cwd, 1 if (QUICK or big) else 3)
        ours_v, theirs_v = verdicts(ours["output"]), verdicts(theirs["output"])
        same = ours_v == theirs_v
        if not ours_v or not theirs_v:
            fail(name, f"no verdicts read (archlint {len(ours_v)}, lint-imports {len(theirs_v)})")
        elif not same:
            differ = sorted(k for k in set(ours_v) | set(theirs_v) if ours_v.get(k) != theirs_v.get(k))
            fail(name, f"verdicts differ for {differ}")
        for who, r in (("archlint", ours), ("lint-imports", theirs)):
            bad = [c for c in r["exits"] if c != expected_exit(theirs_v)]
            if bad:
                fail(name, f"{who} exited {bad[0]}, expected {expected_exit(theirs_v)}")
        if grimp["exits"] != [0] * len(grimp["exits"]):
            fail(name, f"grimp.build_graph exited {grimp['exits']}")
        tach = tach_row(name, cwd, package, 3 if QUICK else (5 if big else 20)) if os.path.exists(TACH_BIN) else None
        results.append({
            "workload": name, "files": files, "tach": tach,
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
    print("\ncache: archlint warm / one file changed vs lint-imports with its own cache (warm)")
    cache_results = []
    for name, cwd, config, package in WORKLOADS:
        if QUICK and "50k" in name:
            continue
        cache_results.append(cache_bench(name, cwd, config, package))
    meta = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "machine": platform.machine(),
            "kernel": platform.release(), "python": platform.python_version()}
    meta["versions"] = versions()
    out = os.path.join(ROOT, "bench", "results", f"compare-{meta['date']}{'-quick' if QUICK else ''}.json")
    with open(out, "w") as fh:
        json.dump({"meta": meta, "results": results, "cache": cache_results, "failures": FAILURES}, fh, indent=2)
    print(f"\n{meta}\nraw results in {os.path.relpath(out, ROOT)}")
    if FAILURES:
        print("\nbenchmark FAILED:\n  " + "\n  ".join(FAILURES), file=sys.stderr)
        sys.exit(1)


def versions():
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
        except OSError:
            return None
    script = ("import importlib.metadata as m\n"
              "for p in ['import-linter', 'grimp', 'tach', 'radon', 'django', 'sympy']:\n"
              "    try: print(f'{p}=={m.version(p)}')\n"
              "    except m.PackageNotFoundError: pass\n")
    pkgs = (out([PY, "-c", script]) or "").split()
    return {"archlint": out([ARCHLINT, "--version"]), "peers": pkgs}


def archlint_json(cwd, args):
    out = subprocess.run([ARCHLINT, "check", ".", "--format", "json", *args], cwd=cwd,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def cache_bench(name, cwd, config, package):
    cfg = ["--config", config] if config else []
    repeat = 3 if QUICK else 10
    cache_dir = tempfile.mkdtemp(prefix="archlint-bench-cache-")
    args = [*cfg, "--cache-dir", cache_dir]
    victim = None
    for d, _, fs in os.walk(os.path.join(cwd, package)):
        py = sorted(f for f in fs if f.endswith(".py") and f != "__init__.py")
        if py:
            victim = os.path.join(d, py[0])
            break
    original = open(victim, "rb").read()
    try:
        cold = measure([ARCHLINT, "check", ".", *args], cwd, 1)
        time.sleep(1.1)  # let the files age past the racy-mtime window
        archlint_json(cwd, args)  # settle the manifest
        warm = measure([ARCHLINT, "check", ".", *args], cwd, repeat)
        check = archlint_json(cwd, args)["cache"]
        if check["parsed"] != 0 or check["hit_rate"] != 100.0:
            fail(f"{name} warm", f"parsed {check['parsed']} files (hit rate {check['hit_rate']}), expected 0")
        changed_times, parsed = [], []
        for i in range(repeat):
            with open(victim, "wb") as fh:
                fh.write(original + f"\n# archlint bench change {i} {time.time()}\n".encode())
            t = measure([ARCHLINT, "check", ".", *args], cwd, 1)
            changed_times.append(t["median_s"])
            with open(victim, "ab") as fh:
                fh.write(b"# again\n")
            parsed.append(archlint_json(cwd, args)["cache"]["parsed"])
        if any(p != 1 for p in parsed):
            fail(f"{name} one edit", f"parsed {parsed} files, expected 1 each time")
        # lint-imports with its own cache: one run to fill it, then warm runs.
        li_cache = tempfile.mkdtemp(prefix="lint-imports-cache-")
        measure([LINT_IMPORTS, "--cache-dir", li_cache, *cfg], cwd, 1)
        theirs = measure([LINT_IMPORTS, "--cache-dir", li_cache, *cfg], cwd, 1 if "50k" in name or QUICK else 3)
        shutil.rmtree(li_cache, ignore_errors=True)
    finally:
        with open(victim, "wb") as fh:
            fh.write(original)
        shutil.rmtree(cache_dir, ignore_errors=True)
    changed = statistics.median(changed_times)
    print(f"{name:15} archlint cold+write {cold['median_s']*1000:7.0f} ms | warm {warm['median_s']*1000:7.1f} ms "
          f"{warm['peak_rss_mb']:4} MB (hit rate {check['hit_rate']:.0f} %, parsed {check['parsed']}) | "
          f"one file changed {changed*1000:7.1f} ms (parsed 1) | lint-imports warm {theirs['median_s']*1000:7.0f} ms "
          f"({theirs['median_s']/warm['median_s']:5.1f}x)", flush=True)
    return {"workload": name, "cold_with_cache_write_s": cold["median_s"], "warm_median_s": warm["median_s"],
            "warm_min_s": warm["min_s"], "warm_peak_rss_mb": warm["peak_rss_mb"], "warm_hit_rate": check["hit_rate"],
            "one_changed_median_s": changed, "one_changed_parsed": parsed,
            "lint_imports_warm_s": theirs["median_s"], "ratio": theirs["median_s"] / warm["median_s"]}


if __name__ == "__main__":
    main()
