//! `archlint export`: analysis results into PostgreSQL, or into files for Neo4j.

use std::process::ExitCode;

use anyhow::{Result, anyhow};
use archlint_findings::Check;
use archlint_store::{
    ContractRow, DistributionRow, FindingRow, ImportRow, LicenseRow, ModuleRows, RunInput,
    VulnerabilityRow,
};
use clap::{Subcommand, ValueEnum};
use rustc_hash::FxHashSet;

use crate::export_model::{
    AnalysisArgs, Gathered, facts_of, gather, kind_name, module_keys, resolved_imports, tag,
};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    target: ExportTarget,
}

#[derive(Debug, Subcommand)]
enum ExportTarget {
    /// Write the analysis to PostgreSQL: modules, imports, contracts, findings, distributions,
    /// licenses, vulnerabilities and timings. Only modules whose content changed are rewritten.
    Postgres(PostgresArgs),
    /// Write node and relationship CSV files for `neo4j-admin database import`, and an
    /// equivalent Cypher script for a running server.
    Neo4j(crate::neo4j_cmd::Neo4jArgs),
}

#[derive(Debug, clap::Args)]
struct PostgresArgs {
    #[command(flatten)]
    analysis: AnalysisArgs,
    /// The database, e.g. postgres://user@127.0.0.1:5432/archlint (env ARCHLINT_DATABASE_URL).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Seconds to wait for the server to accept the connection.
    #[arg(long, default_value_t = 10)]
    connect_timeout: u64,
    /// What to print about the export.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    format: SummaryFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SummaryFormat {
    Text,
    Json,
}

pub fn threads(args: &ExportArgs) -> Option<usize> {
    match &args.target {
        ExportTarget::Postgres(a) => a.analysis.project.threads,
        ExportTarget::Neo4j(a) => a.analysis.project.threads,
    }
}

pub fn run(args: &ExportArgs) -> Result<ExitCode> {
    match &args.target {
        ExportTarget::Postgres(a) => postgres(a),
        ExportTarget::Neo4j(a) => crate::neo4j_cmd::run(a),
    }
}

fn module_rows(g: &Gathered, names: &FxHashSet<&str>, index: usize) -> ModuleRows {
    let facts = facts_of(g, index);
    ModuleRows {
        size_bytes: facts.bytes as i64,
        lines: facts.lines as i32,
        classes: facts.classes.len() as i32,
        functions: facts.functions.len() as i32,
        imports: resolved_imports(g, names, index, &facts)
            .into_iter()
            .map(|r| ImportRow {
                imported: r.target,
                external: r.external,
                line: r.detail.line as i32,
                column: r.detail.column as i32,
                kind: kind_name(r.detail.kind),
                type_checking: r.detail.type_checking,
                in_function: r.detail.in_function,
            })
            .collect(),
    }
}

/// Everything of the run apart from the modules.
fn run_input(g: &Gathered) -> RunInput {
    let a = &g.analysis;
    let project = &a.project;
    let contracts = a
        .results
        .iter()
        .map(|r| ContractRow {
            id: r.id.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            kept: r.kept,
            violations: r.violations.len() as i32,
        })
        .collect();
    let findings = g
        .report
        .findings
        .iter()
        .map(|f| FindingRow {
            check_kind: match &f.check {
                Check::Contract { .. } => "contract",
                Check::Dependencies { .. } => "dependencies",
                Check::Rule { .. } => "rule",
                Check::Sources => "sources",
            }
            .into(),
            check_name: f.check.name(),
            code: f.code.clone(),
            severity: tag(&f.severity),
            message: f.message.clone(),
            path: f.location.as_ref().map(|l| l.path.clone()),
            line: f.location.as_ref().and_then(|l| l.line).map(|l| l as i32),
            column: f.location.as_ref().and_then(|l| l.column).map(|c| c as i32),
            identity: f.identity.clone(),
            suppressed: f.suppressed.clone(),
            chain: serde_json::to_value(&f.chain).unwrap_or_default(),
        })
        .collect();
    let mut distributions = Vec::new();
    let mut licenses = Vec::new();
    let mut vulnerabilities = Vec::new();
    if let Some(deps) = &a.deps {
        for p in &deps.report.packages {
            let normalized = archlint_inventory::normalize_name(&p.name);
            distributions.push(DistributionRow {
                name: p.name.clone(),
                normalized: normalized.clone(),
                version: p.version.clone(),
                role: tag(&p.role),
                editable: p.editable,
            });
            licenses.push(LicenseRow {
                distribution: normalized,
                expression: p.license.expression.clone(),
                status: tag(&p.license.status),
                source: p.license.source.as_ref().map(tag),
                verdict: tag(&p.verdict),
                raw: p.license.raw.clone(),
            });
        }
        if let Some(audit) = &deps.audit {
            for pkg in &audit.checked {
                for v in &pkg.vulnerabilities {
                    vulnerabilities.push(VulnerabilityRow {
                        distribution: pkg.name.clone(),
                        version: pkg.version.clone(),
                        advisory: v.id.clone(),
                        aliases: v.aliases.clone(),
                        summary: v.summary.clone(),
                        fixed: v.fixed.clone(),
                    });
                }
            }
        }
    }
    let t = &project.timings;
    let mut timings = vec![
        ("discover".to_owned(), t.discover_ms),
        ("parse".to_owned(), t.parse_ms),
        ("graph".to_owned(), t.graph_ms),
        ("contracts".to_owned(), t.contracts_ms),
    ];
    if let Some(deps) = &a.deps {
        timings.push(("dependencies".into(), deps.total_ms));
    }
    timings.push(("analysis".into(), g.analysis_ms));
    RunInput {
        project_root: project
            .root
            .canonicalize()
            .unwrap_or_else(|_| project.root.clone())
            .display()
            .to_string(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        analysis_ms: g.analysis_ms,
        contracts,
        findings,
        distributions,
        licenses,
        vulnerabilities,
        timings,
    }
}

fn postgres(args: &PostgresArgs) -> Result<ExitCode> {
    let url = args
        .url
        .clone()
        .or_else(|| {
            std::env::var("ARCHLINT_DATABASE_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .ok_or_else(|| anyhow!("no database given: pass --url URL or set ARCHLINT_DATABASE_URL"))?;
    let mut target = archlint_store::Target::new(url);
    target.connect_timeout = std::time::Duration::from_secs(args.connect_timeout.max(1));
    let g = gather(&args.analysis, false)?;
    crate::terminal::print_diagnostics(&g.analysis.project);
    let keys = module_keys(&g);
    let run = run_input(&g);
    let names: FxHashSet<&str> = g
        .analysis
        .project
        .files
        .iter()
        .map(|f| f.module.as_str())
        .collect();
    let mut rows = |indices: &[usize]| -> Vec<ModuleRows> {
        use rayon::prelude::*;
        indices
            .par_iter()
            .map(|&i| module_rows(&g, &names, i))
            .collect()
    };
    let summary = archlint_store::export(&target, &run, &keys, &mut rows)?;
    match args.format {
        SummaryFormat::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        SummaryFormat::Text => {
            if !args.analysis.project.quiet {
                println!(
                    "archlint: exported run {} ({} modules: {} written, {} removed; {} imports; \
                     {} findings) in {:.0} ms",
                    summary.run_id,
                    summary.modules,
                    summary.modules_written,
                    summary.modules_removed,
                    summary.imports,
                    summary.findings,
                    summary.elapsed_ms
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
