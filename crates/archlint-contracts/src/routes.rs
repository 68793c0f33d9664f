//! Turning chains of module ids into reportable [`Route`]s, and the ignore-imports step all
//! contract types share.

use archlint_graph::{GraphView, ImportGraph, ModuleId};

use crate::options::{AlertLevel, ImportExpression};
use crate::{Link, Route};

pub(crate) fn link(graph: &ImportGraph, importer: ModuleId, imported: ModuleId) -> Link {
    let mut lines: Vec<u32> = graph
        .details(importer, imported)
        .iter()
        .map(|d| d.line)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    Link {
        importer: graph.name(importer).to_owned(),
        imported: graph.name(imported).to_owned(),
        lines,
    }
}

/// A plain chain with no alternatives.
pub(crate) fn simple_route(graph: &ImportGraph, chain: &[ModuleId]) -> Route {
    Route {
        chain: chain.windows(2).map(|w| link(graph, w[0], w[1])).collect(),
        extra_firsts: Vec::new(),
        extra_lasts: Vec::new(),
    }
}

/// A route through `middle`, with every head (module in the importing package that imports the
/// first middle module) and every tail (module in the imported package imported by the last).
pub(crate) fn route_with_heads_and_tails(
    view: &GraphView<'_>,
    middle: &[ModuleId],
    heads: &[ModuleId],
    tails: &[ModuleId],
) -> Route {
    let graph = view.graph();
    let first = middle[0];
    let last = middle[middle.len() - 1];
    let mut heads: Vec<ModuleId> = heads
        .iter()
        .copied()
        .filter(|&h| view.has_import(h, first))
        .collect();
    let mut tails: Vec<ModuleId> = tails
        .iter()
        .copied()
        .filter(|&t| view.has_import(last, t))
        .collect();
    heads.sort_by(|a, b| graph.name(*a).cmp(graph.name(*b)));
    tails.sort_by(|a, b| graph.name(*a).cmp(graph.name(*b)));
    let mut chain_ids = vec![heads[0]];
    chain_ids.extend_from_slice(middle);
    chain_ids.push(tails[0]);
    Route {
        chain: chain_ids
            .windows(2)
            .map(|w| link(graph, w[0], w[1]))
            .collect(),
        extra_firsts: heads[1..].iter().map(|&h| link(graph, h, first)).collect(),
        extra_lasts: tails[1..].iter().map(|&t| link(graph, last, t)).collect(),
    }
}

/// Remove the imports matched by `ignore_imports` from the view.
/// Returns warnings and the number of imports removed; unmatched expressions are an error
/// when `alert` says so.
pub(crate) fn apply_ignores(
    view: &mut GraphView<'_>,
    ignores: &[ImportExpression],
    alert: AlertLevel,
) -> Result<(Vec<String>, usize), String> {
    let graph = view.graph();
    let mut to_remove = Vec::new();
    let mut unmatched = Vec::new();
    for expr in ignores {
        let matched = graph.find_matching_direct_imports(&expr.importer, &expr.imported);
        if matched.is_empty() {
            unmatched.push(format!("No matches for ignored import {}.", expr.text));
        }
        to_remove.extend(matched);
    }
    to_remove.sort_unstable();
    to_remove.dedup();
    for &(a, b) in &to_remove {
        view.remove_import(a, b);
    }
    let warnings = match alert {
        AlertLevel::None => Vec::new(),
        AlertLevel::Warn => unmatched,
        AlertLevel::Error if !unmatched.is_empty() => return Err(unmatched.join("\n")),
        AlertLevel::Error => Vec::new(),
    };
    Ok((warnings, to_remove.len()))
}
