//! Building the database from OSV files: a zip or a directory of OSV JSON files, or the PyPA
//! advisory-database layout (OSV written as YAML).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::Serialize;

use crate::osv::OsvAdvisory;
use crate::{AdvisoryDb, DB_FORMAT, DbError, DbMeta, Event, PackageAdvisory};

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Advisory files found.
    pub files: usize,
    /// Files that could not be read as OSV (each still lets the rest import).
    pub error_count: usize,
    /// The first few of those, `file: message`.
    pub errors: Vec<String>,
    pub withdrawn: usize,
    /// Advisories with at least one PyPI package.
    pub advisories: usize,
    pub packages: usize,
    pub elapsed_ms: f64,
}

/// Files over this size are not advisories.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

fn is_advisory_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml"))
        && !lower.rsplit('/').next().unwrap_or("").starts_with('.')
}

fn collect_dir(dir: &Path, out: &mut Vec<(String, Vec<u8>)>, errors: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        errors.push(format!("{}: cannot list", dir.display()));
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect_dir(&path, out, errors);
        } else if kind.is_file() && is_advisory_file(&path.to_string_lossy()) {
            match std::fs::metadata(&path) {
                Ok(m) if m.len() > MAX_FILE_BYTES => {
                    errors.push(format!("{}: too large", path.display()))
                }
                _ => match std::fs::read(&path) {
                    Ok(bytes) => out.push((path.display().to_string(), bytes)),
                    Err(e) => errors.push(format!("{}: {e}", path.display())),
                },
            }
        }
    }
}

fn collect_zip(
    path: &Path,
    out: &mut Vec<(String, Vec<u8>)>,
    errors: &mut Vec<String>,
) -> Result<(), DbError> {
    let file = std::fs::File::open(path)
        .map_err(|e| DbError::Import(format!("cannot open {}: {e}", path.display())))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        DbError::Import(format!(
            "{} is not a readable zip file: {e}",
            path.display()
        ))
    })?;
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                errors.push(format!("{}[{i}]: {e}", path.display()));
                continue;
            }
        };
        // Names are only labels here: nothing is ever written under them.
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                errors.push(format!("{}[{i}]: {e}", path.display()));
                continue;
            }
        };
        if !entry.is_file() || !is_advisory_file(&name) {
            continue;
        }
        if entry.size() > MAX_FILE_BYTES {
            errors.push(format!("{name}: too large"));
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        match (&mut entry).take(MAX_FILE_BYTES).read_to_end(&mut bytes) {
            Ok(_) => out.push((name, bytes)),
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    Ok(())
}

fn parse_one(name: &str, bytes: &[u8]) -> Result<OsvAdvisory, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 ({e})"))?;
    if name.to_ascii_lowercase().ends_with(".json") {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())
    }
}

/// Import OSV data from `path` (zip, directory, or one file).
pub fn import(path: &Path) -> Result<(AdvisoryDb, ImportReport), DbError> {
    let started = Instant::now();
    let mut raw = Vec::new();
    let mut errors = Vec::new();
    if path.is_dir() {
        collect_dir(path, &mut raw, &mut errors);
    } else if path.is_file() {
        let name = path.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".zip") {
            collect_zip(path, &mut raw, &mut errors)?;
        } else if is_advisory_file(&name) {
            let bytes = std::fs::read(path)
                .map_err(|e| DbError::Import(format!("cannot read {}: {e}", path.display())))?;
            raw.push((path.display().to_string(), bytes));
        } else {
            return Err(DbError::Import(format!(
                "{}: expected a .zip, a directory, or an OSV .json/.yaml file",
                path.display()
            )));
        }
    } else {
        return Err(DbError::Import(format!(
            "{} does not exist",
            path.display()
        )));
    }
    if raw.is_empty() {
        return Err(DbError::Import(format!(
            "{}: no OSV advisories (.json, .yaml) found",
            path.display()
        )));
    }

    let parsed: Vec<Result<OsvAdvisory, String>> = raw
        .par_iter()
        .map(|(name, bytes)| parse_one(name, bytes).map_err(|e| format!("{name}: {e}")))
        .collect();

    let mut report = ImportReport {
        files: raw.len(),
        ..ImportReport::default()
    };
    drop(raw);
    let mut packages: HashMap<String, Vec<PackageAdvisory>> = HashMap::new();
    let mut newest: Option<String> = None;
    for result in parsed {
        let advisory = match result {
            Ok(a) => a,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if advisory.withdrawn.is_some() {
            report.withdrawn += 1;
            continue;
        }
        // Each PyPI package the advisory names, once (several `affected` entries merge).
        let mut names: Vec<String> = advisory
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref())
            .filter(|p| p.ecosystem.eq_ignore_ascii_case("pypi") && !p.name.is_empty())
            .map(|p| archlint_inventory::normalize_name(&p.name))
            .collect();
        names.sort();
        names.dedup();
        let mut counted = false;
        for name in names {
            let Some(entry) = package_advisory(&advisory, &name) else {
                continue;
            };
            if entry.ranges.iter().all(Vec::is_empty) && entry.versions.is_empty() {
                continue;
            }
            packages.entry(name).or_default().push(entry);
            counted = true;
        }
        if counted {
            report.advisories += 1;
            if let Some(m) = &advisory.modified
                && newest.as_deref().is_none_or(|n| m.0.as_str() > n)
            {
                newest = Some(m.0.clone());
            }
        }
    }
    for list in packages.values_mut() {
        list.sort_by(|a, b| a.id.cmp(&b.id));
    }
    report.packages = packages.len();
    report.error_count = errors.len();
    errors.truncate(20);
    report.errors = errors;
    let meta = DbMeta {
        format: DB_FORMAT,
        source: path.display().to_string(),
        imported_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        newest_advisory: newest,
        advisories: report.advisories as u32,
        packages: report.packages as u32,
        withdrawn: report.withdrawn as u32,
    };
    let db = AdvisoryDb::build(meta, packages.into_iter().collect());
    report.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok((db, report))
}

/// The part of an OSV advisory that concerns one (normalized) PyPI package, if any.
pub fn package_advisory(advisory: &OsvAdvisory, name: &str) -> Option<PackageAdvisory> {
    let mut out: Option<PackageAdvisory> = None;
    for affected in &advisory.affected {
        let Some(pkg) = &affected.package else {
            continue;
        };
        if !pkg.ecosystem.eq_ignore_ascii_case("pypi")
            || archlint_inventory::normalize_name(&pkg.name) != name
        {
            continue;
        }
        let entry = out.get_or_insert_with(|| PackageAdvisory {
            id: advisory.id.clone(),
            aliases: advisory.aliases.clone(),
            summary: advisory
                .summary
                .clone()
                .or_else(|| advisory.details.as_ref().map(|d| first_sentence(d)))
                .unwrap_or_default(),
            ranges: Vec::new(),
            versions: Vec::new(),
        });
        for r in affected
            .ranges
            .iter()
            .filter(|r| r.kind.eq_ignore_ascii_case("ECOSYSTEM"))
        {
            entry.ranges.push(
                r.events
                    .iter()
                    .filter_map(|e| {
                        if let Some(v) = &e.introduced {
                            Some(Event::Introduced(v.0.clone()))
                        } else if let Some(v) = &e.fixed {
                            Some(Event::Fixed(v.0.clone()))
                        } else {
                            e.last_affected
                                .as_ref()
                                .map(|v| Event::LastAffected(v.0.clone()))
                        }
                    })
                    .collect(),
            );
        }
        entry
            .versions
            .extend(affected.versions.iter().map(|v| v.0.clone()));
    }
    out
}

/// The first sentence of a long description (at most ~200 characters, cut at a word), for
/// advisories without a summary.
pub(crate) fn first_sentence(details: &str) -> String {
    let text = details.split_whitespace().collect::<Vec<_>>().join(" ");
    let sentence = match text.find(". ") {
        Some(i) => &text[..=i],
        None => text.as_str(),
    };
    if sentence.chars().count() <= 200 {
        return sentence.to_owned();
    }
    let mut cut: String = sentence.chars().take(200).collect();
    if let Some(space) = cut.rfind(' ') {
        cut.truncate(space);
    }
    cut.push('…');
    cut
}
