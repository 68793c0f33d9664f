//! `archlint export`: analysis results into PostgreSQL, or into files for Neo4j (the mapping is
//! archlint-export's).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use archlint_check::Report;
use clap::{Subcommand, ValueEnum};

use crate::args::AnalysisArgs;

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
    Neo4j(Neo4jArgs),
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
        ExportTarget::Neo4j(a) => neo4j(a),
    }
}

#[derive(Debug, clap::Args)]
pub struct Neo4jArgs {
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Directory for the CSV files, the import command and the Cypher script.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Check for an export, with a progress display; `all_facts`: every file's facts decoded.
fn gather(args: &AnalysisArgs, all_facts: bool) -> Result<Report> {
    let options = archlint_export::export_options(args.options(), all_facts);
    crate::analysis::check(options, args.project.quiet)
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
    let summary = archlint_export::postgres::export(&target, &g)?;
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

fn neo4j(args: &Neo4jArgs) -> Result<ExitCode> {
    let g = gather(&args.analysis, true)?;
    crate::terminal::print_diagnostics(&g.analysis.project);
    let graph = archlint_export::neo4j::graph(&g);
    let written = archlint_neo4j::write(&args.out, &graph, env!("CARGO_PKG_VERSION"))
        .with_context(|| format!("cannot write to {}", args.out.display()))?;
    if !args.analysis.project.quiet {
        println!(
            "archlint: wrote {} nodes and {} relationships to {} ({} files; load them with \
             neo4j-admin-import.sh, or load.cypher into a running server)",
            written.nodes,
            written.relationships,
            args.out.display(),
            written.files.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
