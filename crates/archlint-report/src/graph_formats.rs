//! The import graph collapsed to a package depth, as DOT, Mermaid or JSON (`archlint graph`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use archlint_graph::{ImportGraph, package_at_depth};
use serde_json::json;

/// A graph's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    Dot,
    Json,
    Mermaid,
}

/// Modules collapsed to their first `depth` components (0: not collapsed), and the imports
/// between different ones.
pub struct Collapsed {
    pub nodes: BTreeSet<String>,
    pub edges: BTreeSet<(String, String)>,
}

impl Collapsed {
    pub fn new(graph: &ImportGraph, depth: usize) -> Collapsed {
        let mut nodes: BTreeSet<String> = BTreeSet::new();
        let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
        for m in graph.modules() {
            nodes.insert(package_at_depth(graph.name(m), depth).to_owned());
        }
        for (a, b) in graph.edges() {
            let (a, b) = (
                package_at_depth(graph.name(a), depth).to_owned(),
                package_at_depth(graph.name(b), depth).to_owned(),
            );
            if a != b {
                edges.insert((a, b));
            }
        }
        Collapsed { nodes, edges }
    }

    /// Write the graph in `format`.
    pub fn write(&self, out: &mut impl Write, format: GraphFormat) -> std::io::Result<()> {
        let (nodes, edges) = (&self.nodes, &self.edges);
        match format {
            GraphFormat::Dot => {
                writeln!(out, "digraph imports {{")?;
                writeln!(
                    out,
                    "  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];"
                )?;
                for n in nodes {
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
                serde_json::to_writer_pretty(&mut *out, &value)?;
                writeln!(out)?;
            }
        }
        Ok(())
    }
}
