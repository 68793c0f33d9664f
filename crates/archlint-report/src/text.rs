//! The human-readable report of `archlint check`, and the diagnostics and contract problems
//! written beside it on standard error.

use std::fmt::Write as _;
use std::io::Write;

use archlint_check::{Analysis, Paths, Report};
use archlint_contracts::{ContractError, ContractResult, Link};
use archlint_engine::{Project, display_path};
use archlint_facts::Severity;
use rayon::prelude::*;

use crate::snippets::{Kind, Snippets};

pub(crate) fn source_diagnostics(
    project: &Project,
) -> Vec<(String, &std::path::Path, &archlint_facts::SourceDiagnostic)> {
    let mut out = Vec::new();
    for (file, diagnostics) in project.files.iter().zip(&project.diagnostics) {
        for d in diagnostics {
            let mut loc = display_path(&project.root, &file.path);
            if let Some(line) = d.line {
                loc.push_str(&format!(":{line}"));
                if let Some(col) = d.column {
                    loc.push_str(&format!(":{col}"));
                }
            }
            out.push((loc, file.path.as_path(), d));
        }
    }
    out
}

/// Warnings and unreadable-file diagnostics, with snippets (for standard error).
pub fn diagnostics(project: &Project, color: bool) -> String {
    let snippets = Snippets::new(color);
    let mut out = String::new();
    for w in &project.warnings {
        let _ = writeln!(out, "archlint: warning: {w}");
    }
    for (loc, file, d) in source_diagnostics(project) {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{loc}: {level}[{}]: {}", d.code, d.message);
        if let Some(line) = d.line {
            let kind = match d.severity {
                Severity::Error => Kind::Error,
                Severity::Warning => Kind::Warning,
            };
            let shown = display_path(&project.root, file);
            if let Some(s) = snippets.render(file, &shown, line, d.column, kind, &d.code) {
                out.push_str(&s);
            }
        }
    }
    out
}

/// Contract warnings and configuration errors (for standard error).
pub fn contract_problems(
    project: &Project,
    results: &[ContractResult],
    errors: &[ContractError],
) -> String {
    let mut out = String::new();
    for r in results {
        for w in &r.warnings {
            let _ = writeln!(out, "archlint: warning: {}: {w}", r.name);
        }
        for e in &r.unmatched_expressions {
            let _ = writeln!(
                out,
                "archlint: warning: {}: {e} matches no module, so the contract checks nothing \
                 for it (unmatched_modules_alerting = \"error\" fails the contract instead)",
                r.name
            );
        }
    }
    let config = project
        .config
        .as_ref()
        .map(|c| format!("{}: ", c.path.display()))
        .unwrap_or_default();
    for e in errors {
        let _ = writeln!(out, "archlint: error: {config}{e}");
    }
    out
}

/// Routes of one contract shown with a source snippet; the rest are listed without one, so a
/// report with thousands of violations stays as long as import-linter's.
pub(crate) const SNIPPETS_PER_CONTRACT: usize = 10;

/// One route of a violation: its chain with `file:line` for each import, then (when
/// `with_snippet`) a snippet under the first import.
fn route_block(
    paths: &Paths<'_>,
    snippets: &Snippets,
    route: &archlint_contracts::Route,
    with_snippet: bool,
) -> String {
    let mut out = String::new();
    let line = |prefix: &str, link: &Link| {
        let defined = match &link.defined {
            Some(d) => match paths.file(&d.module) {
                Some(file) => format!("; defined at {file}:{}", d.line),
                None => format!("; defined in {} at line {}", d.module, d.line),
            },
            None => String::new(),
        };
        format!(
            "{prefix} {} -> {} ({}{defined})",
            link.importer,
            link.imported,
            paths.location(link)
        )
    };
    for (i, link) in route.chain.iter().enumerate() {
        let _ = writeln!(out, "{}", line(if i == 0 { "-" } else { " " }, link));
        if i == 0 {
            for extra in &route.extra_firsts {
                let _ = writeln!(out, "{}", line("  &", extra));
            }
        }
    }
    for extra in &route.extra_lasts {
        let _ = writeln!(out, "{}", line("  &", extra));
    }
    let _ = writeln!(out);
    if with_snippet
        && let (Some(first), Some(last)) = (route.chain.first(), route.chain.last())
        && let (Some(file), Some(shown), Some(&at)) = (
            paths.source_file(&first.importer),
            paths.file(&first.importer),
            first.lines.first(),
        )
    {
        let label = if route.chain.len() == 1 {
            format!("{} imports {}", first.importer, first.imported)
        } else {
            format!(
                "{} imports {}, which leads to {}",
                first.importer, first.imported, last.imported
            )
        };
        if let Some(s) = snippets.render(file, &shown, at, None, Kind::Error, &label) {
            let _ = writeln!(out, "{s}");
        }
    }
    out
}

/// One broken contract as the text report shows it: the name, each violation with its chains and
/// `file:line`, a snippet under the first import of the first [`SNIPPETS_PER_CONTRACT`] chains,
/// then the contract's guidance.
pub(crate) fn write_broken(
    out: &mut impl Write,
    paths: &Paths<'_>,
    snippets: &Snippets,
    r: &ContractResult,
) {
    let _ = writeln!(
        out,
        "\n{}\n{}\n",
        r.name,
        "-".repeat(r.name.chars().count())
    );
    if let Some(text) = &r.rendered {
        // A custom contract type's own account (it has no routes archlint models).
        let _ = writeln!(out, "{}", text.trim_end());
        let _ = writeln!(out);
    }
    let mut shown = 0usize;
    for v in &r.violations {
        let _ = writeln!(out, "{}\n", v.summary);
        // Routes are rendered in parallel (their snippets dominate a big report), then
        // written in order.
        let budget = SNIPPETS_PER_CONTRACT.saturating_sub(shown);
        let blocks: Vec<String> = v
            .routes
            .par_iter()
            .enumerate()
            .map(|(i, route)| route_block(paths, snippets, route, i < budget))
            .collect();
        shown += v.routes.len().min(budget);
        for block in blocks {
            let _ = out.write_all(block.as_bytes());
        }
    }
    let routes: usize = r.violations.iter().map(|v| v.routes.len()).sum();
    if routes > shown {
        let _ = writeln!(
            out,
            "(Source shown for the first {shown} of {routes} routes.)\n"
        );
    }
    if !r.undeclared_modules.is_empty() {
        let _ = writeln!(out, "The following modules are not listed as layers:\n");
        for m in &r.undeclared_modules {
            let _ = writeln!(out, "- {m}");
        }
        let _ = writeln!(
            out,
            "\n(Since this contract is marked as 'exhaustive', every child of every container must be declared as a layer.)\n"
        );
    }
    if let Some(g) = &r.guidance {
        let _ = writeln!(out, "{g}\n");
    }
}

/// The human-readable report, in import-linter's shape with file:line for every import.
pub fn write(out: &mut impl Write, color: bool, report: &Report) {
    let Analysis {
        project,
        results,
        errors,
        deps,
        rules,
    } = &report.analysis;
    let total_ms = report.ms;
    let snippets = Snippets::new(color);
    let paint = |s: &str, code: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    let paths = Paths::new(project);

    let _ = writeln!(
        out,
        "Analysed {} files, {} dependencies in {:.0} ms.\n",
        project.files.len(),
        project.graph.edge_count(),
        total_ms
    );
    if !results.is_empty() || !errors.is_empty() {
        let _ = writeln!(out, "Contracts\n---------\n");
    }
    for r in results {
        let verdict = if r.kept {
            paint("KEPT", "32")
        } else {
            paint("BROKEN", "31;1")
        };
        let ignored = match r.ignored_imports {
            0 => String::new(),
            1 => " (1 ignored import)".to_owned(),
            n => format!(" ({n} ignored imports)"),
        };
        let _ = writeln!(out, "{} {verdict}{ignored}", r.name);
    }
    for e in errors {
        let _ = writeln!(out, "{} {}", e.contract, paint("ERROR", "31;1"));
    }
    let kept = results.iter().filter(|r| r.kept).count();
    let broken = results.len() - kept;
    if !results.is_empty() || !errors.is_empty() {
        let _ = writeln!(out, "\nContracts: {kept} kept, {broken} broken.");
    }
    if !errors.is_empty() {
        let _ = writeln!(out, "Errors: {}.", errors.len());
    }

    if broken > 0 {
        let _ = writeln!(out, "\n\nBroken contracts\n----------------");
        for r in results.iter().filter(|r| !r.kept) {
            write_broken(out, &paths, &snippets, r);
        }
    }
    if let Some(run) = deps {
        let _ = writeln!(out, "\nDependencies\n------------\n");
        let _ = crate::deps_section::write_text(out, &project.root, run, &snippets);
    }
    if let Some(run) = rules {
        let _ = crate::rules_section::write_text(out, run, color);
    }
    let _ = out.flush();
}
