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
