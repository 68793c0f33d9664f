//! `archlint perf report | compare`, and the run record `--perf-log` appends.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use archlint_engine::Project;
use archlint_perf::RunRecord;
use clap::{Args, Subcommand};

use crate::args::Format;
use archlint_check::DepsRun;

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

/// The record of one `archlint check` run.
pub fn record(
    project: &Project,
    deps: Option<&DepsRun>,
    rules: Option<&archlint_check::RulesRun>,
    report_ms: f64,
    total_ms: f64,
) -> RunRecord {
    let t = &project.timings;
    let mut phases: BTreeMap<String, f64> = [
        ("discover", t.discover_ms),
        ("parse", t.parse_ms),
        ("graph", t.graph_ms),
        ("contracts", t.contracts_ms),
        ("report", report_ms),
        ("total", total_ms),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let mut counts: BTreeMap<String, f64> = [
        ("files", project.files.len() as f64),
        ("parsed", project.cache.parsed as f64),
        ("modules", project.graph.module_count() as f64),
        ("imports", project.graph.edge_count() as f64),
        ("cache_hit_rate", project.cache.hit_rate),
        ("parse_p50_ms", project.cache.parse_p50_ms),
        ("parse_p95_ms", project.cache.parse_p95_ms),
        ("parse_max_ms", project.cache.parse_max_ms),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    counts.insert("parse_cpu_ms".into(), project.cache.parse_cpu_ms);
    counts.insert("stat_hash_cpu_ms".into(), project.cache.stat_hash_cpu_ms);
    for (layer, rate) in project.cache.layer_hit_rates() {
        counts.insert(format!("hit_rate_{layer}"), rate);
    }
    if let Some(r) = rules {
        phases.insert("rules".into(), r.ms);
        counts.insert("rule_findings".into(), r.outcome.findings.len() as f64);
    }
    if let Some(d) = deps {
        phases.insert("dependencies".into(), d.total_ms);
        counts.insert("distributions".into(), d.distributions as f64);
    }
    RunRecord {
        timestamp: archlint_advisories::audit::now_secs(),
        version: env!("CARGO_PKG_VERSION").into(),
        phases,
        counts,
        peak_rss_mb: archlint_perf::peak_rss_mb(),
    }
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
                Format::Text => {
                    writeln!(w, "{} runs", runs.len())?;
                    writeln!(
                        w,
                        "{:14} {:>6} {:>11} {:>9} {:>9} {:>9} {:>9} {:>9}",
                        "phase", "count", "total ms", "mean", "min", "max", "p50", "p95"
                    )?;
                    for s in stats {
                        writeln!(
                            w,
                            "{:14} {:>6} {:>11.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                            s.phase,
                            s.count,
                            s.total_ms,
                            s.mean_ms,
                            s.min_ms,
                            s.max_ms,
                            s.p50_ms,
                            s.p95_ms
                        )?;
                    }
                }
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
            let regressed: Vec<&archlint_perf::PhaseChange> =
                changes.iter().filter(|c| c.regressed).collect();
            match a.format {
                Format::Json => {
                    serde_json::to_writer_pretty(
                        &mut w,
                        &serde_json::json!({"threshold": threshold, "last": a.last, "phases": changes}),
                    )?;
                    writeln!(w)?;
                }
                Format::Text => {
                    for c in &changes {
                        writeln!(
                            w,
                            "{:14} {:>9.2} ms -> {:>9.2} ms  {:>+7.1}%{}",
                            c.phase,
                            c.baseline_ms,
                            c.current_ms,
                            c.change * 100.0,
                            if c.regressed { "  REGRESSED" } else { "" }
                        )?;
                    }
                    if regressed.is_empty() {
                        writeln!(
                            w,
                            "No phase is more than {:.0}% slower (median of the last {} runs).",
                            threshold * 100.0,
                            a.last
                        )?;
                    } else {
                        writeln!(
                            w,
                            "Regressed beyond {:.0}%: {}",
                            threshold * 100.0,
                            regressed
                                .iter()
                                .map(|c| c.phase.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )?;
                    }
                }
            }
            Ok(if regressed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
