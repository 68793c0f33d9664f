"""What the benchmark scripts share: the machine they ran on, and reading import-linter's report."""

import os
import platform
import re


def cpu_model():
    """The CPU's model name (Linux), or an empty string."""
    try:
        with open("/proc/cpuinfo") as fh:
            return next((l.split(":", 1)[1].strip() for l in fh if l.startswith("model name")), "")
    except OSError:
        return ""


def write_results(name, data, quick=False):
    """Write a run's raw results to bench/results/<name>-<UTC date>[-quick].json, with the
    machine and archlint's version; returns the path."""
    import datetime
    import json
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    archlint = os.path.join(root, "target", "release", "archlint")
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    try:
        version = subprocess.run([archlint, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        version = None
    meta = {"date": date, "cpus": os.cpu_count(), "cpu": cpu_model(), "machine": platform.machine(),
            "platform": platform.platform(), "python": platform.python_version(), "archlint": version}
    path = os.path.join(root, "bench", "results", f"{name}-{date}{'-quick' if quick else ''}.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump({"meta": meta, **data}, fh, indent=2)
    print(f"raw results in {os.path.relpath(path, root)}")
    return path


# Keys of archlint's JSON report that hold the run's own timings and cache counters.
VOLATILE_KEYS = {"timings", "cache", "seconds"}


def scrub_json(text):
    """A JSON report without the run's own timings and cache counters, as canonical text: two
    runs that found the same things give the same string."""
    import json

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items() if k not in VOLATILE_KEYS}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return json.dumps(walk(json.loads(text)), sort_keys=True)


def machine_kind():
    """What timings are comparable across: CPU architecture and core count."""
    return f"{platform.machine()}-{os.cpu_count()}cpu"


def headlines(text):
    """Each violation in an import-linter text report, as (headline, routes): forbidden,
    layers and independence violations with their number of routes; an acyclic_siblings
    violation with the number of dependencies it names (its text lists only the first five).
    Sorted: the same headline can stand in two contracts."""
    out, current = [], None
    for line in text.split("\n"):
        acyclic = re.match(r"It could be made acyclic by removing (\d+) dependenc", line)
        if acyclic:
            out.append([line, int(acyclic.group(1))])
            current = None
        elif line.endswith(":") and " is not allowed to import " in line:
            current = [line, 0]
            out.append(current)
        elif line.endswith(":") or re.fullmatch(r"-+", line):
            current = None
        elif current and line.startswith("- "):
            current[1] += 1
    return sorted(map(tuple, out))
