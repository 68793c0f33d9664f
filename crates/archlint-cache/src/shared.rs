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
use crate::resp::{self, Connection, Deadline, Reply, Target};

/// How to reach Redis and how patient to be.
#[derive(Debug, Clone)]
pub struct RedisOptions {
    pub url: String,
    pub connect_timeout: Duration,
    /// The longest Redis may stay silent in one operation; an operation may take this plus
    /// the time its bytes need at [`resp::MIN_RATE`], never more than the budget left.
    pub op_timeout: Duration,
    /// The most time one run spends on Redis, all operations together.
    pub budget: Duration,
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
    /// Defaults for a URL: 100 ms timeouts, a 2 s budget per run, 7-day TTL, open after 3
    /// failed runs for 60 s.
    pub fn new(url: &str) -> RedisOptions {
        RedisOptions {
            url: url.to_owned(),
            connect_timeout: Duration::from_millis(100),
            op_timeout: Duration::from_millis(100),
            budget: Duration::from_secs(2),
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
    Target::parse(url)
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
    /// Why Redis was not (or no longer) used this run, if it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// A Redis connection with a breaker in front of it.
pub struct SharedCache {
    opts: RedisOptions,
    target: Option<Target>,
    conn: Option<Connection>,
    state: BreakerState,
    state_path: Option<PathBuf>,
    /// A failure happened in this run: stop using Redis until the next run.
    failed_this_run: bool,
    succeeded_this_run: bool,
    half_open: bool,
    /// Time spent on Redis this run, against [`RedisOptions::budget`].
    spent: Duration,
    pub stats: RedisStats,
}

/// The name of the breaker state file for a server: one per server and database, so a dead
/// server's open breaker does not stop another one from being used.
fn breaker_file_name(url: &str) -> String {
    let identity = Target::parse(url)
        .map(|t| t.identity())
        .unwrap_or_else(|_| redact(url));
    let hash = blake3::hash(identity.as_bytes());
    format!("redis-breaker-{}.json", &hash.to_hex()[..16])
}

impl SharedCache {
    /// A Redis layer whose breaker state lives in `disk` (one file per server), when there is
    /// a disk cache.
    pub fn beside(opts: RedisOptions, disk: Option<&crate::disk::DiskCache>) -> SharedCache {
        let state = disk.and_then(|d| d.file_path("state", &breaker_file_name(&opts.url)).ok());
        SharedCache::new(opts, state)
    }

    /// Prepare a Redis layer; nothing is contacted until the first operation. The breaker state
    /// is read from `state_path` (in the disk cache, named by [`breaker_file_name`]) when given.
    pub fn new(opts: RedisOptions, state_path: Option<PathBuf>) -> SharedCache {
        let state: BreakerState = state_path
            .as_ref()
            .and_then(|p| crate::disk::read_regular(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let mut stats = RedisStats::default();
        let target = match Target::parse(&opts.url) {
            Ok(t) => Some(t),
            Err(e) => {
                stats.errors += 1;
                stats.last_error = Some(format!("invalid Redis URL: {e}"));
                stats.skipped = stats.last_error.clone();
                None
            }
        };
        let mut shared = SharedCache {
            opts,
            target,
            conn: None,
            state,
            state_path,
            failed_this_run: false,
            succeeded_this_run: false,
            half_open: false,
            spent: Duration::ZERO,
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

    /// Whether an operation may go to Redis now; if not, why is kept for the run's note.
    fn available(&mut self) -> bool {
        if self.target.is_none() || self.failed_this_run {
            return false;
        }
        if let Some(opened) = self.state.opened_at {
            let waited = entry::now_secs().saturating_sub(opened);
            if waited < self.opts.cooldown.as_secs() {
                self.stats.skipped.get_or_insert_with(|| {
                    format!(
                        "the circuit breaker is open after {} failed runs; next try in {} s",
                        self.state.failures,
                        self.opts.cooldown.as_secs() - waited
                    )
                });
                return false;
            }
            self.half_open = true;
        }
        if self.spent >= self.opts.budget {
            self.stats.skipped.get_or_insert_with(|| {
                format!(
                    "this run's budget of {} ms for it is spent",
                    self.opts.budget.as_millis()
                )
            });
            return false;
        }
        true
    }

    /// The deadline of the next operation: silence allowed, within what is left of the budget.
    fn deadline(&self) -> Deadline {
        Deadline::new(self.opts.op_timeout, self.opts.budget - self.spent)
    }

    fn connection(&mut self, deadline: &Deadline) -> Result<&mut Connection, resp::Error> {
        if self.conn.is_none() {
            let target = self.target.as_ref().expect("checked by available()");
            let connect = Deadline::new(
                self.opts.connect_timeout,
                self.opts.budget.saturating_sub(self.spent),
            );
            // Whichever ends first: connecting is part of the operation.
            let conn = Connection::open(target, deadline.earlier(&connect))?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("just set"))
    }

    fn fail(&mut self, err: &resp::Error) {
        self.conn = None;
        self.failed_this_run = true;
        self.stats.errors += 1;
        self.stats.last_error = Some(err.to_string());
        self.stats
            .skipped
            .get_or_insert_with(|| format!("{err}; not used for the rest of this run"));
    }

    fn spend(&mut self, started: Instant) {
        let took = started.elapsed();
        self.spent += took;
        self.stats.time_ms += took.as_secs_f64() * 1000.0;
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
        let deadline = self.deadline();
        let names: Vec<Vec<u8>> = keys
            .iter()
            .map(|k| self.redis_key(kind, k).into_bytes())
            .collect();
        let commands: Vec<Vec<Vec<u8>>> = names
            .chunks(1000)
            .map(|chunk| {
                let mut args = Vec::with_capacity(chunk.len() + 1);
                args.push(b"MGET".to_vec());
                args.extend(chunk.iter().cloned());
                args
            })
            .collect();
        let lengths: Vec<usize> = names.chunks(1000).map(<[_]>::len).collect();
        let result = self
            .connection(&deadline)
            .and_then(|c| c.pipeline(&commands, &lengths, &deadline))
            .and_then(|replies| values_of(replies, &lengths));
        match result {
            Ok(values) => {
                self.succeeded_this_run = true;
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
        self.spend(started);
        out
    }

    /// Store many entries in pipelined batches, each with the configured TTL.
    ///
    /// Without a signing key an entry is only added, never replaced (`SET … NX`): a runner that
    /// cannot sign must not overwrite what a signing runner wrote. With the key, an entry is
    /// replaced, since it is written only after the one there was missing or not trusted.
    pub fn put_many(&mut self, kind: CacheKind, entries: &[(CacheKey, &[u8])]) {
        if entries.is_empty() || !self.available() {
            return;
        }
        let started = Instant::now();
        let ttl = self.opts.ttl.as_secs().max(1).to_string().into_bytes();
        // Identical files share one entry: write it once.
        let mut seen = rustc_hash::FxHashSet::default();
        let entries: Vec<&(CacheKey, &[u8])> =
            entries.iter().filter(|(k, _)| seen.insert(*k)).collect();
        for chunk in entries.chunks(1000) {
            let deadline = self.deadline();
            let commands: Vec<Vec<Vec<u8>>> = chunk
                .iter()
                .map(|&&(key, payload)| {
                    let sealed = entry::seal(kind, &key, payload, self.opts.signing.as_ref());
                    let mut args = vec![
                        b"SET".to_vec(),
                        self.redis_key(kind, &key).into_bytes(),
                        sealed,
                        b"EX".to_vec(),
                        ttl.clone(),
                    ];
                    if self.opts.signing.is_none() {
                        args.push(b"NX".to_vec());
                    }
                    args
                })
                .collect();
            let result = self
                .connection(&deadline)
                .and_then(|c| c.pipeline(&commands, &vec![0; commands.len()], &deadline));
            match result {
                Ok(replies) => {
                    self.succeeded_this_run = true;
                    self.stats.writes += replies
                        .iter()
                        .filter(|r| matches!(r, Reply::Status(_)))
                        .count() as u64;
                }
                Err(e) => {
                    self.fail(&e);
                    break;
                }
            }
            if !self.available() {
                break;
            }
        }
        self.spend(started);
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

    /// The note to give the user once, when Redis was configured but (partly) not used.
    pub fn note(&self) -> Option<String> {
        let why = self.stats.skipped.as_ref()?;
        Some(format!(
            "shared cache {} skipped: {why}",
            redact(&self.opts.url)
        ))
    }
}

/// The values of MGET replies, checked against the number of keys asked in each.
fn values_of(replies: Vec<Reply>, lengths: &[usize]) -> Result<Vec<Option<Vec<u8>>>, resp::Error> {
    let mut values = Vec::with_capacity(lengths.iter().sum());
    for (reply, &n) in replies.into_iter().zip(lengths) {
        match reply {
            Reply::Array(Some(items)) if items.len() == n => {
                for item in items {
                    match item {
                        Reply::Bulk(value) => values.push(value),
                        other => {
                            return Err(resp::Error::Protocol(format!("MGET answered {other:?}")));
                        }
                    }
                }
            }
            other => {
                return Err(resp::Error::Protocol(format!(
                    "MGET of {n} keys answered {}",
                    match other {
                        Reply::Array(Some(items)) => format!("{} values", items.len()),
                        other => format!("{other:?}"),
                    }
                )));
            }
        }
    }
    Ok(values)
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
