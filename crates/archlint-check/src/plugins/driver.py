"""archlint's driver for import-linter custom contract types (`contract_types`), run by the
project's own interpreter. Reads one JSON request on stdin, writes one JSON answer on stdout.

Request: {"sys_path": [dirs], "session_options": {...}, "contract_types": [[name, "pkg.mod.Class"]],
"graph": {"modules": [[name, squashed]], "imports": [[importer, imported, [[line, text]]]]},
"contracts": [{"name": ..., "type": ..., "options": {...}}], "verbose": false}

Answer: {"contracts": [{"kept": bool, "warnings": [...], "ignored_import_count": n,
"rendered": text} or {"error": {"kind": "import" | "options" | "check", "message": ..., "fields": [[field, message]]}}]}

The graph is archlint's (the imports archlint found), as an `archlint.grimp.ImportGraph` when
archlint's wheel is installed in this interpreter, else a `grimp.ImportGraph`; each contract
gets its own copy, as import-linter gives it. Broken contracts are rendered by the contract's own
`render_broken_contract`, captured from import-linter's console.
"""

import copy
import importlib
import json
import sys
import traceback


def graph_class():
    try:
        from archlint.grimp import ImportGraph
    except ImportError:
        from grimp import ImportGraph
    return ImportGraph


def build(data):
    graph = graph_class()()
    for name, squashed in data["modules"]:
        graph.add_module(name, is_squashed=squashed)
    for importer, imported, details in data["imports"]:
        if not details:
            graph.add_import(importer=importer, imported=imported)
        for line, text in details:
            graph.add_import(importer=importer, imported=imported, line_number=line, line_contents=text)
    return graph


def load_class(path):
    module_name, _, class_name = path.rpartition(".")
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name)
    if not isinstance(cls, type):
        raise TypeError(f"{path} is not a class.")
    return cls


def main():
    request = json.load(sys.stdin)
    for entry in reversed(request["sys_path"]):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    from importlinter.application import output
    from importlinter.domain.contract import Contract, InvalidContractOptions

    classes, errors = {}, {}
    for name, path in request["contract_types"]:
        try:
            cls = load_class(path)
            if not issubclass(cls, Contract):
                raise TypeError(f"{cls} is not a subclass of Contract.")
            classes[name] = cls
        except Exception as e:  # a plugin that fails to import
            errors[name] = f"{type(e).__name__}: {e}"
    graph = build(request["graph"])
    answers = []
    for spec in request["contracts"]:
        kind = spec["type"]
        if kind in errors:
            answers.append({"error": {"kind": "import", "message": errors[kind]}})
            continue
        try:
            contract = classes[kind](spec["name"], request["session_options"], spec["options"])
        except InvalidContractOptions as e:
            fields = [[str(k), str(v)] for k, v in e.errors.items()]
            answers.append({"error": {"kind": "options", "fields": fields, "message": "; ".join(f"{k}: {v}" for k, v in fields)}})
            continue
        except Exception as e:
            answers.append({"error": {"kind": "options", "message": f"{type(e).__name__}: {e}"}})
            continue
        try:
            check = contract.check(copy.deepcopy(graph), verbose=request.get("verbose", False))
            rendered = ""
            if not check.kept:
                with output.console.capture() as captured:
                    contract.render_broken_contract(check)
                rendered = captured.get()
        except Exception:
            answers.append({"error": {"kind": "check", "message": traceback.format_exc(limit=5)}})
            continue
        answers.append({
            "kept": bool(check.kept),
            "warnings": [str(w) for w in check.warnings],
            "ignored_import_count": int(getattr(check, "ignored_import_count", 0) or 0),
            "rendered": rendered,
        })
    json.dump({"contracts": answers}, sys.stdout)


if __name__ == "__main__":
    main()
