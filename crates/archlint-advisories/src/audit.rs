//! The vulnerability status of a set of installed packages, from whichever source answered.

use serde::Serialize;

use crate::{AdvisoryDb, Vulnerability};

/// Where a package's vulnerability data came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VulnSource {
    /// The imported advisory database.
    OfflineDb,
    /// The package index's JSON API, just now.
    Index,
    /// An OSV query service, just now.
    OsvService,
    /// An earlier answer of the index or the OSV service, from the cache.
    Cache,
}

/// One package's known vulnerabilities.
#[derive(Debug, Clone, Serialize)]
pub struct PackageVulns {
    /// PEP 503-normalized.
    pub name: String,
    pub version: String,
    pub vulnerabilities: Vec<Vulnerability>,
    pub source: VulnSource,
    /// Age of the data in seconds.
    pub age_secs: u64,
}

/// A package that could not be checked, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Unchecked {
    pub name: String,
    pub version: String,
    pub reason: String,
}

/// The outcome of a vulnerability audit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VulnAudit {
    pub checked: Vec<PackageVulns>,
    pub unchecked: Vec<Unchecked>,
    /// Packages the online service does not know (a 404: private packages).
    pub not_on_index: Vec<String>,
    /// Things the user should know: an old database, a fallback to cached data.
    pub notes: Vec<String>,
    /// HTTP requests made.
    pub requests: u64,
    pub elapsed_ms: f64,
}

/// Seconds since the epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Check `packages` (normalized name, version) against the offline database. A database older
/// than `max_age_secs` adds a note.
pub fn audit_offline(
    db: &AdvisoryDb,
    packages: &[(String, String)],
    max_age_secs: u64,
) -> VulnAudit {
    let started = std::time::Instant::now();
    let age = now_secs().saturating_sub(db.meta().imported_at);
    let mut audit = VulnAudit::default();
    if age >= max_age_secs {
        audit.notes.push(format!(
            "the advisory database was imported {} days ago from {}; run `archlint deps db import` with a current copy",
            age / 86_400,
            db.meta().source
        ));
    }
    for (name, version) in packages {
        if version.parse::<pep440_rs::Version>().is_err() {
            audit.unchecked.push(Unchecked {
                name: name.clone(),
                version: version.clone(),
                reason: "not a PEP 440 version".into(),
            });
            continue;
        }
        audit.checked.push(PackageVulns {
            name: name.clone(),
            version: version.clone(),
            vulnerabilities: db.check(name, version),
            source: VulnSource::OfflineDb,
            age_secs: age,
        });
    }
    audit.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    audit
}
