//! `archlint graph`: the import graph as DOT, JSON or Mermaid.

use std::process::ExitCode;

use anyhow::Result;
use archlint_report::graph_formats::{Collapsed, GraphFormat};

use crate::GraphArgs;
use crate::analysis::load_project;

/// Print the graph.
pub fn run_graph(args: &GraphArgs) -> Result<ExitCode> {
    let project = load_project(&args.project, false)?;
    let format = match args.format {
        crate::GraphFormat::Dot => GraphFormat::Dot,
        crate::GraphFormat::Json => GraphFormat::Json,
        crate::GraphFormat::Mermaid => GraphFormat::Mermaid,
    };
    let mut out = std::io::stdout().lock();
    Collapsed::new(&project.graph, args.depth).write(&mut out, format)?;
    Ok(ExitCode::SUCCESS)
}
