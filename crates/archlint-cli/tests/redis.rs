//! End-to-end tests of the shared Redis layer against a real redis-server (started per test on a
//! loopback port). The test command installs redis-server and sets ARCHLINT_REQUIRE_SERVICES, so
//! in CI these tests run, never skip.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use predicates::prelude::PredicateBooleanExt;
use serde_json::Value;

fn run(root: &Path, cache: &Path, redis: &str, env: &[(&str, &str)]) -> Value {
    check_json(
        root,
        &["--cache-dir", cache.to_str().unwrap(), "--redis-url", redis],
        env,
    )
}

fn redis_stats(report: &Value) -> &Value {
    &report["cache"]["redis"]
}

/// Two checkouts of the same project, each with its own disk cache, one Redis.
fn two_checkouts(n: usize) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("runner-a");
    let b = dir.path().join("runner-b");
    generated_project(&a, n);
    generated_project(&b, n);
    (dir, a, b)
}

#[test]
fn a_second_runner_parses_nothing() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (_dir, a, b) = two_checkouts(120);
    let expected = no_cache_results(&a);
    let first = run(&a, &a.join(".cache"), &server.url(), &[]);
    assert_eq!(results(&first), expected);
    assert_eq!(first["cache"]["parsed"], 125);
    let mut con = server.client().get_connection().unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("archlint:v1:facts:*")
        .query(&mut con)
        .unwrap();
    assert_eq!(keys.len(), 125);
    assert_eq!(redis_stats(&first)["writes"], 125);
    assert_eq!(redis_stats(&first)["breaker"], "closed");

    let second = run(&b, &b.join(".cache"), &server.url(), &[]);
    assert_eq!(results(&second), no_cache_results(&b));
    assert_eq!(second["cache"]["parsed"], 0, "{:#}", second["cache"]);
    assert_eq!(redis_stats(&second)["hits"], 125);
    assert_eq!(second["cache"]["hit_rate"], 100.0);
    assert_eq!(second["cache"]["layer_hit_rates"]["redis"], 100.0);
    // Entries carry the 7-day default TTL.
    let ttl: i64 = redis::cmd("TTL").arg(&keys[0]).query(&mut con).unwrap();
    assert!(ttl > 6 * 86_400 && ttl <= 7 * 86_400, "ttl {ttl}");
}

#[test]
fn dead_redis_costs_nothing_but_a_warning_in_the_stats() {
    let (_dir, a, _) = two_checkouts(30);
    let expected = no_cache_results(&a);
    // Nothing listens on this port.
    let url = format!("redis://127.0.0.1:{}", free_port());
    let report = run(&a, &a.join(".cache"), &url, &[]);
    assert_eq!(results(&report), expected);
    assert!(redis_stats(&report)["errors"].as_u64().unwrap() >= 1);
    assert_eq!(redis_stats(&report)["hits"], 0);
    // The disk layer still works.
    let warm = run(&a, &a.join(".cache"), &url, &[]);
    assert_eq!(warm["cache"]["parsed"], 0);
    assert_eq!(results(&warm), expected);
}

#[test]
fn breaker_opens_after_consecutive_failures_and_closes_after_a_probe() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path();
    generated_project(a, 20);
    // archlint's own configuration form, with a short cool-down and a threshold of 2.
    std::fs::remove_file(a.join(".importlinter")).unwrap();
    write(
        a,
        "pyproject.toml",
        "[tool.archlint]\nroot_packages = [\"app\"]\n\n[tool.archlint.cache]\n\
         breaker_threshold = 2\nbreaker_cooldown = \"3s\"\n\n\
         [[tool.archlint.contracts]]\nname = \"Layers\"\ntype = \"layers\"\n\
         layers = [\"app.api\", \"app.service\", \"app.domain\", \"app.infra\"]\n",
    );
    let cache = a.join(".cache");
    let url = server.url();
    let port = server.port;
    server.stop();
    // Redis is only asked about files the disk cache does not know: change one per run.
    let edit = |i: usize| write(a, "app/api/m0.py", &format!("import os\nX = {i}\n"));
    edit(1);
    let first = run(a, &cache, &url, &[]);
    assert_eq!(results(&first), no_cache_results(a));
    assert_eq!(redis_stats(&first)["breaker"], "closed");
    assert_eq!(redis_stats(&first)["errors"], 1);
    // The expected results of the third edit, worked out first: the runs that open the
    // breaker and find it open follow each other well within the cool-down, even on a busy
    // machine.
    edit(3);
    let expected = no_cache_results(a);
    edit(2);
    let second = run(a, &cache, &url, &[]);
    assert_eq!(redis_stats(&second)["breaker"], "open");
    // While open, Redis is not contacted at all.
    edit(3);
    let skipped = run(a, &cache, &url, &[]);
    assert_eq!(redis_stats(&skipped)["errors"], 0);
    assert_eq!(redis_stats(&skipped)["time_ms"], 0.0);
    assert_eq!(redis_stats(&skipped)["breaker"], "open");
    assert_eq!(results(&skipped), expected);
    // Redis is back; after the cool-down one run probes it and closes the breaker.
    let _back = RedisServer::start_on(port).expect("port free again");
    std::thread::sleep(Duration::from_millis(3100));
    write(a, "app/api/new_module.py", "import os\n");
    let probe = run(a, &cache, &url, &[]);
    assert_eq!(
        redis_stats(&probe)["errors"],
        0,
        "{:#}",
        redis_stats(&probe)
    );
    assert_eq!(redis_stats(&probe)["breaker"], "closed");
    assert_eq!(redis_stats(&probe)["writes"], 1);
}

#[test]
fn slow_redis_is_abandoned_within_one_timeout_and_opens_the_breaker() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (_dir, a, _) = two_checkouts(40);
    let cache = a.join(".cache");
    // Block the server for a while from another connection.
    let client = server.client();
    let sleeper = std::thread::spawn(move || {
        let mut con = client.get_connection().unwrap();
        let _: redis::RedisResult<()> = redis::cmd("DEBUG").arg("SLEEP").arg(6).query(&mut con);
    });
    std::thread::sleep(Duration::from_millis(200));
    let mut last = Value::Null;
    for i in 0..3 {
        // A changed file each run, so Redis is asked.
        write(&a, "app/api/m0.py", &format!("import os\nX = {i}\n"));
        let expected = no_cache_results(&a);
        last = run(&a, &cache, &server.url(), &[]);
        assert_eq!(results(&last), expected);
        let stats = redis_stats(&last);
        assert!(stats["errors"].as_u64().unwrap() >= 1, "{stats:#}");
        // One timeout at most per run (100 ms by default), never the 6 s of the sleep.
        assert!(stats["time_ms"].as_f64().unwrap() < 1000.0, "{stats:#}");
    }
    assert_eq!(redis_stats(&last)["breaker"], "open");
    sleeper.join().unwrap();
}

#[test]
fn redis_stopped_mid_run_changes_nothing() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let (_dir, a, b) = two_checkouts(1500);
    let expected = no_cache_results(&a);
    for delay_ms in [1u64, 20, 60, 150] {
        let mut server_b = RedisServer::start().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(archlint_path())
            .args(["check", "--format", "json", "--redis-url"])
            .arg(server_b.url())
            .arg("--cache-dir")
            .arg(cache.path())
            .arg(&a)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        server_b.stop();
        let out = child.wait_with_output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(results(&report), expected, "stopped after {delay_ms} ms");
    }
    // And a runner reading from a Redis that dies between runs.
    run(&a, &a.join(".cache"), &server.url(), &[]);
    server.stop();
    let report = run(&b, &b.join(".cache"), &server.url(), &[]);
    assert_eq!(results(&report), no_cache_results(&b));
}

#[test]
fn signed_entries_reject_tampering_and_unsigned_writers() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (_dir, a, b) = two_checkouts(30);
    let key = [("ARCHLINT_CACHE_KEY", "correct horse battery staple")];
    let first = run(&a, &a.join(".cache"), &server.url(), &key);
    assert_eq!(redis_stats(&first)["writes"], 35);

    // Tamper with three entries: flip a byte in the payload, keep the signature.
    let mut con = server.client().get_connection().unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("archlint:v1:facts:*")
        .query(&mut con)
        .unwrap();
    keys.sort();
    for k in &keys[..3] {
        let mut value: Vec<u8> = redis::cmd("GET").arg(k).query(&mut con).unwrap();
        let last = value.len() - 1;
        value[last] ^= 0x20;
        let _: () = redis::cmd("SET").arg(k).arg(value).query(&mut con).unwrap();
    }
    let second = run(&b, &b.join(".cache"), &server.url(), &key);
    assert_eq!(results(&second), no_cache_results(&b));
    assert_eq!(redis_stats(&second)["rejected_signature"], 3);
    assert_eq!(second["cache"]["parsed"], 3);
    assert_eq!(redis_stats(&second)["hits"], 32);

    // A runner with another key trusts nothing it did not sign.
    let other = [("ARCHLINT_CACHE_KEY", "another key")];
    let c = _dir.path().join("runner-c");
    generated_project(&c, 30);
    let third = run(&c, &c.join(".cache"), &server.url(), &other);
    assert_eq!(redis_stats(&third)["hits"], 0);
    assert_eq!(redis_stats(&third)["rejected_signature"], 35);
    assert_eq!(results(&third), no_cache_results(&c));

    // Unsigned entries are rejected by a runner that requires signatures.
    let _: () = redis::cmd("FLUSHALL").query(&mut con).unwrap();
    let d = _dir.path().join("runner-d");
    let e = _dir.path().join("runner-e");
    generated_project(&d, 10);
    generated_project(&e, 10);
    run(&d, &d.join(".cache"), &server.url(), &[]);
    let signed_reader = run(&e, &e.join(".cache"), &server.url(), &key);
    assert_eq!(redis_stats(&signed_reader)["rejected_unsigned"], 15);
    assert_eq!(signed_reader["cache"]["parsed"], 15);
}

#[test]
fn full_redis_is_a_failure_not_a_crash() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut con = server.client().get_connection().unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory")
        .arg("1")
        .query(&mut con)
        .unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("noeviction")
        .query(&mut con)
        .unwrap();
    let (_dir, a, _) = two_checkouts(20);
    let report = run(&a, &a.join(".cache"), &server.url(), &[]);
    assert_eq!(results(&report), no_cache_results(&a));
    let stats = redis_stats(&report);
    assert!(stats["errors"].as_u64().unwrap() >= 1, "{stats:#}");
    assert!(
        stats["last_error"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("oom"),
        "{stats:#}"
    );
    assert_eq!(stats["writes"], 0);
}

#[test]
fn dependency_side_entries_are_shared_through_redis() {
    use archlint_cache::{Cache, CacheKind, CacheOptions, KeyBuilder, RedisOptions};
    let Some(server) = RedisServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let requirements = dir.path().join("requirements.txt");
    std::fs::write(&requirements, "django==5.2\n").unwrap();
    let key = |name: &str| {
        KeyBuilder::new(CacheKind::License)
            .part("package", name)
            .file(&requirements)
            .unwrap()
            .finish()
    };
    let options = |sub: &str| CacheOptions {
        dir: Some(dir.path().join(sub)),
        redis: Some(RedisOptions::new(&server.url())),
        ..CacheOptions::default()
    };
    let runner_a = Cache::open(options("a"));
    runner_a.put(CacheKind::License, &key("django"), b"BSD-3-Clause");
    runner_a.finish();
    // Another runner, empty memory and disk: Redis answers and fills the disk layer.
    let runner_b = Cache::open(options("b"));
    assert_eq!(
        runner_b.get(CacheKind::License, &key("django")).as_deref(),
        Some(&b"BSD-3-Clause"[..])
    );
    assert_eq!(runner_b.stats()[2].hits, 1);
    let runner_c = Cache::open(CacheOptions {
        redis: None,
        ..options("b")
    });
    assert!(runner_c.get(CacheKind::License, &key("django")).is_some());
    assert_eq!(runner_c.stats()[1].hits, 1);
    // Editing the requirements file changes the key: a miss everywhere.
    std::fs::write(&requirements, "django==5.2.1\n").unwrap();
    assert!(runner_b.get(CacheKind::License, &key("django")).is_none());
}

#[test]
fn a_malformed_redis_url_is_a_usage_error() {
    let (_dir, a, _) = two_checkouts(3);
    archlint()
        .args(["check", "--redis-url", "http://user:hunter2@cache.internal"])
        .arg(&a)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("invalid Redis URL"))
        .stderr(predicates::str::contains("hunter2").not());
}

/// A fake server on loopback that accepts every connection and answers each one with `reply`,
/// one byte every `every` (the 80 ms drip of the hardening issue), or never (`reply` empty).
fn dripping_server(reply: &'static [u8], every: Duration) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut buf = [0u8; 65536];
                let _ = stream.read(&mut buf);
                if reply.is_empty() {
                    std::thread::sleep(Duration::from_secs(30));
                }
                for b in reply.iter().cycle() {
                    if stream.write_all(&[*b]).is_err() {
                        return;
                    }
                    std::thread::sleep(every);
                }
            });
        }
    });
    format!("redis://127.0.0.1:{port}")
}

fn check_with_stderr(root: &Path, cache: &Path, redis: &str) -> (Value, String, Duration) {
    let started = std::time::Instant::now();
    let out = archlint()
        .args([
            "check",
            "--format",
            "json",
            "--redis-url",
            redis,
            "--cache-dir",
        ])
        .arg(cache)
        .arg(root)
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

#[test]
fn a_dripping_redis_costs_one_deadline_not_minutes() {
    // An MGET reply that never ends, one byte every 80 ms: each socket read is quick, the
    // operation never is. Before, this made a 45 ms check take 166 s.
    let url = dripping_server(b"*1\r\n$1000000\r\n", Duration::from_millis(80));
    let (_dir, a, _) = two_checkouts(30);
    let expected = no_cache_results(&a);
    let (report, stderr, took) = check_with_stderr(&a, &a.join(".cache"), &url);
    assert_eq!(results(&report), expected);
    let stats = redis_stats(&report);
    assert_eq!(stats["errors"], 1, "{stats:#}");
    assert!(stats["time_ms"].as_f64().unwrap() < 300.0, "{stats:#}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Said once, with the reason.
    assert_eq!(
        stderr.matches("shared cache redis://").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("skipped: no complete answer within"),
        "{stderr}"
    );
}

#[test]
fn a_silent_redis_costs_at_most_its_timeout_per_run() {
    let url = dripping_server(b"", Duration::ZERO);
    let (_dir, a, _) = two_checkouts(30);
    for i in 0..2 {
        write(&a, "app/api/m0.py", &format!("import os\nX = {i}\n"));
        let expected = no_cache_results(&a);
        let (report, _, _) = check_with_stderr(&a, &a.join(".cache"), &url);
        assert_eq!(results(&report), expected);
        let stats = redis_stats(&report);
        assert_eq!(stats["errors"], 1, "{stats:#}");
        // One 100 ms deadline (connecting is part of it), not one per step.
        let ms = stats["time_ms"].as_f64().unwrap();
        assert!((90.0..150.0).contains(&ms), "{stats:#}");
    }
}

#[test]
fn the_breaker_is_kept_per_server() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path();
    generated_project(a, 10);
    std::fs::remove_file(a.join(".importlinter")).unwrap();
    write(
        a,
        "pyproject.toml",
        "[tool.archlint]\nroot_packages = [\"app\"]\n\n[tool.archlint.cache]\n\
         breaker_threshold = 1\nbreaker_cooldown = \"1h\"\n\n\
         [[tool.archlint.contracts]]\nname = \"Layers\"\ntype = \"layers\"\n\
         layers = [\"app.api\", \"app.service\", \"app.domain\", \"app.infra\"]\n",
    );
    let cache = a.join(".cache");
    let dead = format!("redis://127.0.0.1:{}", free_port());
    let first = run(a, &cache, &dead, &[]);
    assert_eq!(redis_stats(&first)["breaker"], "open");
    // The same cache directory, another server: its breaker is its own, closed.
    write(a, "app/api/m0.py", "import os\nX = 1\n");
    let other = run(a, &cache, &server.url(), &[]);
    let stats = redis_stats(&other);
    assert_eq!(stats["breaker"], "closed", "{stats:#}");
    assert_eq!(stats["errors"], 0, "{stats:#}");
    assert_eq!(stats["writes"], 1, "{stats:#}");
    // And the dead one is still skipped, saying why.
    write(a, "app/api/m0.py", "import os\nX = 2\n");
    let (again, stderr, _) = check_with_stderr(a, &cache, &dead);
    assert_eq!(redis_stats(&again)["time_ms"], 0.0);
    assert!(stderr.contains("circuit breaker is open"), "{stderr}");
}

#[test]
fn a_runner_without_the_key_never_overwrites_signed_entries() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let (_dir, a, b) = two_checkouts(20);
    let key = [("ARCHLINT_CACHE_KEY", "correct horse battery staple")];
    let signed = run(&a, &a.join(".cache"), &server.url(), &key);
    assert_eq!(redis_stats(&signed)["writes"], 25);
    let mut con = server.client().get_connection().unwrap();
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("archlint:v1:facts:*")
        .query(&mut con)
        .unwrap();
    keys.sort();
    let before: Vec<Vec<u8>> = redis::cmd("MGET").arg(&keys).query(&mut con).unwrap();
    // A runner without the key (a fork's pull request) cannot trust them and parses, but
    // leaves them as they were.
    let unsigned = run(&b, &b.join(".cache"), &server.url(), &[]);
    assert_eq!(redis_stats(&unsigned)["rejected_signature"], 25);
    assert_eq!(redis_stats(&unsigned)["writes"], 0);
    let after: Vec<Vec<u8>> = redis::cmd("MGET").arg(&keys).query(&mut con).unwrap();
    assert_eq!(before, after);
    // Signing runners keep hitting.
    let c = _dir.path().join("runner-c");
    generated_project(&c, 20);
    let again = run(&c, &c.join(".cache"), &server.url(), &key);
    assert_eq!(redis_stats(&again)["hits"], 25);
}
