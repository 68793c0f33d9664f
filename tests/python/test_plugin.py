"""The pytest plugin, run by pytester in a subprocess as a user would run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLE, advisory_db, dist, write

APP = {
    "app/__init__.py": "",
    "app/a.py": "import app.b\n",
    "app/b.py": "import app.c\n",
    "app/c.py": "",
    "app/p/__init__.py": "",
    "app/p/x.py": "import app.p.y\n",
    "app/p/y.py": "",
    "tests/test_nothing.py": "def test_nothing():\n    pass\n",
}

# One broken contract of each type, and the import that breaks it.
BROKEN = {
    "layers": ("type = layers\nlayers =\n    app.c\n    app.b\n", "app.b -> app.c (app/b.py:1)"),
    "forbidden": ("type = forbidden\nsource_modules = app.a\nforbidden_modules = app.c\n", "app.a -> app.b (app/a.py:1)"),
    "independence": ("type = independence\nmodules =\n    app.a\n    app.b\n", "app.a -> app.b (app/a.py:1)"),
    "protected": ("type = protected\nprotected_modules = app.c\nallowed_importers = app.a\n", "app.b -> app.c (app/b.py:1)"),
    "acyclic_siblings": ("type = acyclic_siblings\nancestors = app.p\n", "app.p.y -> app.p.x (app/p/y.py:1)"),
    "private_modules": ("type = private_modules\n", "app.c -> app.p._impl (app/c.py:1)"),
}
# Files a broken contract needs beyond APP.
BROKEN_EXTRA = {
    "acyclic_siblings": {"app/p/y.py": "import app.p.x\n"},
    "private_modules": {"app/p/_impl.py": "", "app/c.py": "import app.p._impl\n"},
}


def project(root: Path, contract: str, **extra: str) -> Path:
    files = dict(APP)
    files.update(extra)
    files[".importlinter"] = f"[importlinter]\nroot_package = app\n\n[importlinter:contract:c1]\nname = The contract\n{contract}"
    return write(root, files)


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_contract_fails_with_the_clis_chain(pytester: pytest.Pytester, kind: str) -> None:
    contract, chain = BROKEN[kind]
    extra = BROKEN_EXTRA.get(kind, {})
    project(pytester.path, contract, **extra)
    result = pytester.runpytest_subprocess("--archlint", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "archlint::contract::c1" in out
    assert chain in out, out
    # The source line under the chain, as the CLI prints it.
    assert " --> app/" in out and "^" in out


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_kept_contract_passes(pytester: pytest.Pytester, kind: str) -> None:
    kept = {
        "layers": "type = layers\nlayers =\n    app.a\n    app.b\n    app.c\n",
        "forbidden": "type = forbidden\nsource_modules = app.c\nforbidden_modules = app.a\n",
        "independence": "type = independence\nmodules =\n    app.a\n    app.p\n",
        "protected": "type = protected\nprotected_modules = app.c\nallowed_importers = app.b\n",
        "acyclic_siblings": "type = acyclic_siblings\nancestors = app.p\n",
        "private_modules": "type = private_modules\n",
    }[kind]
    project(pytester.path, kept)
    result = pytester.runpytest_subprocess("--archlint", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_disabled_without_the_flag(pytester: pytest.Pytester) -> None:
    project(pytester.path, BROKEN["layers"][0])
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "archlint::" not in result.stdout.str()


def test_enabled_from_pyproject(pytester: pytest.Pytester) -> None:
    project(pytester.path, BROKEN["layers"][0])
    write(pytester.path, {"pyproject.toml": "[project]\nname = 'app'\nversion = '1'\n\n[tool.archlint]\npytest = true\n"})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)


def test_the_example_project(pytester: pytest.Pytester, shop: Path) -> None:
    result = pytester.runpytest_subprocess("--archlint", "-p", "no:cacheprovider", "-rA")
    # 4 broken contracts; policy and licenses fail; vulnerabilities, declarations, metadata pass.
    result.assert_outcomes(failed=6, passed=3)
    out = result.stdout.str()
    for line in [
        "FAILED ::archlint::contract::layers",
        "FAILED ::archlint::contract::plugins",
        "FAILED ::archlint::contract::pure-domain",
        "FAILED ::archlint::contract::models",
        "FAILED ::archlint::dependencies::policy",
        "FAILED ::archlint::dependencies::licenses",
        "PASSED ::archlint::dependencies::vulnerabilities",
    ]:
        assert line in out, out
    assert "shop.domain.models -> shop.services.orders (shop/domain/models.py:12)" in out
    assert "pyproject.toml:8: error[forbidden-package] leftpad 0.1.0 is forbidden" in out
    assert "pyproject.toml:8: error[license-denied] leftpad 0.1.0: license GPL-3.0-only is denied" in out


DEPS_APP = {
    "app/__init__.py": "import requests\n",
    "app/x.py": "",
    "app/y.py": "",
    "tests/test_nothing.py": "def test_nothing():\n    pass\n",
    ".importlinter": "[importlinter]\nroot_package = app\n\n[importlinter:contract:c]\nname = C\ntype = independence\nmodules =\n    app.x\n    app.y\n",
}


def deps_project(root: Path, policy: str, declared: str = '"requests"') -> Path:
    write(root, DEPS_APP)
    write(root, {"pyproject.toml": f"[project]\nname = 'app'\nversion = '1'\ndependencies = [{declared}]\n\n{policy}"})
    dist(root, "requests", "2.31.0", "Apache-2.0")
    return root


DEPENDENCY_CASES = {
    # area: (policy, declared, failing message)
    "policy": ('[tool.archlint.dependencies]\napproved = ["urllib3"]\nunapproved = "error"\n', '"requests"', "error[unapproved-package] requests"),
    "licenses": ('[tool.archlint.licenses]\nallow = ["MIT"]\n', '"requests"', "error[license-not-allowed] requests 2.31.0"),
    "declarations": ('[tool.archlint.dependencies]\nmissing = "error"\n', '"urllib3"', "error[missing-dependency] "),
    "vulnerabilities": ('[tool.archlint.vulnerabilities]\n', '"requests"', "error[vulnerable-package] requests 2.31.0"),
}


@pytest.mark.parametrize("area", sorted(DEPENDENCY_CASES))
def test_each_dependency_area(pytester: pytest.Pytester, area: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy, declared, message = DEPENDENCY_CASES[area]
    deps_project(pytester.path, policy, declared)
    # Only the vulnerabilities case has an advisory about the installed requests.
    fixed = "2.32.0" if area == "vulnerabilities" else "1.0"
    monkeypatch.setenv("ARCHLINT_ADVISORY_DB", str(advisory_db(tmp_path, "requests", fixed)))
    result = pytester.runpytest_subprocess("--archlint", "-p", "no:cacheprovider", "-rA")
    out = result.stdout.str()
    assert f"FAILED ::archlint::dependencies::{area}" in out, out
    assert message in out, out
    others = [a for a in ("policy", "licenses", "declarations", "vulnerabilities", "metadata") if a != area]
    for other in others:
        assert f"PASSED ::archlint::dependencies::{other}" in out, (other, out)


def test_warnings_pass_and_show_in_the_warnings_summary(pytester: pytest.Pytester) -> None:
    # Malformed metadata is a warning by default: the area passes, and pytest says why.
    deps_project(pytester.path, '[tool.archlint.dependencies]\nunused = "ignore"\n')
    dist(pytester.path, "broken", "1.0", metadata="Metadata-Version: 2.1\nName: broken\nVersion: not a version\n")
    result = pytester.runpytest_subprocess("--archlint", "-p", "no:cacheprovider", "-rA")
    out = result.stdout.str()
    assert "PASSED ::archlint::dependencies::metadata" in out, out
    assert "warnings summary" in out and "malformed-metadata" in out, out


def test_a_configuration_error_is_one_failing_item(pytester: pytest.Pytester) -> None:
    project(pytester.path, "type = forbidden\nsource_modules = app.nope\nforbidden_modules = app.c\n")
    result = pytester.runpytest_subprocess("--archlint", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "archlint::configuration" in out
    assert ".importlinter" in out and "app.nope" in out


def test_xdist_workers_share_one_analysis(pytester: pytest.Pytester, shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trace = tmp_path / "analyses.log"
    write(shop, {f"tests/test_more_{i}.py": f"def test_{i}():\n    pass\n" for i in range(6)})
    plain = pytester.runpytest_subprocess("--archlint", "-p", "no:cacheprovider")
    plain.assert_outcomes(failed=6, passed=9)
    monkeypatch.setenv("ARCHLINT_PYTEST_TRACE", str(trace))
    result = pytester.runpytest_subprocess("--archlint", "-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(failed=6, passed=9)
    assert len(trace.read_text().splitlines()) == 1, trace.read_text()


def test_a_run_without_the_plugin_loads_no_library() -> None:
    """Installed but not asked for, the plugin costs a plain pytest run no shared-library load."""
    import subprocess
    import sys

    code = "import sys, archlint.pytest_plugin, archlint; print('archlint._native' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    # Asked for, it is loaded (the check runs in-process).
    code = "import sys, archlint; archlint.Project('.').modules; print('archlint._native' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=EXAMPLE)
    assert out.stdout.strip() == "True", out.stderr
