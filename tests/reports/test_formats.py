"""archlint's CI formats checked by the tools that read them: the SARIF output against the
SARIF 2.1.0 JSON Schema, the JUnit output parsed back by junitparser.

ARCHLINT_BIN is the archlint binary."""

import json
import os
import subprocess
from pathlib import Path

import jsonschema
from junitparser import Failure, JUnitXml

ARCHLINT = os.environ["ARCHLINT_BIN"]
HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent.parent / "examples" / "layered-shop"


def check(fmt, *extra):
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["ARCHLINT_NO_CACHE"] = "1"
    out = subprocess.run([ARCHLINT, "check", "--format", fmt, *extra, str(EXAMPLE)], capture_output=True, text=True,
                         env=env)
    assert out.returncode == 1, out.stderr
    return out.stdout


def test_sarif_is_valid_sarif_2_1_0():
    schema = json.loads((HERE / "sarif-schema-2.1.0.json").read_text())
    doc = json.loads(check("sarif"))
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"layers", "independence", "forbidden", "protected", "forbidden-package"}
    # The validator does catch a broken document.
    doc["runs"][0]["results"][0]["level"] = "catastrophic"
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an invalid level passed validation")


def test_junit_parses_back():
    xml = JUnitXml.fromstring(check("junit"))
    suites = {s.name: s for s in xml}
    contracts = suites["archlint.contracts"]
    assert contracts.tests == 4 and contracts.failures == 4
    names = [c.name for c in contracts]
    assert names == ["Shop layers", "Plugins are independent", "Domain stays free of frameworks",
                     "Only services touch the domain models"]
    layers = next(iter(contracts))
    failures = [r for r in layers.result if isinstance(r, Failure)]
    assert failures and "shop/domain/models.py:12" in failures[0].text
    deps = suites["archlint.dependencies"]
    by_name = {c.name: c for c in deps}
    assert not by_name["dependencies: policy"].is_passed
    assert by_name["dependencies: declarations"].is_passed


def test_json_matches_its_schema():
    schema = json.loads((HERE.parent.parent / "docs" / "schema" / "check-report.schema.json").read_text())
    doc = json.loads(check("json"))
    jsonschema.validate(doc, schema)
    assert doc["dependencies"]["errors"] == 2
    # The findings model, as every other format sees it.
    layers = [f for f in doc["findings"] if f["code"] == "layers"]
    assert len(layers) == 3
    assert all(f["check"]["kind"] == "contract" and f["chain"] and f["location"]["line"] for f in layers)
    assert {f["code"] for f in doc["findings"]} >= {"forbidden-package", "license-denied", "protected"}
    # The schema is strict enough to catch a wrong report.
    doc["contracts"][0]["status"] = "sort-of"
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an invalid status passed validation")
    doc["contracts"][0]["status"] = "broken"
    doc["findings"][0]["severity"] = "fatal"
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an invalid severity passed validation")


def test_rule_findings_match_the_schemas():
    schema = json.loads((HERE.parent.parent / "docs" / "schema" / "check-report.schema.json").read_text())
    doc = json.loads(check("json", "--rules"))
    jsonschema.validate(doc, schema)
    rules = [f for f in doc["findings"] if f["check"]["kind"] == "rule"]
    assert {f["code"] for f in rules} >= {"package-cycle", "magic-number"}
    assert len(rules) == len(doc["rules"]["findings"])
    doc["rules"]["findings"][0]["line"] = 0
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a rule finding on line 0 passed validation")
    sarif = json.loads(check("sarif", "--rules"))
    jsonschema.validate(sarif, json.loads((HERE / "sarif-schema-2.1.0.json").read_text()))
    assert "package-cycle" in {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    # A cycle's steps are related locations, not text folded into the message.
    cycle = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "package-cycle")
    steps = [loc["message"]["text"] for loc in cycle["relatedLocations"]]
    assert steps and all(" imports " in s for s in steps), steps
    assert " imports " not in cycle["message"]["text"]
