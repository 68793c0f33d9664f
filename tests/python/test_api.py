"""The Python API: queries and fluent rules evaluated by the Rust engine, dependency
assertions, and errors surfacing as exceptions with archlint's message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import archlint
from conftest import EXAMPLE, advisory_db, dist, write


@pytest.fixture(scope="module")
def project():
    with archlint.Project(EXAMPLE, no_cache=True) as p:
        yield p


def test_the_package_is_typed_and_its_command_runs_the_native_module() -> None:
    assert (Path(archlint.__file__).parent / "py.typed").is_file()
    out = subprocess.run([archlint.find_archlint_bin(), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("archlint ") and archlint.__version__ in out.stdout
    # One wheel: the command is a console script calling the extension module, no second
    # executable in the package.
    package = Path(archlint.__file__).parent
    assert [p.name for p in package.glob("_native*")] and not list(package.glob("archlint*"))
    script = Path(archlint.find_archlint_bin()).read_text(encoding="utf-8", errors="replace")
    assert "archlint._cli" in script


def test_the_api_starts_no_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Queries, contract checks and whole checks run in this process."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    with archlint.Project(EXAMPLE, cache_dir=tmp_path / "cache") as p:
        assert "shop.domain.models" in p.modules
        assert not archlint.modules("shop.domain").should_not_import("shop.infra").check(p)
        assert not p.check()
        assert p.dependencies().errors("policy")


def test_the_engine_releases_the_gil(tmp_path: Path) -> None:
    """A Python thread keeps running while the engine parses a project."""
    import threading

    files = {"big/__init__.py": ""}
    for i in range(1500):
        files[f"big/m{i}.py"] = "".join(f"import big.m{j}\n" for j in range(max(0, i - 5), i)) + "x = 1\n" * 200
    write(tmp_path, files)
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    thread = threading.Thread(target=count)
    thread.start()
    try:
        before = ticks
        with archlint.Project(tmp_path, no_cache=True) as p:
            assert len(p.modules) == 1501
        during = ticks - before
    finally:
        done.set()
        thread.join()
    # Holding the GIL through the load would leave the counting thread at (nearly) zero.
    assert during > 1000, during


def test_modules_and_imports(project: archlint.Project) -> None:
    assert "shop.domain.models" in project.modules
    assert {"requests", "sqlalchemy"} <= set(project.external_packages)
    imports = {i.imported: i for i in project.imports_of("shop.domain.models")}
    assert imports["shop.services.orders"].lines == (12,)
    assert imports["shop.services.orders"].in_function
    assert imports["requests"].lines == (3,)
    assert "shop.api.views" in project.importers_of("shop.domain.models")


def test_chains(project: archlint.Project) -> None:
    chain = project.chain("shop.domain", "sqlalchemy")
    assert chain is not None
    assert chain.modules == ("shop.domain.models", "shop.services.orders", "shop.infra.repository", "sqlalchemy")
    assert str(chain.links[0]) == "shop.domain.models -> shop.services.orders (shop/domain/models.py:12)"
    assert project.chain("shop.plugins.shipping", "shop.api") is None


def test_fluent_rules(project: archlint.Project) -> None:
    rule = archlint.modules("shop.domain").should_not_import("shop.infra")
    result = rule.check(project)
    assert not result
    with pytest.raises(AssertionError) as e:
        rule.assert_holds(project)
    message = str(e.value)
    assert "shop.domain.models -> shop.services.orders (shop/domain/models.py:12)" in message
    assert "shop.services.orders -> shop.infra.repository (shop/services/orders.py:4)" in message
    # Only direct imports: the domain does not import the infrastructure directly.
    rule.allowing_indirect_imports().assert_holds(project)
    archlint.modules("shop.plugins.shipping").should_not_import("shop.api").assert_holds(project)
    # The same chain ignored by name.
    rule.ignoring("shop.domain.models -> shop.services.orders").assert_applies(project)


def test_layers_independence_and_protection(project: archlint.Project) -> None:
    with pytest.raises(AssertionError, match=r"shop.infra.repository -> shop.domain.models \(shop/infra/repository.py:3\)"):
        archlint.layers("shop.api", "shop.services", "shop.domain", "shop.infra").assert_holds(project)
    with pytest.raises(AssertionError, match="shop.plugins.payments"):
        archlint.independent("shop.plugins.payments", "shop.plugins.shipping").assert_holds(project)
    archlint.modules("shop.plugins.shipping").should_be_independent().assert_holds(project)
    with pytest.raises(AssertionError, match=r"shop.api.views -> shop.domain.models \(shop/api/views.py:2\)"):
        archlint.modules("shop.domain.models").should_only_be_imported_by("shop.services", "shop.infra").assert_holds(project)
    assert project.check_contract(type="forbidden", source_modules=["shop.api"], forbidden_modules=["sqlalchemy"], allow_indirect_imports=True)


def test_private_modules(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/__init__.py": "",
        "app/billing/__init__.py": "from . import _tax\n",
        "app/billing/_tax.py": "",
        "app/shop.py": "RATE = 1\nfrom app.billing._tax import rate\n",
        ".importlinter": "[importlinter]\nroot_package = app\n\n[importlinter:contract:x]\nname = X\ntype = independence\nmodules =\n    app.shop\n    app.billing\n",
    })
    with archlint.Project(tmp_path, no_cache=True) as p:
        with pytest.raises(AssertionError, match=r"app.shop -> app.billing._tax \(app/shop.py:2\)"):
            archlint.private_modules().assert_holds(p)
        assert not archlint.private_modules("app.billing").check(p)
        archlint.private_modules("app.billing").ignoring("app.shop -> app.billing._tax").assert_holds(p)
        with pytest.raises(archlint.ArchlintError, match="cannot be private"):
            archlint.private_modules("app.billing._tax").check(p)


def test_engine_errors_are_python_exceptions(project: archlint.Project, tmp_path: Path) -> None:
    with pytest.raises(archlint.ArchlintError, match="Module 'shop.nope' does not exist"):
        archlint.modules("shop.nope").should_not_import("shop.infra").check(project)
    with pytest.raises(archlint.ArchlintError, match="no module named 'nowhere'"):
        project.imports_of("nowhere")
    # A broken configuration: the CLI's message, with the file.
    write(tmp_path, {"app/__init__.py": "", ".importlinter": "[importlinter]\nroot_package = app\n\n[importlinter:contract:x]\nname = X\ntype = layers\nbogus = 1\nlayers =\n    app\n"})
    with pytest.raises(archlint.ConfigError) as e:
        archlint.Project(tmp_path, no_cache=True).check()
    assert "bogus" in str(e.value) and e.value.file is not None and e.value.file.endswith(".importlinter")
    assert e.value.line == 4  # the contract's section
    cli = subprocess.run([archlint.find_archlint_bin(), "check", str(tmp_path), "--no-cache"], capture_output=True, text=True)
    assert cli.returncode == 2
    assert cli.stderr.strip() == f"archlint: error: {e.value}"
    # A file the configuration reader rejects: archlint.ConfigError with the file and line,
    # the message `archlint check` prints.
    write(tmp_path, {".importlinter": "[importlinter]\nroot_package = app\n[importlinter:contract:x\n"})
    with pytest.raises(archlint.ConfigError) as e:
        archlint.Project(tmp_path, no_cache=True).modules
    cli = subprocess.run([archlint.find_archlint_bin(), "check", str(tmp_path), "--no-cache"], capture_output=True, text=True)
    assert cli.returncode == 2
    assert cli.stderr.strip() == f"archlint: error: {e.value}"
    assert e.value.file == str(tmp_path / ".importlinter") and e.value.line == 3


def test_check_report(project: archlint.Project) -> None:
    report = project.check()
    assert not report
    assert {c.name for c in report.contracts if not c.kept} == {
        "Shop layers", "Plugins are independent", "Domain stays free of frameworks", "Only services touch the domain models",
    }


def test_dependency_assertions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deps = archlint.Project(EXAMPLE, no_cache=True).dependencies()
    with pytest.raises(AssertionError) as e:
        deps.assert_licenses_allowed()
    assert "pyproject.toml:8: error[license-denied] leftpad 0.1.0: license GPL-3.0-only is denied" in str(e.value)
    with pytest.raises(AssertionError, match=r"error\[forbidden-package\] leftpad"):
        deps.assert_no_unapproved_packages()
    deps.assert_declared_matches_imports()
    deps.assert_no_vulnerabilities()
    assert {p["name"] for p in deps.packages} >= {"requests", "SQLAlchemy"}

    # Offline vulnerabilities: an advisory about the installed requests.
    monkeypatch.setenv("ARCHLINT_ADVISORY_DB", str(advisory_db(tmp_path, "requests", "2.99.0")))
    with pytest.raises(AssertionError, match=r"vulnerable-package\] requests 2.32.3"):
        archlint.Project(EXAMPLE, no_cache=True).dependencies().assert_no_vulnerabilities()


def test_a_clean_project_passes_everything(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/__init__.py": "import requests\n",
        "app/api.py": "import app.core\n",
        "app/core.py": "",
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['requests']\n\n"
                          "[tool.archlint.dependencies]\napproved = ['requests']\n\n[tool.archlint.licenses]\nallow = ['Apache-2.0']\n",
    })
    dist(tmp_path, "requests", "2.32.3", "Apache-2.0")
    with archlint.Project(tmp_path, no_cache=True) as p:
        archlint.layers("app.api", "app.core").assert_holds(p)
        p.dependencies().assert_clean()


def test_online_vulnerabilities_from_the_mock_index(tmp_path: Path) -> None:
    """`online=True` asks the package index's JSON API — here the loopback mock serving the
    recorded responses — instead of the offline database."""
    root = Path(__file__).resolve().parent.parent.parent
    mock = root / "target" / "release" / "examples" / "mock_index"
    fixtures = root / "crates" / "archlint-index" / "tests" / "fixtures" / "index-json"
    write(tmp_path, {
        "app/__init__.py": "import requests\n",
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['requests']\n\n[tool.archlint.vulnerabilities]\n",
    })
    dist(tmp_path, "requests", "2.19.1", "Apache-2.0")
    server = subprocess.Popen([str(mock), str(fixtures)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = server.stdout.readline().strip()
        deps = archlint.Project(tmp_path, no_cache=True).dependencies(online=True, index_url=url + "/simple/")
        with pytest.raises(AssertionError, match=r"vulnerable-package\] requests 2.19.1"):
            deps.assert_no_vulnerabilities()
        deps.assert_licenses_allowed()
    finally:
        server.kill()
        server.wait()


def test_a_package_directory_is_its_project() -> None:
    with archlint.Project(EXAMPLE / "shop") as p:
        assert p.info["config"].endswith(".importlinter")
        assert "shop.domain.models" in p.modules


def test_the_wheel_installs_lint_imports(tmp_path) -> None:
    """`lint-imports` from the wheel is archlint's import-linter-compatible command."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "the wheel installs a lint-imports command"
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "low.py").write_text("import app.high\n")
    (tmp_path / "app" / "high.py").write_text("")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = app\n\n[importlinter:contract:c]\nname = Layers\n"
        "type = layers\nlayers =\n    app.high\n    app.low\n"
    )
    proc = subprocess.run([exe, "--no-logo", "--no-cache"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "Layers BROKEN" in proc.stdout
    assert "- app.low -> app.high (l.1)" in proc.stdout
    assert proc.stdout.startswith("\n---------\nContracts\n---------\n")
