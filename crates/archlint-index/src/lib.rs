//! Vulnerability (and license) data from online services: a package index's JSON API
//! (`<index>/pypi/<name>/<version>/json`) or an OSV query service. Requests go out in parallel
//! but politely — at most `concurrency` in flight and `rate_limit` per second — with timeouts,
//! retries with exponential backoff and jitter (on connection errors, timeouts, malformed JSON,
//! 429 honouring `Retry-After`, and 5xx), and a circuit breaker that stops calling a failing
//! service. A 404 means "not on the index" (a private package), not an error. Answers are
//! cached per kind (vulnerabilities 1 h, licenses 7 d), and packages the service could not
//! answer for fall back to the offline advisory database when there is one.

mod answer;
mod client;
pub mod limits;
#[cfg(feature = "mock-server")]
pub mod mock;
mod online_audit;
mod osv_service;
pub mod url;

pub use answer::IndexLicense;
pub use client::{Fetched, HttpClient, OnlineOptions};
pub use online_audit::{OnlineRequest, OnlineResult, Service, audit_online};
pub use url::{IndexUrl, json_api_base, redact, resolve_index_url};
