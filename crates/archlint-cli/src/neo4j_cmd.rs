//! `archlint export neo4j`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Neo4jArgs {
    #[command(flatten)]
    pub analysis: crate::export_cmd::AnalysisArgs,
    /// Directory for the CSV files and the Cypher script.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(_args: &Neo4jArgs) -> Result<ExitCode> {
    anyhow::bail!("not yet")
}
