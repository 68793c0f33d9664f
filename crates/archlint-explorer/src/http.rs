//! The explorer's HTTP server: GET and HEAD only, the embedded page and the JSON API, Host
//! checked on every request, a fixed pool of workers and a bounded queue.

use std::io::{BufRead, BufReader, Read as _, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::model::Model;

const PAGE: &str = include_str!("explorer.html");
const SCRIPT: &str = include_str!("explorer.js");
const STYLE: &str = include_str!("explorer.css");

/// Connections served at once.
const WORKERS: usize = 16;
/// Connections accepted and waiting for a worker; beyond this, `503 Service Unavailable`.
const QUEUE: usize = 64;
/// The time a request (line and headers) has to arrive, whole.
const REQUEST_DEADLINE: Duration = Duration::from_secs(5);

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `%xx` and `+` decoding of a query value.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| decode(v))
    })
}

struct Response {
    status: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

fn json_response(value: Option<Value>) -> Response {
    match value {
        Some(v) => Response {
            status: "200 OK",
            content_type: "application/json",
            body: v.to_string().into_bytes(),
        },
        None => Response {
            status: "404 Not Found",
            content_type: "application/json",
            body: br#"{"error":"not found"}"#.to_vec(),
        },
    }
}

fn route(model: &RwLock<Model>, path: &str, query: &str) -> Response {
    let model = model.read().unwrap_or_else(|e| e.into_inner());
    match path {
        "/" | "/index.html" => Response {
            status: "200 OK",
            content_type: "text/html; charset=utf-8",
            body: PAGE.as_bytes().to_vec(),
        },
        "/explorer.js" => Response {
            status: "200 OK",
            content_type: "text/javascript; charset=utf-8",
            body: SCRIPT.as_bytes().to_vec(),
        },
        "/explorer.css" => Response {
            status: "200 OK",
            content_type: "text/css; charset=utf-8",
            body: STYLE.as_bytes().to_vec(),
        },
        "/api/version" => json_response(Some(json!({"version": model.version()}))),
        "/api/state" => json_response(Some(model.state())),
        "/api/package" => json_response(
            query_param(query, "name")
                .as_deref()
                .and_then(|n| model.package(n)),
        ),
        "/api/contract" => json_response(
            query_param(query, "id")
                .as_deref()
                .and_then(|c| model.contract(c)),
        ),
        _ => Response {
            status: "404 Not Found",
            content_type: "text/plain; charset=utf-8",
            body: b"not found\n".to_vec(),
        },
    }
}

/// Host header values the server answers to: its address, loopback's names when it can be
/// reached through loopback, and the `--allow-host` names (with the port unless given one).
fn allowed_hosts(addr: SocketAddr, extra: &[String]) -> Vec<String> {
    let port = addr.port();
    let ip = addr.ip();
    let mut names: Vec<String> = Vec::new();
    if !ip.is_unspecified() {
        names.push(match ip {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        });
    }
    if ip.is_loopback() || ip.is_unspecified() {
        names.extend(["localhost", "127.0.0.1", "[::1]"].map(String::from));
    }
    let mut hosts: Vec<String> = Vec::new();
    for name in names {
        if port == 80 {
            hosts.push(name.clone());
        }
        hosts.push(format!("{name}:{port}"));
    }
    for name in extra {
        let name = name.trim().to_ascii_lowercase();
        let has_port = name.rsplit_once(':').is_some_and(|(host, p)| {
            !host.is_empty() && !host.ends_with(':') && p.parse::<u16>().is_ok()
        }) && (!name.contains('[') || name.contains("]:"));
        if has_port {
            hosts.push(name);
        } else {
            if port == 80 {
                hosts.push(name.clone());
            }
            hosts.push(format!("{name}:{port}"));
        }
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

/// A reader that gives up when its deadline has passed, however the bytes trickle in.
struct DeadlineReader {
    stream: TcpStream,
    deadline: Instant,
}

impl std::io::Read for DeadlineReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

fn handle(stream: TcpStream, model: &RwLock<Model>, hosts: &[String]) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let reader = DeadlineReader {
        stream: read_half,
        deadline: Instant::now() + REQUEST_DEADLINE,
    };
    let mut reader = BufReader::new(reader.take(64 * 1024));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut host = None;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("host")
                {
                    host = Some(v.trim().to_ascii_lowercase());
                }
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let response = if method != "GET" && method != "HEAD" {
        Response {
            status: "405 Method Not Allowed",
            content_type: "text/plain; charset=utf-8",
            body: b"read-only: GET and HEAD only\n".to_vec(),
        }
    } else if !host.as_ref().is_some_and(|h| hosts.contains(h)) {
        Response {
            status: "421 Misdirected Request",
            content_type: "text/plain; charset=utf-8",
            body: b"unexpected Host header (see --allow-host)\n".to_vec(),
        }
    } else {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        route(model, path, query)
    };
    respond(stream, &response, method == "HEAD");
}

fn respond(stream: TcpStream, response: &Response, head_only: bool) {
    let mut out = std::io::BufWriter::new(stream);
    let _ = write!(
        out,
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n\
         X-Frame-Options: DENY\r\nContent-Security-Policy: {CSP}\r\n{}Connection: close\r\n\r\n",
        response.status,
        response.content_type,
        response.body.len(),
        if response.status.starts_with("503") {
            "Retry-After: 1\r\n"
        } else {
            ""
        },
    );
    if !head_only {
        let _ = out.write_all(&response.body);
    }
    let _ = out.flush();
    if let Ok(stream) = out.into_inner() {
        let _ = stream.shutdown(std::net::Shutdown::Write);
    }
}

/// Turn a connection away at once, politely, when every worker is busy and the queue full.
fn refuse(stream: TcpStream) {
    // Take whatever part of the request has arrived (never waiting for more): closing a socket
    // with unread data resets the connection, and the client would lose the answer.
    let drain = |mut s: &TcpStream| {
        if s.set_nonblocking(true).is_ok() {
            let mut buf = [0u8; 4096];
            while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
            let _ = s.set_nonblocking(false);
        }
    };
    drain(&stream);
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    respond(
        stream,
        &Response {
            status: "503 Service Unavailable",
            content_type: "text/plain; charset=utf-8",
            body: b"busy: too many connections; try again\n".to_vec(),
        },
        false,
    );
}

/// Start the workers; each takes connections from the queue until the sender is gone.
fn start_workers(
    model: &Arc<RwLock<Model>>,
    hosts: &Arc<Vec<String>>,
) -> Result<std::sync::mpsc::SyncSender<TcpStream>> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<TcpStream>(QUEUE);
    let rx = Arc::new(std::sync::Mutex::new(rx));
    for i in 0..WORKERS {
        let rx = Arc::clone(&rx);
        let model = Arc::clone(model);
        let hosts = Arc::clone(hosts);
        std::thread::Builder::new()
            .name(format!("serve-{i}"))
            .stack_size(256 * 1024)
            .spawn(move || {
                loop {
                    let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(stream) = next else { return };
                    handle(stream, &model, &hosts);
                }
            })
            .context("cannot start the server's workers")?;
    }
    Ok(tx)
}

/// A bound server: its address, the Host names it answers to, and the model it serves.
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    hosts: Arc<Vec<String>>,
    model: Arc<RwLock<Model>>,
}

impl Server {
    /// Listen on `host:port` (port 0: any free port), answering Host names of its own address,
    /// loopback's when reachable through loopback, and `allow_hosts`.
    pub fn bind(host: IpAddr, port: u16, allow_hosts: &[String], model: Model) -> Result<Server> {
        let listener = TcpListener::bind((host, port))
            .with_context(|| format!("cannot listen on {host}:{port}"))?;
        let addr = listener.local_addr()?;
        Ok(Server {
            listener,
            addr,
            hosts: Arc::new(allowed_hosts(addr, allow_hosts)),
            model: Arc::new(RwLock::new(model)),
        })
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The Host header values answered.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// The model served, shared: replace it to refresh the page.
    pub fn model(&self) -> Arc<RwLock<Model>> {
        Arc::clone(&self.model)
    }

    /// Serve until the listener fails.
    pub fn run(self) -> Result<()> {
        let queue = start_workers(&self.model, &self.hosts)?;
        for stream in self.listener.incoming() {
            let Ok(stream) = stream else { continue };
            if let Err(std::sync::mpsc::TrySendError::Full(stream)) = queue.try_send(stream) {
                refuse(stream);
            }
        }
        bail!("the listener stopped")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_param("name=shop.api&x=1", "name").unwrap(),
            "shop.api"
        );
        assert_eq!(query_param("id=a%20b+c", "id").unwrap(), "a b c");
        assert_eq!(query_param("id=%zz", "id").unwrap(), "%zz");
        assert_eq!(query_param("id=%4", "id").unwrap(), "%4");
        assert_eq!(query_param("id=%é", "id").unwrap(), "%é");
        assert!(query_param("other=1", "id").is_none());
    }

    #[test]
    fn loopback_answers_to_its_names_only() {
        let hosts = allowed_hosts("127.0.0.1:8000".parse().unwrap(), &[]);
        assert!(hosts.contains(&"localhost:8000".to_owned()));
        assert!(hosts.contains(&"127.0.0.1:8000".to_owned()));
        assert!(!hosts.contains(&"evil.example:8000".to_owned()));
    }

    #[test]
    fn every_interface_still_checks_the_host() {
        let hosts = allowed_hosts(
            "0.0.0.0:8000".parse().unwrap(),
            &[
                "Build-Box".into(),
                "10.0.0.5:9000".into(),
                "[fe80::1]".into(),
            ],
        );
        for ok in [
            "localhost:8000",
            "127.0.0.1:8000",
            "build-box:8000",
            "10.0.0.5:9000",
            "[fe80::1]:8000",
        ] {
            assert!(hosts.contains(&ok.to_owned()), "{ok}: {hosts:?}");
        }
        for bad in [
            "0.0.0.0:8000",
            "evil.example:8000",
            "build-box:9000",
            "localhost",
        ] {
            assert!(!hosts.contains(&bad.to_owned()), "{bad}: {hosts:?}");
        }
        // Port 80 is left out of Host by browsers.
        let hosts = allowed_hosts("127.0.0.1:80".parse().unwrap(), &[]);
        assert!(hosts.contains(&"localhost".to_owned()));
    }
}
