"""Hand-written fixture projects, one per contract type and option, named for what they show.

Each fixture: files (path -> source), the config file name and text, and the verdict each
contract must have ("kept", "broken" or "error"). The conformance test checks that archlint
and import-linter agree on every contract, and that the verdicts are the expected ones.
"""

LAYERED = {
    "app/__init__.py": "",
    "app/api/__init__.py": "",
    "app/api/views.py": "from app.services import orders\n",
    "app/services/__init__.py": "",
    "app/services/orders.py": "from app.domain import models\nfrom app import utils\n",
    "app/domain/__init__.py": "",
    "app/domain/models.py": "",
    "app/utils.py": "",
}


def with_files(base, **extra):
    files = dict(base)
    files.update({k.replace("__", "/") + ".py": v for k, v in extra.items()})
    return files


def ini(root, contracts, **session):
    lines = ["[importlinter]", f"root_package = {root}" if isinstance(root, str) else
             "root_packages =\n" + "\n".join(f"    {r}" for r in root)]
    for k, v in session.items():
        lines.append(f"{k} = {v}")
    for i, c in enumerate(contracts):
        lines.append(f"\n[importlinter:contract:c{i}]")
        for k, v in c.items():
            if isinstance(v, list):
                lines.append(f"{k} =\n" + "\n".join(f"    {x}" for x in v))
            else:
                lines.append(f"{k} = {v}")
    return "\n".join(lines) + "\n"


def layers(name, layers_, **opts):
    return {"name": name, "type": "layers", "layers": layers_, **opts}


FIXTURES = {
    "layers_without_containers": (
        with_files(LAYERED, app__domain__rules="from app.api import views\n"),
        ".importlinter",
        ini("app", [layers("L", ["app.api", "app.services", "app.domain"])]),
        {"L": "broken"},
    ),
    "layers_kept": (
        LAYERED, ".importlinter",
        ini("app", [layers("L", ["api", "services", "domain"], containers="app")]),
        {"L": "kept"},
    ),
    "layers_indirect_chain_via_unlayered_module": (
        with_files(LAYERED, app__utils="from app.api import views\n",
                   app__domain__models="from app import utils\n"),
        ".importlinter",
        ini("app", [layers("L", ["api", "services", "domain"], containers="app")]),
        {"L": "broken"},
    ),
    "layers_several_containers_by_wildcard": (
        {
            "proj/__init__.py": "",
            "proj/one/__init__.py": "", "proj/one/high.py": "", "proj/one/low.py": "",
            "proj/two/__init__.py": "", "proj/two/high.py": "",
            "proj/two/low.py": "from proj.two import high\n",
        },
        ".importlinter",
        ini("proj", [layers("L", ["high", "low"], containers="proj.*")]),
        {"L": "broken"},
    ),
    "layers_independent_siblings": (
        with_files(LAYERED, app__api__admin="", app__api__public="from app.api import admin\n"),
        ".importlinter",
        ini("app", [
            layers("Independent", ["admin | public"], containers="app.api"),
            layers("Dependent", ["admin : public"], containers="app.api"),
        ]),
        {"Independent": "broken", "Dependent": "kept"},
    ),
    "layers_optional_and_missing_layers": (
        LAYERED, ".importlinter",
        ini("app", [
            layers("Optional", ["api", "(web)", "domain"], containers="app"),
            layers("Missing", ["api", "web", "domain"], containers="app"),
        ]),
        {"Optional": "kept", "Missing": "error"},
    ),
    "layers_exhaustive": (
        LAYERED, ".importlinter",
        ini("app", [
            layers("Exhaustive", ["api", "services", "domain"], containers="app", exhaustive="true"),
            layers("Ignored", ["api", "services", "domain"], containers="app", exhaustive="true",
                   exhaustive_ignores="utils"),
        ]),
        {"Exhaustive": "broken", "Ignored": "kept"},
    ),
    "layers_ignore_imports_with_wildcards": (
        with_files(LAYERED, app__domain__models="from app.api import views\nfrom app.services import orders\n"),
        ".importlinter",
        ini("app", [
            layers("Ignored", ["api", "services", "domain"], containers="app",
                   ignore_imports=["app.domain.** -> app.api.*", "app.domain.models -> app.services.orders"]),
            layers("Partly", ["api", "services", "domain"], containers="app",
                   ignore_imports=["app.*.models -> app.api.views"]),
        ]),
        {"Ignored": "kept", "Partly": "broken"},
    ),
    "unmatched_ignore_imports_alerting": (
        LAYERED, ".importlinter",
        ini("app", [
            layers("Error", ["api", "domain"], containers="app", ignore_imports="app.x -> app.y"),
            layers("Warn", ["api", "domain"], containers="app", ignore_imports="app.x -> app.y",
                   unmatched_ignore_imports_alerting="warn"),
            layers("None", ["api", "domain"], containers="app", ignore_imports="app.x -> app.y",
                   unmatched_ignore_imports_alerting="none"),
        ]),
        {"Error": "error", "Warn": "kept", "None": "kept"},
    ),
    "forbidden_internal_direct_and_indirect": (
        with_files(LAYERED, app__api__views="from app.services import orders\nimport app.utils\n"),
        ".importlinter",
        ini("app", [
            {"name": "Direct", "type": "forbidden", "source_modules": "app.api", "forbidden_modules": "app.utils"},
            {"name": "Indirect", "type": "forbidden", "source_modules": "app.api", "forbidden_modules": "app.domain"},
            {"name": "AllowIndirect", "type": "forbidden", "source_modules": "app.api",
             "forbidden_modules": "app.domain", "allow_indirect_imports": "true"},
        ]),
        {"Direct": "broken", "Indirect": "broken", "AllowIndirect": "kept"},
    ),
    "forbidden_external_packages": (
        with_files(LAYERED, app__domain__models="import requests\nfrom django.db import models\n"),
        ".importlinter",
        ini("app", [
            {"name": "Ext", "type": "forbidden", "source_modules": "app.domain", "forbidden_modules": ["django", "yaml"]},
            {"name": "SubExt", "type": "forbidden", "source_modules": "app.domain", "forbidden_modules": "django.db"},
        ], include_external_packages="True"),
        {"Ext": "broken", "SubExt": "error"},
    ),
    "forbidden_external_without_externals": (
        LAYERED, ".importlinter",
        ini("app", [{"name": "Ext", "type": "forbidden", "source_modules": "app.domain", "forbidden_modules": "django"}]),
        {"Ext": "error"},
    ),
    "forbidden_as_packages_false": (
        with_files(LAYERED, app__api__views="from app.domain import models\n"),
        ".importlinter",
        ini("app", [
            {"name": "Packages", "type": "forbidden", "source_modules": "app.api", "forbidden_modules": "app.domain"},
            {"name": "Modules", "type": "forbidden", "source_modules": "app.api", "forbidden_modules": "app.domain",
             "as_packages": "false"},
        ]),
        {"Packages": "broken", "Modules": "kept"},
    ),
    "forbidden_overlapping_wildcard": (
        with_files(LAYERED, app__api__views="from app.domain import models\n"),
        ".importlinter",
        ini("app", [{"name": "Overlap", "type": "forbidden", "source_modules": "app.api", "forbidden_modules": "app.*"}]),
        {"Overlap": "broken"},
    ),
    "independence_wildcard_and_indirect": (
        {
            "plug/__init__.py": "", "plug/shared.py": "from plug.b import x\n",
            "plug/a/__init__.py": "from plug import shared\n", "plug/b/__init__.py": "",
            "plug/b/x.py": "", "plug/c/__init__.py": "",
        },
        ".importlinter",
        ini("plug", [
            {"name": "Indep", "type": "independence", "modules": ["plug.a", "plug.b", "plug.c"]},
            {"name": "Kept", "type": "independence", "modules": ["plug.a", "plug.c"]},
            {"name": "Missing", "type": "independence", "modules": ["plug.a", "plug.zz"]},
        ]),
        {"Indep": "broken", "Kept": "kept", "Missing": "error"},
    ),
    "protected_modules": (
        with_files(LAYERED, app__api__views="from app.domain import models\n"),
        ".importlinter",
        ini("app", [
            {"name": "Prot", "type": "protected", "protected_modules": "app.domain", "allowed_importers": "app.services"},
            {"name": "Allowed", "type": "protected", "protected_modules": "app.domain",
             "allowed_importers": ["app.services", "app.api"]},
            {"name": "Wild", "type": "protected", "protected_modules": "app.*.models",
             "allowed_importers": "app.services", "as_packages": "false"},
        ]),
        {"Prot": "broken", "Allowed": "kept", "Wild": "broken"},
    ),
    "acyclic_siblings_depth_and_skip": (
        {
            "cyc/__init__.py": "", "cyc/a.py": "import cyc.b\n", "cyc/b.py": "import cyc.sub.x\n",
            "cyc/sub/__init__.py": "", "cyc/sub/x.py": "import cyc.sub.y\n", "cyc/sub/y.py": "import cyc.sub.x\n",
            "cyc/top.py": "",
        },
        ".importlinter",
        ini("cyc", [
            {"name": "Deep", "type": "acyclic_siblings", "ancestors": "cyc"},
            {"name": "Shallow", "type": "acyclic_siblings", "ancestors": "cyc", "depth": "0"},
            {"name": "Skip", "type": "acyclic_siblings", "ancestors": "cyc", "skip_descendants": "cyc.sub"},
            {"name": "Bad", "type": "acyclic_siblings", "ancestors": "cyc", "skip_descendants": "cyc"},
        ]),
        {"Deep": "broken", "Shallow": "kept", "Skip": "kept", "Bad": "error"},
    ),
    "type_checking_imports_excluded": (
        with_files(LAYERED, app__domain__models="from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.api import views\n"),
        ".importlinter",
        ini("app", [layers("L", ["api", "services", "domain"], containers="app")], exclude_type_checking_imports="True"),
        {"L": "kept"},
    ),
    "type_checking_imports_included": (
        with_files(LAYERED, app__domain__models="import typing\nif typing.TYPE_CHECKING:\n    from app.api import views\n"),
        ".importlinter",
        ini("app", [layers("L", ["api", "services", "domain"], containers="app")]),
        {"L": "broken"},
    ),
    "import_forms_relative_star_function_level": (
        with_files(LAYERED,
                   app__domain__models="def f():\n    from ..api import views\n",
                   app__domain__rules="from .models import *\nfrom . import models\n"),
        ".importlinter",
        ini("app", [layers("L", ["api", "services", "domain"], containers="app")]),
        {"L": "broken"},
    ),
    "several_root_packages": (
        {"one/__init__.py": "import two.core\n", "two/__init__.py": "", "two/core.py": "import one\n"},
        ".importlinter",
        ini(["one", "two"], [
            {"name": "F", "type": "forbidden", "source_modules": "two", "forbidden_modules": "one"},
            {"name": "I", "type": "independence", "modules": ["one", "two"]},
        ]),
        {"F": "broken", "I": "broken"},
    ),
    "namespace_root_package": (
        {
            "ns/blue/__init__.py": "from ns.green import leaf\n", "ns/green/__init__.py": "",
            "ns/green/leaf.py": "", "ns/red/__init__.py": "",
        },
        ".importlinter",
        ini("ns", [{"name": "I", "type": "independence", "modules": "ns.*"}]),
        {"I": "broken"},
    ),
    "pyproject_toml_config": (
        with_files(LAYERED, app__domain__models="import app.api\n"),
        "pyproject.toml",
        '[tool.importlinter]\nroot_packages = ["app"]\n\n[[tool.importlinter.contracts]]\n'
        'name = "L"\ntype = "layers"\ncontainers = ["app"]\nlayers = ["api", "services", "domain"]\n'
        'exhaustive = true\nexhaustive_ignores = ["utils"]\n',
        {"L": "broken"},
    ),
    "setup_cfg_config": (
        LAYERED, "setup.cfg",
        "[metadata]\nname = app\n\n" + ini("app", [layers("L", ["api", "services", "domain"], containers="app")]),
        {"L": "kept"},
    ),
    "private_modules": (
        {
            "app/__init__.py": "",
            "app/_internal.py": "",
            "app/api/__init__.py": "from . import _helpers\n",
            "app/api/_helpers.py": "import app._internal\n",
            "app/api/views.py": "from app.services._pricing import total\nfrom app.api import _helpers\n",
            "app/services/__init__.py": "from ._pricing import total\n",
            "app/services/_pricing/__init__.py": "total = 1\n",
            "app/services/_pricing/rules.py": "from .. import _pricing\n",
            "app/services/orders.py": "import app.services._pricing.rules\n",
            "app/__main__.py": "",
            "app/cli.py": "import app.__main__\nimport app.api._helpers\n",
        },
        ".importlinter",
        ini("app", [
            {"name": "All", "type": "private_modules"},
            {"name": "Services", "type": "private_modules", "packages_with_private_modules": "app.services"},
            {"name": "Api", "type": "private_modules", "packages_with_private_modules": ["app.api"],
             "ignore_imports": "app.cli -> app.api._helpers"},
            {"name": "Elsewhere", "type": "private_modules", "packages_with_private_modules": "app.services.orders"},
            {"name": "PrivatePackage", "type": "private_modules",
             "packages_with_private_modules": "app.services._pricing"},
            {"name": "WildcardMatchesPrivate", "type": "private_modules", "packages_with_private_modules": "app.*"},
            {"name": "Missing", "type": "private_modules", "packages_with_private_modules": "app.nothing"},
        ]),
        {"All": "broken", "Services": "broken", "Api": "kept", "Elsewhere": "kept",
         "PrivatePackage": "error", "WildcardMatchesPrivate": "error", "Missing": "error"},
    ),
    "invalid_options": (
        LAYERED, ".importlinter",
        ini("app", [
            layers("Typo", ["api"], containers="app", exhaustiv="true"),
            layers("Mixed", ["api | services : domain"], containers="app"),
            {"name": "NoSource", "type": "forbidden", "forbidden_modules": "app.api"},
            {"name": "BadExpr", "type": "forbidden", "source_modules": "app.a*", "forbidden_modules": "app.api"},
        ]),
        {"Typo": "error", "Mixed": "error", "NoSource": "error", "BadExpr": "error"},
    ),
    # A relative import into a directory without __init__.py, with external packages on: grimp
    # cannot find the module and records an import of the root package — for the relative
    # spelling as for the absolute one.
    "namespace_dir_relative_import": (
        {
            "app/__init__.py": "",
            "app/a/__init__.py": "",
            "app/a/x.py": "from .nsdir.mod import thing\n",
            "app/a/y.py": "from app.a.nsdir.mod import thing\n",
            "app/a/nsdir/mod.py": "thing = 1\n",
            "app/b.py": "",
        },
        ".importlinter",
        ini("app", [
            {"name": "Relative", "type": "forbidden", "source_modules": "app.a.x",
             "forbidden_modules": "app", "as_packages": "False"},
            {"name": "Absolute", "type": "forbidden", "source_modules": "app.a.y",
             "forbidden_modules": "app", "as_packages": "False"},
            {"name": "Unrelated", "type": "forbidden", "source_modules": "app.b",
             "forbidden_modules": "app", "as_packages": "False"},
        ], include_external_packages="True"),
        {"Relative": "broken", "Absolute": "broken", "Unrelated": "kept"},
    ),
}


def write_fixtures(base):
    """Every fixture project written under `base` (a pathlib.Path); {name: project path}."""
    paths = {}
    for name, (files, config_name, config_text, _) in FIXTURES.items():
        project = base / name
        for rel, text in files.items():
            path = project / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        (project / config_name).write_text(config_text)
        paths[name] = str(project)
    return paths
