"""Run import-linter in-process on many projects and print structured results as JSON lines.

Usage: python il_driver.py PROJECT_DIR [PROJECT_DIR ...]

For each project (whose config is in the project directory), prints one JSON object:
{"project": dir, "contracts": {name: {"kept": bool, "direct": [[importer, imported], ...],
 "packages": [...], "error": str|null}}, "error": str|null}
"""

import importlib
import json
import os
import sys
from copy import deepcopy

from importlinter import configuration
from importlinter.application import use_cases
from importlinter.application.app_config import settings
from importlinter.domain.contract import registry

configuration.configure()


def direct_links(contract_type, metadata):
    out = set()
    if contract_type == "forbidden":
        for data in metadata["invalid_chains"]:
            for chain in data["chains"]:
                if len(chain) == 1:
                    out.add((chain[0]["importer"], chain[0]["imported"]))
    elif contract_type in ("layers", "independence"):
        key = "invalid_dependencies" if contract_type == "layers" else "invalid_chains"
        for data in metadata[key]:
            routes = data["routes"] if contract_type == "layers" else data["chains"]
            for route in routes:
                if len(route["chain"]) == 1:
                    for link in [route["chain"][0], *route["extra_firsts"], *route["extra_lasts"]]:
                        out.add((link["importer"], link["imported"]))
    elif contract_type == "protected":
        for data in metadata["illegal_imports"]:
            for link in data.illegal_links:
                out.add((link["importer"], link["imported"]))
    elif contract_type == "private_modules":
        for link in metadata["illegal_imports"]:
            out.add((link["importer"], link["imported"]))
    return sorted(out)


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


def run_project(project):
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
        results = {}
        for contract_options in options.contracts_options:
            name = contract_options.get("name", contract_options.get("id"))
            entry = {"kept": None, "direct": [], "packages": [], "error": None}
            try:
                cls = registry.get_contract_class(contract_options["type"])
                contract = cls(name=name, session_options=session, contract_options=contract_options)
                check = contract.check(deepcopy(graph), verbose=False)
                entry["kept"] = check.kept
                entry["direct"] = direct_links(contract_options["type"], check.metadata)
                if contract_options["type"] == "acyclic_siblings":
                    entry["packages"] = sorted(check.metadata["cycle_breakers_by_package"])
            except Exception as exc:  # noqa: BLE001 - any failure is "error" for comparison
                entry["error"] = f"{type(exc).__name__}: {exc}"
            results[name] = entry
        return {"project": project, "contracts": results, "error": None}
    except Exception as exc:  # noqa: BLE001
        return {"project": project, "contracts": {}, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        sys.path.remove(project)


def main():
    for project in sys.argv[1:]:
        print(json.dumps(run_project(os.path.abspath(project))), flush=True)


if __name__ == "__main__":
    main()
