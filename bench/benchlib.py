"""What the benchmark scripts share: the machine they ran on."""

import os
import platform


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
