//! `archlint graph`: the import graph as DOT, JSON or Mermaid.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use archlint_graph::package_at_depth;

use crate::analysis::load_project;
use crate::{GraphArgs, GraphFormat};

/// Print the graph.
pub fn run_graph(args: &GraphArgs) -> Result<ExitCode> {
    let project = load_project(&args.project, false)?;
    let graph = &project.graph;
    let mut nodes: BTreeSet<String> = BTreeSet::new();
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for m in graph.modules() {
        nodes.insert(package_at_depth(graph.name(m), args.depth).to_owned());
    }
    for (a, b) in graph.edges() {
        let (a, b) = (
            package_at_depth(graph.name(a), args.depth).to_owned(),
            package_at_depth(graph.name(b), args.depth).to_owned(),
        );
        if a != b {
            edges.insert((a, b));
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        GraphFormat::Dot => {
            writeln!(out, "digraph imports {{")?;
            writeln!(
                out,
                "  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];"
            )?;
            for n in &nodes {
                writeln!(out, "  \"{n}\";")?;
            }
            for (a, b) in edges.iter() {
                writeln!(out, "  \"{a}\" -> \"{b}\";")?;
            }
            writeln!(out, "}}")?;
        }
        GraphFormat::Mermaid => {
            writeln!(out, "graph LR")?;
            let ids: BTreeMap<&String, usize> =
                nodes.iter().enumerate().map(|(i, n)| (n, i)).collect();
            for (n, i) in &ids {
                writeln!(out, "  m{i}[\"{n}\"]")?;
            }
            for (a, b) in edges.iter() {
                writeln!(out, "  m{} --> m{}", ids[a], ids[b])?;
            }
        }
        GraphFormat::Json => {
            let value = json!({
                "modules": nodes,
                "imports": edges.iter().map(|(a, b)| json!({"importer": a, "imported": b})).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
