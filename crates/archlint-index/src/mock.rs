//! A mock package index and OSV service on 127.0.0.1, for tests and benchmarks: it serves a
//! directory of index JSON API responses (`<dir>/<name>/<version>.json`, with a sibling
//! `<version>.status` holding `404` for a package the index does not have), answers OSV
//! batch queries from the same data, and misbehaves on request: latency, failures, 429 with
//! `Retry-After`, hangs, resets, malformed JSON. It counts requests and the most it ever had
//! in flight.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    Normal,
    /// Half of the packages (a fixed half, by name) always get a 503.
    FailHalf,
    /// Every request gets this status.
    Status(u16),
    /// The first `times` requests for each path get 429 with `Retry-After: <secs>`.
    RateLimited {
        retry_after_secs: u64,
        times: usize,
    },
    /// Never answers.
    Hang,
    /// Closes the connection without answering.
    Reset,
    /// 200 with a body that is not JSON.
    Malformed,
    /// The first `n` requests (any path) get a 503, then everything is normal.
    FailFirst(usize),
}

#[derive(Default)]
struct Counters {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    requests: AtomicUsize,
}

struct State {
    dir: PathBuf,
    latency: Mutex<Duration>,
    behaviour: Mutex<Behaviour>,
    counters: Counters,
    per_path: Mutex<HashMap<String, usize>>,
    /// Advisory id → (package, the index's vulnerability object).
    vulns: HashMap<String, (String, serde_json::Value)>,
    /// Answer any release the directory lacks with a plain, vulnerability-free response.
    synthetic: std::sync::atomic::AtomicBool,
}

/// A running mock server; stops when dropped.
pub struct MockServer {
    pub url: String,
    state: Arc<State>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn index_vulns(dir: &Path) -> HashMap<String, (String, serde_json::Value)> {
    let mut out = HashMap::new();
    for pkg in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = pkg.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(pkg.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(text) = std::fs::read_to_string(file.path()) else {
                continue;
            };
            let Ok(doc) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            for v in doc["vulnerabilities"].as_array().into_iter().flatten() {
                if let Some(id) = v["id"].as_str() {
                    out.entry(id.to_owned())
                        .or_insert_with(|| (name.clone(), v.clone()));
                }
            }
        }
    }
    out
}

impl MockServer {
    /// Serve `dir` on a free loopback port.
    pub fn start(dir: &Path) -> MockServer {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        std_listener.set_nonblocking(true).expect("non-blocking");
        let url = format!("http://{}", std_listener.local_addr().expect("address"));
        let state = Arc::new(State {
            dir: dir.to_owned(),
            latency: Mutex::new(Duration::ZERO),
            behaviour: Mutex::new(Behaviour::Normal),
            counters: Counters::default(),
            per_path: Mutex::new(HashMap::new()),
            vulns: index_vulns(dir),
            synthetic: std::sync::atomic::AtomicBool::new(false),
        });
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let served = state.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("listener");
                loop {
                    tokio::select! {
                        _ = &mut stopped => break,
                        accepted = listener.accept() => {
                            if let Ok((stream, _)) = accepted {
                                tokio::spawn(handle(stream, served.clone()));
                            }
                        }
                    }
                }
            });
            runtime.shutdown_background();
        });
        MockServer {
            url,
            state,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Answer releases the directory lacks with a synthetic response (for benchmarks).
    pub fn set_synthetic(&self, on: bool) {
        self.state.synthetic.store(on, Ordering::SeqCst);
    }

    pub fn set_latency(&self, latency: Duration) {
        *self.state.latency.lock().unwrap() = latency;
    }

    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.state.behaviour.lock().unwrap() = behaviour;
        self.state.per_path.lock().unwrap().clear();
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.state.counters.requests.load(Ordering::SeqCst)
    }

    /// The most requests ever in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.counters.max_in_flight.load(Ordering::SeqCst)
    }

    pub fn reset_counters(&self) {
        self.state.counters.requests.store(0, Ordering::SeqCst);
        self.state.counters.max_in_flight.store(0, Ordering::SeqCst);
        self.state.per_path.lock().unwrap().clear();
    }

    /// Whether `name` is in the failing half under [`Behaviour::FailHalf`].
    pub fn fails_half(name: &str) -> bool {
        name.bytes().map(u32::from).sum::<u32>() % 2 == 1
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn handle(mut stream: TcpStream, state: Arc<State>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 1 << 20 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let length: usize = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }

    let c = &state.counters;
    c.requests.fetch_add(1, Ordering::SeqCst);
    let now = c.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    c.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let latency = *state.latency.lock().unwrap();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let seen = {
        let mut per = state.per_path.lock().unwrap();
        let n = per.entry(path.clone()).or_insert(0);
        *n += 1;
        *n
    };
    let total = c.requests.load(Ordering::SeqCst);
    let behaviour = state.behaviour.lock().unwrap().clone();
    let response: Option<Reply> = match behaviour {
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            None
        }
        Behaviour::Reset => None,
        Behaviour::Status(s) => Some((s, vec![], b"{\"message\": \"failing\"}".to_vec())),
        Behaviour::Malformed => Some((200, vec![], b"{\"info\": {\"name\": ".to_vec())),
        Behaviour::RateLimited {
            retry_after_secs,
            times,
        } if seen <= times => Some((
            429,
            vec![("Retry-After".into(), retry_after_secs.to_string())],
            b"{\"message\": \"slow down\"}".to_vec(),
        )),
        Behaviour::FailFirst(n) if total <= n => Some((503, vec![], b"{}".to_vec())),
        Behaviour::FailHalf if path_package(&path).is_some_and(|p| MockServer::fails_half(&p)) => {
            Some((503, vec![], b"{}".to_vec()))
        }
        _ => Some(route(&state, &method, &path, &body)),
    };
    if let Some((status, headers, body)) = response {
        let reason = match status {
            200 => "OK",
            404 => "Not Found",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            503 => "Service Unavailable",
            _ => "Status",
        };
        let mut out = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str("\r\n");
        let _ = stream.write_all(out.as_bytes()).await;
        let _ = stream.write_all(&body).await;
        let _ = stream.shutdown().await;
    }
    c.in_flight.fetch_sub(1, Ordering::SeqCst);
}

/// The package a request is about (for `FailHalf`).
fn path_package(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/pypi/")?;
    rest.split('/').next().map(str::to_owned)
}

/// Status, extra headers, body.
type Reply = (u16, Vec<(String, String)>, Vec<u8>);

fn route(state: &State, method: &str, path: &str, body: &[u8]) -> Reply {
    let not_found = || (404, vec![], b"{\"message\": \"Not Found\"}".to_vec());
    if method == "GET"
        && let Some(rest) = path.strip_prefix("/pypi/")
    {
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() == 3
            && parts[2] == "json"
            && !parts[0].contains("..")
            && !parts[1].contains("..")
        {
            let file = state.dir.join(parts[0]).join(format!("{}.json", parts[1]));
            let status_file = state
                .dir
                .join(parts[0])
                .join(format!("{}.status", parts[1]));
            let status = std::fs::read_to_string(&status_file)
                .ok()
                .and_then(|s| s.trim().parse::<u16>().ok())
                .unwrap_or(200);
            return match std::fs::read(&file) {
                Ok(bytes) => (status, vec![], bytes),
                Err(_) if state.synthetic.load(Ordering::SeqCst) => {
                    let doc = serde_json::json!({
                        "info": {"name": parts[0], "version": parts[1], "license": "MIT", "license_expression": null, "classifiers": []},
                        "urls": [],
                        "vulnerabilities": [],
                    });
                    (200, vec![], serde_json::to_vec(&doc).unwrap())
                }
                Err(_) => not_found(),
            };
        }
        return not_found();
    }
    if method == "POST" && path == "/v1/querybatch" {
        let Ok(request) = serde_json::from_slice::<serde_json::Value>(body) else {
            return (400, vec![], b"{\"message\": \"bad request\"}".to_vec());
        };
        let results: Vec<serde_json::Value> = request["queries"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|q| {
                let name = q["package"]["name"].as_str().unwrap_or("");
                let version = q["version"].as_str().unwrap_or("");
                let file = state.dir.join(name).join(format!("{version}.json"));
                let vulns: Vec<serde_json::Value> = std::fs::read(&file)
                    .ok()
                    .filter(|_| !name.contains("..") && !version.contains(".."))
                    .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                    .and_then(|doc| doc["vulnerabilities"].as_array().cloned())
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|v| v["withdrawn"].is_null())
                    .map(|v| serde_json::json!({"id": v["id"], "modified": "2024-10-10T00:00:00Z"}))
                    .collect();
                if vulns.is_empty() {
                    serde_json::json!({})
                } else {
                    serde_json::json!({"vulns": vulns})
                }
            })
            .collect();
        return (
            200,
            vec![],
            serde_json::to_vec(&serde_json::json!({"results": results})).unwrap(),
        );
    }
    if method == "GET"
        && let Some(id) = path.strip_prefix("/v1/vulns/")
    {
        let Some((name, v)) = state.vulns.get(id) else {
            return not_found();
        };
        let mut events = vec![serde_json::json!({"introduced": "0"})];
        events.extend(
            v["fixed_in"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| serde_json::json!({"fixed": f})),
        );
        let doc = serde_json::json!({
            "id": id,
            "aliases": v["aliases"],
            "summary": v["summary"],
            "details": v["details"],
            "affected": [{"package": {"name": name, "ecosystem": "PyPI"}, "ranges": [{"type": "ECOSYSTEM", "events": events}]}],
        });
        return (200, vec![], serde_json::to_vec(&doc).unwrap());
    }
    not_found()
}
