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

/// Files over this size are not advisories (the largest in the PyPA database is 17 KB).
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Files are parsed in batches of about this many bytes, so memory holds one batch at a time,
/// not the whole archive.
const BATCH_BYTES: usize = 32 * 1024 * 1024;

/// An archive or directory that expands beyond this is refused (the PyPA database is 5 MB).
const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;

fn is_advisory_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml"))
        && !lower.rsplit('/').next().unwrap_or("").starts_with('.')
}

/// Where advisory files go as they are read: parsed a batch at a time and folded into the
/// packages' advisories.
struct Sink {
    batch: Vec<(String, Vec<u8>)>,
    batch_bytes: usize,
    total_bytes: u64,
    files: usize,
    errors: Vec<String>,
    packages: HashMap<String, Vec<PackageAdvisory>>,
    newest: Option<String>,
    report: ImportReport,
}

impl Sink {
    fn new() -> Sink {
        Sink {
            batch: Vec::new(),
            batch_bytes: 0,
            total_bytes: 0,
            files: 0,
            errors: Vec::new(),
            packages: HashMap::new(),
            newest: None,
            report: ImportReport::default(),
        }
    }

    /// Read one file of at most [`MAX_FILE_BYTES`] from `reader` (whatever its header claims).
    fn read(&mut self, name: String, reader: impl Read) -> Result<(), DbError> {
        let mut bytes = Vec::new();
        match reader.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
            Ok(n) if n as u64 > MAX_FILE_BYTES => {
                self.errors.push(format!(
                    "{name}: larger than {} KiB; not an advisory",
                    MAX_FILE_BYTES / 1024
                ));
                self.add_total(n as u64)
            }
            Ok(_) => self.push(name, bytes),
            Err(e) => {
                self.errors.push(format!("{name}: {e}"));
                Ok(())
            }
        }
    }

    fn add_total(&mut self, n: u64) -> Result<(), DbError> {
        self.total_bytes += n;
        if self.total_bytes > MAX_TOTAL_BYTES {
            return Err(DbError::Import(format!(
                "the advisories expand to more than {} MiB; not an advisory database",
                MAX_TOTAL_BYTES >> 20
            )));
        }
        Ok(())
    }

    fn push(&mut self, name: String, bytes: Vec<u8>) -> Result<(), DbError> {
        self.add_total(bytes.len() as u64)?;
        self.files += 1;
        self.batch_bytes += bytes.len();
        self.batch.push((name, bytes));
        if self.batch_bytes >= BATCH_BYTES {
            self.flush();
        }
        Ok(())
    }

    /// Parse the batch in parallel and fold it in.
    fn flush(&mut self) {
        let parsed: Vec<Result<OsvAdvisory, String>> = self
            .batch
            .par_iter()
            .map(|(name, bytes)| parse_one(name, bytes).map_err(|e| format!("{name}: {e}")))
            .collect();
        self.batch.clear();
        self.batch_bytes = 0;
        for result in parsed {
            match result {
                Ok(advisory) => self.fold(&advisory),
                Err(e) => self.errors.push(e),
            }
        }
    }

    fn fold(&mut self, advisory: &OsvAdvisory) {
        if advisory.withdrawn.is_some() {
            self.report.withdrawn += 1;
            return;
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
            let Some(entry) = package_advisory(advisory, &name) else {
                continue;
            };
            if entry.ranges.iter().all(Vec::is_empty) && entry.versions.is_empty() {
                continue;
            }
            self.packages.entry(name).or_default().push(entry);
            counted = true;
        }
        if counted {
            self.report.advisories += 1;
            if let Some(m) = &advisory.modified
                && self.newest.as_deref().is_none_or(|n| m.0.as_str() > n)
            {
                self.newest = Some(m.0.clone());
            }
        }
    }
}

fn collect_dir(dir: &Path, sink: &mut Sink) -> Result<(), DbError> {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            sink.errors.push(format!("{}: cannot list", dir.display()));
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && is_advisory_file(&path.to_string_lossy()) {
                match std::fs::File::open(&path) {
                    Ok(file) => sink.read(path.display().to_string(), file)?,
                    Err(e) => sink.errors.push(format!("{}: {e}", path.display())),
                }
            }
        }
    }
    Ok(())
}

fn collect_zip(path: &Path, sink: &mut Sink) -> Result<(), DbError> {
    let file = std::fs::File::open(path)
        .map_err(|e| DbError::Import(format!("cannot open {}: {e}", path.display())))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| {
        DbError::Import(format!(
            "{} is not a readable zip file: {e}",
            path.display()
        ))
    })?;
    for i in 0..archive.len() {
        let entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                sink.errors.push(format!("{}[{i}]: {e}", path.display()));
                continue;
            }
        };
        // Names are only labels here: nothing is ever written under them.
        let name = match entry.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                sink.errors.push(format!("{}[{i}]: {e}", path.display()));
                continue;
            }
        };
        if !entry.is_file() || !is_advisory_file(&name) {
            continue;
        }
        if entry.size() > MAX_FILE_BYTES {
            sink.errors.push(format!(
                "{name}: larger than {} KiB; not an advisory",
                MAX_FILE_BYTES / 1024
            ));
            continue;
        }
        // The size in the header is a claim: `read` stops at the cap whatever it says.
        sink.read(name, entry)?;
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

/// Import OSV data from `path` (zip, directory, or one file). Files are read and parsed a
/// batch at a time: memory holds one batch and the result, never the whole archive.
pub fn import(path: &Path) -> Result<(AdvisoryDb, ImportReport), DbError> {
    let started = Instant::now();
    let mut sink = Sink::new();
    if path.is_dir() {
        collect_dir(path, &mut sink)?;
    } else if path.is_file() {
        let name = path.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".zip") {
            collect_zip(path, &mut sink)?;
        } else if is_advisory_file(&name) {
            let file = std::fs::File::open(path)
                .map_err(|e| DbError::Import(format!("cannot read {}: {e}", path.display())))?;
            sink.read(path.display().to_string(), file)?;
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
    sink.flush();
    if sink.files == 0 {
        let mut message = format!("{}: no OSV advisories (.json, .yaml) found", path.display());
        if let Some(first) = sink.errors.first() {
            message.push_str(&format!(" ({first})"));
        }
        return Err(DbError::Import(message));
    }
    let Sink {
        files,
        mut errors,
        mut packages,
        newest,
        mut report,
        ..
    } = sink;
    report.files = files;
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
