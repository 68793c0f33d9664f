//! Helpers shared by the CLI's end-to-end tests.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

pub fn archlint() -> Command {
    let mut cmd = Command::cargo_bin("archlint").unwrap();
    cmd.env("NO_COLOR", "1")
        .env_remove("ARCHLINT_NO_CACHE")
        .env_remove("ARCHLINT_CACHE_DIR")
        .env_remove("ARCHLINT_REDIS_URL")
        .env_remove("ARCHLINT_CACHE_KEY");
    cmd
}

/// archlint for tests about results: no cache (the cache has its own tests), no colour, and
/// not the virtualenv the tests happen to run in.
pub fn uncached() -> Command {
    let mut cmd = Command::cargo_bin("archlint").unwrap();
    cmd.env("NO_COLOR", "1")
        .env("ARCHLINT_NO_CACHE", "1")
        .env_remove("VIRTUAL_ENV");
    cmd
}

/// The bundled example project.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/layered-shop")
}

pub fn archlint_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("archlint")
}

/// A generated layered project: `app.{api,service,domain,infra}` with `n` modules spread over
/// the layers, each importing a few others (some against the layers, so contracts break), and
/// a `.importlinter` with a layers and a forbidden contract.
pub fn generated_project(dir: &Path, n: usize) {
    let layers = ["api", "service", "domain", "infra"];
    // Distinct contents everywhere, so every file has its own content hash.
    for layer in layers {
        write(
            dir,
            &format!("app/{layer}/__init__.py"),
            &format!("# app.{layer}\n"),
        );
    }
    write(dir, "app/__init__.py", "# app\n");
    for i in 0..n {
        let layer = layers[i % 4];
        let mut body = String::new();
        for k in 1..=3 {
            let j = (i * 7 + k * 13) % n;
            body.push_str(&format!("from app.{} import m{j}\n", layers[j % 4]));
        }
        if i % 5 == 0 {
            body.push_str("import os\nimport json\n");
        }
        body.push_str(&format!(
            "\n\nclass C{i}:\n    def run(self, x):\n        return x + {i}\n\n\ndef f{i}(a, b=1):\n    return a * b\n"
        ));
        write(dir, &format!("app/{layer}/m{i}.py"), &body);
    }
    write(
        dir,
        ".importlinter",
        "[importlinter]\nroot_package = app\ninclude_external_packages = True\n\n\
         [importlinter:contract:layers]\nname = Layers\ntype = layers\nlayers =\n    app.api\n    app.service\n    app.domain\n    app.infra\n\n\
         [importlinter:contract:no-json]\nname = Domain does not use json\ntype = forbidden\nsource_modules = app.domain\nforbidden_modules = json\n",
    );
}

pub fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

/// Run a command that must succeed and print JSON; returns what it printed.
pub fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "archlint failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Run `archlint check --format json` with extra args and env; returns the parsed report.
pub fn check_json(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut cmd = archlint();
    cmd.args(["check", "--format", "json"]).arg(root).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "archlint failed ({:?}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The parts of a report that must not depend on the cache: verdicts, violations, diagnostics.
pub fn results(report: &Value) -> Value {
    serde_json::json!({
        "summary": report["summary"],
        "contracts": report["contracts"],
        "errors": report["errors"],
        "diagnostics": report["diagnostics"],
    })
}

pub fn no_cache_results(root: &Path) -> Value {
    results(&check_json(root, &["--no-cache"], &[]))
}

/// A throwaway redis-server on a free loopback port with a temporary directory.
pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    /// Start one, or return None (test skipped) when redis-server is not installed and
    /// ARCHLINT_REQUIRE_SERVICES is not set. With it set (as the test command does), a missing
    /// server fails the test.
    pub fn start() -> Option<RedisServer> {
        let found = StdCommand::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            assert!(
                std::env::var_os("ARCHLINT_REQUIRE_SERVICES").is_none(),
                "redis-server is required (ARCHLINT_REQUIRE_SERVICES is set) but not installed"
            );
            eprintln!("SKIPPED: redis-server is not installed");
            return None;
        }
        for _ in 0..20 {
            if let Some(server) = RedisServer::start_on(free_port()) {
                return Some(server);
            }
        }
        panic!("could not start redis-server");
    }

    /// Start a server on a given port; None when it does not come up (port taken).
    pub fn start_on(port: u16) -> Option<RedisServer> {
        let dir = tempfile::tempdir().unwrap();
        let child = StdCommand::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .args(["--enable-debug-command", "local"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = RedisServer {
            port,
            child: Some(child),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(mut c) = server.client().get_connection()
                && redis::cmd("PING").query::<String>(&mut c).is_ok()
            {
                return Some(server);
            }
            if let Some(Ok(Some(_))) = server.child.as_mut().map(|c| c.try_wait()) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        server.stop();
        None
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn client(&self) -> redis::Client {
        redis::Client::open(self.url()).unwrap()
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Copy a directory tree, leaving out archlint's cache.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == ".archlint_cache" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the example project in a temporary directory, to edit.
pub fn example_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop-project");
    copy_dir(&example(), &root);
    (dir, root)
}

/// A project `app` (whose `app.web` imports requests) with its own virtualenv holding
/// requests 2.0.0, which has known vulnerabilities, and an advisory database imported from the
/// OSV sample; returns the database.
pub fn vulnerable_requests_project(root: &Path) -> PathBuf {
    write(root, "app/__init__.py", "");
    write(root, "app/web.py", "import requests\n");
    write(root, "requirements.txt", "requests==2.0.0\n");
    let site = root.join(".venv/lib/python3.11/site-packages");
    fs::create_dir_all(&site).unwrap();
    fs::write(root.join(".venv/pyvenv.cfg"), "version = 3.11.7\n").unwrap();
    let info = site.join("requests-2.0.0.dist-info");
    fs::create_dir_all(&info).unwrap();
    fs::write(
        info.join("METADATA"),
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.0.0\nLicense: Apache-2.0\n\nbody\n",
    )
    .unwrap();
    fs::write(info.join("RECORD"), "requests/__init__.py,,\n").unwrap();
    let db = root.join("advisories.db");
    archlint()
        .args(["deps", "db", "import"])
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../archlint-advisories/tests/fixtures/osv-sample.zip"),
        )
        .arg("--db")
        .arg(&db)
        .assert()
        .success();
    db
}
