//! The vulnerability policy: `[tool.archlint.vulnerabilities]`.
//!
//! ```toml
//! [tool.archlint.vulnerabilities]
//! ignore = [
//!   "PYSEC-2018-28",                                     # or with a reason and an expiry:
//!   { id = "GHSA-xxxx", reason = "not reachable from our code", expires = "2027-01-31" },
//! ]
//! max_db_age = "7d"        # warn when the offline database is older
//! online = false           # also ask the package index (or the OSV service)
//! service = "index"        # "index" (JSON API) or "osv" (an OSV query service)
//! index_url = "https://..."# default: --index-url, ARCHLINT_INDEX_URL, PIP_INDEX_URL, pip.conf
//! osv_url = "https://..."
//! concurrency = 10         # requests in flight
//! rate_limit = 20          # requests per second
//! timeout = "10s"
//! retries = 3
//! fail_on_incomplete = false
//! ```

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::table::{PolicyError, parse_date};

/// An advisory the project has decided to accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredAdvisory {
    /// Advisory id or alias (`PYSEC-…`, `GHSA-…`, `CVE-…`).
    pub id: String,
    pub reason: Option<String>,
    pub expires: Option<String>,
}

/// Everything about vulnerability checking that the configuration can say.
#[derive(Debug, Clone, PartialEq)]
pub struct VulnPolicy {
    pub ignore: Vec<IgnoredAdvisory>,
    pub max_db_age: Duration,
    pub online: bool,
    pub service: String,
    pub index_url: Option<String>,
    pub osv_url: Option<String>,
    pub concurrency: usize,
    pub rate_limit: f64,
    pub timeout: Duration,
    pub retries: u32,
    pub fail_on_incomplete: bool,
}

impl Default for VulnPolicy {
    fn default() -> Self {
        VulnPolicy {
            ignore: Vec::new(),
            max_db_age: Duration::from_secs(7 * 86_400),
            online: false,
            service: "index".into(),
            index_url: None,
            osv_url: None,
            concurrency: 10,
            rate_limit: 20.0,
            timeout: Duration::from_secs(10),
            retries: 3,
            fail_on_incomplete: false,
        }
    }
}

/// `500ms`, `10s`, `5m`, `12h`, `7d`, or a number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (num, unit) = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map(|i| t.split_at(i))
        .unwrap_or((t, "s"));
    let n: f64 = num
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "s" | "" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(secs))
}

impl VulnPolicy {
    /// Read `[tool.archlint.vulnerabilities]`.
    pub fn from_table(
        table: Option<&toml::Table>,
        file: Option<&Path>,
    ) -> Result<VulnPolicy, PolicyError> {
        const T: &str = "tool.archlint.vulnerabilities";
        let fail = |message: String| PolicyError {
            file: file.map(Path::to_owned),
            message: format!("[{T}] {message}"),
        };
        let mut p = VulnPolicy::default();
        let duration = |key: &str, v: &toml::Value| -> Result<Duration, PolicyError> {
            match v {
                toml::Value::Integer(n) if *n >= 0 => Ok(Duration::from_secs(*n as u64)),
                toml::Value::String(s) => parse_duration(s).ok_or_else(|| {
                    fail(format!(
                        "'{key}': {s:?} is not a duration (e.g. \"10s\", \"7d\")"
                    ))
                }),
                _ => Err(fail(format!("'{key}' must be a duration such as \"10s\""))),
            }
        };
        for (key, value) in table.into_iter().flatten() {
            match key.as_str() {
                "ignore" => {
                    let items = value
                        .as_array()
                        .ok_or_else(|| fail("'ignore' must be a list".into()))?;
                    for item in items {
                        let entry = match item {
                            toml::Value::String(id) => IgnoredAdvisory {
                                id: id.clone(),
                                reason: None,
                                expires: None,
                            },
                            toml::Value::Table(t) => {
                                let mut e = IgnoredAdvisory {
                                    id: String::new(),
                                    reason: None,
                                    expires: None,
                                };
                                for (k, v) in t {
                                    match k.as_str() {
                                        "id" => e.id = v.as_str().unwrap_or("").to_owned(),
                                        "reason" => e.reason = v.as_str().map(str::to_owned),
                                        "expires" => {
                                            let text = match v {
                                                toml::Value::Datetime(d) => d.to_string(),
                                                other => other.as_str().unwrap_or("").to_owned(),
                                            };
                                            if parse_date(&text).is_none() {
                                                return Err(fail(format!(
                                                    "ignore: 'expires' must be a date (YYYY-MM-DD), not {text:?}"
                                                )));
                                            }
                                            e.expires = Some(text);
                                        }
                                        other => {
                                            return Err(fail(format!(
                                                "ignore: unknown option '{other}' (id, reason, expires)"
                                            )));
                                        }
                                    }
                                }
                                e
                            }
                            _ => return Err(fail(
                                "'ignore' entries are advisory ids or {id, reason, expires} tables"
                                    .into(),
                            )),
                        };
                        let valid = !entry.id.is_empty()
                            && entry.id.len() <= 100
                            && entry.id.bytes().all(|b| {
                                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':')
                            });
                        if !valid {
                            return Err(fail(format!(
                                "ignore: {:?} is not an advisory id",
                                entry.id
                            )));
                        }
                        p.ignore.push(entry);
                    }
                }
                "max_db_age" => p.max_db_age = duration(key, value)?,
                "timeout" => p.timeout = duration(key, value)?,
                "online" => {
                    p.online = value
                        .as_bool()
                        .ok_or_else(|| fail("'online' must be true or false".into()))?
                }
                "fail_on_incomplete" => {
                    p.fail_on_incomplete = value
                        .as_bool()
                        .ok_or_else(|| fail("'fail_on_incomplete' must be true or false".into()))?
                }
                "service" => {
                    p.service = match value.as_str() {
                        Some(s @ ("index" | "osv")) => s.to_owned(),
                        _ => return Err(fail("'service' must be \"index\" or \"osv\"".into())),
                    }
                }
                "index_url" | "osv_url" => {
                    let url = value
                        .as_str()
                        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                        .ok_or_else(|| fail(format!("'{key}' must be an http(s) URL")))?
                        .to_owned();
                    if key == "index_url" {
                        p.index_url = Some(url);
                    } else {
                        p.osv_url = Some(url);
                    }
                }
                "concurrency" => {
                    p.concurrency = value
                        .as_integer()
                        .filter(|n| (1..=256).contains(n))
                        .ok_or_else(|| {
                            fail("'concurrency' must be a number from 1 to 256".into())
                        })? as usize
                }
                "rate_limit" => {
                    p.rate_limit = value
                        .as_float()
                        .or_else(|| value.as_integer().map(|n| n as f64))
                        .filter(|n| *n > 0.0 && *n <= 10_000.0)
                        .ok_or_else(|| {
                            fail(
                                "'rate_limit' must be a positive number of requests per second"
                                    .into(),
                            )
                        })?
                }
                "retries" => {
                    p.retries = value
                        .as_integer()
                        .filter(|n| (0..=10).contains(n))
                        .ok_or_else(|| fail("'retries' must be a number from 0 to 10".into()))?
                        as u32
                }
                other => {
                    return Err(fail(format!(
                        "unknown option '{other}' (ignore, max_db_age, online, service, index_url, osv_url, concurrency, rate_limit, timeout, retries, fail_on_incomplete)"
                    )));
                }
            }
        }
        Ok(p)
    }

    /// The reason an advisory (by id or alias) is accepted today, if it is.
    pub fn ignored(&self, ids: &[&str], today: (i32, u32, u32)) -> Option<String> {
        self.ignore
            .iter()
            .find(|e| {
                ids.iter().any(|id| id.eq_ignore_ascii_case(&e.id))
                    && e.expires
                        .as_deref()
                        .and_then(parse_date)
                        .is_none_or(|d| d >= today)
            })
            .map(|e| {
                e.reason
                    .clone()
                    .unwrap_or_else(|| format!("{} is ignored in the configuration", e.id))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("90"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("5y"), None);
    }

    #[test]
    fn table() {
        let t: toml::Table = r#"ignore = ["PYSEC-2018-28", { id = "GHSA-aaaa-bbbb-cccc", reason = "unreachable", expires = 2027-01-31 }]
max_db_age = "3d"
concurrency = 4
rate_limit = 50
online = true
"#
        .parse()
        .unwrap();
        let p = VulnPolicy::from_table(Some(&t), None).unwrap();
        assert_eq!(p.ignore.len(), 2);
        assert_eq!(p.concurrency, 4);
        assert_eq!(p.rate_limit, 50.0);
        assert!(p.online);
        assert_eq!(
            p.ignored(&["CVE-1", "ghsa-aaaa-bbbb-cccc"], (2026, 1, 1))
                .as_deref(),
            Some("unreachable")
        );
        assert_eq!(
            p.ignored(&["GHSA-aaaa-bbbb-cccc"], (2027, 2, 1)),
            None,
            "expired"
        );
        for bad in [
            "concurrency = 0",
            "service = \"web\"",
            "index_url = \"ftp://x\"",
            "ignore = [\"../x\"]",
            "colour = 1",
            "timeout = \"fast\"",
        ] {
            let t: toml::Table = bad.parse().unwrap();
            let e =
                VulnPolicy::from_table(Some(&t), Some(Path::new("pyproject.toml"))).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("pyproject.toml: [tool.archlint.vulnerabilities]"),
                "{e}"
            );
        }
    }
}
