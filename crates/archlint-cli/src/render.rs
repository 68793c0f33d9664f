//! Text and JSON reports for `archlint check`.

pub(crate) use archlint_check::Paths;
use std::io::Write;

use archlint_contracts::{ContractError, ContractResult, Link};
use archlint_facts::Severity;
use rayon::prelude::*;
use serde_json::json;

use archlint_engine::{CacheReport, Project, display_path};

/// Version of the JSON report layout.
pub const JSON_SCHEMA_VERSION: u32 = 1;

fn source_diagnostics(
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

/// Warnings and unreadable-file diagnostics, with snippets, on standard error.
pub fn print_diagnostics(project: &Project) {
    let err_snippets = crate::snippets::Snippets::new(crate::snippets::stderr_color());
    for w in &project.warnings {
        eprintln!("archlint: warning: {w}");
    }
    for (loc, file, d) in source_diagnostics(project) {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        eprintln!("{loc}: {level}[{}]: {}", d.code, d.message);
        if let Some(line) = d.line {
            let kind = match d.severity {
                Severity::Error => crate::snippets::Kind::Error,
                Severity::Warning => crate::snippets::Kind::Warning,
            };
            let shown = display_path(&project.root, file);
            if let Some(s) = err_snippets.render(file, &shown, line, d.column, kind, &d.code) {
                eprint!("{s}");
            }
        }
    }
}

/// Contract warnings and configuration errors, on standard error.
pub fn print_errors(project: &Project, results: &[ContractResult], errors: &[ContractError]) {
    for r in results {
        for w in &r.warnings {
            eprintln!("archlint: warning: {}: {w}", r.name);
        }
        for e in &r.unmatched_expressions {
            eprintln!(
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
        eprintln!("archlint: error: {config}{e}");
    }
}

/// Routes of one contract shown with a source snippet; the rest are listed without one, so a
/// report with thousands of violations stays as long as import-linter's.
pub(crate) const SNIPPETS_PER_CONTRACT: usize = 10;

/// One route of a violation: its chain with `file:line` for each import, then (when
/// `with_snippet`) a snippet under the first import.
fn route_block(
    paths: &Paths<'_>,
    snippets: &crate::snippets::Snippets,
    route: &archlint_contracts::Route,
    with_snippet: bool,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let line = |prefix: &str, link: &Link| {
        format!(
            "{prefix} {} -> {} ({})",
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
        if let Some(s) =
            snippets.render(file, &shown, at, None, crate::snippets::Kind::Error, &label)
        {
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
    snippets: &crate::snippets::Snippets,
    r: &ContractResult,
) {
    let _ = writeln!(
        out,
        "\n{}\n{}\n",
        r.name,
        "-".repeat(r.name.chars().count())
    );
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
#[allow(clippy::too_many_arguments)] // one parameter per report section
pub fn text(
    out: &mut impl Write,
    color: bool,
    project: &Project,
    results: &[ContractResult],
    errors: &[ContractError],
    deps: Option<&archlint_check::DepsRun>,
    rules: Option<&archlint_check::RulesRun>,
    total_ms: f64,
) {
    let snippets = crate::snippets::Snippets::new(color);
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
        let _ = crate::deps_report::write_text(out, &project.root, run, &snippets);
    }
    if let Some(run) = rules {
        let _ = crate::rules_report::write_text(out, run, color);
    }
    let _ = out.flush();
}

/// One contract's result as JSON: its fields, `status`, `direct_imports` and, when broken, the
/// text report's block (`text`, what the pytest plugin and the Python API show as is). Serialized
/// straight from the result (keys in the same sorted order a JSON value would give them), so a
/// report with thousands of routes is never copied into a JSON tree.
pub(crate) struct ContractJson<'a> {
    pub paths: &'a Paths<'a>,
    pub snippets: &'a crate::snippets::Snippets,
    pub result: &'a ContractResult,
}

impl serde::Serialize for ContractJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(serde::Serialize)]
        struct Direct<'a> {
            imported: &'a str,
            importer: &'a str,
        }
        let r = self.result;
        let direct = r.direct_imports();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(
            "direct_imports",
            &direct
                .iter()
                .map(|(a, b)| Direct {
                    imported: b,
                    importer: a,
                })
                .collect::<Vec<_>>(),
        )?;
        map.serialize_entry("guidance", &r.guidance)?;
        map.serialize_entry("id", &r.id)?;
        map.serialize_entry("ignored_imports", &r.ignored_imports)?;
        map.serialize_entry("kept", &r.kept)?;
        map.serialize_entry("kind", &r.kind)?;
        map.serialize_entry("name", &r.name)?;
        map.serialize_entry("status", if r.kept { "kept" } else { "broken" })?;
        if !r.kept {
            let mut buf = Vec::new();
            write_broken(&mut buf, self.paths, self.snippets, r);
            map.serialize_entry("text", String::from_utf8_lossy(&buf).trim())?;
        }
        map.serialize_entry("undeclared_modules", &r.undeclared_modules)?;
        if !r.unmatched_expressions.is_empty() {
            map.serialize_entry("unmatched_expressions", &r.unmatched_expressions)?;
        }
        map.serialize_entry("violations", &r.violations)?;
        map.serialize_entry("warnings", &r.warnings)?;
        map.end()
    }
}

/// One contract's result as a JSON value (see [`ContractJson`]).
pub(crate) fn contract_json(
    paths: &Paths<'_>,
    snippets: &crate::snippets::Snippets,
    r: &ContractResult,
) -> serde_json::Value {
    serde_json::to_value(ContractJson {
        paths,
        snippets,
        result: r,
    })
    .expect("serialisable")
}

/// The machine-readable report, written as it is serialized: the summary parts as a JSON value,
/// the contracts and the findings (the parts that grow with the number of violations) straight
/// from the results. The report's and each contract's keys come out sorted, as in a JSON value;
/// a finding's follow its struct.
pub struct JsonReport<'a> {
    /// Everything but `contracts` and `findings`.
    pub rest: serde_json::Map<String, serde_json::Value>,
    pub paths: Paths<'a>,
    pub results: &'a [ContractResult],
    pub findings: &'a [archlint_findings::Finding],
}

impl serde::Serialize for JsonReport<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Contracts<'a>(&'a JsonReport<'a>, &'a crate::snippets::Snippets);
        impl serde::Serialize for Contracts<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.results.iter().map(|r| ContractJson {
                    paths: &self.0.paths,
                    snippets: self.1,
                    result: r,
                }))
            }
        }
        let snippets = crate::snippets::Snippets::new(false);
        let mut keys: Vec<&str> = self.rest.keys().map(String::as_str).collect();
        keys.extend(["contracts", "findings"]);
        keys.sort_unstable();
        let mut map = serializer.serialize_map(Some(keys.len()))?;
        for key in keys {
            match key {
                "contracts" => map.serialize_entry(key, &Contracts(self, &snippets))?,
                "findings" => map.serialize_entry(key, self.findings)?,
                _ => map.serialize_entry(key, &self.rest[key])?,
            }
        }
        map.end()
    }
}

/// The machine-readable report as a JSON value, but for `contracts` and `findings` (see
/// [`JsonReport`]).
pub fn json_value(
    project: &Project,
    results: &[ContractResult],
    errors: &[ContractError],
    deps: Option<&archlint_check::DepsRun>,
    rules: Option<&archlint_check::RulesRun>,
    total_ms: f64,
) -> serde_json::Value {
    let paths = Paths::new(project);
    let diagnostics: Vec<_> = source_diagnostics(project)
        .into_iter()
        .map(|(loc, _, d)| json!({"location": loc, "code": d.code, "severity": d.severity, "message": d.message, "line": d.line, "column": d.column}))
        .collect();
    let errors: Vec<_> = errors
        .iter()
        .map(|e| json!({"contract": e.contract, "option": e.option, "line": e.line, "message": e.message}))
        .collect();
    let kept = results.iter().filter(|r| r.kept).count();
    let mut report = json!({
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": "archlint", "version": env!("CARGO_PKG_VERSION")},
        "root": project.root.display().to_string(),
        "config": project.config.as_ref().map(|c| c.path.display().to_string()),
        "summary": {
            "files": project.files.len(),
            "modules": project.graph.module_count(),
            "imports": project.graph.edge_count(),
            "contracts_kept": kept,
            "contracts_broken": results.len() - kept,
            "contract_errors": errors.len(),
        },
        "errors": errors,
        "diagnostics": diagnostics,
        "warnings": project.warnings,
        "cache": cache_json(&project.cache),
        "timings": {
            "discover_ms": project.timings.discover_ms,
            "parse_ms": project.timings.parse_ms,
            "graph_ms": project.timings.graph_ms,
            "contracts_ms": project.timings.contracts_ms,
            "total_ms": total_ms,
            "peak_rss_mb": archlint_perf::peak_rss_mb(),
        },
        "files": project.files.iter().map(|f| json!({"module": f.module, "path": paths.file(&f.module)})).collect::<Vec<_>>(),
    });
    if let Some(run) = deps {
        report["dependencies"] = crate::deps_report::to_json(run);
    }
    if let Some(run) = rules {
        report["rules"] = crate::rules_report::to_json(run);
        report["timings"]["rules_ms"] = json!(run.ms);
    }
    report
}

/// The cache counters with each layer's hit rate.
fn cache_json(report: &CacheReport) -> serde_json::Value {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    value["layer_hit_rates"] = report
        .layer_hit_rates()
        .into_iter()
        .map(|(layer, rate)| (layer.to_owned(), json!(rate)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    value
}

/// `--stats`: what the cache did, on stderr.
pub fn cache_stats(report: &CacheReport) {
    eprint!("{}", cache_report_text(report));
    if let Some(mb) = archlint_perf::peak_rss_mb() {
        eprintln!("peak memory: {mb:.1} MB");
    }
}

/// The cache counters of one run as text.
pub fn cache_report_text(report: &CacheReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let parse_line = |out: &mut String| {
        if let Some(slowest) = &report.slowest_file {
            let _ = writeln!(
                out,
                "  parse per file: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({slowest})",
                report.parse_p50_ms, report.parse_p95_ms, report.parse_max_ms
            );
        }
    };
    if !report.enabled {
        out.push_str("cache: disabled\n");
        parse_line(&mut out);
        return out;
    }
    let _ = writeln!(
        out,
        "cache: {} files, {} parsed, {} unchanged (stat), {} hashed, hit rate {:.1}%",
        report.files, report.parsed, report.unchanged, report.hashed, report.hit_rate
    );
    if let Some(dir) = &report.dir {
        let _ = writeln!(
            out,
            "  disk   {dir}: {} hits, {} misses, {} writes, {} corrupt; pack {} bytes{}",
            report.disk.hits,
            report.disk.misses,
            report.disk.writes,
            report.disk.corrupt,
            report.pack_bytes,
            if report.pack_written {
                " (rewritten)"
            } else {
                ""
            }
        );
    }
    parse_line(&mut out);
    let rates = report.layer_hit_rates();
    if !rates.is_empty() {
        let _ = writeln!(
            out,
            "  hit rate by layer: {}",
            rates
                .iter()
                .map(|(layer, r)| format!("{layer} {r:.1}%"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if report.memory.hits + report.memory.misses > 0 {
        let _ = writeln!(
            out,
            "  memory: {} hits, {} misses",
            report.memory.hits, report.memory.misses
        );
    }
    #[cfg(feature = "redis")]
    if let Some(r) = &report.redis {
        let _ = writeln!(
            out,
            "  redis: {} hits, {} misses, {} writes, {} errors, rejected {} corrupt / {} unsigned / {} bad signature; breaker {}; {:.1} ms",
            r.hits,
            r.misses,
            r.writes,
            r.errors,
            r.rejected_corrupt,
            r.rejected_unsigned,
            r.rejected_signature,
            r.breaker,
            r.time_ms
        );
        if let Some(e) = &r.last_error {
            let _ = writeln!(out, "  redis error: {e}");
        }
    }
    out
}
