//! The `deps inventory` and `deps licenses` tables, as text and JSON.

use std::io::Write;

use archlint_inventory::DistInventory;
use archlint_licenses::{LicenseVerdict, ResolvedLicense};
use serde_json::json;

/// The installed distributions as a table: name, version, installer and how they were
/// installed, then a count and where they were read from.
pub fn inventory_text(w: &mut impl Write, inv: &DistInventory) -> std::io::Result<()> {
    let width = inv
        .distributions
        .iter()
        .map(|d| d.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let vwidth = inv
        .distributions
        .iter()
        .map(|d| d.version.len())
        .max()
        .unwrap_or(7)
        .max(7);
    writeln!(
        w,
        "{:width$}  {:vwidth$}  installer  location",
        "name", "version"
    )?;
    for d in &inv.distributions {
        let how = match &d.direct_url {
            Some(archlint_inventory::DirectUrl::Editable { url }) => {
                format!("editable {url}")
            }
            Some(archlint_inventory::DirectUrl::Vcs { url, .. }) => format!("vcs {url}"),
            Some(archlint_inventory::DirectUrl::Local { url }) => format!("local {url}"),
            Some(archlint_inventory::DirectUrl::Archive { url }) => {
                format!("archive {url}")
            }
            None => String::new(),
        };
        writeln!(
            w,
            "{:width$}  {:vwidth$}  {:9}  {how}",
            d.name,
            d.version,
            d.installer.as_deref().unwrap_or("-")
        )?;
    }
    writeln!(
        w,
        "\n{} distributions in {} ({}), read in {:.1} ms",
        inv.distributions.len(),
        inv.environment.prefix.display(),
        inv.environment.found_by,
        inv.elapsed_ms
    )?;
    Ok(())
}

/// The installed distributions as JSON, with the environment and the unreadable metadata.
pub fn inventory_json(inv: &DistInventory) -> serde_json::Value {
    json!({
        "environment": environment_json(inv),
        "distributions": inv.distributions,
        "unreadable": inv.unreadable,
    })
}

/// What could not be read in the environment's metadata, one line each (`file:line: message`).
pub fn inventory_problems(inv: &DistInventory) -> Vec<String> {
    inv.unreadable
        .iter()
        .chain(inv.distributions.iter().flat_map(|d| &d.problems))
        .map(|p| location(&p.file.display().to_string(), p.line, &p.message))
        .collect()
}

fn environment_json(inv: &DistInventory) -> serde_json::Value {
    let e = &inv.environment;
    json!({
        "prefix": e.prefix,
        "paths": e.paths,
        "python_version": e.python_version,
        "found_by": e.found_by,
        "interpreter_called": e.interpreter_called,
    })
}

fn location(file: &str, line: Option<u32>, message: &str) -> String {
    match line {
        Some(l) => format!("{file}:{l}: {message}"),
        None => format!("{file}: {message}"),
    }
}

/// Each distribution with its license and the policy's verdict.
pub type LicenseRow<'a> = (
    &'a archlint_inventory::Distribution,
    ResolvedLicense,
    LicenseVerdict,
);

/// The licenses as JSON.
pub fn licenses_json(rows: &[LicenseRow<'_>]) -> serde_json::Value {
    let list: Vec<_> = rows
        .iter()
        .map(|(d, l, v)| json!({"name": d.name, "version": d.version, "license": l, "verdict": v}))
        .collect();
    json!(list)
}

/// The licenses as a table: name, version, SPDX expression (or why there is none), where it
/// was read, and the verdict when it is not "allowed".
pub fn licenses_text(w: &mut impl Write, rows: &[LicenseRow<'_>]) -> std::io::Result<()> {
    let width = rows
        .iter()
        .map(|(d, ..)| d.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    for (d, l, v) in rows {
        let what = match (&l.expression, l.status) {
            (Some(e), archlint_licenses::LicenseStatus::Known) => e.clone(),
            (_, archlint_licenses::LicenseStatus::Ambiguous) => {
                format!("ambiguous: {}", l.note.as_deref().unwrap_or(""))
            }
            _ => format!("unknown ({})", l.note.as_deref().unwrap_or("")),
        };
        let source = match l.source {
            Some(archlint_licenses::LicenseSource::LicenseExpression) => "License-Expression",
            Some(archlint_licenses::LicenseSource::LicenseField) => "License",
            Some(archlint_licenses::LicenseSource::Classifiers) => "classifiers",
            None => "-",
        };
        let verdict = match v {
            archlint_licenses::LicenseVerdict::Allowed => String::new(),
            archlint_licenses::LicenseVerdict::Review(ids) => {
                format!("  [review: {}]", ids.join(", "))
            }
            archlint_licenses::LicenseVerdict::Denied(ids) => {
                format!("  [denied: {}]", ids.join(", "))
            }
            archlint_licenses::LicenseVerdict::NotAllowed(ids) => {
                format!("  [not allowed: {}]", ids.join(", "))
            }
            archlint_licenses::LicenseVerdict::Unjudged => String::new(),
        };
        writeln!(
            w,
            "{:width$}  {:10}  {what}  ({source}){verdict}",
            d.name, d.version
        )?;
    }
    Ok(())
}

/// What `deps db import` did: advisories, packages and files read, and where the database is.
pub fn db_import_text(
    w: &mut impl Write,
    path: &std::path::Path,
    bytes: u64,
    report: &archlint_advisories::ImportReport,
) -> std::io::Result<()> {
    writeln!(
        w,
        "Imported {} advisories for {} packages from {} files ({} withdrawn skipped) in {:.0} ms",
        report.advisories, report.packages, report.files, report.withdrawn, report.elapsed_ms
    )?;
    writeln!(w, "Database: {} ({} kB)", path.display(), bytes / 1024)?;
    if report.error_count > 0 {
        writeln!(w, "{} files could not be read:", report.error_count)?;
        for e in &report.errors {
            writeln!(w, "  {e}")?;
        }
    }
    Ok(())
}

/// The advisory database's source, size and age.
pub fn db_stats_text(
    w: &mut impl Write,
    path: &std::path::Path,
    bytes: u64,
    meta: &archlint_advisories::DbMeta,
    age: u64,
) -> std::io::Result<()> {
    writeln!(w, "Database:    {} ({} kB)", path.display(), bytes / 1024)?;
    writeln!(w, "Source:      {}", meta.source)?;
    writeln!(
        w,
        "Imported:    {} ({})",
        date_of(meta.imported_at),
        age_text(age)
    )?;
    if let Some(n) = &meta.newest_advisory {
        writeln!(w, "Newest:      {n}")?;
    }
    writeln!(
        w,
        "Advisories:  {} for {} packages ({} withdrawn skipped)",
        meta.advisories, meta.packages, meta.withdrawn
    )?;
    Ok(())
}

/// `3 hours old`.
pub fn age_text(secs: u64) -> String {
    match secs {
        s if s < 3600 => format!("{} minutes old", s / 60),
        s if s < 2 * 86_400 => format!("{} hours old", s / 3600),
        s => format!("{} days old", s / 86_400),
    }
}

/// `YYYY-MM-DD` of a Unix time.
pub fn date_of(secs: u64) -> String {
    let (y, m, d) = archlint_deps::sbom::civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}
