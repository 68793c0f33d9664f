//! The dependency checks' part of the text and JSON reports.

use std::io::Write;
use std::path::Path;

use archlint_check::DepsRun;
use archlint_deps::Level;
use serde_json::json;

/// `file` relative to the project root, `/`-separated, as every report shows paths.
pub(crate) fn relative(root: &Path, file: &str) -> String {
    archlint_engine::display_path(root, Path::new(file))
}

/// The findings as text lines (`file:line: error[code] message`).
pub fn write_text(
    w: &mut impl Write,
    root: &Path,
    run: &DepsRun,
    snippets: &crate::snippets::Snippets,
) -> std::io::Result<()> {
    let r = &run.report;
    for f in r.findings.iter().filter(|f| f.excepted.is_none()) {
        let level = if f.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        let at = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!("{}:{line}: ", relative(root, file)),
            (Some(file), None) => format!("{}: ", relative(root, file)),
            _ => String::new(),
        };
        writeln!(w, "{at}{level}[{}] {}", f.code, f.message)?;
        if let (Some(file), Some(line)) = (&f.file, f.line) {
            let kind = if f.level == Level::Error {
                crate::snippets::Kind::Error
            } else {
                crate::snippets::Kind::Warning
            };
            let path = Path::new(file);
            let path = if path.is_absolute() {
                path.to_owned()
            } else {
                root.join(path)
            };
            if let Some(s) = snippets.render(&path, &relative(root, file), line, None, kind, f.code)
            {
                writeln!(w, "{s}")?;
            }
        }
    }
    for f in r.findings.iter().filter(|f| f.excepted.is_some()) {
        writeln!(
            w,
            "excepted[{}] {}: {}",
            f.code,
            f.package.as_deref().unwrap_or(""),
            f.excepted.as_deref().unwrap_or("")
        )?;
    }
    match (&run.audit, &run.vulnerability_note) {
        (Some(a), _) => {
            let vulnerable = a
                .checked
                .iter()
                .filter(|p| !p.vulnerabilities.is_empty())
                .count();
            let sources: std::collections::BTreeSet<&str> = a
                .checked
                .iter()
                .map(|p| match p.source {
                    archlint_advisories::VulnSource::OfflineDb => "offline database",
                    archlint_advisories::VulnSource::Index => "package index",
                    archlint_advisories::VulnSource::OsvService => "OSV service",
                    archlint_advisories::VulnSource::Cache => "cache",
                })
                .collect();
            let from = if sources.is_empty() {
                String::new()
            } else {
                format!(
                    " from the {}",
                    sources.into_iter().collect::<Vec<_>>().join(", ")
                )
            };
            writeln!(
                w,
                "Vulnerabilities: {} packages checked{from}, {vulnerable} vulnerable, {} not checked{}",
                a.checked.len(),
                a.unchecked.len(),
                if a.not_on_index.is_empty() {
                    String::new()
                } else {
                    format!(", not on the index: {}", a.not_on_index.join(", "))
                }
            )?;
        }
        (None, Some(note)) => writeln!(w, "Vulnerabilities: {note}")?,
        (None, None) => {}
    }
    writeln!(
        w,
        "Dependencies: {} installed, {} declared; {} error{}, {} warning{}{} ({:.1} ms)",
        run.distributions,
        r.declared,
        r.errors,
        if r.errors == 1 { "" } else { "s" },
        r.warnings,
        if r.warnings == 1 { "" } else { "s" },
        if r.excepted > 0 {
            format!(", {} excepted", r.excepted)
        } else {
            String::new()
        },
        run.total_ms
    )
}

/// The findings as JSON.
/// The dependency section as JSON; files relative to `root`, `/`-separated, as every report
/// shows paths.
pub fn to_json(root: &Path, run: &DepsRun) -> serde_json::Value {
    let mut findings = run.report.findings.clone();
    for f in &mut findings {
        if let Some(file) = &mut f.file {
            *file = relative(root, file);
        }
    }
    json!({
        "distributions": run.distributions,
        "declared": run.report.declared,
        "errors": run.report.errors,
        "warnings": run.report.warnings,
        "excepted": run.report.excepted,
        "findings": findings,
        "packages": run.report.packages,
        "vulnerabilities": run.audit,
        "vulnerability_note": run.vulnerability_note,
        "online": run.online,
        "timings": { "inventory_ms": run.inventory_ms, "total_ms": run.total_ms },
    })
}
