"""Run import-linter in-process on many projects and print each one's whole report as JSON lines.

Usage: python il_driver.py [--variants N] PROJECT_DIR [PROJECT_DIR ...]

For each project (whose config is in the project directory), prints one JSON object:
{"project": dir, "contracts": {name: CONTRACT}, "error": str|null}

CONTRACT is the report in the canonical form `report.py` defines (verdict, every violation with
every route and line, warnings, undeclared modules, ignored-import count, error message), plus
"tie_dependent": whether the routes change when grimp's graph is built in another order, and
"variants": every distinct list of violations seen. grimp
visits modules in hash-set order, and the graph's insertion order (a Python set of files) sets
it, so where two chains are equally short the one reported depends on that order. With
`--variants N` each chain-listing contract (forbidden, layers, independence) is checked again on
N copies of the graph built in shuffled orders; a contract whose report changes is
tie-dependent, and is compared in a canonical form that does not depend on the choice.
"""

import importlib
import json
import os
import random
import sys
from copy import deepcopy

import grimp
from importlinter import configuration
from importlinter.application import use_cases
from importlinter.domain.contract import registry

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import block, link_text, route_text  # noqa: E402

configuration.configure()

CHAIN_KINDS = ("forbidden", "layers", "independence")


def _detailed(route):
    return route_text(
        [link_text(l["importer"], l["imported"], l["line_numbers"]) for l in route["chain"]],
        [link_text(l["importer"], l["imported"], l["line_numbers"]) for l in route["extra_firsts"]],
        [link_text(l["importer"], l["imported"], l["line_numbers"]) for l in route["extra_lasts"]],
    )


def blocks_of(contract_type, metadata):
    """Every violation as (headline, routes), in import-linter's own words."""
    out = []
    if contract_type == "forbidden":
        for data in metadata["invalid_chains"]:
            routes = [
                route_text([link_text(l["importer"], l["imported"], l["line_numbers"]) for l in chain], [], [])
                for chain in data["chains"]
            ]
            out.append(block(f"{data['downstream_module']} is not allowed to import {data['upstream_module']}:", routes))
    elif contract_type == "layers":
        for data in metadata["invalid_dependencies"]:
            out.append(block(f"{data['importer']} is not allowed to import {data['imported']}:",
                             [_detailed(r) for r in data["routes"]]))
    elif contract_type == "independence":
        for data in metadata["invalid_chains"]:
            out.append(block(f"{data['downstream_module']} is not allowed to import {data['upstream_module']}:",
                             [_detailed(r) for r in data["chains"]]))
    elif contract_type == "protected":
        for data in metadata["illegal_imports"]:
            via = f"\n(via {data.original_expression} expression)" if data.original_expression else ""
            routes = [route_text([link_text(l["importer"], l["imported"], l["line_numbers"])], [], [])
                      for l in data.illegal_links]
            out.append(block(f"Illegal imports of protected package {data.top_level_module}{via}:", routes))
    elif contract_type == "private_modules":
        links = metadata["illegal_imports"]
        if links:
            routes = [route_text([link_text(l["importer"], l["imported"], l["line_numbers"])], [], [])
                      for l in links]
            out.append(block("Private modules may only be imported from within their parent package:", routes))
    elif contract_type == "acyclic_siblings":
        for summary in metadata["summaries"]:
            n = len(summary.dependencies)
            head = (f"No cycles are allowed in {summary.package}.\nIt could be made acyclic by removing "
                    f"{n} {'dependency' if n == 1 else 'dependencies'}:")
            routes = [f"{d.downstream} -> {d.upstream} ({d.num_imports})" for d in summary.dependencies]
            out.append(block(head, routes))
    return sorted(out)


def shuffled_copy(graph, rng):
    """The same graph, its modules and imports added in a random order."""
    modules = sorted(graph.modules)
    rng.shuffle(modules)
    copy = grimp.ImportGraph()
    for m in modules:
        copy.add_module(m, is_squashed=graph.is_module_squashed(m))
    imports = []
    for m in modules:
        for imported in graph.find_modules_directly_imported_by(m):
            for d in graph.get_import_details(importer=m, imported=imported) or [None]:
                imports.append((m, imported, d))
    rng.shuffle(imports)
    for importer, imported, d in imports:
        if d is None:
            copy.add_import(importer=importer, imported=imported)
        else:
            copy.add_import(importer=importer, imported=imported,
                            line_number=d["line_number"], line_contents=d["line_contents"])
    return copy


def register_contract_types(options):
    """The built-in contract types, by whichever private helper this import-linter has."""
    if hasattr(use_cases, "_register_built_in_contract_types"):  # 2.17 and later
        use_cases._register_built_in_contract_types()
    else:
        use_cases._register_contract_types(options)


def validate_contract_ids(options):
    """2.17 rejects duplicate contract ids and ids with a colon before building the graph."""
    if hasattr(use_cases, "_validate_contract_ids"):
        use_cases._validate_contract_ids(use_cases.ConfigSource(filename=None, user_options=options))


def check_contract(cls, name, session, contract_options, graph):
    contract = cls(name=name, session_options=session, contract_options=contract_options)
    check = contract.check(deepcopy(graph), verbose=False)
    return {
        "verdict": "kept" if check.kept else "broken",
        "blocks": blocks_of(contract_options["type"], check.metadata),
        "warnings": sorted(check.warnings),
        "ignored": check.ignored_import_count,
        "undeclared": sorted(check.metadata.get("undeclared_modules") or []),
        "error": None,
    }


def run_project(project, variants):
    os.chdir(project)
    sys.path.insert(0, project)
    importlib.invalidate_caches()
    try:
        options = use_cases.read_user_options()
        validate_contract_ids(options)
        register_contract_types(options)
        session = options.session_options
        graph = use_cases._build_graph(
            root_package_names=session["root_packages"],
            include_external_packages=use_cases._get_include_external_packages(options),
            exclude_type_checking_imports=use_cases._get_exclude_type_checking_imports(options),
            verbose=False,
            cache_dir=None,
        )
        others = []
        rng = random.Random(os.path.basename(project))
        results = {}
        for contract_options in options.contracts_options:
            name = contract_options.get("name", contract_options.get("id"))
            try:
                cls = registry.get_contract_class(contract_options["type"])
                entry = check_contract(cls, name, session, contract_options, graph)
                entry["variants"] = [entry["blocks"]]
                if contract_options["type"] in CHAIN_KINDS and entry["verdict"] == "broken" and variants:
                    while len(others) < variants:
                        others.append(shuffled_copy(graph, rng))
                    for g in others:
                        blocks = check_contract(cls, name, session, contract_options, g)["blocks"]
                        if blocks not in entry["variants"]:
                            entry["variants"].append(blocks)
                entry["tie_dependent"] = len(entry["variants"]) > 1
            except Exception as exc:  # noqa: BLE001 - any failure is "error" for comparison
                entry = {"verdict": "error", "blocks": [], "warnings": [], "ignored": 0, "undeclared": [],
                         "error": f"{type(exc).__name__}: {exc}", "tie_dependent": False, "variants": []}
            results[name] = entry
        return {"project": project, "contracts": results, "error": None}
    except Exception as exc:  # noqa: BLE001
        return {"project": project, "contracts": {}, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        sys.path.remove(project)


def main():
    args = sys.argv[1:]
    variants = 0
    if args[:1] == ["--variants"]:
        variants = int(args[1])
        args = args[2:]
    for project in args:
        print(json.dumps(run_project(os.path.abspath(project), variants)), flush=True)


if __name__ == "__main__":
    main()
