//! `archlint perf report | compare`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use archlint_perf::RunRecord;
use clap::{Args, Subcommand};

use crate::args::Format;

#[derive(Debug, Args)]
pub struct PerfArgs {
    #[command(subcommand)]
    command: PerfCommand,
}

#[derive(Debug, Subcommand)]
enum PerfCommand {
    /// Count, total, mean, min, max, p50 and p95 per phase over a perf log.
    Report(ReportArgs),
    /// Exit 1 when a phase's median over the last runs is slower than the baseline's by more
    /// than the threshold.
    Compare(CompareArgs),
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// A log written with `archlint check --perf-log FILE`.
    log: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// The recent runs.
    log: PathBuf,
    /// The runs to compare against.
    #[arg(long, value_name = "FILE")]
    baseline: PathBuf,
    /// Slowdown that counts as a regression (e.g. 20%).
    #[arg(long, default_value = "20%")]
    threshold: String,
    /// How many of the latest runs to take the median of.
    #[arg(long, default_value_t = 5)]
    last: usize,
    /// Phases faster than this in the baseline are never flagged (ms).
    #[arg(long, default_value_t = 1.0)]
    floor_ms: f64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

fn read(path: &Path) -> Result<Vec<RunRecord>> {
    let (runs, bad) =
        archlint_perf::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if bad > 0 {
        eprintln!(
            "warning: {}: {bad} lines are not run records; skipped",
            path.display()
        );
    }
    if runs.is_empty() {
        return Err(anyhow!("{}: no runs recorded", path.display()));
    }
    Ok(runs)
}

pub fn run(args: &PerfArgs) -> Result<ExitCode> {
    let mut w = std::io::stdout().lock();
    match &args.command {
        PerfCommand::Report(a) => {
            let runs = read(&a.log)?;
            let stats = archlint_perf::summarize(&runs);
            match a.format {
                Format::Json => {
                    serde_json::to_writer_pretty(
                        &mut w,
                        &serde_json::json!({"runs": runs.len(), "phases": stats}),
                    )?;
                    writeln!(w)?;
                }
                Format::Text => archlint_perf::stats_text(&mut w, runs.len(), &stats)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        PerfCommand::Compare(a) => {
            let threshold = archlint_perf::parse_threshold(&a.threshold).ok_or_else(|| {
                anyhow!(
                    "--threshold: '{}' is not a percentage (e.g. 20%)",
                    a.threshold
                )
            })?;
            let baseline = read(&a.baseline)?;
            let current = read(&a.log)?;
            let changes =
                archlint_perf::compare(&baseline, &current, a.last, threshold, a.floor_ms);
            match a.format {
                Format::Json => {
                    serde_json::to_writer_pretty(
                        &mut w,
                        &serde_json::json!({"threshold": threshold, "last": a.last, "phases": changes}),
                    )?;
                    writeln!(w)?;
                }
                Format::Text => archlint_perf::compare_text(&mut w, &changes, threshold, a.last)?,
            }
            Ok(if changes.iter().all(|c| !c.regressed) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
