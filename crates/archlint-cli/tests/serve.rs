//! `archlint serve` under attack: a flood of idle connections, DNS rebinding while listening on
//! every interface, framing and inline script. The page itself is tested in headless Chromium
//! (tests/reports/test_explorer.py).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;

struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    generated_project(dir.path(), 12);
    let mut child = std::process::Command::new(archlint_path())
        .args(["serve", "--port", "0", "--no-deps", "--no-watch"])
        .args(extra)
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split("serving http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server {
        child,
        port,
        _dir: dir,
    }
}

/// One request; the status code and the whole response.
fn get(port: u16, path: &str, host: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // A refused connection may be answered and closed before the request is written.
    let _ = write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

fn threads_of(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_flood_of_connections_gets_a_polite_refusal_not_a_thread_each() {
    let server = serve(&[]);
    let port = server.port;
    let host = format!("127.0.0.1:{port}");
    assert_eq!(get(port, "/api/version", &host).0, 200);
    let before = threads_of(server.child.id());
    // 600 connections that never send a request (1,500 made 1,505 threads before).
    let idle: Vec<TcpStream> = (0..600)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let during = threads_of(server.child.id());
    assert!(
        during <= before + 2,
        "{before} threads before, {during} with 600 idle connections"
    );
    // Full: answered at once with 503 and Retry-After, never served, never left hanging. (The
    // answer can race the request's own write, so a few tries: one must see the whole 503.)
    let mut polite = None;
    for _ in 0..5 {
        let started = Instant::now();
        let (status, response) = get(port, "/api/version", &host);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_ne!(status, 200, "served while full: {response}");
        if status == 503 {
            polite = Some(response);
            break;
        }
    }
    let response = polite.expect("no 503 answer while full");
    assert!(response.contains("Retry-After: 1"), "{response}");
    // The idle connections time out (5 s for a whole request); the server serves again.
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, _) = get(port, "/api/version", &host);
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "still refusing: {status}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_request_trickling_in_is_cut_at_its_deadline() {
    let server = serve(&[]);
    let port = server.port;
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let started = Instant::now();
    // One header byte every 100 ms: each read is in time, the request never ends.
    let mut closed = false;
    for _ in 0..150 {
        if stream.write_all(b"X").is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        let mut probe = [0u8; 1];
        stream.set_nonblocking(true).unwrap();
        let read = stream.read(&mut probe);
        stream.set_nonblocking(false).unwrap();
        if matches!(read, Ok(0)) {
            closed = true;
            break;
        }
    }
    assert!(closed, "the server kept a trickling request open");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[test]
fn listening_everywhere_still_checks_the_host() {
    let server = serve(&["--host", "0.0.0.0", "--allow-host", "archlint.test"]);
    let port = server.port;
    // DNS rebinding: a page at attacker.example resolved to this machine.
    assert_eq!(
        get(port, "/api/state", &format!("attacker.example:{port}")).0,
        421
    );
    assert_eq!(get(port, "/api/state", "").0, 421);
    assert_eq!(get(port, "/api/state", &format!("0.0.0.0:{port}")).0, 421);
    assert_eq!(
        get(port, "/api/state", &format!("archlint.test:{port}")).0,
        200
    );
    assert_eq!(get(port, "/api/state", &format!("localhost:{port}")).0, 200);
    assert_eq!(
        get(port, "/api/state", &format!("ARCHLINT.TEST:{port}")).0,
        200
    );
}

#[test]
fn the_page_allows_no_inline_script_and_no_framing() {
    let server = serve(&[]);
    let port = server.port;
    let host = format!("localhost:{port}");
    let (status, page) = get(port, "/", &host);
    assert_eq!(status, 200);
    let csp = page
        .lines()
        .find_map(|l| l.strip_prefix("Content-Security-Policy: "))
        .expect("a CSP header");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(page.contains("X-Frame-Options: DENY"));
    // The page has no inline script or style: they are files of their own.
    let body = page.split("\r\n\r\n").nth(1).unwrap();
    assert!(body.contains("<script src=\"/explorer.js\"></script>"));
    assert!(!body.contains("<script>") && !body.contains("<style>"));
    let (status, script) = get(port, "/explorer.js", &host);
    assert_eq!(status, 200);
    assert!(script.contains("Content-Type: text/javascript"));
    assert!(script.contains("function el("));
    let (status, style) = get(port, "/explorer.css", &host);
    assert_eq!(status, 200);
    assert!(style.contains("Content-Type: text/css"));
}
