//! A minimal Redis client (RESP2 over TCP or a Unix socket) whose every operation has a deadline.
//!
//! A socket timeout bounds one read, not an operation: a server that answers one byte every
//! 80 ms keeps a 100 ms read timeout happy for ever. Here each operation (connect, or one
//! pipelined round trip) has a whole deadline: `silence` plus the time its bytes need at
//! [`MIN_RATE`], and never past the end of the run's budget. Every read and write is given only
//! the time left, so a slow, silent or dripping server costs at most that deadline.
//!
//! Only what the cache needs is spoken: `AUTH`, `SELECT`, `MGET` and `SET … EX … [NX]`. Replies
//! are bounded too: a bulk string larger than [`MAX_BULK`] or an array longer than asked for is
//! a protocol error, not an allocation.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// The slowest transfer an operation is allowed beyond its `silence`: 4 MiB per second.
pub const MIN_RATE: u64 = 4 << 20;

/// The largest single value accepted from the server.
pub const MAX_BULK: usize = 64 << 20;

/// Why an operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The operation's deadline passed.
    TimedOut(Duration),
    /// Connecting, reading or writing failed.
    Io(String),
    /// The server answered with an error reply (`-ERR …`, `-OOM …`).
    Server(String),
    /// The reply was not what the protocol allows here.
    Protocol(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::TimedOut(d) => write!(f, "no complete answer within {} ms", d.as_millis()),
            Error::Io(e) => write!(f, "{e}"),
            Error::Server(e) => write!(f, "server error: {e}"),
            Error::Protocol(e) => write!(f, "protocol error: {e}"),
        }
    }
}

/// One reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Option<Vec<Reply>>),
}

/// Where the server is, parsed from its URL once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub addr: Addr,
    pub username: Option<String>,
    pub password: Option<String>,
    pub db: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addr {
    Tcp(String, u16),
    Unix(std::path::PathBuf),
}

impl Target {
    /// Parse a `redis://`, `redis+unix://` or `unix://` URL. TLS is not built in.
    pub fn parse(url: &str) -> Result<Target, String> {
        let client = redis::Client::open(url).map_err(|e| e.to_string())?;
        let info = client.get_connection_info();
        let addr = match info.addr() {
            redis::ConnectionAddr::Tcp(host, port) => Addr::Tcp(host.clone(), *port),
            redis::ConnectionAddr::Unix(path) => Addr::Unix(path.clone()),
            other => return Err(format!("unsupported connection address {other:?}")),
        };
        let settings = info.redis_settings();
        Ok(Target {
            addr,
            username: settings.username().map(str::to_owned),
            password: settings.password().map(str::to_owned),
            db: settings.db(),
        })
    }

    /// The server and database, without credentials: what the breaker is keyed by.
    pub fn identity(&self) -> String {
        match &self.addr {
            Addr::Tcp(host, port) => format!("tcp:{host}:{port}/{}", self.db),
            Addr::Unix(path) => format!("unix:{}/{}", path.display(), self.db),
        }
    }
}

/// The time an operation may take.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    started: Instant,
    silence: Duration,
    /// Never later than this (the end of the run's budget).
    hard_end: Instant,
}

impl Deadline {
    /// An operation that may stay silent for `silence` and must end within `budget` at most.
    pub fn new(silence: Duration, budget: Duration) -> Deadline {
        let started = Instant::now();
        Deadline {
            started,
            silence,
            hard_end: started + budget,
        }
    }

    /// Whichever of two deadlines ends first (judged with nothing moved yet).
    pub fn earlier<'a>(&'a self, other: &'a Deadline) -> &'a Deadline {
        if self.end(0) <= other.end(0) {
            self
        } else {
            other
        }
    }

    /// When the operation must be over, having moved `bytes` so far.
    fn end(&self, bytes: usize) -> Instant {
        let transfer = Duration::from_secs_f64(bytes as f64 / MIN_RATE as f64);
        (self.started + self.silence + transfer).min(self.hard_end)
    }

    /// Time left, or the timeout error.
    fn left(&self, bytes: usize) -> Result<Duration, Error> {
        let end = self.end(bytes);
        let now = Instant::now();
        if now >= end {
            return Err(Error::TimedOut(end - self.started));
        }
        // A zero timeout means "block for ever" to the socket: never hand it one.
        Ok((end - now).max(Duration::from_millis(1)))
    }
}

enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixStream),
}

impl Stream {
    fn set_timeouts(&self, t: Duration) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => {
                s.set_read_timeout(Some(t))?;
                s.set_write_timeout(Some(t))
            }
            #[cfg(unix)]
            Stream::Unix(s) => {
                s.set_read_timeout(Some(t))?;
                s.set_write_timeout(Some(t))
            }
        }
    }

    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.read(buf),
        }
    }

    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.write(buf),
        }
    }
}

/// A connection with its read buffer.
pub struct Connection {
    stream: Stream,
    buf: Vec<u8>,
    /// Start of the unread part of `buf`.
    pos: usize,
    /// Bytes received in the current operation.
    received: usize,
}

fn io_error(deadline: &Deadline, bytes: usize, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            Error::TimedOut(deadline.end(bytes) - deadline.started)
        }
        _ => Error::Io(e.to_string()),
    }
}

/// Resolve a host name within the deadline (the system resolver has no timeout of its own).
fn resolve(host: &str, port: u16, deadline: &Deadline) -> Result<Vec<SocketAddr>, Error> {
    if let Ok(ip) = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let name = format!("{host}:{port}");
    // Abandoned if it outlives the deadline; it ends with the resolver's own timeout.
    std::thread::spawn(move || {
        let _ = tx.send(name.to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    match rx.recv_timeout(deadline.left(0)?) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Error::Io(format!("{host} has no address"))),
        Ok(Err(e)) => Err(Error::Io(format!("cannot resolve {host}: {e}"))),
        Err(_) => Err(Error::TimedOut(deadline.end(0) - deadline.started)),
    }
}

impl Connection {
    /// Connect, authenticate and select the database, all within `deadline`.
    pub fn open(target: &Target, deadline: &Deadline) -> Result<Connection, Error> {
        let stream = match &target.addr {
            Addr::Tcp(host, port) => {
                let mut last = Error::Io(format!("cannot connect to {host}:{port}"));
                let mut connected = None;
                for addr in resolve(host, *port, deadline)? {
                    match TcpStream::connect_timeout(&addr, deadline.left(0)?) {
                        Ok(s) => {
                            connected = Some(s);
                            break;
                        }
                        Err(e) => last = io_error(deadline, 0, e),
                    }
                }
                let stream = connected.ok_or(last)?;
                let _ = stream.set_nodelay(true);
                Stream::Tcp(stream)
            }
            #[cfg(unix)]
            Addr::Unix(path) => Stream::Unix(
                std::os::unix::net::UnixStream::connect(path)
                    .map_err(|e| Error::Io(format!("cannot connect to {}: {e}", path.display())))?,
            ),
            #[cfg(not(unix))]
            Addr::Unix(_) => return Err(Error::Io("Unix sockets are not supported here".into())),
        };
        let mut conn = Connection {
            stream,
            buf: Vec::new(),
            pos: 0,
            received: 0,
        };
        let mut setup: Vec<Vec<Vec<u8>>> = Vec::new();
        if let Some(password) = &target.password {
            let mut auth = vec![b"AUTH".to_vec()];
            if let Some(user) = &target.username {
                auth.push(user.as_bytes().to_vec());
            }
            auth.push(password.as_bytes().to_vec());
            setup.push(auth);
        }
        if target.db != 0 {
            setup.push(vec![b"SELECT".to_vec(), target.db.to_string().into_bytes()]);
        }
        if !setup.is_empty() {
            for reply in conn.pipeline(&setup, &[usize::MAX; 2][..setup.len()], deadline)? {
                if !matches!(reply, Reply::Status(_)) {
                    return Err(Error::Protocol(format!("unexpected reply {reply:?}")));
                }
            }
        }
        Ok(conn)
    }

    /// Send `commands` in one write and read one reply each. `max_items[i]` bounds the length of
    /// an array reply to command `i`. An error reply fails the whole pipeline (the connection is
    /// then not reused: replies may be left unread).
    pub fn pipeline(
        &mut self,
        commands: &[Vec<Vec<u8>>],
        max_items: &[usize],
        deadline: &Deadline,
    ) -> Result<Vec<Reply>, Error> {
        let mut request = Vec::new();
        for args in commands {
            encode(&mut request, args);
        }
        let mut written = 0;
        while written < request.len() {
            self.stream
                .set_timeouts(deadline.left(written)?)
                .map_err(|e| Error::Io(e.to_string()))?;
            match self.stream.write(&request[written..]) {
                Ok(0) => return Err(Error::Io("connection closed while writing".into())),
                Ok(n) => written += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(deadline, written, e)),
            }
        }
        self.received = 0;
        max_items
            .iter()
            .map(|&max| self.reply(max, written, deadline))
            .collect()
    }

    /// Read one reply; `base` bytes were already moved in this operation.
    fn reply(
        &mut self,
        max_items: usize,
        base: usize,
        deadline: &Deadline,
    ) -> Result<Reply, Error> {
        let line = self.line(base, deadline)?;
        let (kind, rest) = line
            .split_first()
            .ok_or_else(|| Error::Protocol("empty reply line".into()))?;
        let text = String::from_utf8_lossy(rest).into_owned();
        let number = |text: &str| {
            text.parse::<i64>()
                .map_err(|_| Error::Protocol(format!("bad length {text:?}")))
        };
        match kind {
            b'+' => Ok(Reply::Status(text)),
            b'-' => Err(Error::Server(text)),
            b':' => Ok(Reply::Integer(number(&text)?)),
            b'$' => {
                let len = number(&text)?;
                if len < 0 {
                    return Ok(Reply::Bulk(None));
                }
                let len = len as usize;
                if len > MAX_BULK {
                    return Err(Error::Protocol(format!("a value of {len} bytes")));
                }
                let bytes = self.exact(len + 2, base, deadline)?;
                if !bytes.ends_with(b"\r\n") {
                    return Err(Error::Protocol("bulk string without CRLF".into()));
                }
                Ok(Reply::Bulk(Some(bytes[..len].to_vec())))
            }
            b'*' => {
                let len = number(&text)?;
                if len < 0 {
                    return Ok(Reply::Array(None));
                }
                let len = len as usize;
                if len > max_items {
                    return Err(Error::Protocol(format!("an array of {len} items")));
                }
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    // Nested arrays are not part of any reply asked for here.
                    items.push(self.reply(0, base, deadline)?);
                }
                Ok(Reply::Array(Some(items)))
            }
            other => Err(Error::Protocol(format!(
                "unknown reply type {:?}",
                *other as char
            ))),
        }
    }

    /// Read more bytes into the buffer within the deadline.
    fn fill(&mut self, base: usize, deadline: &Deadline) -> Result<(), Error> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let moved = base + self.received;
        self.stream
            .set_timeouts(deadline.left(moved)?)
            .map_err(|e| Error::Io(e.to_string()))?;
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(Error::Io("connection closed by the server".into())),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    self.received += n;
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    deadline.left(moved)?;
                }
                Err(e) => return Err(io_error(deadline, moved, e)),
            }
        }
    }

    /// One CRLF-terminated line, without the CRLF (at most 64 bytes: lengths and statuses).
    fn line(&mut self, base: usize, deadline: &Deadline) -> Result<Vec<u8>, Error> {
        loop {
            let unread = &self.buf[self.pos..];
            if let Some(i) = unread.windows(2).position(|w| w == b"\r\n") {
                let line = unread[..i].to_vec();
                self.pos += i + 2;
                return Ok(line);
            }
            if unread.len() > 4096 {
                return Err(Error::Protocol("reply line too long".into()));
            }
            self.fill(base, deadline)?;
        }
    }

    /// Exactly `n` bytes.
    fn exact(&mut self, n: usize, base: usize, deadline: &Deadline) -> Result<Vec<u8>, Error> {
        while self.buf.len() - self.pos < n {
            self.fill(base, deadline)?;
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }
}

/// A command as a RESP array of bulk strings.
fn encode(out: &mut Vec<u8>, args: &[Vec<u8>]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A server on loopback that runs `serve` on the first connection.
    fn server(serve: impl FnOnce(TcpStream) + Send + 'static) -> Target {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                serve(stream);
            }
        });
        Target::parse(&format!("redis://127.0.0.1:{port}")).unwrap()
    }

    fn read_request(stream: &mut TcpStream) {
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
    }

    fn mget(keys: usize) -> Vec<Vec<Vec<u8>>> {
        let mut args = vec![b"MGET".to_vec()];
        args.extend((0..keys).map(|i| format!("k{i}").into_bytes()));
        vec![args]
    }

    #[test]
    fn replies_are_parsed() {
        let target = server(|mut s| {
            read_request(&mut s);
            s.write_all(b"*3\r\n$3\r\nabc\r\n$-1\r\n$0\r\n\r\n")
                .unwrap();
        });
        let deadline = Deadline::new(Duration::from_secs(2), Duration::from_secs(2));
        let mut conn = Connection::open(&target, &deadline).unwrap();
        let replies = conn.pipeline(&mget(3), &[3], &deadline).unwrap();
        assert_eq!(
            replies,
            vec![Reply::Array(Some(vec![
                Reply::Bulk(Some(b"abc".to_vec())),
                Reply::Bulk(None),
                Reply::Bulk(Some(Vec::new())),
            ]))]
        );
    }

    #[test]
    fn a_dripping_server_is_cut_at_the_deadline() {
        // One byte every 30 ms, for ever: each read is quick, the operation is not.
        let target = server(|mut s| {
            read_request(&mut s);
            let reply = b"*1\r\n$100000\r\n";
            for b in reply.iter().chain(std::iter::repeat(&b'x')) {
                if s.write_all(&[*b]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(30));
            }
        });
        let deadline = Deadline::new(Duration::from_millis(100), Duration::from_secs(10));
        let started = Instant::now();
        let mut conn = Connection::open(&target, &deadline).unwrap();
        let err = conn.pipeline(&mget(1), &[1], &deadline).unwrap_err();
        assert!(matches!(err, Error::TimedOut(_)), "{err:?}");
        let took = started.elapsed();
        assert!(took < Duration::from_millis(400), "{took:?}");
    }

    #[test]
    fn a_silent_server_costs_one_deadline() {
        let target = server(|mut s| {
            read_request(&mut s);
            std::thread::sleep(Duration::from_secs(3));
        });
        let deadline = Deadline::new(Duration::from_millis(100), Duration::from_secs(10));
        let started = Instant::now();
        let mut conn = Connection::open(&target, &deadline).unwrap();
        assert!(matches!(
            conn.pipeline(&mget(1), &[1], &deadline),
            Err(Error::TimedOut(_))
        ));
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(90) && took < Duration::from_millis(300));
    }

    #[test]
    fn the_run_budget_caps_the_deadline() {
        let target = server(|mut s| {
            read_request(&mut s);
            std::thread::sleep(Duration::from_secs(3));
        });
        let deadline = Deadline::new(Duration::from_secs(5), Duration::from_millis(50));
        let started = Instant::now();
        let mut conn = Connection::open(&target, &deadline).unwrap();
        assert!(conn.pipeline(&mget(1), &[1], &deadline).is_err());
        assert!(started.elapsed() < Duration::from_millis(250));
    }

    #[test]
    fn hostile_replies_are_errors_not_allocations() {
        for reply in [
            &b"*1\r\n$99999999999\r\n"[..],
            b"*9999999\r\n",
            b"*1\r\n*1\r\n$1\r\nx\r\n",
            b"?what\r\n",
            b"*1\r\n$3\r\nabcde",
        ] {
            let target = server(move |mut s| {
                read_request(&mut s);
                s.write_all(reply).unwrap();
                std::thread::sleep(Duration::from_millis(300));
            });
            let deadline = Deadline::new(Duration::from_millis(100), Duration::from_secs(1));
            let mut conn = Connection::open(&target, &deadline).unwrap();
            assert!(
                conn.pipeline(&mget(1), &[1], &deadline).is_err(),
                "{:?}",
                String::from_utf8_lossy(reply)
            );
        }
    }

    #[test]
    fn error_replies_fail_the_operation() {
        let target = server(|mut s| {
            read_request(&mut s);
            s.write_all(b"-OOM command not allowed\r\n").unwrap();
        });
        let deadline = Deadline::new(Duration::from_secs(1), Duration::from_secs(1));
        let mut conn = Connection::open(&target, &deadline).unwrap();
        let err = conn.pipeline(&mget(1), &[1], &deadline).unwrap_err();
        assert_eq!(err, Error::Server("OOM command not allowed".into()));
    }

    #[test]
    fn identity_leaves_credentials_out() {
        let t = Target::parse("redis://user:secret@cache.internal:6380/3").unwrap();
        assert_eq!(t.identity(), "tcp:cache.internal:6380/3");
        assert_eq!(t.password.as_deref(), Some("secret"));
        assert_eq!(t.username.as_deref(), Some("user"));
    }
}
