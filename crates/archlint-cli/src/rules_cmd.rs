//! The code-structure rules in `archlint check`, `archlint rules` (the catalog) and
//! `archlint metrics` (the figures behind them).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use archlint_report::metrics;

use crate::args::ProjectArgs;

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Explain this rule (default: list every rule).
    code: Option<String>,
}

/// `archlint rules [CODE]`.
pub fn run_catalog(args: &RulesArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match &args.code {
        Some(code) => metrics::rule_text(&mut out, code)?,
        None => metrics::catalog_text(&mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MetricsFormat::Text)]
    format: MetricsFormat,
    /// Package depth for coupling (default: the rules' `package-cycle` depth, 2).
    #[arg(long)]
    depth: Option<usize>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum MetricsFormat {
    Text,
    Json,
}

/// `archlint metrics`: per-function, per-class and per-package figures.
pub fn run_metrics(args: &MetricsArgs) -> Result<ExitCode> {
    let project = archlint_engine::load_project(&archlint_engine::ProjectOptions {
        path: args.project.path.clone(),
        config: args.project.config.clone(),
        cache: crate::args::cache_flags(&args.project),
        keep_facts: archlint_engine::KeepFacts::All,
        code_facts: true,
        ..Default::default()
    })?;
    crate::terminal::print_diagnostics(&project);
    let metrics = metrics::Metrics::new(&project, args.depth)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        MetricsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &metrics.json())?;
            writeln!(out)?;
        }
        MetricsFormat::Text => metrics.text(&mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
