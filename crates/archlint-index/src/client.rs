//! One HTTP client shared by every request of a run: bounded concurrency, a rate limit,
//! per-request timeouts, retries with backoff (honouring `Retry-After`), and a circuit breaker.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::limits::{Breaker, RateLimiter, backoff, retry_after};

/// Limits for talking to a service.
#[derive(Debug, Clone)]
pub struct OnlineOptions {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests per second at most.
    pub rate_limit: f64,
    /// For one request, connection to last byte.
    pub timeout: Duration,
    /// Further attempts after the first, for retryable failures.
    pub retries: u32,
    /// First retry delay (doubled per attempt, ±50 % jitter).
    pub backoff_base: Duration,
    /// Consecutive failures that open the breaker.
    pub breaker_threshold: u32,
    pub breaker_cooldown: Duration,
    /// Longest `Retry-After` honoured.
    pub max_retry_after: Duration,
}

impl Default for OnlineOptions {
    fn default() -> Self {
        OnlineOptions {
            concurrency: 10,
            rate_limit: 20.0,
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff_base: Duration::from_millis(200),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// What one logical request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// 200 with a body that `accept` took.
    Ok(Vec<u8>),
    /// 404: the service does not know it.
    NotFound,
    /// Given up: why, after how many attempts.
    Failed(String),
}

/// Counters of a run.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
}

pub struct HttpClient {
    http: reqwest::Client,
    options: OnlineOptions,
    permits: Semaphore,
    rate: RateLimiter,
    pub breaker: Breaker,
    pub counters: Counters,
}

const MAX_BODY: usize = 32 << 20;

/// Install the TLS crypto provider once (ring, per crates.md: aws-lc takes far longer to build).
fn install_crypto() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl HttpClient {
    pub fn new(options: OnlineOptions) -> Result<Arc<HttpClient>, String> {
        install_crypto();
        let http = reqwest::Client::builder()
            .user_agent(concat!("archlint/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.timeout)
            .timeout(options.timeout)
            .pool_max_idle_per_host(options.concurrency)
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(Arc::new(HttpClient {
            http,
            permits: Semaphore::new(options.concurrency.max(1)),
            rate: RateLimiter::new(options.rate_limit),
            breaker: Breaker::new(options.breaker_threshold, options.breaker_cooldown),
            counters: Counters::default(),
            options,
        }))
    }

    /// GET (or POST `body` as JSON) `url`, retrying what is worth retrying. `accept` checks a
    /// 200 body (malformed JSON is retried like a transient failure).
    pub async fn fetch(
        &self,
        url: &str,
        body: Option<&[u8]>,
        accept: &(dyn Fn(&[u8]) -> bool + Sync),
    ) -> Fetched {
        let attempts = self.options.retries + 1;
        let mut last = String::new();
        for attempt in 0..attempts {
            let outcome = {
                let _permit = self.permits.acquire().await.expect("never closed");
                self.rate.wait().await;
                // Asked only now, in line: requests queued before the breaker opened must not
                // go out after it did.
                if !self.breaker.allow() {
                    let last = if last.is_empty() {
                        String::new()
                    } else {
                        format!("; last error: {last}")
                    };
                    return Fetched::Failed(format!(
                        "not asked: the service is failing (circuit breaker open){last}"
                    ));
                }
                if attempt > 0 {
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                }
                self.counters.requests.fetch_add(1, Ordering::Relaxed);
                let request = match body {
                    Some(b) => self
                        .http
                        .post(url)
                        .header("content-type", "application/json")
                        .body(b.to_vec()),
                    None => self.http.get(url).header("accept", "application/json"),
                };
                match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let after = response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        match read_body(response).await {
                            Ok(bytes) => Ok((status, after, bytes)),
                            Err(e) => Err(e),
                        }
                    }
                    Err(e) => Err(describe(&e)),
                }
            };
            let delay = match outcome {
                Ok((200, _, bytes)) => {
                    if accept(&bytes) {
                        self.breaker.success();
                        return Fetched::Ok(bytes);
                    }
                    last = "malformed JSON in the response".into();
                    self.breaker.failure();
                    None
                }
                Ok((404, _, _)) => {
                    self.breaker.success();
                    return Fetched::NotFound;
                }
                Ok((429, after, _)) => {
                    last = "HTTP 429 Too Many Requests".into();
                    after.and_then(|a| retry_after(&a, self.options.max_retry_after))
                }
                Ok((status, after, _)) if status >= 500 => {
                    last = format!("HTTP {status}");
                    self.breaker.failure();
                    after.and_then(|a| retry_after(&a, self.options.max_retry_after))
                }
                Ok((status, _, _)) => {
                    self.breaker.success();
                    return Fetched::Failed(format!("HTTP {status}"));
                }
                Err(e) => {
                    last = e;
                    self.breaker.failure();
                    None
                }
            };
            if attempt + 1 < attempts {
                let wait = delay.unwrap_or_else(|| {
                    backoff(self.options.backoff_base, attempt, Duration::from_secs(10))
                });
                tokio::time::sleep(wait).await;
            }
        }
        Fetched::Failed(format!("{last} (after {attempts} attempts)"))
    }
}

async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > MAX_BODY {
                    return Err("response too large".into());
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(describe(&e)),
        }
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else if e.is_body() || e.is_decode() {
        "connection reset while reading the response".into()
    } else if e.is_request() {
        "connection reset".into()
    } else {
        "request failed".into()
    }
}
