"""archlint's environment inventory against pip and importlib.metadata, on a real virtualenv.

The test command (scripts/test.sh) creates the virtualenv and installs a mix of distributions
into it: wheels with top_level.txt and without, License-Expression, License and classifiers,
an editable install. ARCHLINT_BIN is the archlint binary, TEST_VENV the virtualenv.
"""

import json
import os
import subprocess
from pathlib import Path

ARCHLINT = os.environ["ARCHLINT_BIN"]
VENV = Path(os.environ["TEST_VENV"]).resolve()
PYTHON = VENV / "bin" / "python"


def archlint_inventory(*extra):
    out = subprocess.run(
        [ARCHLINT, "deps", "inventory", "--format", "json", *extra],
        check=True,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
    )
    return json.loads(out.stdout)


def test_inventory_equals_pip_list():
    ours = archlint_inventory("--venv", str(VENV))
    assert ours["environment"]["interpreter_called"] is False
    pip = json.loads(
        subprocess.run(
            [str(PYTHON), "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    mine = sorted((d["name"], d["version"]) for d in ours["distributions"])
    theirs = sorted((d["name"], d["version"]) for d in pip)
    assert mine == theirs
    assert len(mine) >= 10


def test_python_flag_reads_the_same_environment():
    by_venv = archlint_inventory("--venv", str(VENV))
    by_python = archlint_inventory("--python", str(PYTHON))
    assert [d["name"] for d in by_venv["distributions"]] == [
        d["name"] for d in by_python["distributions"]
    ]


def test_license_fields_equal_importlib_metadata():
    ours = {d["normalized"]: d for d in archlint_inventory("--venv", str(VENV))["distributions"]}
    script = r"""
import json, importlib.metadata as md, re
out = {}
for dist in md.distributions():
    m = dist.metadata
    name = re.sub(r"[-_.]+", "-", m["Name"]).lower()
    if name in out:
        continue
    out[name] = {
        "license": m.get("License"),
        "license_expression": m.get("License-Expression"),
        "classifiers": [c for c in (m.get_all("Classifier") or []) if c.startswith("License ::")],
        "requires": len(m.get_all("Requires-Dist") or []),
    }
print(json.dumps(out))
"""
    theirs = json.loads(
        subprocess.run([str(PYTHON), "-c", script], check=True, capture_output=True, text=True).stdout
    )
    assert set(ours) == set(theirs)
    checked = 0
    for name, fields in theirs.items():
        d = ours[name]
        assert d["license"] == fields["license"], name
        assert d["license_expression"] == (fields["license_expression"] or None), name
        assert d["license_classifiers"] == fields["classifiers"], name
        checked += 1
    assert checked >= 10


def test_editable_install_and_import_names():
    ours = {d["normalized"]: d for d in archlint_inventory("--venv", str(VENV))["distributions"]}
    editable = ours["editable-pkg"]
    assert editable["name"] == "Editable_Pkg"
    assert editable["direct_url"]["kind"] == "editable"
    assert ours["pyyaml"]["import_names"] == ["_yaml", "yaml"]
    assert "six" in ours["six"]["import_names"]
    assert ours["pytest"]["installer"] == "pip"


def test_licenses_resolve_for_every_distribution():
    out = subprocess.run(
        [ARCHLINT, "deps", "licenses", "--format", "json", "--venv", str(VENV)],
        check=True,
        capture_output=True,
        text=True,
    )
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows["attrs"]["license"]["expression"] == "MIT"
    assert rows["Editable_Pkg"]["license"]["expression"] == "BSD-3-Clause"
    assert rows["PyYAML"]["license"]["expression"] == "MIT"


def test_sbom_validates_against_the_cyclonedx_1_5_schema(tmp_path):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    sbom = tmp_path / "sbom.json"
    subprocess.run(
        [ARCHLINT, "deps", "sbom", "--venv", str(VENV), "-o", str(sbom)],
        check=True,
    )
    text = sbom.read_text()
    errors = JsonStrictValidator(SchemaVersion.V1_5).validate_str(text)
    assert errors is None, errors
    doc = json.loads(text)
    names = {c["name"] for c in doc["components"]}
    assert {"attrs", "PyYAML", "Editable_Pkg"} <= names
    # A broken document is caught by the same validator (the check can fail).
    doc["components"][0]["type"] = "not-a-type"
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(json.dumps(doc)) is not None
