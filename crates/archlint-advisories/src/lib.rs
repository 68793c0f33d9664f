//! An offline vulnerability database for PyPI, built from OSV advisories.
//!
//! [`import`] reads OSV data — a zip or directory of OSV JSON files, or the PyPA
//! advisory-database layout (OSV written as YAML) — into an [`AdvisoryDb`]: a compact
//! per-package index (names sorted, each package's advisories encoded separately, so a lookup
//! decodes only what it needs), saved with a checksum and replaced atomically. Matching follows
//! the OSV schema: `ECOSYSTEM` ranges with `introduced` / `fixed` / `last_affected` events,
//! explicit `versions` lists, withdrawn advisories ignored, names PEP 503-normalized.

pub mod audit;
mod import;
mod matching;
pub mod osv;

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use audit::{PackageVulns, Unchecked, VulnAudit, VulnSource, audit_offline};
pub use import::{ImportReport, import, package_advisory};
pub use matching::{Vulnerability, affects, smallest_fix_above};

/// Bumped whenever the stored layout changes; older files are refused and re-imported.
pub const DB_FORMAT: u32 = 1;
const MAGIC: &[u8; 8] = b"ALADVDB\0";

/// Why the database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error(
        "{path} is not an archlint advisory database, or is damaged ({reason}); run `archlint deps db import` again"
    )]
    Corrupt { path: String, reason: String },
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
    #[error("{0}")]
    Import(String),
}

/// One event of an `ECOSYSTEM` range, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
}

/// One advisory as it concerns one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageAdvisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    /// Each `ECOSYSTEM` range's events.
    pub ranges: Vec<Vec<Event>>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
}

/// What the database was built from, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbMeta {
    pub format: u32,
    /// The imported path, as given.
    pub source: String,
    /// Seconds since the epoch.
    pub imported_at: u64,
    /// Newest `modified` date among the advisories (`YYYY-MM-DD...`), when known.
    pub newest_advisory: Option<String>,
    pub advisories: u32,
    pub packages: u32,
    pub withdrawn: u32,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    meta: DbMeta,
    names: Vec<String>,
    /// (offset, length) into `blob` of each package's encoded `Vec<PackageAdvisory>`.
    spans: Vec<(u32, u32)>,
    blob: Vec<u8>,
}

/// The compact per-package index.
pub struct AdvisoryDb {
    stored: Stored,
    /// Size on disk, when loaded from a file.
    pub file_bytes: u64,
}

impl AdvisoryDb {
    pub(crate) fn build(
        meta: DbMeta,
        mut packages: Vec<(String, Vec<PackageAdvisory>)>,
    ) -> AdvisoryDb {
        packages.sort_by(|a, b| a.0.cmp(&b.0));
        let mut names = Vec::with_capacity(packages.len());
        let mut spans = Vec::with_capacity(packages.len());
        let mut blob = Vec::new();
        for (name, advisories) in packages {
            let bytes = postcard::to_allocvec(&advisories).expect("serialisable");
            spans.push((blob.len() as u32, bytes.len() as u32));
            blob.extend_from_slice(&bytes);
            names.push(name);
        }
        AdvisoryDb {
            stored: Stored {
                meta,
                names,
                spans,
                blob,
            },
            file_bytes: 0,
        }
    }

    pub fn meta(&self) -> &DbMeta {
        &self.stored.meta
    }

    /// Normalized names of every package with advisories.
    pub fn packages(&self) -> &[String] {
        &self.stored.names
    }

    /// The advisories of one package (any spelling of its name).
    pub fn advisories(&self, name: &str) -> Vec<PackageAdvisory> {
        let name = archlint_inventory::normalize_name(name);
        let Ok(i) = self.stored.names.binary_search(&name) else {
            return Vec::new();
        };
        let (offset, len) = self.stored.spans[i];
        let bytes = &self.stored.blob[offset as usize..(offset + len) as usize];
        postcard::from_bytes(bytes).unwrap_or_default()
    }

    /// Known vulnerabilities of `name` at `version`.
    pub fn check(&self, name: &str, version: &str) -> Vec<Vulnerability> {
        let Ok(v) = version.parse::<pep440_rs::Version>() else {
            return Vec::new();
        };
        self.advisories(name)
            .into_iter()
            .filter(|a| affects(a, &v, version))
            .map(|a| Vulnerability {
                fixed: smallest_fix_above(&a, &v),
                id: a.id,
                aliases: a.aliases,
                summary: a.summary,
            })
            .collect()
    }

    /// Write to `path` atomically (a temporary file in the same directory, then a rename),
    /// owner-only.
    pub fn save(&self, path: &Path) -> Result<u64, DbError> {
        let werr = |e: std::io::Error| DbError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let body = postcard::to_allocvec(&self.stored).expect("serialisable");
        let checksum = blake3::hash(&body);
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(werr)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
        tmp.write_all(MAGIC).map_err(werr)?;
        tmp.write_all(&DB_FORMAT.to_le_bytes()).map_err(werr)?;
        tmp.write_all(checksum.as_bytes()).map_err(werr)?;
        tmp.write_all(&body).map_err(werr)?;
        tmp.as_file().sync_all().map_err(werr)?;
        tmp.persist(path).map_err(|e| werr(e.error))?;
        Ok((MAGIC.len() + 4 + 32 + body.len()) as u64)
    }

    /// Read a saved database, verifying its format and checksum.
    pub fn load(path: &Path) -> Result<AdvisoryDb, DbError> {
        let bytes = std::fs::read(path).map_err(|e| DbError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let corrupt = |reason: &str| DbError::Corrupt {
            path: path.display().to_string(),
            reason: reason.to_owned(),
        };
        let header = MAGIC.len() + 4 + 32;
        if bytes.len() < header || &bytes[..MAGIC.len()] != MAGIC {
            return Err(corrupt("no header"));
        }
        let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if format != DB_FORMAT {
            return Err(corrupt(&format!(
                "format {format}, this archlint reads {DB_FORMAT}"
            )));
        }
        let body = &bytes[header..];
        if blake3::hash(body).as_bytes() != &bytes[12..44] {
            return Err(corrupt("checksum mismatch"));
        }
        let stored: Stored = postcard::from_bytes(body).map_err(|_| corrupt("cannot decode"))?;
        if stored.names.len() != stored.spans.len()
            || stored
                .spans
                .iter()
                .any(|&(o, l)| (o as usize).saturating_add(l as usize) > stored.blob.len())
        {
            return Err(corrupt("inconsistent index"));
        }
        Ok(AdvisoryDb {
            stored,
            file_bytes: bytes.len() as u64,
        })
    }
}

#[cfg(test)]
mod tests;
