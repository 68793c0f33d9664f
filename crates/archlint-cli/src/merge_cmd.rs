//! `archlint merge`: combine the JSON reports of several packages or CI shards into one.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use serde_json::Value;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports written by `archlint check --format json` (or `--output json=...`).
    #[arg(required = true)]
    reports: Vec<PathBuf>,
    /// Write the merged report here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: &MergeArgs) -> Result<ExitCode> {
    let mut parts = Vec::new();
    for path in &args.reports {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| anyhow!("{}:{}: not JSON ({e})", path.display(), e.line()))?;
        parts.push((path.display().to_string(), value));
    }
    let merged = archlint_report::merge::merge(&parts)?;
    let text = serde_json::to_string_pretty(&merged)? + "\n";
    match &args.output {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?
        }
        None => print!("{text}"),
    }
    let broken = merged["summary"]["contracts_broken"].as_u64().unwrap_or(0) > 0
        || merged["dependencies"]["errors"].as_u64().unwrap_or(0) > 0;
    Ok(if broken {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
