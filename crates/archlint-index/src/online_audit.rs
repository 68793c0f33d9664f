//! The online audit: every package asked in parallel (within the limits), answers cached per
//! kind, failures listed and, where an offline database exists, covered by it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use archlint_advisories::audit::now_secs;
use archlint_advisories::{
    AdvisoryDb, PackageVulns, Unchecked, VulnAudit, VulnSource, Vulnerability,
};
use archlint_cache::{Cache, CacheKind, KeyBuilder};
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, IndexLicense};
use crate::client::{Fetched, HttpClient, OnlineOptions};

/// Which online service to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Service {
    /// A package index's JSON API at this base (`<base>/pypi/<name>/<version>/json`).
    Index { base: String },
    /// An OSV query service at this base (`<base>/v1/querybatch`, `<base>/v1/vulns/<id>`).
    Osv { base: String },
}

impl Service {
    fn name(&self) -> &'static str {
        match self {
            Service::Index { .. } => "the package index",
            Service::Osv { .. } => "the OSV service",
        }
    }

    fn base(&self) -> &str {
        match self {
            Service::Index { base } | Service::Osv { base } => base,
        }
    }
}

/// What an online audit found.
#[derive(Debug, Default)]
pub struct OnlineResult {
    pub audit: VulnAudit,
    /// License fields from the index, by normalized name (for packages asked about).
    pub licenses: HashMap<String, IndexLicense>,
    pub cache_hits: u64,
    pub retries: u64,
    pub breaker_opened: u32,
}

/// One online audit's inputs.
pub struct OnlineRequest<'a> {
    /// (normalized name, version).
    pub packages: &'a [(String, String)],
    pub service: Service,
    pub options: OnlineOptions,
    pub cache: Option<&'a Cache>,
    /// Covers packages the service could not answer for.
    pub offline: Option<&'a AdvisoryDb>,
    /// Told `(answered, asked)` as answers arrive, for a progress display.
    pub progress: Option<&'a (dyn Fn(u64, u64) + Sync)>,
}

#[derive(Serialize, Deserialize)]
struct CachedVulns {
    fetched_at: u64,
    not_found: bool,
    vulns: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct ReleaseJson {
    #[serde(default)]
    info: Option<InfoJson>,
    #[serde(default)]
    vulnerabilities: Option<Vec<VulnJson>>,
}

#[derive(Deserialize)]
struct InfoJson {
    #[serde(default)]
    license: Option<String>,
    #[serde(default)]
    license_expression: Option<String>,
    #[serde(default)]
    classifiers: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct VulnJson {
    id: String,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    fixed_in: Option<Vec<String>>,
    #[serde(default)]
    withdrawn: Option<serde_json::Value>,
}

/// The cache entries of one service's answers, per kind, keyed by release.
struct Entries<'a> {
    cache: Option<&'a Cache>,
    service: &'a Service,
}

impl Entries<'_> {
    fn key(&self, kind: CacheKind, name: &str, version: &str) -> archlint_cache::CacheKey {
        KeyBuilder::new(kind)
            .part("service", self.service.base())
            .part("name", name)
            .part("version", version)
            .finish()
    }

    fn get<T: serde::de::DeserializeOwned>(
        &self,
        kind: CacheKind,
        name: &str,
        version: &str,
    ) -> Option<T> {
        let bytes = self.cache?.get(kind, &self.key(kind, name, version))?;
        serde_json::from_slice(&bytes).ok()
    }

    fn put<T: Serialize>(&self, kind: CacheKind, name: &str, version: &str, value: &T) {
        if let (Some(cache), Ok(bytes)) = (self.cache, serde_json::to_vec(value)) {
            cache.put(kind, &self.key(kind, name, version), &bytes);
        }
    }
}

/// A version is put in a URL path only if it is made of PEP 440 characters.
fn safe_version(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 100
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'!' | b'-' | b'_'))
}

/// The release's `info` object without its long description (cached as package metadata).
fn release_info(bytes: &[u8]) -> Option<serde_json::Value> {
    let mut doc: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let mut info = doc.get_mut("info")?.take();
    if let Some(o) = info.as_object_mut() {
        o.remove("description");
    }
    Some(info)
}

/// License fields from cached package metadata.
fn license_from_info(info: &serde_json::Value) -> IndexLicense {
    let text = |k: &str| {
        info[k]
            .as_str()
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
    };
    IndexLicense {
        license_expression: text("license_expression"),
        license: text("license"),
        classifiers: info["classifiers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .filter(|c| c.starts_with("License ::"))
            .map(str::to_owned)
            .collect(),
    }
}

fn parse_release(bytes: &[u8], version: &str) -> Option<(Vec<Vulnerability>, IndexLicense)> {
    let release: ReleaseJson = serde_json::from_slice(bytes).ok()?;
    let installed = version.parse::<pep440_rs::Version>().ok();
    let vulns = release
        .vulnerabilities
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.withdrawn.as_ref().is_none_or(serde_json::Value::is_null))
        .map(|v| {
            let fixed = v
                .fixed_in
                .unwrap_or_default()
                .into_iter()
                .filter_map(|f| f.parse::<pep440_rs::Version>().ok().map(|p| (p, f)))
                .filter(|(p, _)| installed.as_ref().is_none_or(|i| p > i))
                .min_by(|a, b| a.0.cmp(&b.0))
                .map(|(_, f)| f);
            let summary = v
                .summary
                .filter(|s| !s.trim().is_empty())
                .or_else(|| {
                    v.details.map(|d| {
                        d.split(". ")
                            .next()
                            .unwrap_or("")
                            .chars()
                            .take(200)
                            .collect()
                    })
                })
                .unwrap_or_default();
            Vulnerability {
                id: v.id,
                aliases: v.aliases.unwrap_or_default(),
                summary,
                fixed,
            }
        })
        .collect();
    let info = release.info.unwrap_or(InfoJson {
        license: None,
        license_expression: None,
        classifiers: None,
    });
    let license = IndexLicense {
        license_expression: info.license_expression.filter(|s| !s.trim().is_empty()),
        license: info.license.filter(|s| !s.trim().is_empty()),
        classifiers: info
            .classifiers
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.starts_with("License ::"))
            .collect(),
    };
    Some((vulns, license))
}

/// Run the audit (a small runtime of its own: the rest of archlint is synchronous).
pub fn audit_online(request: OnlineRequest<'_>) -> Result<OnlineResult, String> {
    let started = Instant::now();
    let client = HttpClient::new(request.options.clone())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the I/O runtime: {e}"))?;
    let mut result = OnlineResult::default();
    let now = now_secs();

    let entries = Entries {
        cache: request.cache,
        service: &request.service,
    };
    // Answers from the cache first: a repeated run within the TTL asks nothing.
    let mut to_ask: Vec<(String, String)> = Vec::new();
    for (name, version) in request.packages {
        if !archlint_inventory::is_valid_name(name) || !safe_version(version) {
            result.audit.unchecked.push(Unchecked {
                name: name.clone(),
                version: version.clone(),
                reason: "not a valid name and version to look up".into(),
            });
            continue;
        }
        match entries.get::<CachedVulns>(CacheKind::Vulnerability, name, version) {
            Some(c) => {
                result.cache_hits += 1;
                // A missing license entry (pruned or damaged): the package metadata holds the
                // same fields.
                if let Some(license) = entries
                    .get::<IndexLicense>(CacheKind::License, name, version)
                    .or_else(|| {
                        entries
                            .get::<serde_json::Value>(CacheKind::PackageMetadata, name, version)
                            .map(|info| license_from_info(&info))
                    })
                {
                    result.licenses.insert(name.clone(), license);
                }
                if c.not_found {
                    result.audit.not_on_index.push(name.clone());
                } else {
                    result.audit.checked.push(PackageVulns {
                        name: name.clone(),
                        version: version.clone(),
                        vulnerabilities: c.vulns,
                        source: VulnSource::Cache,
                        age_secs: now.saturating_sub(c.fetched_at),
                    });
                }
            }
            None => to_ask.push((name.clone(), version.clone())),
        }
    }

    let answers: Vec<((String, String), Answer)> = match &request.service {
        Service::Index { base } => runtime.block_on(ask_index(
            client.clone(),
            base.clone(),
            to_ask,
            request.progress,
        )),
        Service::Osv { base } => runtime.block_on(crate::osv_service::ask_osv(
            client.clone(),
            base.clone(),
            to_ask,
        )),
    };

    let mut fell_back = 0usize;
    for ((name, version), answer) in answers {
        match answer {
            Answer::Vulns(vulns, license, info) => {
                let entry = CachedVulns {
                    fetched_at: now,
                    not_found: false,
                    vulns: vulns.clone(),
                };
                entries.put(CacheKind::Vulnerability, &name, &version, &entry);
                if let Some(info) = &info {
                    entries.put(CacheKind::PackageMetadata, &name, &version, info);
                }
                if let Some(l) = &license {
                    entries.put(CacheKind::License, &name, &version, l);
                }
                if let Some(l) = license {
                    result.licenses.insert(name.clone(), l);
                }
                result.audit.checked.push(PackageVulns {
                    name,
                    version,
                    vulnerabilities: vulns,
                    source: match request.service {
                        Service::Index { .. } => VulnSource::Index,
                        Service::Osv { .. } => VulnSource::OsvService,
                    },
                    age_secs: 0,
                });
            }
            Answer::NotFound => {
                let entry = CachedVulns {
                    fetched_at: now,
                    not_found: true,
                    vulns: Vec::new(),
                };
                entries.put(CacheKind::Vulnerability, &name, &version, &entry);
                // Not on the index (a private package): the offline database may still know it.
                if let Some(db) = request.offline {
                    result.audit.checked.push(PackageVulns {
                        vulnerabilities: db.check(&name, &version),
                        name: name.clone(),
                        version,
                        source: VulnSource::OfflineDb,
                        age_secs: now.saturating_sub(db.meta().imported_at),
                    });
                }
                result.audit.not_on_index.push(name);
            }
            Answer::Failed(reason) => match request.offline {
                Some(db) => {
                    fell_back += 1;
                    result.audit.checked.push(PackageVulns {
                        vulnerabilities: db.check(&name, &version),
                        name,
                        version,
                        source: VulnSource::OfflineDb,
                        age_secs: now.saturating_sub(db.meta().imported_at),
                    });
                }
                None => result.audit.unchecked.push(Unchecked {
                    name,
                    version,
                    reason,
                }),
            },
        }
    }
    result.breaker_opened = client.breaker.times_opened();
    if fell_back > 0 {
        result.audit.notes.push(format!(
            "{} could not be reached for {fell_back} packages; their status comes from the offline advisory database",
            request.service.name()
        ));
    }
    if result.breaker_opened > 0 {
        result.audit.notes.push(format!(
            "{} kept failing, so archlint stopped asking it (circuit breaker)",
            request.service.name()
        ));
    }
    result.audit.requests = client.counters.requests.load(Ordering::Relaxed);
    result.retries = client.counters.retries.load(Ordering::Relaxed);
    result.audit.checked.sort_by(|a, b| a.name.cmp(&b.name));
    result.audit.unchecked.sort_by(|a, b| a.name.cmp(&b.name));
    result.audit.not_on_index.sort();
    result.audit.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(result)
}

async fn ask_index(
    client: Arc<HttpClient>,
    base: String,
    packages: Vec<(String, String)>,
    progress: Option<&(dyn Fn(u64, u64) + Sync)>,
) -> Vec<((String, String), Answer)> {
    let asked = packages.len() as u64;
    if let Some(p) = progress {
        p(0, asked);
    }
    let mut set = tokio::task::JoinSet::new();
    for (i, (name, version)) in packages.into_iter().enumerate() {
        let client = client.clone();
        let url = format!("{base}/pypi/{name}/{version}/json");
        set.spawn(async move {
            let v = version.clone();
            let accept = move |bytes: &[u8]| parse_release(bytes, &v).is_some();
            let answer = match client.fetch(&url, None, &accept).await {
                Fetched::Ok(bytes) => match parse_release(&bytes, &version) {
                    Some((vulns, license)) => {
                        Answer::Vulns(vulns, Some(license), release_info(&bytes))
                    }
                    None => Answer::Failed("malformed JSON in the response".into()),
                },
                Fetched::NotFound => Answer::NotFound,
                Fetched::Failed(reason) => Answer::Failed(reason),
            };
            (i, (name, version), answer)
        });
    }
    let mut out = Vec::new();
    let mut answered = 0;
    while let Some(joined) = set.join_next().await {
        answered += 1;
        if let Some(p) = progress {
            p(answered, asked);
        }
        if let Ok(item) = joined {
            out.push(item);
        }
    }
    out.sort_by_key(|(i, ..)| *i);
    out.into_iter().map(|(_, p, a)| (p, a)).collect()
}
