//! The CI formats on the example project, as snapshots a reviewer sees change in the diff.

mod common;

use common::{example, uncached as archlint};

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
fn output_dir_writes_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    archlint()
        .args([
            "check",
            "--format",
            "text,json,sarif,junit,github,html",
            "--output-dir",
        ])
        .arg(&out)
        .arg(example())
        .assert()
        .code(1)
        // The text report still goes to the terminal.
        .stdout(predicates::str::contains("Contracts: 0 kept, 4 broken."));
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert!(read("archlint.txt").contains("Shop layers BROKEN"));
    assert!(!read("archlint.txt").contains('\x1b'));
    let json: serde_json::Value = serde_json::from_str(&read("archlint.json")).unwrap();
    assert_eq!(json["summary"]["contracts_broken"], 4);
    assert!(read("archlint.sarif").contains("\"2.1.0\""));
    assert!(read("archlint.junit.xml").starts_with("<?xml"));
    assert!(read("archlint.github.txt").starts_with("::"));
    let html = read("archlint.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains(
            "class=\"edge violation\" data-from=\"shop.domain\" data-to=\"shop.services\""
        )
    );
    assert_eq!(
        html.matches("<article class=\"contract broken\"").count(),
        4
    );
}

#[test]
fn html_on_stdout_and_a_custom_template() {
    let text = output("html");
    assert!(text.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"graph\""));
    assert!(text.contains("<tr class=\"error\" data-package=\"leftpad\">"));
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.html");
    std::fs::write(
        &template,
        "{{ contracts_broken }} broken of {{ contracts|length }}",
    )
    .unwrap();
    archlint()
        .args(["check", "--format", "html", "--html-template"])
        .arg(&template)
        .arg(example())
        .assert()
        .code(1)
        .stdout("4 broken of 4");
    std::fs::write(&template, "{% if %}").unwrap();
    archlint()
        .args(["check", "--format", "html", "--html-template"])
        .arg(&template)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("HTML template:"));
}

#[test]
fn several_formats_need_an_output_dir() {
    archlint()
        .args(["check", "--format", "json,sarif"])
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "several formats need --output-dir",
        ));
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
    let findings = merged["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "layers" && f["report"].is_string())
    );
    std::fs::write(dir.path().join("bad.json"), "[]").unwrap();
    archlint()
        .arg("merge")
        .arg(&a)
        .arg(dir.path().join("bad.json"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not an archlint JSON report"));
}

#[test]
fn json_report() {
    let mut doc: serde_json::Value = serde_json::from_str(&output("json")).unwrap();
    assert_eq!(doc["schema_version"], 1);
    // What changes from run to run or machine to machine.
    doc["root"] = "[root]".into();
    doc["config"] = "[config]".into();
    doc["tool"]["version"] = "[V]".into();
    assert!(doc["timings"]["peak_rss_mb"].as_f64().unwrap() > 1.0);
    doc["timings"] = "[timings]".into();
    doc["cache"] = "[cache]".into();
    doc["dependencies"]["timings"] = "[timings]".into();
    let text = serde_json::to_string_pretty(&doc).unwrap();
    insta::with_settings!({filters => vec![(r#""[^"]*/examples/layered-shop/"#, r#""[example]/"#)]}, {
        insta::assert_snapshot!(text);
    });
}
