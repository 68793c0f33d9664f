//! The code-structure rules end to end: configuration, reports, suppression, baseline, cache.

mod common;

use std::path::Path;

use common::{archlint, uncached, write};
use predicates::prelude::*;
use serde_json::Value;

const CONFIG: &str = r#"
[tool.archlint]
root_packages = ["app"]

[tool.archlint.rules]
per-file-ignores = { "app/generated/*" = ["*"] }

[tool.archlint.rules.god-object]
max-methods = 3
"#;

const MODELS: &str = "\
class Ledger:
    def a(self):
        pass

    def b(self):
        pass

    def c(self):
        pass

    def d(self):
        pass


def settle(amount):
    if amount > 1000:
        return amount * 3  # archlint: ignore[magic-number]
    return amount
";

fn project(dir: &Path) {
    write(dir, "pyproject.toml", CONFIG);
    write(dir, "app/__init__.py", "");
    write(dir, "app/models.py", MODELS);
    write(
        dir,
        "app/loop.py",
        "def run():\n    while True:\n        break\n",
    );
    write(dir, "app/generated/__init__.py", "");
    write(
        dir,
        "app/generated/table.py",
        "def t(x):\n    return x * 77\n",
    );
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = uncached()
        .args(["check", "--format", "json"])
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn configured_rules_run_and_fail_the_check() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    uncached()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "app/models.py:1: god-object class Ledger is a god object: 4 methods (limit 3)",
        ))
        .stdout(predicate::str::contains(
            "app/models.py:16:17: magic-number magic number 1000",
        ))
        .stdout(predicate::str::contains("app/loop.py:2: unbounded-loop"))
        .stdout(predicate::str::contains(
            "Rules: 14 run, 3 findings (2 suppressed).",
        ))
        // Suppressed by comment (line 17) and by per-file-ignores (generated/).
        .stdout(predicate::str::contains("magic number 3:").not())
        .stdout(predicate::str::contains("77").not());
    // --no-rules: nothing else is configured, so there is nothing to check.
    uncached()
        .args(["check", "--no-rules"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no contracts found"));
}

#[test]
fn rule_findings_in_json_sarif_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let report = json(dir.path(), &[]);
    let rules = &report["rules"];
    assert_eq!(rules["suppressed"], 2);
    let codes: Vec<&str> = rules["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["unbounded-loop", "god-object", "magic-number"]);
    assert_eq!(
        rules["findings"][1]["identity"],
        "god-object:app.models:Ledger"
    );
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["code"] == "god-object"
        && f["check"]["kind"] == "rule"
        && f["location"]["line"] == 1));
    assert!(report["timings"]["rules_ms"].as_f64().unwrap() >= 0.0);

    let out = uncached()
        .args(["check", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"god-object"), "{rules:?}");
    let out = uncached()
        .args(["check", "--format", "junit"])
        .arg(dir.path())
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.contains("<testsuite name=\"archlint.rules\" tests=\"14\" failures=\"3\""),
        "{xml}"
    );
}

#[test]
fn baseline_accepts_rule_findings_by_symbol() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    uncached()
        .args(["check", "--update-baseline"])
        .arg(dir.path())
        .assert()
        .code(0);
    // Lines move; the identities do not.
    let moved = format!("\n\n# moved down\n{MODELS}");
    write(dir.path(), "app/models.py", &moved);
    uncached()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "(2 suppressed, 3 in the baseline)",
        ));
    // A new finding fails.
    write(dir.path(), "app/more.py", "def g():\n    global STATE\n");
    uncached()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("app/more.py:2: global-statement"));
}

#[test]
fn bad_rule_settings_are_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    write(
        dir.path(),
        "pyproject.toml",
        "[tool.archlint]\nroot_packages = [\"app\"]\n[tool.archlint.rules.god-object]\nmax-method = 3\n",
    );
    uncached()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pyproject.toml"))
        .stderr(predicate::str::contains(
            "god-object: unknown option 'max-method'",
        ));
}

#[test]
fn a_warm_run_evaluates_rules_from_cached_facts() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let run = || {
        let out = archlint()
            .args(["check", "--format", "json"])
            .arg(dir.path())
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let cold = run();
    let warm = run();
    assert!(cold["cache"]["parsed"].as_u64().unwrap() > 0);
    assert_eq!(
        warm["cache"]["parsed"], 0,
        "nothing is parsed on a warm run"
    );
    assert_eq!(warm["rules"]["findings"], cold["rules"]["findings"]);
    // The cold run evaluated every stage; the warm one read the stored findings back.
    assert!(cold["rules"]["timings_ms"]["duplication"].is_number());
    assert_eq!(warm["rules"]["timings_ms"], serde_json::json!({}));
    // One file changed: the rules are evaluated again, from cached facts for the others.
    write(dir.path(), "app/extra.py", "def g():\n    global X\n");
    let changed = run();
    assert_eq!(changed["cache"]["parsed"], 1);
    assert!(changed["rules"]["timings_ms"]["modules"].is_number());
    assert_eq!(
        changed["rules"]["findings"].as_array().unwrap().len(),
        cold["rules"]["findings"].as_array().unwrap().len() + 1
    );
}

#[test]
fn rules_catalog_and_documentation_agree() {
    let out = uncached().arg("rules").output().unwrap();
    let listing = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listing.lines().count(), 15);
    assert!(listing.contains("main-sequence-distance"));
    assert!(listing.contains("(off by default)"));
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md"))
            .unwrap();
    for line in listing.lines() {
        let code = line.split_whitespace().next().unwrap();
        let out = uncached().args(["rules", code]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        // docs/rules.md holds each rule's documentation as `archlint rules CODE` prints it.
        let section = text.replacen("# ", "### ", 1).replace("\n## ", "\n#### ");
        assert!(
            docs.contains(section.trim_end()),
            "docs/rules.md is out of date for {code}"
        );
    }
    uncached()
        .args(["rules", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule 'no-such-rule'"));
}

#[test]
fn metrics_lists_functions_classes_and_packages() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let out = uncached()
        .args(["metrics", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    let settle = m["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["qualname"] == "settle")
        .unwrap();
    assert_eq!(settle["complexity"], 2);
    assert_eq!(settle["path"], "app/models.py");
    assert_eq!(m["classes"][0]["methods"], 4);
    assert!(
        m["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["package"] == "app.models")
    );
    uncached()
        .arg("metrics")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("most complex functions:"));
}

#[test]
fn a_damaged_stored_result_is_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path());
    let cache = dir.path().join(".cache");
    let run = || {
        let out = archlint()
            .args(["check", "--format", "json", "--cache-dir"])
            .arg(&cache)
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let cold = run();
    let stored: Vec<_> = walk(&cache)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".result-"))
        .collect();
    // The rules' findings and the contracts' outcomes.
    assert_eq!(stored.len(), 2, "{stored:?}");
    for path in &stored {
        let mut bytes = std::fs::read(path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(path, bytes).unwrap();
    }
    let again = run();
    assert_eq!(again["contracts"], cold["contracts"]);
    assert_eq!(again["cache"]["parsed"], 0);
    assert!(
        again["rules"]["timings_ms"]["modules"].is_number(),
        "evaluated again"
    );
    assert_eq!(again["rules"]["findings"], cold["rules"]["findings"]);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
