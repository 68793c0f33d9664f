"""The dependency check against pip: archlint's full check of a 500-distribution environment
(inventory, declarations, policy, licenses, declared vs imported) against `pip list` alone, a
loop of `pip show` (what the slow suite did, once per package), pip-licenses (every
distribution's license compared with archlint's reading of the same metadata), deptry and
`tach check-external` (declared vs imported: every missing, transitive and unused dependency
compared, with file and line). The run fails when a peer's answer differs.

Every command is a whole process, timed with a monotonic clock; peak RSS from wait4. The
`pip show` loop is timed on a sample of packages and scaled to all of them (it is linear: one
interpreter start and one metadata scan per call); `--full` times every call.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import gen_advisories

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A real PyPA snapshot when given; otherwise an archive generated for the environment
# (bench/gen_advisories.py), whose expected findings the audit is checked against.
PYPA = os.environ.get("ARCHLINT_PYPA_SNAPSHOT")
MOCK = os.path.join(ROOT, "target", "release", "examples", "mock_index")
FIXTURES = os.path.join(ROOT, "crates", "archlint-index", "tests", "fixtures", "index-json")
OUT = os.path.join(ROOT, "bench", "work", "deps")
ARCHLINT = os.path.join(ROOT, "target", "release", "archlint")
VENV = os.path.join(OUT, "venv")
PY = os.path.join(VENV, "bin", "python")
PROJECT = os.path.join(OUT, "project")
PEERS = os.path.join(ROOT, "bench", "work", "venv", "bin")
PIP_LICENSES = os.path.join(PEERS, "pip-licenses")
FULL = "--full" in sys.argv


def run(cmd, repeat, cwd=None, extra_env=None, merge=False):
    times, rss, out, code = [], 0, b"", None
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update(extra_env or {})
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merge else subprocess.DEVNULL,
                                env=env, cwd=cwd)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        times.append(time.perf_counter() - start)
        rss = max(rss, usage.ru_maxrss // 1024)
        code = os.waitstatus_to_exitcode(status)
    return {"median_s": statistics.median(times), "min_s": min(times), "runs": repeat, "peak_rss_mb": rss,
            "samples_s": times, "exit": code, "output": out.decode(errors="replace")}


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pip_licenses_view(d):
    """A distribution's license as pip-licenses 5 shows it by default, from archlint's inventory."""
    named = {c.split(" :: ")[-1] for c in d["license_classifiers"] if c.startswith("License")}
    named.discard("OSI Approved")
    return "; ".join(sorted(named)) if named else (d["license"] or "UNKNOWN")


def samples(r):
    return {k: v for k, v in r.items() if k != "output"}


def main():
    pip_list = run([PY, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"], 3)
    names = [d["name"] for d in json.loads(pip_list["output"])]
    check = run([ARCHLINT, "deps", "check", PROJECT, "--venv", VENV, "--no-cache", "--format", "json"], 15)
    report = json.loads(check["output"])
    failures = []
    if report["distributions"] != len(names):
        failures.append(f"deps check: {report['distributions']} distributions, pip lists {len(names)}")
    expected_exit = 1 if report["errors"] else 0
    if check["exit"] != expected_exit:
        failures.append(f"deps check: exit {check['exit']}, expected {expected_exit}")
    inventory = run([ARCHLINT, "deps", "inventory", "--venv", VENV, "--format", "json"], 15)
    ours = sorted(d["name"] for d in json.loads(inventory["output"])["distributions"])
    if ours != sorted(names):
        failures.append("deps inventory: differs from pip list")

    # pip-licenses, the peer for the license inventory: the same distributions, and each one's
    # license as pip-licenses derives it (its default `--from=mixed`: the license classifiers'
    # last segments, sorted and joined with "; ", else the License field, else UNKNOWN), from
    # the metadata archlint read.
    licenses = None
    if os.path.exists(PIP_LICENSES):
        licenses = run([PIP_LICENSES, "--python", PY, "--format=json", "--with-system"], 3)
        theirs = {(norm(d["Name"]), d["Version"]): d["License"] for d in json.loads(licenses["output"])}
        ours_licenses = {(norm(d["name"]), d["version"]): pip_licenses_view(d)
                         for d in json.loads(inventory["output"])["distributions"]}
        differ = sorted(k for k in set(theirs) | set(ours_licenses) if theirs.get(k) != ours_licenses.get(k))
        if differ:
            failures.append(f"licenses differ from pip-licenses for {len(differ)} distributions: {differ[:3]}")
        print(f"pip-licenses: {len(theirs)} distributions, licenses {'identical' if not differ else 'DIFFER'}")
    declared = declared_vs_imported(report, failures)
    sample = names if FULL else names[:: max(1, len(names) // 25)]
    start = time.perf_counter()
    for n in sample:
        subprocess.run([PY, "-m", "pip", "show", n, "--disable-pip-version-check"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    per_call = (time.perf_counter() - start) / len(sample)
    pip_show_total = per_call * len(names)

    a = check["median_s"]
    rows = [
        ("archlint deps check (full: inventory, policy, licenses, imports)", a, check["peak_rss_mb"]),
        ("archlint deps inventory", inventory["median_s"], inventory["peak_rss_mb"]),
        ("pip list --format=json", pip_list["median_s"], pip_list["peak_rss_mb"]),
        (f"pip show x {len(names)} ({'all' if FULL else f'{len(sample)} timed, scaled'})", pip_show_total, None),
    ]
    if licenses:
        rows.insert(3, ("pip-licenses --format=json --with-system", licenses["median_s"], licenses["peak_rss_mb"]))
    for label, key in [("deptry (declared vs imported only)", "deptry"),
                       ("tach check-external (declared vs imported only)", "tach_check_external")]:
        if declared.get(key):
            rows.insert(-1, (label, declared[key]["median_s"], declared[key]["peak_rss_mb"]))
    print(f"\nDependency check, {len(names)} distributions "
          f"({report['errors']} errors, {report['warnings']} warnings found)")
    print(f"{'command':68} {'time':>10} {'peak RSS':>9} {'archlint is':>12}")
    for label, t, rss in rows:
        ratio = f"{t / a:.0f}x" if t > a * 1.5 else ""
        print(f"{label:68} {t * 1000:8.1f} ms {(str(rss) + ' MB') if rss else '-':>9} {ratio:>12}")
    targets = {
        "check <= 50 ms": a <= 0.050,
        ">= 100x faster than a pip show loop": pip_show_total / a >= 100,
        ">= 10x faster than pip list": pip_list["median_s"] / a >= 10,
        "peak RSS <= 100 MB": check["peak_rss_mb"] <= 100,
    }
    for k, ok in targets.items():
        print(f"  {'met ' if ok else 'MISSED'} {k}")
    result = {
        "meta": {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "machine": platform.machine(),
                 "python": platform.python_version()},
        "distributions": len(names),
        "archlint_check_s": a, "archlint_check_rss_mb": check["peak_rss_mb"],
        "archlint_inventory_s": inventory["median_s"],
        "pip_list_s": pip_list["median_s"], "pip_list_rss_mb": pip_list["peak_rss_mb"],
        "pip_show_per_call_s": per_call, "pip_show_calls_timed": len(sample),
        "pip_show_total_s_extrapolated": None if FULL else pip_show_total,
        "pip_show_total_s": pip_show_total if FULL else None,
        "pip_licenses_s": licenses["median_s"] if licenses else None,
        "deptry_s": declared["deptry"]["median_s"] if declared.get("deptry") else None,
        "tach_check_external_s": declared["tach_check_external"]["median_s"]
        if declared.get("tach_check_external") else None,
        "declared_vs_imported": declared["findings"],
        "runs": {"check": samples(check), "inventory": samples(inventory), "pip_list": samples(pip_list),
                 "pip_licenses": samples(licenses) if licenses else None,
                 "deptry": samples(declared["deptry"]) if declared.get("deptry") else None,
                 "tach_check_external": samples(declared["tach_check_external"])
                 if declared.get("tach_check_external") else None},
        "targets": targets, "failures": failures,
    }
    result["vulnerabilities"] = vulnerability_bench(len(names))
    if result["vulnerabilities"].get("failure"):
        failures.append(result["vulnerabilities"]["failure"])
    out = os.path.join(ROOT, "bench", "results", f"deps-{result['meta']['date']}.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"raw results in {os.path.relpath(out, ROOT)}")
    if failures:
        print("benchmark FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)


DEPTRY_CODES = {"DEP001": "missing-dependency", "DEP002": "unused-dependency", "DEP003": "transitive-dependency"}


def declared_vs_imported(report, failures):
    """deptry and `tach check-external` against archlint's declared-vs-imported findings: the
    same missing (imported, provided by nothing), transitive (imported, installed, undeclared)
    and unused (declared, never imported) dependencies, each import at the same file and line.
    Both peers read installed metadata from the interpreter they run in: the environment's
    site-packages goes on their PYTHONPATH."""
    codes = set(DEPTRY_CODES.values())
    ours = sorted((f["code"], f["file"], f["line"]) if f["code"] != "unused-dependency"
                  else (f["code"], norm(f["package"]))
                  for f in report["findings"] if f["code"] in codes)
    out = {"findings": len(ours)}
    site = subprocess.run([PY, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    env = {"PYTHONPATH": site}
    if os.path.exists(os.path.join(PEERS, "deptry")):
        answer = os.path.join(OUT, "deptry.json")
        out["deptry"] = run([os.path.join(PEERS, "deptry"), ".", "--json-output", answer], 10, PROJECT, env)
        with open(answer) as fh:
            theirs = sorted((DEPTRY_CODES[e["error"]["code"]], e["location"]["file"], e["location"]["line"])
                            if e["error"]["code"] != "DEP002" else ("unused-dependency", norm(e["module"]))
                            for e in json.load(fh))
        if out["deptry"]["exit"] != (1 if theirs else 0):
            failures.append(f"deptry: exit {out['deptry']['exit']}")
        if theirs != ours:
            failures.append(f"deptry differs: only deptry {sorted(set(theirs) - set(ours))[:5]}, "
                            f"only archlint {sorted(set(ours) - set(theirs))[:5]}")
        print(f"deptry: {len(theirs)} findings, {'identical' if theirs == ours else 'DIFFER'}")
    if os.path.exists(os.path.join(PEERS, "tach")):
        out["tach_check_external"] = t = run([os.path.join(PEERS, "tach"), "check-external"], 10, PROJECT, env, merge=True)
        # tach reports on stderr; it names an unused distribution by its import name and does not tell a transitive
        # dependency from a missing one: both are "not declared".
        theirs = sorted([("unused-dependency", norm(m)) for m in
                         re.findall(r"External package '([^']+)' is not used", t["output"])]
                        + [("undeclared", f, int(line)) for f, line in
                           re.findall(r"\] (\S+):(\d+): Dependency '[^']+' is not declared", t["output"])])
        mine = sorted(("undeclared", *x[1:]) if x[0] != "unused-dependency" else x for x in ours)
        if t["exit"] != (1 if theirs else 0):
            failures.append(f"tach check-external: exit {t['exit']}")
        if theirs != mine:
            failures.append(f"tach check-external differs: only tach {sorted(set(theirs) - set(mine))[:5]}, "
                            f"only archlint {sorted(set(mine) - set(theirs))[:5]}")
        print(f"tach check-external: {len(theirs)} findings, {'identical' if theirs == mine else 'DIFFER'}")
    return out


def vulnerability_bench(n):
    """Import the PyPA snapshot; audit offline; audit against a mock index with 20 ms latency."""
    out = {}
    expected = None
    archive = PYPA
    if not archive:
        archive = os.path.join(OUT, "advisories.zip")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_advisories.py"),
                        os.path.join(VENV, "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}",
                                     "site-packages"), archive], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(OUT, "advisories.expected.json")) as fh:
            expected = json.load(fh)
    out["archive"] = "PyPA snapshot" if PYPA else "generated (bench/gen_advisories.py, 2,661 advisories)"
    db = os.path.join(OUT, "advisories.db")
    # A project that declares nothing: the audit then covers every installed distribution.
    whole = os.path.join(OUT, "whole-environment")
    os.makedirs(whole, exist_ok=True)
    imp = run([ARCHLINT, "deps", "db", "import", archive, "--db", db], 5)
    offline = run([ARCHLINT, "deps", "check", whole, "--venv", VENV, "--no-cache", "--no-code", "--db", db,
                   "--format", "json"], 15)
    report = json.loads(offline["output"])
    checked = len(report["vulnerabilities"]["checked"])
    print(f"\nVulnerabilities ({n} distributions)")
    if expected is not None:
        got = {gen_advisories.norm(c["name"]): sorted(v["id"] for v in c["vulnerabilities"])
               for c in report["vulnerabilities"]["checked"] if c["vulnerabilities"]}
        out["expected_findings_match"] = got == expected
        if got != expected:
            differ = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
            out["failure"] = f"offline audit differs from the generated answer for {differ[:5]}"
        print(f"  offline audit vs the generated answer: {len(got)} affected distributions, "
              f"{'identical' if got == expected else 'DIFFER'}")
    print(f"  import of the {out['archive']}:   {imp['median_s'] * 1000:8.1f} ms  (target <= 2 s)")
    print(f"  full check with the offline audit ({checked} checked): {offline['median_s'] * 1000:8.1f} ms  "
          f"{offline['peak_rss_mb']} MB  (target <= 100 ms)")
    out.update(import_s=imp["median_s"], offline_check_s=offline["median_s"], offline_rss_mb=offline["peak_rss_mb"],
               offline_checked=checked)
    if not os.path.exists(MOCK):
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "archlint-index", "--features", "mock-server",
                        "--example", "mock_index"], cwd=ROOT, check=True)
    mock = subprocess.Popen([MOCK, FIXTURES, "20"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = mock.stdout.readline().strip()
        for rate, conc in [(20, 10), (200, 10)]:
            t = run([ARCHLINT, "deps", "check", whole, "--venv", VENV, "--no-cache", "--no-code", "--online",
                     "--index-url", url + "/simple/", "--rate-limit", str(rate), "--concurrency", str(conc),
                     "--format", "json"], 1)
            doc = json.loads(t["output"])
            asked = doc["online"]["requests"]
            bound = max(asked / rate, asked * 0.020 / conc)
            print(f"  online, {asked} requests, 20 ms latency, {rate}/s, {conc} in flight: "
                  f"{t['median_s']:6.2f} s  (bound by the limits: {bound:5.2f} s; "
                  f"{len(doc['vulnerabilities']['unchecked'])} unchecked)")
            out[f"online_{rate}_per_s"] = {"seconds": t["median_s"], "requests": asked, "bound_s": bound}
    finally:
        mock.kill()
    return out


if __name__ == "__main__":
    main()
