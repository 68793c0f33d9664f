//! `archlint export postgres` against a real PostgreSQL server.
//!
//! The test command (scripts/test.sh) starts a throwaway cluster on a loopback port and sets
//! ARCHLINT_TEST_DATABASE_URL (a superuser connection) and ARCHLINT_REQUIRE_SERVICES, so in CI
//! these tests run, never skip. Each test creates its own database.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use predicates::prelude::PredicateBooleanExt;
use serde_json::Value;

/// A database of its own for one test, and a client on it.
struct Db {
    url: String,
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn connect(runtime: &tokio::runtime::Runtime, url: &str) -> tokio_postgres::Client {
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
    })
}

impl Db {
    fn create() -> Option<Db> {
        let Some(server) = std::env::var("ARCHLINT_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            assert!(
                std::env::var_os("ARCHLINT_REQUIRE_SERVICES").is_none(),
                "PostgreSQL is required (ARCHLINT_REQUIRE_SERVICES is set) but \
                 ARCHLINT_TEST_DATABASE_URL is not (scripts/postgres.sh start sets it)"
            );
            eprintln!("SKIPPED: no PostgreSQL (set ARCHLINT_TEST_DATABASE_URL)");
            return None;
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let name = format!(
            "archlint_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let admin = connect(&runtime, &server);
        runtime
            .block_on(admin.batch_execute(&format!("CREATE DATABASE {name}")))
            .unwrap();
        let base = server.rsplit_once('/').expect("URL with a database").0;
        let url = format!("{base}/{name}");
        let client = connect(&runtime, &url);
        Some(Db {
            url,
            runtime,
            client,
        })
    }

    /// Every row of a query, each value as text (`None` for NULL).
    fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let messages = self
            .runtime
            .block_on(self.client.simple_query(sql))
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        messages
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_owned))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    /// The single value of a query.
    fn value(&self, sql: &str) -> String {
        let rows = self.rows(sql);
        assert_eq!(rows.len(), 1, "{sql}: {rows:?}");
        rows[0][0].clone().unwrap_or_default()
    }

    fn count(&self, sql: &str) -> i64 {
        self.value(sql).parse().unwrap()
    }

    fn execute(&self, sql: &str) {
        self.runtime
            .block_on(self.client.batch_execute(sql))
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }
}

/// Export `root` and return the summary.
fn export(db: &Db, root: &Path) -> Value {
    json_of(
        archlint()
            .args(["export", "postgres", "--format", "json", "--url", &db.url])
            .arg(root)
            .env_remove("VIRTUAL_ENV"),
    )
}

/// The JSON report of `archlint check` for `root`.
fn report(root: &Path) -> Value {
    let out = archlint()
        .args(["check", "--format", "json"])
        .arg(root)
        .env_remove("VIRTUAL_ENV")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Row counts of the latest run against the JSON report of the same project.
fn assert_matches_report(db: &Db, summary: &Value, report: &Value) {
    let run = summary["run_id"].as_i64().unwrap();
    let project = summary["project_id"].as_i64().unwrap();
    let s = &report["summary"];
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM modules WHERE project_id = {project}"
        )),
        s["files"].as_i64().unwrap(),
        "one row per file"
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM (SELECT DISTINCT importer, imported FROM imports \
             WHERE project_id = {project}) e"
        )),
        s["imports"].as_i64().unwrap(),
        "distinct importer/imported pairs are the graph's edges"
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM contracts WHERE run_id = {run}"
        )),
        report["contracts"].as_array().unwrap().len() as i64
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM contracts WHERE run_id = {run} AND NOT kept"
        )),
        s["contracts_broken"].as_i64().unwrap()
    );
    assert_eq!(
        db.count(&format!(
            "SELECT count(*) FROM findings WHERE run_id = {run}"
        )),
        report["findings"].as_array().unwrap().len() as i64
    );
    let deps = &report["dependencies"];
    if deps.is_object() {
        let packages = deps["packages"].as_array().unwrap();
        assert_eq!(
            db.count(&format!(
                "SELECT count(*) FROM distributions WHERE run_id = {run}"
            )),
            packages.len() as i64
        );
        assert_eq!(
            db.count(&format!(
                "SELECT count(*) FROM licenses WHERE run_id = {run}"
            )),
            packages.len() as i64
        );
    }
}

#[test]
fn the_example_exports_rows_that_match_the_json_report() {
    let Some(db) = Db::create() else { return };
    let (_dir, root) = example_copy();
    let summary = export(&db, &root);
    let report = report(&root);
    assert_eq!(summary["modules_written"], summary["modules"]);
    assert_matches_report(&db, &summary, &report);
    // The example has dependencies configured: its licenses and findings are there.
    assert!(db.count("SELECT count(*) FROM distributions") > 0);
    assert_eq!(
        db.value("SELECT verdict FROM licenses WHERE distribution = 'certifi'"),
        "review"
    );
    let layers: BTreeSet<String> = db
        .rows("SELECT path || ':' || line FROM findings WHERE code = 'layers'")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    let expected: BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "layers")
        .map(|f| {
            format!(
                "{}:{}",
                f["location"]["path"].as_str().unwrap(),
                f["location"]["line"]
            )
        })
        .collect();
    assert_eq!(layers, expected);
    // Timings of the run, the export itself included.
    let phases: BTreeSet<String> = db
        .rows("SELECT phase FROM timings")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    for phase in ["discover", "parse", "graph", "contracts", "export"] {
        assert!(phases.contains(phase), "{phase} in {phases:?}");
    }
    // A line and a kind for every import.
    assert_eq!(
        db.count("SELECT count(*) FROM imports WHERE line < 1 OR kind IS NULL"),
        0
    );
}

/// The edges of `archlint graph --format json`.
fn graph_edges(root: &Path) -> BTreeSet<(String, String)> {
    let graph = json_of(archlint().args(["graph", "--format", "json"]).arg(root));
    let mut edges = BTreeSet::new();
    for e in graph["imports"].as_array().unwrap() {
        edges.insert((
            e["importer"].as_str().unwrap().to_owned(),
            e["imported"].as_str().unwrap().to_owned(),
        ));
    }
    edges
}

/// Modules on a cycle: those that reach themselves.
fn on_cycles(edges: &BTreeSet<(String, String)>) -> BTreeSet<String> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    let mut out = BTreeSet::new();
    for start in next.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = next[start].clone();
        while let Some(n) = stack.pop() {
            if n == *start {
                out.insert(start.to_string());
                break;
            }
            if seen.insert(n) {
                stack.extend(next.get(n).into_iter().flatten());
            }
        }
    }
    out
}

#[test]
fn the_views_answer_fan_in_fan_out_and_cycles_like_the_graph() {
    let Some(db) = Db::create() else { return };
    let (_dir, root) = example_copy();
    export(&db, &root);
    let edges = graph_edges(&root);
    let internal: BTreeSet<String> = db
        .rows("SELECT name FROM modules")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    let internal_edges: BTreeSet<(String, String)> = edges
        .iter()
        .filter(|(a, b)| internal.contains(a) && internal.contains(b))
        .cloned()
        .collect();
    let stored: BTreeSet<(String, String)> = db
        .rows("SELECT importer, imported FROM module_edges WHERE imported IN (SELECT name FROM modules)")
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
        .collect();
    assert_eq!(stored, internal_edges);
    for row in db.rows("SELECT module, fan_in, fan_out FROM module_fan") {
        let m = row[0].clone().unwrap();
        let fan_in = edges.iter().filter(|(_, b)| *b == m).count();
        let fan_out = db.count(&format!(
            "SELECT count(DISTINCT imported) FROM imports WHERE importer = '{m}' AND NOT external"
        ));
        assert_eq!(
            row[1].as_deref().unwrap(),
            fan_in.to_string(),
            "fan-in of {m}"
        );
        assert_eq!(
            row[2].as_deref().unwrap(),
            fan_out.to_string(),
            "fan-out of {m}"
        );
    }
    let cycles = db.rows("SELECT module, cycle FROM import_cycles");
    let modules: BTreeSet<String> = cycles.iter().map(|r| r[0].clone().unwrap()).collect();
    assert_eq!(modules, on_cycles(&internal_edges));
    assert!(!modules.is_empty(), "the example has cycles");
    for row in &cycles {
        // {a,b,...,a}: every step an edge of the graph.
        let path: Vec<String> = row[1]
            .as_deref()
            .unwrap()
            .trim_matches(|c| c == '{' || c == '}')
            .split(',')
            .map(str::to_owned)
            .collect();
        assert_eq!(path.first(), path.last());
        assert_eq!(path.first(), row[0].as_ref());
        for pair in path.windows(2) {
            assert!(
                internal_edges.contains(&(pair[0].clone(), pair[1].clone())),
                "{pair:?} is an import"
            );
        }
    }
    assert_eq!(
        db.count("SELECT count(*) FROM findings_per_run WHERE check_kind = 'contract'"),
        4
    );
}

/// (name, xmin) of every module row and (importer, imported, line, xmin) of every import row:
/// xmin changes exactly when a row is written.
fn row_versions(db: &Db) -> (BTreeMap<String, String>, BTreeSet<Vec<String>>) {
    let modules = db
        .rows("SELECT name, xmin::text FROM modules")
        .into_iter()
        .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
        .collect();
    let imports = db
        .rows("SELECT importer, imported, line::text, xmin::text FROM imports")
        .into_iter()
        .map(|r| r.into_iter().map(Option::unwrap).collect())
        .collect();
    (modules, imports)
}

#[test]
fn an_incremental_export_rewrites_exactly_the_changed_module() {
    let Some(db) = Db::create() else { return };
    let (_dir, root) = example_copy();
    let first = export(&db, &root);
    let (modules_before, imports_before) = row_versions(&db);

    // Nothing changed: nothing rewritten, but the run is recorded.
    let same = export(&db, &root);
    assert_eq!(same["modules_written"], 0);
    assert_eq!(row_versions(&db).0, modules_before);
    assert_eq!(db.count("SELECT count(*) FROM runs"), 2);

    let changed = root.join("shop/api/views.py");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push_str("\nimport shop.infra.repository\n");
    std::fs::write(&changed, text).unwrap();
    let second = export(&db, &root);
    assert_eq!(second["modules_written"], 1);
    assert_eq!(second["modules_removed"], 0);
    assert_eq!(second["modules"], first["modules"]);
    let (modules_after, imports_after) = row_versions(&db);
    let rewritten: Vec<&String> = modules_after
        .iter()
        .filter(|(name, xmin)| modules_before.get(*name) != Some(xmin))
        .map(|(name, _)| name)
        .collect();
    assert_eq!(rewritten, ["shop.api.views"]);
    let run = second["run_id"].as_i64().unwrap();
    assert_eq!(
        db.value(&format!(
            "SELECT name FROM modules WHERE written_run = {run}"
        )),
        "shop.api.views"
    );
    // Imports of the other modules are the same rows; the changed module has its new one.
    let others = |rows: &BTreeSet<Vec<String>>| -> BTreeSet<Vec<String>> {
        rows.iter()
            .filter(|r| r[0] != "shop.api.views")
            .cloned()
            .collect()
    };
    assert_eq!(others(&imports_before), others(&imports_after));
    assert_eq!(
        db.count(
            "SELECT count(*) FROM imports WHERE importer = 'shop.api.views' \
             AND imported = 'shop.infra.repository'"
        ),
        1
    );
    assert_eq!(
        second["imports"].as_i64().unwrap(),
        db.count("SELECT count(*) FROM imports")
    );

    // A removed file takes its rows with it.
    std::fs::remove_file(root.join("shop/infra/repository.py")).unwrap();
    let third = export(&db, &root);
    assert_eq!(third["modules_removed"], 1);
    assert_eq!(
        db.count("SELECT count(*) FROM modules WHERE name = 'shop.infra.repository'"),
        0
    );
    assert_eq!(
        db.count("SELECT count(*) FROM imports WHERE importer = 'shop.infra.repository'"),
        0
    );
    assert_matches_report(&db, &third, &report(&root));
}

#[test]
fn a_generated_tree_of_10k_modules_exports_and_updates_one_module() {
    let Some(db) = Db::create() else { return };
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 10_000);
    // The generated layers are imported at random, so their chains are many; a contract on
    // direct imports keeps this test about the export (and fast in a debug build).
    write(
        dir.path(),
        ".importlinter",
        "[importlinter]\nroot_package = app\ninclude_external_packages = True\n\n\
         [importlinter:contract:no-json]\nname = Domain does not use json\ntype = forbidden\n\
         source_modules = app.domain\nforbidden_modules = json\nallow_indirect_imports = True\n",
    );
    let summary = export(&db, dir.path());
    assert!(summary["modules"].as_i64().unwrap() >= 10_000);
    assert_matches_report(&db, &summary, &report(dir.path()));
    let (modules_before, _) = row_versions(&db);
    let file = dir.path().join("app/api/m0.py");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\nVALUE = 1\n");
    std::fs::write(&file, text).unwrap();
    let second = export(&db, dir.path());
    assert_eq!(second["modules_written"], 1);
    let (modules_after, _) = row_versions(&db);
    let rewritten = modules_after
        .iter()
        .filter(|(name, xmin)| modules_before.get(*name) != Some(xmin))
        .count();
    assert_eq!(rewritten, 1);
    assert_matches_report(&db, &second, &report(dir.path()));
}

#[test]
fn a_connection_killed_mid_export_leaves_no_partial_run() {
    let Some(db) = Db::create() else { return };
    let (_dir, root) = example_copy();
    export(&db, &root);
    let (modules_before, imports_before) = row_versions(&db);
    let hash_before = db.value("SELECT content_hash FROM modules WHERE name = 'shop.api.views'");

    // Change a file, then hold a lock on the table the export writes last: the export writes
    // its run, modules and imports, and waits there.
    std::fs::write(
        root.join("shop/api/views.py"),
        "import shop.domain.models\n",
    )
    .unwrap();
    let locker = connect(&db.runtime, &db.url);
    db.runtime
        .block_on(locker.batch_execute("BEGIN; LOCK TABLE timings IN ACCESS EXCLUSIVE MODE"))
        .unwrap();
    let mut child = std::process::Command::new(archlint_path())
        .args(["export", "postgres", "--url", &db.url])
        .arg(&root)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let pid = loop {
        let waiting = db.rows(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'archlint' \
             AND wait_event_type = 'Lock'",
        );
        if let Some(row) = waiting.first() {
            break row[0].clone().unwrap();
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the export ended before it was stopped"
        );
        assert!(Instant::now() < deadline, "the export never waited");
        std::thread::sleep(Duration::from_millis(20));
    };
    // Its modules and imports are written, but not visible to anyone else.
    assert_eq!(db.count("SELECT count(*) FROM runs"), 1);
    db.value(&format!("SELECT pg_terminate_backend({pid})"));
    let out = child.wait_with_output().unwrap();
    db.runtime
        .block_on(locker.batch_execute("ROLLBACK"))
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("terminat") || stderr.contains("closed"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Nothing of the second run is there.
    assert_eq!(db.count("SELECT count(*) FROM runs"), 1);
    assert_eq!(row_versions(&db), (modules_before, imports_before));
    assert_eq!(
        db.value("SELECT content_hash FROM modules WHERE name = 'shop.api.views'"),
        hash_before
    );
    // The next export goes through.
    assert_eq!(export(&db, &root)["modules_written"], 1);
}

#[test]
fn concurrent_exports_into_one_database_both_land() {
    let Some(db) = Db::create() else { return };
    let (_dir, root) = example_copy();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(archlint_path())
                .args(["export", "postgres", "--url", &db.url, "--format", "json"])
                .arg(&root)
                .env("ARCHLINT_NO_CACHE", "1")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(db.count("SELECT count(*) FROM runs"), 2);
    assert_eq!(
        db.count("SELECT sum(modules_written) FROM runs"),
        db.count("SELECT count(*) FROM modules"),
        "the second export found the first one's modules"
    );
    assert_eq!(db.count("SELECT count(*) FROM archlint_schema"), 1);
}

#[test]
fn connection_errors_are_clear_and_exit_2() {
    let Some(db) = Db::create() else { return };
    let (_dir, root) = example_copy();
    // Nothing listens on this port.
    let port = free_port();
    archlint()
        .args([
            "export",
            "postgres",
            "--connect-timeout",
            "2",
            "--url",
            &format!("postgres://archlint@127.0.0.1:{port}/nothing"),
        ])
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "cannot connect to PostgreSQL at 127.0.0.1:{port}/nothing"
        )))
        .stderr(predicates::str::contains("panicked").not());
    // A database that does not exist.
    let base = db.url.rsplit_once('/').unwrap().0;
    archlint()
        .args([
            "export",
            "postgres",
            "--url",
            &format!("{base}/no_such_database"),
        ])
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "\"no_such_database\" does not exist",
        ));
    // Not a URL at all.
    archlint()
        .args(["export", "postgres", "--url", "postgres://[::1"])
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid database URL"));
    // No URL.
    archlint()
        .args(["export", "postgres"])
        .arg(&root)
        .env_remove("ARCHLINT_DATABASE_URL")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ARCHLINT_DATABASE_URL"));
    // The URL from the environment.
    archlint()
        .args(["export", "postgres"])
        .arg(&root)
        .env("ARCHLINT_DATABASE_URL", &db.url)
        .assert()
        .success();
}

#[test]
fn a_schema_from_a_newer_archlint_is_refused_untouched() {
    let Some(db) = Db::create() else { return };
    let (_dir, root) = example_copy();
    export(&db, &root);
    db.execute("INSERT INTO archlint_schema (version, tool_version) VALUES (99, '9.0.0')");
    archlint()
        .args(["export", "postgres", "--url", &db.url])
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "the database schema is version 99, newer than this archlint supports (1)",
        ));
    assert_eq!(db.count("SELECT count(*) FROM runs"), 1);
}

#[test]
fn vulnerabilities_and_licenses_of_the_environment_are_exported() {
    let Some(db) = Db::create() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let advisories = vulnerable_requests_project(root);
    let out = archlint()
        .args([
            "export", "postgres", "--deps", "--format", "json", "--url", &db.url, "--db",
        ])
        .arg(&advisories)
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(
        &archlint()
            .args(["deps", "check", "--format", "json", "--db"])
            .arg(&advisories)
            .arg(root)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let expected: BTreeSet<String> = report["vulnerabilities"]["checked"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["vulnerabilities"].as_array().unwrap().iter())
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    let stored: BTreeSet<String> = db
        .rows("SELECT advisory FROM vulnerabilities WHERE distribution = 'requests'")
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    assert!(stored.contains("PYSEC-2014-13"), "{stored:?}");
    assert_eq!(stored, expected);
    assert_eq!(
        db.value("SELECT aliases::text FROM vulnerabilities WHERE advisory = 'PYSEC-2014-13'"),
        "{CVE-2014-1829,GHSA-cfj3-7x9c-4p3h}"
    );
    assert_eq!(
        db.value(
            "SELECT expression || ' ' || verdict FROM licenses WHERE distribution = 'requests'"
        ),
        "Apache-2.0 allowed"
    );
    assert_eq!(
        db.value("SELECT version || ' ' || role FROM distributions WHERE name = 'requests'"),
        "2.0.0 direct"
    );
}
