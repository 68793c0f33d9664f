"""Custom contract types (`contract_types`) against the real import-linter: import-linter's
documented example (which reads import details) and five contract classes of our own in the
style of its docs (shortest chains, import details, options of every kind, a changed copy of the
graph), on projects where
they are kept and broken; `lint-imports` and `archlint lint-imports --allow-plugins` must print
the same report and exit with the same code, and `archlint check --allow-plugins` must reach the
same verdicts. archlint runs the classes with the interpreter of the virtualenv import-linter is
installed in (`VIRTUAL_ENV`), as a project's CI would.
"""

import json
import os
import subprocess
import textwrap

import pytest

from test_conformance import ARCHLINT, IL_PYTHON

LINT_IMPORTS = os.path.join(os.path.dirname(IL_PYTHON), "lint-imports")
VENV = os.path.dirname(os.path.dirname(IL_PYTHON))

CONTRACTS = '''
from importlinter import Contract, ContractCheck, fields, output


class ForbiddenImportContract(Contract):
    """import-linter's documented example: a single forbidden import between two modules."""

    importer = fields.StringField()
    imported = fields.StringField()

    def check(self, graph, verbose):
        forbidden_import_details = graph.get_import_details(importer=self.importer, imported=self.imported)
        return ContractCheck(
            kept=not forbidden_import_details,
            metadata={"forbidden_import_details": forbidden_import_details},
        )

    def render_broken_contract(self, check):
        output.print_error(f"{self.importer} is not allowed to import {self.imported}:", bold=True)
        output.new_line()
        for details in check.metadata["forbidden_import_details"]:
            output.indent_cursor()
            output.print_error(f"{details['line_number']}: {details['line_contents']}")


class NoChainsContract(Contract):
    """No chain of imports from one package to another (grimp's find_shortest_chains)."""

    source = fields.ModuleField()
    target = fields.ModuleField()

    def check(self, graph, verbose):
        chains = graph.find_shortest_chains(importer=self.source.name, imported=self.target.name)
        return ContractCheck(kept=not chains, metadata={"chains": sorted(chains)})

    def render_broken_contract(self, check):
        output.print(f"{self.source} must not depend on {self.target}:")
        output.new_line()
        for chain in check.metadata["chains"]:
            output.print_error(" -> ".join(chain), bold=False)
        output.new_line()


class FewImportersContract(Contract):
    """Each listed module is imported directly by at most `max_importers` modules; importers in
    `exempt` do not count, and `warn_only` turns the breach into warnings."""

    modules = fields.ListField(subfield=fields.ModuleField())
    max_importers = fields.IntegerField()
    exempt = fields.ListField(subfield=fields.StringField(), required=False, default=[])
    warn_only = fields.BooleanField(required=False, default=False)

    def check(self, graph, verbose):
        over = {}
        for module in self.modules:
            importers = graph.find_modules_that_directly_import(module.name) - set(self.exempt)
            if len(importers) > self.max_importers:
                over[module.name] = sorted(importers)
        if self.warn_only:
            warnings = [f"{m} has {len(i)} importers" for m, i in sorted(over.items())]
            return ContractCheck(kept=True, warnings=warnings)
        return ContractCheck(kept=not over, metadata={"over": over})

    def render_broken_contract(self, check):
        for module, importers in sorted(check.metadata["over"].items()):
            output.print_error(f"{module} is imported by {len(importers)} modules (at most {self.max_importers}):")
            for importer in importers:
                output.indent_cursor()
                output.print(f"- {importer}")
            output.new_line()


class FewImportLinesContract(Contract):
    """No module imports `target` from more than `max_lines` lines (grimp's get_import_details);
    the report lists each line."""

    target = fields.StringField()
    max_lines = fields.IntegerField()

    def check(self, graph, verbose):
        over = {}
        for importer in sorted(graph.find_modules_that_directly_import(self.target)):
            details = graph.get_import_details(importer=importer, imported=self.target)
            if len(details) > self.max_lines:
                over[importer] = [(d["line_number"], d["line_contents"]) for d in details]
        return ContractCheck(kept=not over, metadata={"over": over})

    def render_broken_contract(self, check):
        for importer, lines in check.metadata["over"].items():
            output.print_error(f"{importer} imports {self.target} on {len(lines)} lines:")
            for number, contents in lines:
                output.indent_cursor()
                output.print(f"l.{number}: {contents}")
            output.new_line()


class SquashedIndependenceContract(Contract):
    """Packages independent of each other once each is squashed (changes its copy of the graph)."""

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose):
        for package in self.packages:
            graph.squash_module(package)
        found = []
        for a in self.packages:
            for b in self.packages:
                if a != b and graph.direct_import_exists(importer=a, imported=b):
                    found.append((a, b))
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check):
        for a, b in check.metadata["found"]:
            output.print_error(f"{a} imports {b}")
'''

FILES = {
    "shop/__init__.py": "",
    "shop/api.py": "from shop import services\nimport shop.domain.models\nfrom shop.domain.models import x  # again\n",
    "shop/services.py": "from shop.domain import models\nimport shop.infra.db  # a shortcut\n",
    "shop/domain/__init__.py": "",
    "shop/domain/models.py": "from shop.infra import db\nimport shop.plugins.one\n",
    "shop/infra/__init__.py": "",
    "shop/infra/db.py": "",
    "shop/plugins/__init__.py": "",
    "shop/plugins/one.py": "from shop.plugins import two\n",
    "shop/plugins/two.py": "import shop.plugins.one\nimport shop.api\n",
    "shop_contracts/__init__.py": "",
    "shop_contracts/contracts.py": CONTRACTS,
}

HEADER = """[importlinter]
root_package = shop
contract_types =
    forbidden_import: shop_contracts.contracts.ForbiddenImportContract
    no_chains: shop_contracts.contracts.NoChainsContract
    few_importers: shop_contracts.contracts.FewImportersContract
    squashed_independence: shop_contracts.contracts.SquashedIndependenceContract
    few_import_lines: shop_contracts.contracts.FewImportLinesContract
"""

CASES = {
    "documented example, broken": """
[importlinter:contract:c]
name = Services keep off the database
type = forbidden_import
importer = shop.services
imported = shop.infra.db
""",
    "documented example, kept": """
[importlinter:contract:c]
name = The API keeps off the database
type = forbidden_import
importer = shop.api
imported = shop.infra.db
""",
    "chains, broken and kept, beside a built-in contract": """
[importlinter:contract:a]
name = Domain does not reach the infrastructure
type = no_chains
source = shop.domain
target = shop.infra

[importlinter:contract:b]
name = Infrastructure does not reach the API
type = no_chains
source = shop.infra
target = shop.api

[importlinter:contract:c]
name = Layers
type = layers
layers =
    shop.api
    shop.services
    shop.domain
""",
    "options": """
[importlinter:contract:a]
name = Few importers
type = few_importers
modules =
    shop.domain.models
    shop.infra.db
max_importers = 1

[importlinter:contract:b]
name = Few importers, exemptions
type = few_importers
modules =
    shop.domain.models
max_importers = 1
exempt =
    shop.services

[importlinter:contract:c]
name = Few importers, warnings only
type = few_importers
modules =
    shop.infra.db
max_importers = 0
warn_only = True
""",
    "import details": """
[importlinter:contract:a]
name = One line per import of the models
type = few_import_lines
target = shop.domain.models
max_lines = 1

[importlinter:contract:b]
name = Two lines are fine
type = few_import_lines
target = shop.domain.models
max_lines = 2
""",
    "a copy of the graph per contract": """
[importlinter:contract:a]
name = Squashed
type = squashed_independence
packages =
    shop.plugins
    shop.infra

[importlinter:contract:b]
name = Plugins chains after the squash
type = no_chains
source = shop.plugins.two
target = shop.api
""",
    "a missing option": """
[importlinter:contract:a]
name = Incomplete
type = few_importers
modules =
    shop.infra.db
""",
}


def write_project(root, config):
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (root / ".importlinter").write_text(HEADER + config)


def environment(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "ARCHLINT_ALLOW_PLUGINS")}
    env.update(VIRTUAL_ENV=VENV, PYTHONHASHSEED="0", **extra)
    return env


def run(command, cwd, env=None):
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env or environment())
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("case", sorted(CASES))
def test_reports_equal_import_linters(tmp_path, case):
    write_project(tmp_path, CASES[case])
    theirs = run([LINT_IMPORTS, "--no-cache"], tmp_path)
    ours = run([ARCHLINT, "lint-imports", "--no-cache", "--allow-plugins"], tmp_path)
    assert (ours[0], ours[1]) == (theirs[0], theirs[1]), ours[2]


@pytest.mark.parametrize("case", sorted(c for c in CASES if c != "a missing option"))
def test_check_reaches_import_linters_verdicts(tmp_path, case):
    write_project(tmp_path, CASES[case])
    code, out, _ = run([LINT_IMPORTS, "--no-cache"], tmp_path)
    verdicts = {}
    for line in out.splitlines():
        for word in ("KEPT", "BROKEN"):
            if line.endswith(" " + word) or f" {word} (" in line:
                verdicts[line.split(f" {word}")[0]] = word == "KEPT"
    status, report, err = run([ARCHLINT, "check", "--no-cache", "--format", "json", "--allow-plugins"], tmp_path)
    assert status == code, err
    doc = json.loads(report)
    assert {c["name"]: c["kept"] for c in doc["contracts"]} == verdicts
    for c in doc["contracts"]:
        if not c["kept"] and c["kind"] in {"forbidden_import", "no_chains", "few_importers", "squashed_independence", "few_import_lines"}:
            # The class's own account, in the report and as a finding.
            assert c["rendered"].strip() and c["rendered"].strip() in c["text"]
            assert any(f["message"].startswith(c["name"] + ": ") for f in doc["findings"])


def test_plugins_run_only_when_allowed(tmp_path):
    write_project(tmp_path, CASES["documented example, broken"])
    status, _, err = run([ARCHLINT, "check", "--no-cache"], tmp_path)
    assert status == 2
    assert "custom contract type 'forbidden_import' (shop_contracts.contracts.ForbiddenImportContract)" in err
    assert "--allow-plugins" in err
    # The environment variable allows them too; the checked project's configuration cannot.
    status, _, err = run([ARCHLINT, "check", "--no-cache"], tmp_path, environment(ARCHLINT_ALLOW_PLUGINS="1"))
    assert status == 1, err


def test_a_class_that_fails_to_load_is_a_configuration_error(tmp_path):
    write_project(tmp_path, CASES["documented example, broken"].replace("type = forbidden_import", "type = broken"))
    config = tmp_path / ".importlinter"
    config.write_text(config.read_text().replace("contract_types =\n", "contract_types =\n    broken: shop_contracts.nowhere.Gone\n"))
    status, _, err = run([ARCHLINT, "check", "--no-cache", "--allow-plugins"], tmp_path)
    assert status == 2
    assert "contract 'Services keep off the database'" in err
    assert "custom contract type 'broken' (shop_contracts.nowhere.Gone): cannot load the class" in err
    assert "No module named 'shop_contracts.nowhere'" in err


def test_no_interpreter_is_a_configuration_error(tmp_path):
    write_project(tmp_path, CASES["documented example, broken"])
    status, _, err = run([ARCHLINT, "check", "--no-cache", "--allow-plugins", "--python", str(tmp_path / "no-python")], tmp_path)
    assert status == 2
    assert "custom contract type 'forbidden_import'" in err and "cannot run the interpreter" in err
