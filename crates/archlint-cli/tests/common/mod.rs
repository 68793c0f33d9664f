//! Helpers shared by the CLI's end-to-end tests.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

#[allow(unused_imports)]
pub use archlint_testkit::{generated_project, pack_files, vulnerable_requests_project, write};

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
