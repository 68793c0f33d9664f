"""The seed scenario: a pytest architecture suite that checks approved dependencies, licenses and
(offline) vulnerabilities for an environment of 200 installed distributions, plus the layer
contracts of django — run with archlint's pytest plugin, cold and warm, against the suite it
replaces (a `pip show` per package, as the original pytestarch-style suite did). Also the
plugin's overhead: `pytest --archlint` checking django's contracts warm against plain pytest
(`-p no:archlint`) and against pytest with the plugin installed but not asked for.

    python3 bench/pytest_bench.py        (bench/run.sh pytest does the set-up)

Needs: bench/work/src/django (bench/run.sh), target/wheels/archlint-*.whl (maturin), the PyPA
advisory snapshot (../shared/data/osv)."""

import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import benchlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", "work", "pytest")
DJANGO = os.path.join(ROOT, "bench", "work", "src", "django")
PYPA = os.environ.get("ARCHLINT_PYPA_SNAPSHOT") or os.path.join(ROOT, "..", "shared", "data", "osv", "pypa-advisory-database.zip")
N_DISTS = 200
NAIVE_SAMPLE = 20


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def setup():
    os.makedirs(WORK, exist_ok=True)
    env_dir = os.path.join(WORK, "env")
    if not os.path.isdir(os.path.join(env_dir, "venv")):
        sh(sys.executable, os.path.join(ROOT, "bench", "gen_env.py"), str(N_DISTS), env_dir)
    runner = os.path.join(WORK, "runner")
    if not os.path.exists(os.path.join(runner, "bin", "python")):
        wheels = sorted(glob.glob(os.path.join(ROOT, "target", "wheels", "archlint-*.whl")))
        if not wheels:
            sys.exit("build the wheel first: maturin build --release --out target/wheels")
        sh(sys.executable, "-m", "venv", runner)
        sh(os.path.join(runner, "bin", "python"), "-m", "pip", "install", "--quiet", wheels[-1], "pytest>=8")
    # The wheel as built now (the runner may hold an older one).
    wheels = sorted(glob.glob(os.path.join(ROOT, "target", "wheels", "archlint-*.whl")), key=os.path.getmtime)
    if wheels:
        sh(os.path.join(runner, "bin", "python"), "-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", wheels[-1])
    project = os.path.join(WORK, "project")
    if not os.path.isdir(project):
        shutil.copytree(os.path.join(env_dir, "project"), project)
        os.symlink(DJANGO, os.path.join(project, "django"))
        os.symlink(os.path.join(env_dir, "venv"), os.path.join(project, ".venv"))
        with open(os.path.join(ROOT, "bench", "configs", "django.ini")) as f:
            ini = f.read().replace("root_package = django", "root_packages =\n    django\n    app")
        with open(os.path.join(project, ".importlinter"), "w") as f:
            f.write(ini)
        with open(os.path.join(project, "pyproject.toml"), "a") as f:
            f.write("\n[tool.archlint.vulnerabilities]\n")
        os.makedirs(os.path.join(project, "tests"), exist_ok=True)
        with open(os.path.join(project, "tests", "test_unit.py"), "w") as f:
            f.write("def test_unit():\n    assert True\n")
    # As a real suite does: tests live under tests/ (pytest would otherwise walk all of django).
    with open(os.path.join(project, "pytest.ini"), "w") as f:
        f.write("[pytest]\ntestpaths = tests\n")
    db = os.path.join(WORK, "advisories.db")
    if not os.path.exists(db):
        sh(os.path.join(runner, "bin", "archlint"), "deps", "db", "import", PYPA, "--db", db)
    return runner, project, db


def pytest_run(runner, project, db):
    env = dict(os.environ, ARCHLINT_ADVISORY_DB=db, NO_COLOR="1")
    env.pop("VIRTUAL_ENV", None)
    t = time.perf_counter()
    out = subprocess.run([os.path.join(runner, "bin", "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--archlint"],
                         cwd=project, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    if out.returncode not in (0, 1):
        sys.exit(f"pytest failed to run:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return elapsed, out.stdout.strip().splitlines()[-1]


def verdicts(summary):
    """The counts of a pytest result line without its timing: '7 failed, 3 passed, 61 warnings'."""
    return re.sub(r" in [0-9.]+s.*$", "", summary.strip("= "))


def naive_run(runner, project):
    """The suite archlint replaces: one `pip show` per package, license checked in Python."""
    venv_python = os.path.join(project, ".venv", "bin", "python")
    names = sh(venv_python, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check").stdout.split()
    sample = [n.split("==")[0] for n in names if n.startswith("synth")][:NAIVE_SAMPLE]
    suite = os.path.join(WORK, "naive")
    os.makedirs(suite, exist_ok=True)
    with open(os.path.join(suite, "test_deps.py"), "w") as f:
        f.write(f"""import subprocess, pytest
PY = {venv_python!r}
@pytest.mark.parametrize("name", {sample!r})
def test_license_approved(name):
    out = subprocess.run([PY, "-m", "pip", "show", name], capture_output=True, text=True, check=True).stdout
    fields = dict(l.split(": ", 1) for l in out.splitlines() if ": " in l)
    assert fields.get("Name")
""")
    t = time.perf_counter()
    subprocess.run([os.path.join(runner, "bin", "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:archlint", suite],
                   capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    return elapsed, len(sample)


def overhead_project():
    """django's layer contracts and one trivial test: what the plugin adds to a plain run."""
    project = os.path.join(WORK, "overhead")
    if not os.path.isdir(project):
        os.makedirs(os.path.join(project, "tests"))
        os.symlink(DJANGO, os.path.join(project, "django"))
        shutil.copy(os.path.join(ROOT, "bench", "configs", "django.ini"), os.path.join(project, ".importlinter"))
        with open(os.path.join(project, "tests", "test_unit.py"), "w") as f:
            f.write("def test_unit():\n    assert True\n")
        with open(os.path.join(project, "pytest.ini"), "w") as f:
            f.write("[pytest]\ntestpaths = tests\n")
    return project


def timed_pytest(runner, project, *flags):
    env = dict(os.environ, NO_COLOR="1")
    env.pop("VIRTUAL_ENV", None)
    t = time.perf_counter()
    out = subprocess.run([os.path.join(runner, "bin", "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", *flags],
                         cwd=project, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    if out.returncode not in (0, 1):
        sys.exit(f"pytest failed to run:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return elapsed, out.stdout.strip().splitlines()[-1]


def plugin_overhead(runner, runs=15):
    """Plain pytest (`-p no:archlint`), pytest with the plugin installed but not asked for, and
    `pytest --archlint` checking django's contracts warm, alternating; the overhead is the
    difference of the medians."""
    project = overhead_project()
    shutil.rmtree(os.path.join(project, ".archlint_cache"), ignore_errors=True)
    _, first = timed_pytest(runner, project, "--archlint")
    samples = {"plain": [], "installed": [], "archlint warm": []}
    flags = {"plain": ("-p", "no:archlint"), "installed": (), "archlint warm": ("--archlint",)}
    lines = {}
    for i in range(runs):
        for name in (list(flags) if i % 2 == 0 else list(reversed(flags))):
            t, line = timed_pytest(runner, project, *flags[name])
            samples[name].append(t)
            lines[name] = verdicts(line)
    if lines["archlint warm"] != verdicts(first) or not lines["plain"].startswith("1 passed"):
        sys.exit(f"unexpected results: {lines} (first --archlint run: {first})")
    medians = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "project": "django layer contracts (bench/configs/django.ini) + one trivial test",
        "result_lines": lines,
        "samples_s": samples,
        "median_s": medians,
        "overhead_warm_ms": (medians["archlint warm"] - medians["plain"]) * 1000,
        "overhead_installed_not_enabled_ms": (medians["installed"] - medians["plain"]) * 1000,
        "target_ms": 100,
    }


def main():
    runner, project, db = setup()
    overhead = plugin_overhead(runner)
    print(f"plugin overhead on a warm django check: {overhead['overhead_warm_ms']:.0f} ms over plain pytest "
          f"(installed but not enabled: {overhead['overhead_installed_not_enabled_ms']:.0f} ms); target <= 100 ms")
    dists = len(glob.glob(os.path.join(project, ".venv", "lib", "python*", "site-packages", "*.dist-info")))
    cold, warm = [], []
    summary = ""
    outcomes = set()
    for _ in range(5):
        shutil.rmtree(os.path.join(project, ".archlint_cache"), ignore_errors=True)
        t, summary = pytest_run(runner, project, db)
        cold.append(t)
        outcomes.add(verdicts(summary))
        t, again = pytest_run(runner, project, db)
        warm.append(t)
        outcomes.add(verdicts(again))
    # Every run, cold or warm, must reach the same verdicts: a cache that changed a check's
    # outcome would show here.
    if len(outcomes) != 1 or not outcomes.pop():
        sys.exit(f"pytest --archlint gave different results: {summary!r} and others")
    t0 = time.perf_counter()
    subprocess.run([os.path.join(runner, "bin", "python"), "-m", "pytest", "--version"], capture_output=True)
    startup = time.perf_counter() - t0
    naive, sampled = naive_run(runner, project)
    per_package = naive / sampled
    naive_full = per_package * dists
    print(f"seed scenario: pytest --archlint, django layer contracts + {dists} installed distributions "
          f"(approved, licenses, offline vulnerabilities)")
    print(f"  result line: {summary}")
    print(f"  cold (no .archlint_cache): median {statistics.median(cold):.2f} s  (min {min(cold):.2f}, max {max(cold):.2f})")
    print(f"  warm:                      median {statistics.median(warm):.2f} s  (min {min(warm):.2f}, max {max(warm):.2f})")
    print(f"  pytest start-up alone:     {startup:.2f} s")
    print(f"  naive suite (pip show per package): {per_package:.2f} s per package, "
          f"{naive_full:.0f} s for {dists} (measured on {sampled})")
    print(f"  ratio naive / archlint: cold {naive_full / statistics.median(cold):.0f}x, warm {naive_full / statistics.median(warm):.0f}x")
    benchlib.write_results("pytest", {
        "distributions": dists, "result_line": summary, "cold_samples_s": cold, "warm_samples_s": warm,
        "cold_median_s": statistics.median(cold), "warm_median_s": statistics.median(warm),
        "pytest_startup_s": startup, "naive_per_package_s": per_package, "naive_packages_timed": sampled,
        "naive_total_s_extrapolated": naive_full, "plugin_overhead": overhead,
    })


if __name__ == "__main__":
    main()
