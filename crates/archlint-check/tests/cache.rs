//! The check through the disk cache: incremental runs, invalidation and damaged entries, each
//! result compared with a run without cache. (Permissions, concurrent and killed processes,
//! the environment and the `cache` subcommands are the command line's: its tests.)

use std::fs;
use std::path::Path;
use std::time::Duration;

use archlint_check::{CheckOptions, check};
use archlint_engine::CacheFlags;
use archlint_testkit::{generated_project, pack_files, write};
use serde_json::{Value, json};

/// Check `root` through the cache in `cache` (none: no cache); the parts of the result these
/// tests look at, as JSON: `summary`, `contracts`, `errors`, `diagnostics`, `cache` (with each
/// layer's hit rate) and `graph` (every import with its details).
fn checked(root: &Path, cache: Option<&Path>) -> Value {
    let report = check(&CheckOptions {
        path: Some(root.to_path_buf()),
        cache: CacheFlags {
            no_cache: cache.is_none(),
            cache_dir: cache.map(Path::to_path_buf),
            redis_url: None,
        },
        ..Default::default()
    })
    .unwrap();
    let a = &report.analysis;
    let project = &a.project;
    let mut cache = serde_json::to_value(&project.cache).unwrap();
    cache["layer_hit_rates"] = project
        .cache
        .layer_hit_rates()
        .into_iter()
        .map(|(layer, rate)| (layer.to_owned(), json!(rate)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let diagnostics: Vec<Value> = project
        .files
        .iter()
        .zip(&project.diagnostics)
        .flat_map(|(f, ds)| {
            ds.iter()
                .map(move |d| json!({"module": f.module, "code": d.code, "line": d.line, "message": d.message}))
        })
        .collect();
    let graph = &project.graph;
    let mut imports: Vec<String> = graph
        .modules()
        .flat_map(|m| {
            graph.imports_with_details(m).map(move |(t, details)| {
                let details: Vec<String> = details
                    .iter()
                    .map(|d| {
                        format!(
                            "{}:{} tc={} fn={}",
                            d.line, d.column, d.type_checking, d.in_function
                        )
                    })
                    .collect();
                format!(
                    "{} -> {} {}",
                    graph.name(m),
                    graph.name(t),
                    details.join(", ")
                )
            })
        })
        .collect();
    imports.sort();
    let mut modules: Vec<&str> = graph.modules().map(|m| graph.name(m)).collect();
    modules.sort_unstable();
    json!({
        "summary": {"files": project.files.len(), "modules": graph.module_count(), "imports": graph.edge_count()},
        "contracts": a.results,
        "errors": a.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        "diagnostics": diagnostics,
        "cache": cache,
        "graph": {"modules": modules, "imports": imports},
    })
}

fn run(root: &Path, cache: &Path) -> Value {
    checked(root, Some(cache))
}

fn cache_of(report: &Value) -> &Value {
    &report["cache"]
}

/// The parts of a result that must not depend on the cache: verdicts, violations, diagnostics.
fn results(report: &Value) -> Value {
    json!({
        "summary": report["summary"],
        "contracts": report["contracts"],
        "errors": report["errors"],
        "diagnostics": report["diagnostics"],
    })
}

fn no_cache_results(root: &Path) -> Value {
    results(&checked(root, None))
}

/// The import graph, with every import's details.
fn graph_of(root: &Path, cache: Option<&Path>) -> Value {
    checked(root, cache)["graph"].clone()
}

#[test]
fn warm_run_parses_nothing_and_gives_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 60);
    let cache = dir.path().join("cache");
    let expected = no_cache_results(dir.path());

    let cold = run(dir.path(), &cache);
    assert_eq!(results(&cold), expected);
    assert_eq!(cache_of(&cold)["parsed"], 65);
    assert_eq!(cache_of(&cold)["pack_written"], true);
    assert_eq!(cache_of(&cold)["layer_hit_rates"]["stat"], 0.0);

    let warm = run(dir.path(), &cache);
    assert_eq!(results(&warm), expected);
    assert_eq!(cache_of(&warm)["parsed"], 0);
    assert_eq!(cache_of(&warm)["hit_rate"], 100.0);
    assert_eq!(cache_of(&warm)["disk"]["hits"], 65);
    assert_eq!(cache_of(&warm)["disk"]["corrupt"], 0);
    // Files written this second are re-hashed (their stat cannot be trusted yet), then found on
    // disk.
    assert!(
        cache_of(&warm)["layer_hit_rates"]["stat"]
            .as_f64()
            .is_some()
    );
    assert_eq!(cache_of(&warm)["layer_hit_rates"]["disk"], 100.0);
}

#[test]
fn one_changed_file_is_the_only_one_parsed() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 40);
    let cache = dir.path().join("cache");
    run(dir.path(), &cache);
    // A new import against the layers.
    let path = dir.path().join("app/infra/m3.py");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("\nfrom app.api import m0\n");
    fs::write(&path, text).unwrap();
    let report = run(dir.path(), &cache);
    assert_eq!(cache_of(&report)["parsed"], 1);
    assert_eq!(cache_of(&report)["graph_patched"], true);
    assert_eq!(results(&report), no_cache_results(dir.path()));
    // Touching a file without changing it costs a hash, not a parse.
    let other = dir.path().join("app/api/m0.py");
    let text = fs::read(&other).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    fs::write(&other, text).unwrap();
    let report = run(dir.path(), &cache);
    assert_eq!(cache_of(&report)["parsed"], 0);
    assert_eq!(results(&report), no_cache_results(dir.path()));
}

#[test]
fn changing_a_contract_keeps_the_facts() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 30);
    let cache = dir.path().join("cache");
    run(dir.path(), &cache);
    let config = dir.path().join(".importlinter");
    let text = fs::read_to_string(&config)
        .unwrap()
        .replace("name = Layers", "name = Layers, renamed");
    fs::write(&config, text).unwrap();
    let report = run(dir.path(), &cache);
    assert_eq!(cache_of(&report)["parsed"], 0);
    assert_eq!(report["contracts"][0]["name"], "Layers, renamed");
}

#[test]
fn syntax_errors_and_bad_files_are_cached_faithfully() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 8);
    write(dir.path(), "app/api/broken.py", "import os\ndef f(:\n");
    fs::write(dir.path().join("app/api/latin1.py"), b"x = '\xe9'\n").unwrap();
    let cache = dir.path().join("cache");
    let expected = no_cache_results(dir.path());
    assert!(
        expected["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "syntax-error")
    );
    assert_eq!(results(&run(dir.path(), &cache)), expected);
    let warm = run(dir.path(), &cache);
    assert_eq!(cache_of(&warm)["parsed"], 0);
    assert_eq!(results(&warm), expected);
}

#[test]
fn corrupt_truncated_and_foreign_packs_are_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 30);
    let cache = dir.path().join("cache");
    let expected = no_cache_results(dir.path());
    run(dir.path(), &cache);
    let pack = pack_files(&cache).pop().unwrap();
    let good = fs::read(&pack).unwrap();
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("flipped", {
            let mut b = good.clone();
            let n = b.len();
            b[n / 2] ^= 0x5a;
            b[n - 3] ^= 0x01;
            b
        }),
        ("truncated", good[..good.len() * 2 / 3].to_vec()),
        ("garbage", b"not a pack at all".to_vec()),
        ("foreign", {
            let mut b = good.clone();
            b[8] = 99; // schema
            b
        }),
        ("empty", Vec::new()),
    ];
    let graph = pack.with_extension("graph");
    for (what, bytes) in damages {
        // With the graph snapshot in place, facts are not even needed: still the same result.
        fs::write(&pack, &bytes).unwrap();
        assert_eq!(results(&run(dir.path(), &cache)), expected, "{what}");
        // Without it, the damaged facts are needed, detected, counted and recomputed.
        fs::write(&pack, &bytes).unwrap();
        fs::remove_file(&graph).unwrap();
        let report = run(dir.path(), &cache);
        assert_eq!(results(&report), expected, "{what}");
        if what != "foreign" && what != "empty" {
            assert!(
                cache_of(&report)["disk"]["corrupt"].as_u64().unwrap() > 0,
                "{what}"
            );
        }
        // The damage is repaired: the next run is clean and parses nothing.
        let again = run(dir.path(), &cache);
        assert_eq!(cache_of(&again)["disk"]["corrupt"], 0, "{what}");
        assert_eq!(cache_of(&again)["parsed"], 0, "{what}");
        assert_eq!(results(&again), expected, "{what}");
    }
}

#[test]
fn a_damaged_graph_snapshot_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 30);
    let cache = dir.path().join("cache");
    let expected = no_cache_results(dir.path());
    run(dir.path(), &cache);
    assert_eq!(run(dir.path(), &cache)["cache"]["graph_reused"], true);
    let graph = fs::read_dir(cache.join("v1/facts"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "graph"))
        .unwrap();
    let good = fs::read(&graph).unwrap();
    for cut in [0, 10, 50, good.len() / 2, good.len() - 1] {
        let mut bad = good.clone();
        bad.truncate(cut);
        fs::write(&graph, &bad).unwrap();
        let report = run(dir.path(), &cache);
        assert_eq!(report["cache"]["graph_reused"], false);
        assert_eq!(results(&report), expected);
    }
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 5] ^= 1;
    fs::write(&graph, &bad).unwrap();
    let report = run(dir.path(), &cache);
    assert_eq!(report["cache"]["graph_reused"], false);
    assert_eq!(results(&report), expected);
    // A graph change (new import) is never answered by the old snapshot.
    write(dir.path(), "app/infra/m3.py", "from app.api import m0\n");
    let report = run(dir.path(), &cache);
    assert_eq!(report["cache"]["graph_reused"], false);
    assert_eq!(results(&report), no_cache_results(dir.path()));
}

#[test]
fn patched_graphs_equal_graphs_built_from_scratch() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 40);
    let cache = dir.path().join("cache");
    let cached = |root: &Path| graph_of(root, Some(&cache));
    assert_eq!(cached(dir.path()), graph_of(dir.path(), None));
    let edits: [(&str, &str); 8] = [
        (
            "app/api/m0.py",
            "import requests\nfrom app.infra import m3\n",
        ),
        ("app/infra/m3.py", "from ..api import m0\nimport yaml\n"),
        ("app/api/m0.py", "x = 1\n"),
        ("app/domain/m2.py", "def broken(:\n    import django\n"),
        (
            "app/domain/m2.py",
            "from app.service import m1\nfrom app import api\n",
        ),
        ("app/service/__init__.py", "from . import m1\nimport json\n"),
        (
            "app/infra/m7.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.api import m4\n",
        ),
        ("app/infra/m3.py", ""),
    ];
    for (i, (path, text)) in edits.iter().enumerate() {
        write(dir.path(), path, text);
        assert_eq!(
            cached(dir.path()),
            graph_of(dir.path(), None),
            "after edit {i} of {path}"
        );
        let report = run(dir.path(), &cache);
        assert_eq!(results(&report), no_cache_results(dir.path()), "edit {i}");
    }
}

#[test]
fn target_version_reaches_the_parser_and_the_cache_key() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/__init__.py", "");
    write(dir.path(), "app/a.py", "type Alias = list[int]\n");
    write(dir.path(), "app/b.py", "import app.a\n");
    let config = |version: &str| {
        write(
            dir.path(),
            "archlint.toml",
            &format!(
                "root_packages = [\"app\"]\ntarget_version = \"{version}\"\n\n[[contracts]]\nname = \"x\"\ntype = \"independence\"\nmodules = [\"app.a\", \"app.b\"]\n"
            ),
        )
    };
    let cache = dir.path().join("cache");
    let codes = |report: &Value| -> Vec<String> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect()
    };
    config("3.11");
    let old = run(dir.path(), &cache);
    assert_eq!(
        codes(&old),
        ["unsupported-syntax"],
        "{:#}",
        old["diagnostics"]
    );
    config("3.12");
    let new = run(dir.path(), &cache);
    assert!(codes(&new).is_empty(), "{:#}", new["diagnostics"]);
    // Another target version is another facts fingerprint: everything is parsed again.
    assert_eq!(cache_of(&new)["parsed"], 3);
}

/// An unchanged project reads its contracts' outcomes back (the graph is the same): they must
/// be exactly what a search gives, and any change — a file, a contract, a setting, a damaged
/// stored outcome — must search again.
#[test]
fn stored_contract_outcomes_are_exact_and_invalidated_by_any_change() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 40);
    let cache = dir.path().join("cache");
    let root = dir.path();
    run(root, &cache);
    std::thread::sleep(Duration::from_millis(1100));
    // Warm, twice: the second reads the stored outcomes.
    run(root, &cache);
    let warm = run(root, &cache);
    assert_eq!(results(&warm), no_cache_results(root));
    let stored: Vec<std::path::PathBuf> = fs::read_dir(cache.join("v1/facts"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".result-"))
        .collect();
    assert!(!stored.is_empty(), "no stored outcomes");
    // A file: a new import against the layers.
    write(root, "app/infra/m3.py", "from app.api import m0\n");
    let report = run(root, &cache);
    assert_eq!(results(&report), no_cache_results(root));
    run(root, &cache);
    // A contract: a layer fewer changes the verdict.
    let config = root.join(".importlinter");
    let original = fs::read_to_string(&config).unwrap();
    fs::write(&config, original.replace("    app.api\n", "")).unwrap();
    let report = run(root, &cache);
    assert_eq!(results(&report), no_cache_results(root));
    // A setting that changes the graph's meaning for contracts.
    fs::write(
        &config,
        original.replace(
            "root_package = app\n",
            "root_package = app\nunmatched_modules_alerting = none\n",
        ),
    )
    .unwrap();
    let report = run(root, &cache);
    assert_eq!(results(&report), no_cache_results(root));
    // Damaged stored outcomes are recomputed.
    for p in fs::read_dir(cache.join("v1/facts")).unwrap().flatten() {
        let p = p.path();
        if p.to_string_lossy().contains(".result-") {
            let mut bytes = fs::read(&p).unwrap();
            let n = bytes.len();
            bytes[n - 2] ^= 0x55;
            fs::write(&p, bytes).unwrap();
        }
    }
    let report = run(root, &cache);
    assert_eq!(results(&report), no_cache_results(root));
}
