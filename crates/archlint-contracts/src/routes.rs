//! Turning chains of module ids into reportable [`Route`]s, and the ignore-imports step all
//! contract types share.

use archlint_graph::{GraphView, ImportGraph, ModuleId};

use crate::options::{AlertLevel, ImportExpression};
use crate::{ContractResult, Link, Route};

pub(crate) fn link(graph: &ImportGraph, importer: ModuleId, imported: ModuleId) -> Link {
    let mut lines: Vec<u32> = graph
        .details(importer, imported)
        .iter()
        .map(|d| d.line)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    Link {
        defined: None,
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

/// One import of a name that breaks a symbol-level contract.
pub(crate) struct NameImport {
    pub importer: String,
    /// `module.name` (or the module, for `import module`).
    pub object: String,
    pub line: u32,
    pub defined: Option<crate::DefinedAt>,
}

/// The routes of a symbol-level contract: one per importer and name, with every line of it,
/// sorted by importer then name.
pub(crate) fn name_routes(mut found: Vec<NameImport>) -> Vec<Route> {
    found.sort_by(|a, b| (&a.importer, &a.object, a.line).cmp(&(&b.importer, &b.object, b.line)));
    let mut routes: Vec<Route> = Vec::new();
    for f in found {
        if let Some(last) = routes.last_mut().map(|r| &mut r.chain[0])
            && last.importer == f.importer
            && last.imported == f.object
        {
            if !last.lines.contains(&f.line) {
                last.lines.push(f.line);
            }
            continue;
        }
        routes.push(Route {
            chain: vec![Link {
                defined: f.defined,
                importer: f.importer,
                imported: f.object,
                lines: vec![f.line],
            }],
            extra_firsts: Vec::new(),
            extra_lasts: Vec::new(),
        });
    }
    routes
}

/// `ignore_imports` for the symbol-level contracts: an expression matches an import when its
/// importer matches and its imported side matches the module or the name (`module.name`).
pub(crate) struct NameIgnores<'a> {
    exprs: &'a [ImportExpression],
    used: Vec<bool>,
    ignored: usize,
}

impl<'a> NameIgnores<'a> {
    pub fn new(exprs: &'a [ImportExpression]) -> Self {
        NameIgnores {
            exprs,
            used: vec![false; exprs.len()],
            ignored: 0,
        }
    }

    /// Whether the import is ignored (and remember the expressions that matched).
    pub fn ignores(&mut self, importer: &str, module: &str, object: &str) -> bool {
        let mut hit = false;
        for (i, e) in self.exprs.iter().enumerate() {
            if e.importer.matches(importer)
                && (e.imported.matches(module) || e.imported.matches(object))
            {
                self.used[i] = true;
                hit = true;
            }
        }
        self.ignored += usize::from(hit);
        hit
    }

    /// Finish a contract's result: the number of ignored imports, a warning for each
    /// expression that matched nothing (or the error, per `alert`), and whether it is kept.
    pub fn close(self, result: &mut ContractResult, alert: AlertLevel) -> Result<(), String> {
        let unmatched: Vec<String> = self
            .exprs
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|(e, _)| format!("No matches for ignored import {}.", e.text))
            .collect();
        match alert {
            AlertLevel::Warn => result.warnings.extend(unmatched),
            AlertLevel::Error if !unmatched.is_empty() => return Err(unmatched.join("\n")),
            AlertLevel::Error | AlertLevel::None => {}
        }
        result.ignored_imports = self.ignored;
        result.kept = result.violations.is_empty();
        Ok(())
    }
}
