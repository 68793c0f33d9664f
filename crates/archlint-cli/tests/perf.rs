//! Performance logs: a run appends its record; `perf report` and `perf compare` read them.

mod common;

use common::{example, uncached as archlint};

use std::fs;
use std::path::Path;

use predicates::prelude::*;

fn log(path: &Path, parse_ms: &[f64]) {
    let lines: String = parse_ms
        .iter()
        .map(|p| format!("{{\"timestamp\":1,\"version\":\"0\",\"phases\":{{\"parse\":{p},\"graph\":10.0}}}}\n"))
        .collect();
    fs::write(path, lines).unwrap();
}

#[test]
fn check_appends_one_line_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("perf.jsonl");
    for _ in 0..2 {
        archlint()
            .args(["check", "--no-deps", "--perf-log"])
            .arg(&file)
            .arg(example())
            .assert()
            .code(1);
    }
    let text = fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), 2);
    let run: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for phase in ["discover", "parse", "graph", "contracts", "report", "total"] {
        assert!(run["phases"][phase].as_f64().is_some(), "{phase}");
    }
    assert_eq!(run["counts"]["files"], 13.0);
    assert!(run["counts"]["parse_cpu_ms"].as_f64().unwrap() > 0.0);
    assert!(run["counts"]["stat_hash_cpu_ms"].as_f64().is_some());
    assert!(run["peak_rss_mb"].as_f64().unwrap() > 1.0);
    archlint()
        .args(["perf", "report"])
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("2 runs").and(predicate::str::contains("p95")));
}

#[test]
fn compare_flags_a_lasting_regression_only() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.jsonl");
    let now = dir.path().join("now.jsonl");
    log(&base, &[100.0, 101.0, 99.0, 100.0, 100.0]);

    log(&now, &[125.0, 126.0, 124.0, 125.0, 127.0]);
    archlint()
        .args(["perf", "compare", "--baseline"])
        .arg(&base)
        .arg(&now)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Regressed beyond 20%: parse"));

    log(&now, &[110.0, 111.0, 109.0, 110.0, 110.0]);
    archlint()
        .args(["perf", "compare", "--baseline"])
        .arg(&base)
        .arg(&now)
        .assert()
        .code(0);

    log(&now, &[100.0, 101.0, 400.0, 100.0, 99.0]);
    archlint()
        .args(["perf", "compare", "--baseline"])
        .arg(&base)
        .arg(&now)
        .assert()
        .code(0);

    archlint()
        .args(["perf", "compare", "--threshold", "fast", "--baseline"])
        .arg(&base)
        .arg(&now)
        .assert()
        .code(2);
}

#[test]
fn per_file_parse_times_in_stats_and_json() {
    archlint()
        .args(["check", "--no-deps", "--no-cache", "--stats"])
        .arg(example())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("parse per file: p50"));
    let out = archlint()
        .args(["check", "--no-deps", "--no-cache", "--format", "json"])
        .arg(example())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let cache = serde_json::from_slice::<serde_json::Value>(&out).unwrap()["cache"].clone();
    let (p50, p95, max) = (
        cache["parse_p50_ms"].as_f64().unwrap(),
        cache["parse_p95_ms"].as_f64().unwrap(),
        cache["parse_max_ms"].as_f64().unwrap(),
    );
    assert!(p50 > 0.0 && p50 <= p95 && p95 <= max, "{p50} {p95} {max}");
    assert!(cache["slowest_file"].as_str().unwrap().ends_with(".py"));
}
