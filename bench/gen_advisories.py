"""Generate an OSV advisory archive for a virtualenv's distributions, and the answer it implies.

python3 bench/gen_advisories.py SITE_PACKAGES OUT.zip [--count N] [--seed S]

Writes N advisories (default 2,661, the size of the PyPA snapshot) as OSV JSON in a zip, the
layout `deps db import` reads: about a third name an installed distribution, the rest other
packages. Each affects ECOSYSTEM ranges (`introduced`/`fixed`, sometimes two intervals or an
open end) or explicit `versions`; some are withdrawn. Beside the zip, OUT.expected.json lists
which installed distributions (name, version) each live advisory affects, worked out here with
plain version tuples — what an audit of the environment must report, advisory by advisory.
"""

import argparse
import json
import os
import random
import re
import zipfile


def installed(site):
    out = {}
    for entry in sorted(os.listdir(site)):
        if not entry.endswith(".dist-info"):
            continue
        meta = os.path.join(site, entry, "METADATA")
        try:
            text = open(meta, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        name = re.search(r"^Name: (.+)$", text, flags=re.M)
        version = re.search(r"^Version: (.+)$", text, flags=re.M)
        if name and version and re.fullmatch(r"\d+(\.\d+)*", version.group(1).strip()):
            out[name.group(1).strip()] = version.group(1).strip()
    return out


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def vt(v):
    return tuple(int(x) for x in v.split("."))


def random_version(rng):
    return f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=2661)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    dists = installed(args.site)
    names = sorted(dists)
    expected = {}
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(args.count):
            ident = f"PYSEC-2099-{i}"
            name = rng.choice(names) if names and rng.random() < 0.35 else f"not-installed-{i % 700}"
            affected = {"package": {"ecosystem": "PyPI", "name": name}}
            hits = lambda v: False  # noqa: E731
            if rng.random() < 0.2:
                versions = sorted({random_version(rng) for _ in range(rng.randint(1, 6))}, key=vt)
                if name in dists and rng.random() < 0.5:
                    versions.append(dists[name])
                affected["versions"] = versions
                hits = lambda v, vs=versions: v in vs  # noqa: E731
            else:
                bounds = set()
                while len(bounds) < 4:
                    bounds.add(random_version(rng))
                bounds = sorted(bounds, key=vt)
                intervals = [(bounds[0], bounds[1])] + ([(bounds[2], bounds[3])] if rng.random() < 0.3 else [])
                if rng.random() < 0.15:
                    intervals = [(intervals[0][0], None)]
                events = []
                for lo, hi in intervals:
                    events.append({"introduced": lo})
                    if hi:
                        events.append({"fixed": hi})
                affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
                hits = lambda v, iv=intervals: any(  # noqa: E731
                    vt(lo) <= vt(v) and (hi is None or vt(v) < vt(hi)) for lo, hi in iv)
            doc = {"id": ident, "modified": f"2026-11-{1 + i % 28:02d}T00:00:00Z", "summary": f"synthetic {i}",
                   "affected": [affected]}
            withdrawn = rng.random() < 0.01
            if withdrawn:
                doc["withdrawn"] = "2026-11-30T00:00:00Z"
            zf.writestr(f"vulns/{norm(name)}/{ident}.json", json.dumps(doc))
            if not withdrawn and name in dists and hits(dists[name]):
                expected.setdefault(norm(name), []).append(ident)
    with open(os.path.splitext(args.out)[0] + ".expected.json", "w") as fh:
        json.dump({k: sorted(v) for k, v in sorted(expected.items())}, fh, indent=1)
    print(f"{args.count} advisories for {len(names)} installed distributions; "
          f"{len(expected)} of them affected")


if __name__ == "__main__":
    main()
