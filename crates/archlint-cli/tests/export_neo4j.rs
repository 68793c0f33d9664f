//! `archlint export neo4j` on the command line: what it says and its exit status. The files
//! themselves are tested through the library (crates/archlint-export/tests/neo4j.rs).

mod common;

use std::fs;

use common::*;

#[test]
fn the_example_exports_and_says_what_it_wrote() {
    let out = tempfile::tempdir().unwrap();
    archlint()
        .args(["export", "neo4j", "--no-cache", "--out"])
        .arg(out.path())
        .arg(example())
        .assert()
        .success()
        .stdout(predicates::str::contains("nodes and"));
    assert!(out.path().join("load.cypher").is_file());
    assert!(out.path().join("neo4j-admin-import.sh").is_file());
}

#[test]
fn an_unwritable_output_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    fs::write(&file, "").unwrap();
    archlint()
        .args(["export", "neo4j", "--out"])
        .arg(&file)
        .arg(example())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot write to"));
}
