//! `archlint query`: questions about a project's import graph ([`archlint_query`]), one JSON
//! request per line on standard input, one JSON answer per line on standard output, so a client
//! (the Python API) keeps one process per project and pays for loading the graph once.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::Result;
use archlint_query::respond;
use serde_json::json;

#[derive(Debug, clap::Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub project: crate::args::ProjectArgs,
    /// Answer this one request and exit (default: read requests from standard input).
    #[arg(long, value_name = "JSON")]
    pub request: Option<String>,
}

pub fn run(args: &QueryArgs) -> Result<ExitCode> {
    let project = crate::analysis::load_project(&args.project, false)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(request) = &args.request {
        writeln!(out, "{}", respond(&project, request))?;
        return Ok(ExitCode::SUCCESS);
    }
    // Ready: the client may send requests now.
    writeln!(
        out,
        "{}",
        json!({"ready": true, "modules": project.graph.module_count()})
    )?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(out, "{}", respond(&project, &line))?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
