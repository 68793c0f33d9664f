//! The disk cache on the command line: permissions, the environment, the `cache` subcommands,
//! configuration errors, concurrent and killed processes. (Incremental runs, invalidation and
//! damaged entries are tested through the library: crates/archlint-check/tests/cache.rs.)

mod common;

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use serde_json::Value;

fn cache_of(report: &Value) -> &Value {
    &report["cache"]
}

fn run(root: &Path, cache: &Path) -> Value {
    check_json(root, &["--cache-dir", cache.to_str().unwrap()], &[])
}

#[test]
fn cache_files_are_private_and_tagged() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 5);
    // The default location, at the project root.
    check_json(dir.path(), &[], &[]);
    let cache = dir.path().join(".archlint_cache");
    assert!(cache.join("CACHEDIR.TAG").is_file());
    assert_eq!(
        fs::read_to_string(cache.join(".gitignore")).unwrap(),
        "# Created by archlint.\n*\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut stack = vec![cache.clone()];
        let mut seen = 0;
        while let Some(d) = stack.pop() {
            assert_eq!(
                fs::metadata(&d).unwrap().permissions().mode() & 0o777,
                0o700,
                "{}",
                d.display()
            );
            for e in fs::read_dir(&d).unwrap().flatten() {
                let m = e.metadata().unwrap();
                if m.is_dir() {
                    stack.push(e.path());
                } else {
                    assert_eq!(
                        m.permissions().mode() & 0o777,
                        0o600,
                        "{}",
                        e.path().display()
                    );
                    seen += 1;
                }
            }
        }
        assert!(seen >= 4);
    }
}

#[test]
fn environment_and_no_cache() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 5);
    let cache = dir.path().join("from-env");
    let report = check_json(
        dir.path(),
        &[],
        &[("ARCHLINT_CACHE_DIR", cache.to_str().unwrap())],
    );
    assert_eq!(cache_of(&report)["dir"], cache.to_str().unwrap());
    assert!(cache.join("CACHEDIR.TAG").exists());
    let report = check_json(dir.path(), &["--no-cache"], &[]);
    assert_eq!(cache_of(&report)["enabled"], false);
    assert!(!dir.path().join(".archlint_cache").exists());
}

#[test]
fn unusable_cache_dir_is_a_warning_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 10);
    let blocker = dir.path().join("blocker");
    fs::write(&blocker, b"a file where the cache should go").unwrap();
    let report = check_json(
        dir.path(),
        &["--cache-dir", blocker.join("cache").to_str().unwrap()],
        &[],
    );
    assert_eq!(results(&report), no_cache_results(dir.path()));
    assert!(report["warnings"].as_array().unwrap().iter().any(|w| {
        w.as_str()
            .unwrap()
            .contains("running without the disk cache")
    }));
}

#[test]
fn cache_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 10);
    let cache = dir.path().join("cache");
    let cache_arg = cache.to_str().unwrap();
    // Nothing there yet: said so, and nothing created.
    archlint()
        .args(["cache", "stats", "--cache-dir", cache_arg])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("no archlint cache"));
    assert!(!cache.exists());
    run(dir.path(), &cache);
    run(dir.path(), &cache);
    let out = archlint()
        .args(["cache", "stats", "--json", "--cache-dir", cache_arg])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["last_run"]["parsed"], 0);
    assert_eq!(stats["last_run"]["hit_rate"], 100.0);
    let facts = stats["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "facts")
        .unwrap();
    // The facts pack, the graph snapshot and the contracts' outcomes.
    assert_eq!(facts["entries"], 3);
    // Text form.
    archlint()
        .args(["cache", "stats", "--cache-dir", cache_arg])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("hit rate 100.0%"));
    // Prune to zero bytes removes the pack; the next run parses everything again.
    archlint()
        .args([
            "cache",
            "prune",
            "--max-size",
            "0",
            "--cache-dir",
            cache_arg,
        ])
        .arg(dir.path())
        .assert()
        .success();
    assert!(pack_files(&cache).is_empty());
    assert_eq!(cache_of(&run(dir.path(), &cache))["parsed"], 15);
    archlint()
        .args(["cache", "clear", "--cache-dir", cache_arg])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("removed"));
    assert!(pack_files(&cache).is_empty());
    assert!(cache.join("CACHEDIR.TAG").exists());
    // A bad size is a usage error.
    archlint()
        .args([
            "cache",
            "prune",
            "--max-size",
            "lots",
            "--cache-dir",
            cache_arg,
        ])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn broken_cache_settings_are_configuration_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pyproject.toml",
        "[tool.archlint]\nroot_packages = [\"app\"]\n\n[tool.archlint.cache]\nredis_ttl = \"forever\"\n\n\
         [[tool.archlint.contracts]]\nname = \"x\"\ntype = \"independence\"\nmodules = [\"app.a\", \"app.b\"]\n",
    );
    write(dir.path(), "app/__init__.py", "");
    archlint()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("pyproject.toml"))
        .stderr(predicates::str::contains("redis_ttl"));
}

#[test]
fn concurrent_processes_share_one_cache_safely() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 400);
    let cache = dir.path().join("cache");
    let expected = no_cache_results(dir.path());
    // Eight processes at once on a cold cache, then eight more while files change under them.
    for round in 0..2 {
        if round == 1 {
            for i in 0..20 {
                let p = dir.path().join(format!(
                    "app/{}/m{i}.py",
                    ["api", "service", "domain", "infra"][i % 4]
                ));
                let mut t = fs::read_to_string(&p).unwrap();
                t.push_str("\n# touched\n");
                fs::write(&p, t).unwrap();
            }
        }
        let children: Vec<_> = (0..8)
            .map(|_| {
                std::process::Command::new(archlint_path())
                    .args(["check", "--format", "json", "--cache-dir"])
                    .arg(&cache)
                    .arg(dir.path())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(results(&report), expected);
        }
    }
    let after = run(dir.path(), &cache);
    assert_eq!(cache_of(&after)["disk"]["corrupt"], 0);
    assert_eq!(cache_of(&after)["parsed"], 0);
    assert_eq!(results(&after), expected);
}

#[test]
fn a_process_killed_while_writing_leaves_nothing_wrong() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 1500);
    let cache = dir.path().join("cache");
    let expected = no_cache_results(dir.path());
    for (round, delay_ms) in [5u64, 15, 30, 50, 80, 120, 200].into_iter().enumerate() {
        // Change a few files so each round has something to write.
        for i in 0..5 {
            let n = round * 5 + i;
            let p = dir.path().join(format!(
                "app/{}/m{n}.py",
                ["api", "service", "domain", "infra"][n % 4]
            ));
            let mut t = fs::read_to_string(&p).unwrap();
            t.push_str(&format!("\nX{round} = {i}\n"));
            fs::write(&p, t).unwrap();
        }
        let expected = if round == 0 {
            expected.clone()
        } else {
            no_cache_results(dir.path())
        };
        let mut child = std::process::Command::new(archlint_path())
            .args(["check", "--format", "json", "--cache-dir"])
            .arg(&cache)
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let report = run(dir.path(), &cache);
        assert_eq!(results(&report), expected, "killed after {delay_ms} ms");
        assert_eq!(
            cache_of(&report)["disk"]["corrupt"],
            0,
            "killed after {delay_ms} ms"
        );
    }
}

/// `--cache-dir .` (or the same through ARCHLINT_CACHE_DIR or the configuration) once chmodded
/// the project to 0700, hid it from git with a `.gitignore` of `*`, and `cache prune` / `clear`
/// then deleted the sources. A directory archlint does not own is refused (exit 2), untouched.
#[test]
fn a_directory_archlint_does_not_own_is_never_used_as_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    generated_project(&project, 8);
    fs::create_dir_all(project.join(".git")).unwrap();
    fs::write(project.join(".git").join("HEAD"), "ref: refs/heads/main\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&project, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let files_before = walk(&project);
    let p = project.to_str().unwrap();
    let refused = |args: &[&str], envs: &[(&str, &str)]| {
        let mut cmd = archlint();
        cmd.args(args);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("not an archlint cache directory") && stderr.contains(p),
            "{args:?}: {stderr}"
        );
    };
    refused(&["check", p, "--cache-dir", p], &[]);
    refused(&["check", p], &[("ARCHLINT_CACHE_DIR", p)]);
    refused(&["cache", "prune", p, "--cache-dir", p], &[]);
    refused(&["cache", "clear", p, "--cache-dir", p], &[]);
    refused(&["cache", "stats", p, "--cache-dir", p], &[]);
    fs::write(
        project.join("pyproject.toml"),
        "[tool.archlint.cache]\ndir = \".\"\n",
    )
    .unwrap();
    refused(&["check", p], &[]);
    refused(&["cache", "prune", p], &[]);
    fs::remove_file(project.join("pyproject.toml")).unwrap();
    assert_eq!(
        walk(&project),
        files_before,
        "nothing written, nothing removed"
    );
    assert!(!project.join("CACHEDIR.TAG").exists());
    assert!(!project.join(".gitignore").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&project).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755);
    }
    // A new directory, or an empty one, is still fine.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let report = run(&project, &empty);
    assert_eq!(results(&report), no_cache_results(&project));
    assert!(empty.join("CACHEDIR.TAG").exists());
}

/// Every file below `root` with its contents.
fn walk(root: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for item in fs::read_dir(&d).unwrap().flatten() {
            let path = item.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The cache's own files, by the end of their names.
fn cache_file(cache: &Path, suffix: &str) -> std::path::PathBuf {
    fn all(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                all(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    all(cache, &mut files);
    files
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no cache file ending in {suffix}"))
}

#[test]
fn a_fifo_or_a_directory_in_place_of_a_cache_file_is_repaired_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 20);
    let cache = dir.path().join("cache");
    let expected = no_cache_results(dir.path());
    for suffix in [".pack", ".graph", "last-run.json"] {
        for kind in ["fifo", "dir"] {
            let _ = fs::remove_dir_all(&cache);
            run(dir.path(), &cache);
            let path = cache_file(&cache, suffix);
            fs::remove_file(&path).unwrap();
            if kind == "fifo" {
                let made = std::process::Command::new("mkfifo").arg(&path).status();
                assert!(made.is_ok_and(|s| s.success()), "mkfifo");
            } else {
                fs::create_dir_all(path.join("inside")).unwrap();
            }
            // A FIFO opened for reading would block for ever: the run must not wait on it.
            let out = archlint()
                .args(["check", "--format", "json", "--cache-dir"])
                .arg(&cache)
                .arg(dir.path())
                .timeout(Duration::from_secs(20))
                .output()
                .unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{suffix} {kind}: {out:?}"
            );
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(results(&report), expected, "{suffix} {kind}");
            // Repaired: a regular file again, and the next run is warm.
            assert!(
                fs::symlink_metadata(&path).unwrap().is_file(),
                "{suffix} {kind} not repaired"
            );
            let warm = run(dir.path(), &cache);
            assert_eq!(warm["cache"]["parsed"], 0, "{suffix} {kind}");
        }
    }
}
