//! The CI formats on the example project, as snapshots a reviewer sees change in the diff.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/layered-shop")
}

fn archlint() -> Command {
    let mut cmd = Command::cargo_bin("archlint").unwrap();
    cmd.env("NO_COLOR", "1")
        .env("ARCHLINT_NO_CACHE", "1")
        .env_remove("VIRTUAL_ENV");
    cmd
}

fn output(format: &str) -> String {
    let out = archlint()
        .args(["check", "--format", format])
        .arg(example())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn sarif() {
    let text = output("sarif");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "layers"
        && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 12));
    assert!(results.iter().any(|r| r["ruleId"] == "forbidden-package"));
    insta::with_settings!({filters => vec![(r#""version": "\d+\.\d+\.\d+""#, r#""version": "[V]""#), (r#""semanticVersion": "\d+\.\d+\.\d+""#, r#""semanticVersion": "[V]""#)]}, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn junit() {
    let text = output("junit");
    assert!(text.contains("<testsuite name=\"archlint.contracts\" tests=\"4\" failures=\"4\""));
    assert!(text.contains("<testcase name=\"dependencies: policy\""));
    insta::with_settings!({filters => vec![(r#"time="[0-9.]+""#, r#"time="[T]""#)]}, {
        insta::assert_snapshot!(text);
    });
}

#[test]
fn github_annotations() {
    let text = output("github");
    assert!(
        text.lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning "))
    );
    insta::assert_snapshot!(text);
}

#[test]
fn several_formats_at_once() {
    let dir = tempfile::tempdir().unwrap();
    archlint()
        .args(["check", "--output"])
        .arg(format!(
            "sarif={}",
            dir.path().join("out/a.sarif").display()
        ))
        .arg("--output")
        .arg(format!("junit={}", dir.path().join("a.xml").display()))
        .arg("--output")
        .arg(format!("json={}", dir.path().join("a.json").display()))
        .arg(example())
        .assert()
        .code(1)
        .stdout(predicates::str::contains("Contracts: 0 kept, 4 broken."));
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/a.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(dir.path().join("a.xml"))
            .unwrap()
            .starts_with("<?xml")
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a.json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["contracts_broken"], 4);
    archlint()
        .args(["check", "--output", "pdf=x.pdf"])
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown format 'pdf'"));
}

#[test]
fn merge_combines_shards() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for (file, contract) in [(&a, "layers"), (&b, "plugins")] {
        archlint()
            .args(["check", "--contract", contract, "--output"])
            .arg(format!("json={}", file.display()))
            .arg(example())
            .assert()
            .code(1);
    }
    let out = archlint()
        .arg("merge")
        .arg(&a)
        .arg(&b)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let merged: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(merged["summary"]["contracts_broken"], 2);
    assert_eq!(merged["summary"]["files"], 26);
    let names: Vec<&str> = merged["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Shop layers", "Plugins are independent"]);
    assert_eq!(merged["dependencies"]["errors"], 4);
    std::fs::write(dir.path().join("bad.json"), "[]").unwrap();
    archlint()
        .arg("merge")
        .arg(&a)
        .arg(dir.path().join("bad.json"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an archlint JSON report"));
}
