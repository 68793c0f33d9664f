//! `archlint serve`: a local, read-only web page to explore the architecture.
//!
//! The page (one embedded HTML file, no external resources) asks a small JSON API for the
//! packages, a package's imports and the contracts with their broken chains. The analysis comes
//! from the cache; when files change it is redone and the page refreshes itself.
//!
//! The server binds to loopback unless told otherwise, answers only GET and HEAD, serves no
//! files from disk, and refuses requests whose Host header is not one it answers to: its own
//! address, loopback's names, and the names given with `--allow-host` — also when listening on
//! every interface (so a web page elsewhere cannot reach it through DNS rebinding). A fixed pool
//! of workers serves connections, each request must arrive whole within a few seconds, and when
//! the pool and its queue are full a connection is answered `503` at once instead of a thread
//! being spawned for it. The page's script and style are served as files of their own, so the
//! Content-Security-Policy allows no inline script and no framing.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read as _, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use archlint_findings::Check;
use serde_json::{Value, json};

use crate::analysis::analyze;
use crate::export_model::AnalysisArgs;

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

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    analysis: AnalysisArgs,
    /// Address to listen on; anything but loopback exposes the page to the network.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Do not re-analyse when files change.
    #[arg(long)]
    no_watch: bool,
    /// A host name (or name:port) the page may also be reached by, such as this machine's name
    /// when listening on 0.0.0.0; requests naming any other Host are refused. Repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_host: Vec<String>,
}

pub fn threads(args: &ServeArgs) -> Option<usize> {
    args.analysis.project.threads
}

/// A module of the explorer's graph.
struct Node {
    name: String,
    /// `module`, `package`, `namespace` or `external`.
    kind: &'static str,
    path: Option<String>,
    parent: Option<usize>,
    children: Vec<usize>,
    /// Internal imports: target and first line.
    imports: Vec<(usize, u32)>,
    importers: Vec<usize>,
}

struct Step {
    importer: String,
    imported: String,
    path: Option<String>,
    line: Option<u32>,
}

struct Violation {
    message: String,
    chain: Vec<Step>,
}

struct ContractView {
    key: String,
    name: String,
    kind: String,
    kept: bool,
    violations: Vec<Violation>,
}

/// Everything the page shows, from one analysis.
struct Model {
    version: u64,
    root: String,
    analysed_ms: f64,
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    contracts: Vec<ContractView>,
    findings: usize,
    diagnostics: usize,
    error: Option<String>,
}

fn build_model(args: &AnalysisArgs, version: u64) -> Result<Model> {
    let started = Instant::now();
    let a = analyze(&args.selection(false, false))?;
    let analysed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let project = &a.project;
    let graph = &project.graph;
    let files: HashMap<&str, &archlint_discovery::SourceFile> = project
        .files
        .iter()
        .map(|f| (f.module.as_str(), f))
        .collect();
    let ids: Vec<archlint_graph::ModuleId> = (0..graph.len() as archlint_graph::ModuleId).collect();
    let mut nodes: Vec<Node> = ids
        .iter()
        .map(|&id| {
            let name = graph.name(id).to_owned();
            let file = files.get(name.as_str());
            let kind = match file {
                Some(f) if f.is_package => "package",
                Some(_) => "module",
                None if graph.children(id).is_empty() && graph.is_present(id) => "external",
                None => "namespace",
            };
            Node {
                path: file.map(|f| archlint_engine::display_path(&project.root, &f.path)),
                name,
                kind,
                parent: graph.parent(id).map(|p| p as usize),
                children: graph.children(id).iter().map(|&c| c as usize).collect(),
                imports: graph
                    .imports_with_details(id)
                    .map(|(t, d)| (t as usize, d.first().map_or(0, |d| d.line)))
                    .collect(),
                importers: graph.importers_of(id).iter().map(|&i| i as usize).collect(),
            }
        })
        .collect();
    for n in &mut nodes {
        n.children.sort_unstable();
    }
    let index = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.clone(), i))
        .collect();
    let report = a.findings(analysed_ms / 1000.0);
    let contracts = a
        .results
        .iter()
        .map(|r| {
            let violations = report
                .findings
                .iter()
                .filter(|f| {
                    matches!(&f.check, Check::Contract { id, name, .. }
                        if *id == r.id && *name == r.name)
                })
                .map(|f| Violation {
                    message: f.message.clone(),
                    chain: f
                        .chain
                        .iter()
                        .map(|s| Step {
                            importer: s.importer.clone(),
                            imported: s.imported.clone(),
                            path: s.location.as_ref().map(|l| l.path.clone()),
                            line: s.location.as_ref().and_then(|l| l.line),
                        })
                        .collect(),
                })
                .collect();
            ContractView {
                key: r.id.clone().unwrap_or_else(|| r.name.clone()),
                name: r.name.clone(),
                kind: r.kind.clone(),
                kept: r.kept,
                violations,
            }
        })
        .collect();
    Ok(Model {
        version,
        root: project.root.display().to_string(),
        analysed_ms,
        nodes,
        index,
        contracts,
        findings: report.active().count(),
        diagnostics: project.diagnostics.iter().map(Vec::len).sum(),
        error: None,
    })
}

impl Model {
    fn state(&self) -> Value {
        let roots: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| n.parent.is_none() && n.kind != "external")
            .map(|n| n.name.as_str())
            .collect();
        json!({
            "version": self.version,
            "root": self.root,
            "analysed_ms": self.analysed_ms,
            "modules": self.nodes.iter().filter(|n| n.path.is_some()).count(),
            "imports": self.nodes.iter().map(|n| n.imports.len()).sum::<usize>(),
            "findings": self.findings,
            "diagnostics": self.diagnostics,
            "error": self.error,
            "packages": roots,
            "contracts": self.contracts.iter().map(|c| json!({
                "id": c.key,
                "name": c.name,
                "kind": c.kind,
                "kept": c.kept,
                "violations": c.violations.len(),
            })).collect::<Vec<_>>(),
        })
    }

    /// Whether `i` is `root` or inside it.
    fn within(&self, mut i: usize, root: usize) -> bool {
        loop {
            if i == root {
                return true;
            }
            match self.nodes[i].parent {
                Some(p) => i = p,
                None => return false,
            }
        }
    }

    fn subtree(&self, root: usize) -> Vec<usize> {
        let mut out = vec![root];
        let mut k = 0;
        while k < out.len() {
            out.extend(self.nodes[out[k]].children.iter().copied());
            k += 1;
        }
        out
    }

    /// The child of `root` that `i` lies in (`None`: outside, or `root` itself).
    fn child_of(&self, mut i: usize, root: usize) -> Option<usize> {
        loop {
            let p = self.nodes[i].parent?;
            if p == root {
                return Some(i);
            }
            i = p;
        }
    }

    fn package(&self, name: &str) -> Option<Value> {
        let &root = self.index.get(name)?;
        let node = &self.nodes[root];
        let members = self.subtree(root);
        let mut out_counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut in_counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut between: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut child_out: HashMap<usize, usize> = HashMap::new();
        let mut child_in: HashMap<usize, usize> = HashMap::new();
        for &m in &members {
            for &(t, _) in &self.nodes[m].imports {
                if self.within(t, root) {
                    if let (Some(a), Some(b)) = (self.child_of(m, root), self.child_of(t, root))
                        && a != b
                    {
                        *between.entry((a, b)).or_default() += 1;
                        *child_out.entry(a).or_default() += 1;
                        *child_in.entry(b).or_default() += 1;
                    }
                } else {
                    *out_counts.entry(self.nodes[t].name.as_str()).or_default() += 1;
                    if let Some(a) = self.child_of(m, root) {
                        *child_out.entry(a).or_default() += 1;
                    }
                }
            }
            for &i in &self.nodes[m].importers {
                if !self.within(i, root) {
                    *in_counts.entry(self.nodes[i].name.as_str()).or_default() += 1;
                    if let Some(b) = self.child_of(m, root) {
                        *child_in.entry(b).or_default() += 1;
                    }
                }
            }
        }
        let children: Vec<Value> = node
            .children
            .iter()
            .map(|&c| {
                let n = &self.nodes[c];
                json!({
                    "name": n.name,
                    "kind": n.kind,
                    "modules": self.subtree(c).iter().filter(|&&m| self.nodes[m].path.is_some()).count(),
                    "imports_out": child_out.get(&c).copied().unwrap_or(0),
                    "imports_in": child_in.get(&c).copied().unwrap_or(0),
                })
            })
            .collect();
        let list = |counts: BTreeMap<&str, usize>| -> Vec<Value> {
            let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            v.into_iter()
                .take(200)
                .map(|(m, n)| json!({"module": m, "imports": n}))
                .collect()
        };
        Some(json!({
            "version": self.version,
            "name": node.name,
            "kind": node.kind,
            "path": node.path,
            "parent": node.parent.map(|p| self.nodes[p].name.clone()),
            "modules": members.iter().filter(|&&m| self.nodes[m].path.is_some()).count(),
            "children": children,
            "between": between.into_iter().map(|((a, b), n)| json!({
                "from": self.nodes[a].name, "to": self.nodes[b].name, "imports": n,
            })).collect::<Vec<_>>(),
            "imports": node.imports.iter().map(|&(t, line)| json!({
                "module": self.nodes[t].name, "line": line,
            })).collect::<Vec<_>>(),
            "imported_by": node.importers.iter().map(|&i| self.nodes[i].name.clone()).collect::<Vec<_>>(),
            "outgoing": list(out_counts),
            "incoming": list(in_counts),
        }))
    }

    fn contract(&self, key: &str) -> Option<Value> {
        let c = self.contracts.iter().find(|c| c.key == key)?;
        Some(json!({
            "version": self.version,
            "id": c.key,
            "name": c.name,
            "kind": c.kind,
            "kept": c.kept,
            "violations": c.violations.iter().map(|v| json!({
                "message": v.message,
                "chain": v.chain.iter().map(|s| json!({
                    "importer": s.importer,
                    "imported": s.imported,
                    "path": s.path,
                    "line": s.line,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))
    }
}

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
        "/api/version" => json_response(Some(json!({"version": model.version}))),
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

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let model = build_model(&args.analysis, 1)?;
    let root = std::path::PathBuf::from(&model.root);
    let model = Arc::new(RwLock::new(model));
    let listener = TcpListener::bind((args.host, args.port))
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() && !args.analysis.project.quiet {
        eprintln!(
            "archlint: warning: listening on {} makes the explorer reachable from the network",
            addr.ip()
        );
    }
    let hosts = Arc::new(allowed_hosts(addr, &args.allow_host));
    if addr.ip().is_unspecified() && args.allow_host.is_empty() && !args.analysis.project.quiet {
        eprintln!(
            "archlint: note: only Host {} is answered; name others with --allow-host",
            hosts.join(", ")
        );
    }
    let queue = start_workers(&model, &hosts)?;
    if !args.no_watch {
        let changes = crate::watch_cmd::Changes::watch(&root)?;
        let model = Arc::clone(&model);
        // Refreshes draw no progress on the terminal.
        let mut analysis = args.analysis.clone();
        analysis.project.quiet = true;
        let watcher = std::thread::Builder::new().name("serve-watch".into());
        watcher
            .spawn(move || {
                while let Ok(changed) = changes.next() {
                    let version = model.read().map(|m| m.version + 1).unwrap_or(1);
                    match build_model(&analysis, version) {
                        Ok(new) => {
                            eprintln!(
                                "archlint: {} changed; analysis refreshed (version {version})",
                                changed.join(", ")
                            );
                            if let Ok(mut m) = model.write() {
                                *m = new;
                            }
                        }
                        Err(e) => {
                            eprintln!("archlint: cannot refresh: {e:#}");
                            if let Ok(mut m) = model.write() {
                                m.version = version;
                                m.error = Some(format!("{e:#}"));
                            }
                        }
                    }
                }
            })
            .context("cannot start the file watcher")?;
    }
    println!("archlint: serving http://{addr}/ (read-only; Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if let Err(std::sync::mpsc::TrySendError::Full(stream)) = queue.try_send(stream) {
            refuse(stream);
        }
    }
    bail!("the listener stopped")
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
