//! Baselines: accept today's findings, fail only on new ones, and ratchet down.

mod common;

use common::example_copy;
use common::uncached as archlint;

use std::fs;

use predicates::prelude::*;

#[test]
fn accept_then_fail_only_on_new_findings() {
    let (_dir, root) = example_copy();
    archlint().arg("check").arg(&root).assert().code(1);
    archlint()
        .args(["check", "--update-baseline"])
        .arg(&root)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("wrote"));
    let baseline: serde_json::Value =
        serde_json::from_slice(&fs::read(root.join("archlint-baseline.json")).unwrap()).unwrap();
    let ids: Vec<&str> = baseline["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["identity"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"contract:layers:shop.domain.models->shop.services.orders"),
        "{ids:?}"
    );
    assert!(
        ids.iter()
            .any(|i| i.starts_with("dependency:forbidden-package:leftpad:"))
    );

    // Everything known is accepted.
    archlint()
        .arg("check")
        .arg(&root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Contracts: 4 kept, 0 broken."))
        .stderr(predicate::str::contains("findings accepted"));

    // Unrelated edits that move lines do not invalidate the baseline.
    let models = root.join("shop/domain/models.py");
    let text = fs::read_to_string(&models).unwrap();
    fs::write(&models, format!("# a comment\n\n\n{text}")).unwrap();
    archlint().arg("check").arg(&root).assert().code(0);

    // A new violation fails, and only it is reported.
    let repo = root.join("shop/infra/repository.py");
    let text = fs::read_to_string(&repo).unwrap();
    fs::write(&repo, format!("{text}\nimport shop.api.views\n")).unwrap();
    let out = archlint()
        .arg("check")
        .arg(&root)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("shop.infra.repository -> shop.api.views"),
        "{out}"
    );
    assert!(
        !out.contains("shop.domain.models -> shop.services.orders"),
        "{out}"
    );
    assert!(out.contains("Contracts: 3 kept, 1 broken."), "{out}");
}

#[test]
fn fixed_findings_are_reported_and_strict_mode_fails_on_them() {
    let (_dir, root) = example_copy();
    archlint()
        .args(["check", "--update-baseline"])
        .arg(&root)
        .assert()
        .code(0);
    // Fix one: the domain no longer imports requests.
    let models = root.join("shop/domain/models.py");
    let text = fs::read_to_string(&models)
        .unwrap()
        .replace("import requests", "");
    fs::write(&models, text).unwrap();
    archlint().arg("check").arg(&root).assert().code(0).stderr(
        predicate::str::contains("1 entries no longer occur")
            .and(predicate::str::contains("shop.domain.models->requests")),
    );
    archlint()
        .args(["check", "--strict-baseline"])
        .arg(&root)
        .assert()
        .code(1);
    // Updating shrinks the file.
    archlint()
        .args(["check", "--update-baseline"])
        .arg(&root)
        .assert()
        .code(0);
    archlint()
        .args(["check", "--strict-baseline"])
        .arg(&root)
        .assert()
        .code(0);
}

#[test]
fn a_broken_baseline_is_a_configuration_error() {
    let (_dir, root) = example_copy();
    fs::write(root.join("archlint-baseline.json"), "{ not json").unwrap();
    archlint()
        .arg("check")
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "archlint-baseline.json:1: not a baseline file",
        ));
}
