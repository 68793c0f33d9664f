//! ## What it does
//! Checks that, inside each ancestor package (and its subpackages down to `depth`), the
//! children do not depend on each other in a cycle. Imports between two children's subtrees
//! count as a dependency of one child on the other.
//!
//! ## Why is this bad?
//! Sibling packages in a cycle can only be understood, tested and changed together: the
//! package structure no longer says anything about the dependencies.
//!
//! ## Example
//! ```toml
//! [[tool.importlinter.contracts]]
//! name = "No cycles between sibling packages"
//! type = "acyclic_siblings"
//! ancestors = ["app"]
//! depth = 2
//! ```

use archlint_graph::{GraphView, ImportGraph, ModuleExpression, ModuleId};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{ContractMeta, expand};
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};
use crate::routes::link;
use crate::{ContractResult, Route, Violation};

/// An `acyclic_siblings` contract.
#[derive(Debug, Clone)]
pub struct AcyclicSiblingsContract {
    pub(crate) meta: ContractMeta,
    ancestors: Vec<ModuleExpression>,
    depth: i64,
    skip_descendants: Vec<ModuleExpression>,
    ignore_imports: Vec<ImportExpression>,
    alert: AlertLevel,
}

impl AcyclicSiblingsContract {
    pub(crate) fn read(meta: ContractMeta, r: &mut OptionReader<'_>) -> Self {
        Self {
            ancestors: r.module_expressions("ancestors", true),
            depth: r.integer("depth", 10, 0),
            skip_descendants: r.module_expressions("skip_descendants", false),
            ignore_imports: r.import_expressions("ignore_imports"),
            alert: r.alert_level(),
            meta,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ContractError> {
        let mut overlap: Vec<&ModuleExpression> = self
            .ancestors
            .iter()
            .filter(|a| self.skip_descendants.contains(a))
            .collect();
        overlap.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        if let Some(first) = overlap.first() {
            let message = if first.has_wildcard() {
                format!("Cannot skip descendant '{first}' as the same expression is in ancestors.")
            } else {
                format!("Cannot skip '{first}' as it is also an ancestor.")
            };
            return Err(self.meta.error(message));
        }
        Ok(())
    }

    pub(crate) fn check(&self, graph: &ImportGraph) -> Result<ContractResult, ContractError> {
        let ancestors = expand(graph, &self.ancestors, false, true, &self.meta)?;
        let skip: FxHashSet<String> =
            expand(graph, &self.skip_descendants, false, true, &self.meta)?
                .into_iter()
                .collect();
        let (mut result, view) =
            self.meta
                .start("acyclic_siblings", graph, &self.ignore_imports, self.alert)?;

        let mut packages: Vec<(ModuleId, i64)> = ancestors
            .iter()
            .filter_map(|a| graph.id(a))
            .map(|id| (id, self.depth))
            .collect();
        let mut seen = FxHashSet::default();
        while let Some((package, remaining)) = packages.pop() {
            if !seen.insert(package) {
                continue;
            }
            let children = graph.children(package);
            if children.len() >= 2
                && let Some(v) = sibling_cycles(&view, package, &children)
            {
                result.violations.push(v);
            }
            if remaining > 0 {
                for child in children {
                    if !skip.contains(graph.name(child)) {
                        packages.push((child, remaining - 1));
                    }
                }
            }
        }
        result
            .violations
            .sort_by(|a, b| a.importer.cmp(&b.importer));
        result.kept = result.violations.is_empty();
        Ok(result)
    }
}

/// Dependencies between the children of `package` that, if removed, leave them acyclic;
/// `None` when they already are.
fn sibling_cycles(
    view: &GraphView<'_>,
    package: ModuleId,
    children: &[ModuleId],
) -> Option<Violation> {
    let graph = view.graph();
    let mut child_of: FxHashMap<ModuleId, usize> = FxHashMap::default();
    for (i, &c) in children.iter().enumerate() {
        for m in graph.with_descendants(c) {
            child_of.insert(m, i);
        }
    }
    // Child-level dependency graph, with the module imports behind each dependency.
    let n = children.len();
    let mut imports: FxHashMap<(usize, usize), Vec<(ModuleId, ModuleId)>> = FxHashMap::default();
    for (&m, &ci) in &child_of {
        for b in view.imports_of(m) {
            if let Some(&cj) = child_of.get(&b)
                && ci != cj
            {
                imports.entry((ci, cj)).or_default().push((m, b));
            }
        }
    }
    let names: Vec<&str> = children.iter().map(|&c| graph.name(c)).collect();
    let order = feedback_order(n, &imports, &names);
    let position: Vec<usize> = {
        let mut p = vec![0; n];
        for (i, &v) in order.iter().enumerate() {
            p[v] = i;
        }
        p
    };
    // Edges pointing backwards in the order break every cycle.
    let mut breakers: Vec<(usize, usize)> = imports
        .keys()
        .copied()
        .filter(|&(a, b)| position[a] > position[b])
        .collect();
    if breakers.is_empty() {
        return None;
    }
    breakers.sort_by(|x, y| {
        (graph.name(children[x.0]), graph.name(children[x.1]))
            .cmp(&(graph.name(children[y.0]), graph.name(children[y.1])))
    });
    let name = graph.name(package).to_owned();
    let routes = breakers
        .iter()
        .map(|key| {
            let mut links: Vec<_> = imports[key]
                .iter()
                .map(|&(a, b)| link(graph, a, b))
                .collect();
            links.sort_by(|x, y| (&x.importer, &x.imported).cmp(&(&y.importer, &y.imported)));
            let first = links.remove(0);
            Route {
                chain: vec![first],
                extra_firsts: links,
                extra_lasts: Vec::new(),
            }
        })
        .collect();
    Some(Violation {
        summary: format!(
            "No cycles are allowed in {name}.\nIt could be made acyclic by removing {} {}:",
            breakers.len(),
            if breakers.len() == 1 {
                "dependency"
            } else {
                "dependencies"
            }
        ),
        importer: name.clone(),
        imported: name,
        routes,
    })
}

/// A vertex order with few backward edges, as grimp's `nominate_cycle_breakers` makes it (an
/// Eades–Lin–Smyth ordering): sources first, taken round by round until none is left; then sinks,
/// round by round, each round ahead of the ones before; then the rest one at a time, highest
/// out-degree minus in-degree first — degrees weighted by the number of module imports behind
/// each dependency, ties to the earlier name.
fn feedback_order(
    n: usize,
    imports: &FxHashMap<(usize, usize), Vec<(ModuleId, ModuleId)>>,
    names: &[&str],
) -> Vec<usize> {
    let mut out: Vec<FxHashMap<usize, i64>> = vec![FxHashMap::default(); n];
    let mut inward: Vec<FxHashMap<usize, i64>> = vec![FxHashMap::default(); n];
    for (&(a, b), behind) in imports {
        out[a].insert(b, behind.len() as i64);
        inward[b].insert(a, behind.len() as i64);
    }
    let mut present = vec![true; n];
    let remove = |v: usize,
                  present: &mut Vec<bool>,
                  out: &mut Vec<FxHashMap<usize, i64>>,
                  inward: &mut Vec<FxHashMap<usize, i64>>| {
        present[v] = false;
        for b in std::mem::take(&mut out[v]).into_keys() {
            inward[b].remove(&v);
        }
        for a in std::mem::take(&mut inward[v]).into_keys() {
            out[a].remove(&v);
        }
    };
    let mut sources = Vec::new();
    loop {
        let round: Vec<usize> = (0..n)
            .filter(|&v| present[v] && inward[v].is_empty())
            .collect();
        if round.is_empty() {
            break;
        }
        for &v in &round {
            remove(v, &mut present, &mut out, &mut inward);
        }
        sources.extend(round);
    }
    let mut sinks: Vec<usize> = Vec::new();
    loop {
        let round: Vec<usize> = (0..n)
            .filter(|&v| present[v] && out[v].is_empty())
            .collect();
        if round.is_empty() {
            break;
        }
        for &v in &round {
            remove(v, &mut present, &mut out, &mut inward);
        }
        sinks.splice(0..0, round);
    }
    let mut middle = Vec::new();
    while let Some(v) = (0..n).filter(|&v| present[v]).max_by(|&x, &y| {
        let difference = |v: usize| out[v].values().sum::<i64>() - inward[v].values().sum::<i64>();
        difference(x)
            .cmp(&difference(y))
            .then_with(|| names[y].cmp(names[x]))
    }) {
        remove(v, &mut present, &mut out, &mut inward);
        middle.push(v);
    }
    sources.extend(middle);
    sources.extend(sinks);
    sources
}
