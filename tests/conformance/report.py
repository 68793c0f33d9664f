"""The canonical form both tools' reports are compared in (used by il_driver.py for
import-linter's report and by test_conformance.py for archlint's JSON report).

A contract's report is its verdict, its warnings, the number of ignored imports, the undeclared
modules of an exhaustive layers contract, and its violations: each a headline with every route
under it, every route written out import by import with its line numbers. Violations and routes
are compared as sorted lists: import-linter keeps layers routes in sets, so their order is
hash order there.
"""


import json
import subprocess


def archlint_report(archlint, project):
    """`archlint check --format json` of a project, each contract in the canonical form (an error
    as {"verdict": "error"}), or {"fatal": message} when the configuration is rejected whole."""
    proc = subprocess.run([archlint, "check", project, "--format", "json"], capture_output=True, text=True)
    if proc.returncode not in (0, 1, 2):
        return {"fatal": f"exit {proc.returncode}: {proc.stderr}"}
    if proc.returncode == 2 and not proc.stdout.strip():
        return {"fatal": proc.stderr}
    report = json.loads(proc.stdout)
    out = {c["name"]: archlint_contract(c) for c in report["contracts"]}
    for e in report["errors"]:
        out[e["contract"]] = {"verdict": "error", "error": e["message"]}
    return out


def link_text(importer, imported, lines):
    shown = ", ".join(f"l.{n}" for n in lines if n is not None) or "l.?"
    return f"{importer} -> {imported} ({shown})"


def route_text(chain, extra_firsts, extra_lasts):
    """One route: its chain, then the other heads (`&`) and the other tails (`&>`)."""
    return "\n".join([*chain, *(f"& {l}" for l in extra_firsts), *(f"&> {l}" for l in extra_lasts)])


def block(headline, routes):
    return [headline, sorted(routes)]


def archlint_contract(c):
    """archlint's JSON report of one contract, in the canonical form."""
    blocks = []
    for v in c["violations"]:
        if c["kind"] == "acyclic_siblings":
            package = v["importer"]
            depth = package.count(".") + 1

            def child(module):
                return ".".join(module.split(".")[: depth + 1])

            routes = []
            for r in v["routes"]:
                first = r["chain"][0]
                routes.append(f"{child(first['importer'])} -> {child(first['imported'])} ({1 + len(r['extra_firsts'])})")
        else:
            routes = [
                route_text(
                    [link_text(l["importer"], l["imported"], l["lines"]) for l in r["chain"]],
                    [link_text(l["importer"], l["imported"], l["lines"]) for l in r["extra_firsts"]],
                    [link_text(l["importer"], l["imported"], l["lines"]) for l in r["extra_lasts"]],
                )
                for r in v["routes"]
            ]
        blocks.append(block(v["summary"], routes))
    return {
        "verdict": "kept" if c["kept"] else "broken",
        "blocks": sorted(blocks),
        "warnings": sorted(c["warnings"]),
        "ignored": c["ignored_imports"],
        "undeclared": sorted(c["undeclared_modules"]),
    }


def is_direct(route):
    """A route of one import (its other heads and tails included)."""
    return sum(1 for line in route.split("\n") if not line.startswith("&")) == 1


def shape(routes):
    """What grimp's tie-breaking leaves alone in one violation's routes: how many there are, and
    the direct imports (every one is a route whichever order the search takes). Which of several
    equally short chains is found first decides which imports are hidden before the next search,
    so the indirect routes themselves, and their lengths, follow that choice."""
    return [len(routes), sorted(r for r in routes if is_direct(r))]


def compare(ours, theirs):
    """How archlint's report of one contract matches import-linter's: "same", "same-as-variant"
    (each violation as import-linter reports it on the graph built in some order), "same-shape"
    (where import-linter's routes depend on grimp's tie-breaking: each violation has the same
    number of routes and the same direct imports as under some order; see shape()), or None
    when it does not match.

    Violations are compared one by one: each is a search of its own in grimp, so the orders that
    give one violation's routes need not be the orders that give another's."""
    if theirs["verdict"] == "error":
        return "same" if ours.get("verdict") == "error" else None
    expected = {k: theirs[k] for k in ("verdict", "blocks", "warnings", "ignored", "undeclared")}
    if ours == expected:
        return "same"
    if not theirs["tie_dependent"] or {**ours, "blocks": expected["blocks"]} != expected:
        return None
    seen = {}
    for variant in theirs["variants"]:
        for head, routes in variant:
            seen.setdefault(head, []).append(routes)
    if sorted(head for head, _ in ours["blocks"]) != sorted(seen):
        return None
    how = "same-as-variant"
    for head, routes in ours["blocks"]:
        if routes in seen[head]:
            continue
        if shape(routes) not in [shape(v) for v in seen[head]]:
            return None
        how = "same-shape"
    return how
