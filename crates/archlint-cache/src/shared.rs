//! L3: Redis, shared by CI runners.
//!
//! Reads and writes go in bulk (pipelined `MGET` and `SET ... EX`), with a connect timeout and a
//! per-operation timeout. A circuit breaker keeps a dead, slow or full Redis from costing more
//! than one timeout: the first failure in a run stops Redis use for the rest of that run, and
//! after `failure_threshold` consecutive failed runs the breaker opens, so later runs skip Redis
//! entirely until `cooldown` has passed; then one run probes it (half-open) and closes the
//! breaker on success. The breaker state lives in the disk cache, so it survives between runs.
//!
//! Every value is an [`entry`](crate::entry) envelope bound to its key; with a signing key,
//! unsigned and tampered entries are rejected and counted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::entry::{self, Rejection, SigningKey};
use crate::keys::{CACHE_SCHEMA, CacheKey, CacheKind};

/// How to reach Redis and how patient to be.
#[derive(Debug, Clone)]
pub struct RedisOptions {
    pub url: String,
    pub connect_timeout: Duration,
    pub op_timeout: Duration,
    /// Expiry of entries written to Redis.
    pub ttl: Duration,
    /// Consecutive failed runs before the breaker opens.
    pub failure_threshold: u32,
    /// How long an open breaker stays open before a probe.
    pub cooldown: Duration,
    pub signing: Option<SigningKey>,
    /// Prefix of every key.
    pub prefix: String,
}

impl RedisOptions {
    /// Defaults for a URL: 100 ms timeouts, 7-day TTL, open after 3 failed runs for 60 s.
    pub fn new(url: &str) -> RedisOptions {
        RedisOptions {
            url: url.to_owned(),
            connect_timeout: Duration::from_millis(100),
            op_timeout: Duration::from_millis(100),
            ttl: Duration::from_secs(7 * 86_400),
            failure_threshold: 3,
            cooldown: Duration::from_secs(60),
            signing: None,
            prefix: "archlint".into(),
        }
    }
}

/// Check a Redis URL without connecting: a malformed URL is a configuration error, not an
/// outage to ride out.
pub fn validate_url(url: &str) -> Result<(), String> {
    redis::Client::open(url)
        .map(|_| ())
        .map_err(|e| format!("invalid Redis URL '{}': {e}", redact(url)))
}

/// A URL with any password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Breaker state as stored between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerState {
    /// Consecutive failed runs.
    pub failures: u32,
    /// When the breaker opened (seconds since the epoch), if it is open.
    pub opened_at: Option<u64>,
}

/// Counters of the Redis layer for one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RedisStats {
    pub hits: u64,
    pub misses: u64,
    pub writes: u64,
    pub errors: u64,
    /// Entries rejected because they were damaged or foreign.
    pub rejected_corrupt: u64,
    /// Entries rejected because they were unsigned while a signing key is configured.
    pub rejected_unsigned: u64,
    /// Entries rejected because their signature did not verify.
    pub rejected_signature: u64,
    /// `closed`, `open` or `half-open` at the end of the run.
    pub breaker: String,
    /// Time spent talking to Redis, in milliseconds.
    pub time_ms: f64,
    /// The last error, if any.
    pub last_error: Option<String>,
}

/// A Redis connection with a breaker in front of it.
pub struct SharedCache {
    opts: RedisOptions,
    client: Option<redis::Client>,
    conn: Option<redis::Connection>,
    state: BreakerState,
    state_path: Option<PathBuf>,
    /// A failure happened in this run: stop using Redis until the next run.
    failed_this_run: bool,
    succeeded_this_run: bool,
    half_open: bool,
    pub stats: RedisStats,
}

impl SharedCache {
    /// Prepare a Redis layer; nothing is contacted until the first operation. The breaker state
    /// is read from `state_path` (in the disk cache) when given.
    pub fn new(opts: RedisOptions, state_path: Option<PathBuf>) -> SharedCache {
        let state: BreakerState = state_path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let mut stats = RedisStats::default();
        let client = match redis::Client::open(opts.url.as_str()) {
            Ok(c) => Some(c),
            Err(e) => {
                stats.errors += 1;
                stats.last_error = Some(format!("invalid Redis URL: {e}"));
                None
            }
        };
        let mut shared = SharedCache {
            opts,
            client,
            conn: None,
            state,
            state_path,
            failed_this_run: false,
            succeeded_this_run: false,
            half_open: false,
            stats,
        };
        shared.stats.breaker = shared.breaker_name().into();
        shared
    }

    fn breaker_name(&self) -> &'static str {
        match self.state.opened_at {
            None => "closed",
            Some(_) if self.half_open => "half-open",
            Some(_) => "open",
        }
    }

    /// Whether an operation may go to Redis now.
    fn available(&mut self) -> bool {
        if self.client.is_none() || self.failed_this_run {
            return false;
        }
        if let Some(opened) = self.state.opened_at {
            let waited = entry::now_secs().saturating_sub(opened);
            if waited < self.opts.cooldown.as_secs() {
                return false;
            }
            self.half_open = true;
        }
        true
    }

    fn connection(&mut self) -> redis::RedisResult<&mut redis::Connection> {
        if self.conn.is_none() {
            let client = self.client.as_ref().expect("checked by available()");
            let conn = client.get_connection_with_timeout(self.opts.connect_timeout)?;
            conn.set_read_timeout(Some(self.opts.op_timeout))?;
            conn.set_write_timeout(Some(self.opts.op_timeout))?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("just set"))
    }

    fn fail(&mut self, err: &redis::RedisError) {
        self.conn = None;
        self.failed_this_run = true;
        self.stats.errors += 1;
        self.stats.last_error = Some(err.to_string());
    }

    fn redis_key(&self, kind: CacheKind, key: &CacheKey) -> String {
        format!(
            "{}:v{CACHE_SCHEMA}:{}:{}",
            self.opts.prefix,
            kind.name(),
            key.to_hex()
        )
    }

    /// Fetch many entries in one pipelined round trip (MGET in chunks). Returns the verified
    /// payloads, `None` for misses, rejected entries, or when Redis is unavailable.
    pub fn get_many(&mut self, kind: CacheKind, keys: &[CacheKey]) -> Vec<Option<Vec<u8>>> {
        let mut out = vec![None; keys.len()];
        if keys.is_empty() || !self.available() {
            return out;
        }
        let started = Instant::now();
        let names: Vec<String> = keys.iter().map(|k| self.redis_key(kind, k)).collect();
        let mut pipe = redis::pipe();
        for chunk in names.chunks(1000) {
            pipe.cmd("MGET").arg(chunk);
        }
        let result: redis::RedisResult<Vec<Vec<Option<Vec<u8>>>>> =
            self.connection().and_then(|c| pipe.query(c));
        match result {
            Ok(chunks) => {
                self.succeeded_this_run = true;
                let values = chunks.into_iter().flatten();
                for ((slot, key), value) in out.iter_mut().zip(keys).zip(values) {
                    let Some(bytes) = value else {
                        self.stats.misses += 1;
                        continue;
                    };
                    match entry::open(kind, key, &bytes, self.opts.signing.as_ref()) {
                        Ok(opened) => {
                            self.stats.hits += 1;
                            *slot = Some(opened.payload.to_vec());
                        }
                        Err(rejection) => {
                            self.stats.misses += 1;
                            match rejection {
                                Rejection::Corrupt | Rejection::Foreign => {
                                    self.stats.rejected_corrupt += 1
                                }
                                Rejection::Unsigned => self.stats.rejected_unsigned += 1,
                                Rejection::BadSignature => self.stats.rejected_signature += 1,
                            }
                        }
                    }
                }
            }
            Err(e) => self.fail(&e),
        }
        self.stats.time_ms += started.elapsed().as_secs_f64() * 1000.0;
        out
    }

    /// Store many entries in pipelined batches, each with the configured TTL.
    pub fn put_many(&mut self, kind: CacheKind, entries: &[(CacheKey, &[u8])]) {
        if entries.is_empty() || !self.available() {
            return;
        }
        let started = Instant::now();
        let ttl = self.opts.ttl.as_secs().max(1);
        // Identical files share one entry: write it once.
        let mut seen = rustc_hash::FxHashSet::default();
        let entries: Vec<&(CacheKey, &[u8])> =
            entries.iter().filter(|(k, _)| seen.insert(*k)).collect();
        for chunk in entries.chunks(1000) {
            let mut pipe = redis::pipe();
            for &&(key, payload) in chunk {
                let sealed = entry::seal(kind, &key, payload, self.opts.signing.as_ref());
                pipe.cmd("SET")
                    .arg(self.redis_key(kind, &key))
                    .arg(sealed)
                    .arg("EX")
                    .arg(ttl)
                    .ignore();
            }
            let result: redis::RedisResult<()> = self.connection().and_then(|c| pipe.query(c));
            match result {
                Ok(()) => {
                    self.succeeded_this_run = true;
                    self.stats.writes += chunk.len() as u64;
                }
                Err(e) => {
                    self.fail(&e);
                    break;
                }
            }
        }
        self.stats.time_ms += started.elapsed().as_secs_f64() * 1000.0;
    }

    /// Update and save the breaker state at the end of a run.
    pub fn finish(&mut self) {
        if self.failed_this_run {
            self.state.failures = self.state.failures.saturating_add(1);
            if self.state.failures >= self.opts.failure_threshold || self.half_open {
                self.state.opened_at = Some(entry::now_secs());
            }
            self.half_open = false;
        } else if self.succeeded_this_run {
            self.state = BreakerState::default();
            self.half_open = false;
        }
        self.stats.breaker = self.breaker_name().into();
        if let Some(path) = &self.state_path
            && let Ok(bytes) = serde_json::to_vec(&self.state)
        {
            let _ = crate::disk::write_atomic(path, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_passwords_never_shown() {
        assert!(validate_url("redis://127.0.0.1:6379/0").is_ok());
        // TLS is not built in: said at once, not discovered as an outage.
        assert!(validate_url("rediss://cache.internal:6380").is_err());
        let err = validate_url("http://user:hunter2@cache.internal").unwrap_err();
        assert!(err.contains("invalid Redis URL"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert_eq!(
            redact("redis://user:hunter2@host:6379"),
            "redis://user:***@host:6379"
        );
        assert_eq!(redact("redis://host:6379"), "redis://host:6379");
    }
}
