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
    let mut adjacency = vec![Vec::new(); n];
    for &(a, b) in imports.keys() {
        adjacency[a].push(b);
    }
    for list in &mut adjacency {
        list.sort_unstable();
    }
    let order = feedback_order(&adjacency);
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

/// A vertex order with few backward edges (Eades–Lin–Smyth greedy heuristic): sinks go last,
/// sources first, otherwise the vertex with the largest out-minus-in degree.
fn feedback_order(adjacency: &[Vec<usize>]) -> Vec<usize> {
    let n = adjacency.len();
    let mut out_deg: Vec<i64> = adjacency.iter().map(|l| l.len() as i64).collect();
    let mut in_deg = vec![0i64; n];
    let mut reverse = vec![Vec::new(); n];
    for (a, list) in adjacency.iter().enumerate() {
        for &b in list {
            in_deg[b] += 1;
            reverse[b].push(a);
        }
    }
    let mut removed = vec![false; n];
    let (mut head, mut tail) = (Vec::new(), Vec::new());
    let mut remaining = n;
    let take =
        |v: usize, removed: &mut Vec<bool>, out_deg: &mut Vec<i64>, in_deg: &mut Vec<i64>| {
            removed[v] = true;
            for &b in &adjacency[v] {
                in_deg[b] -= 1;
            }
            for &a in &reverse[v] {
                out_deg[a] -= 1;
            }
        };
    while remaining > 0 {
        let mut progressed = true;
        while progressed {
            progressed = false;
            for v in 0..n {
                if !removed[v] && out_deg[v] == 0 {
                    take(v, &mut removed, &mut out_deg, &mut in_deg);
                    tail.push(v);
                    remaining -= 1;
                    progressed = true;
                } else if !removed[v] && in_deg[v] == 0 {
                    take(v, &mut removed, &mut out_deg, &mut in_deg);
                    head.push(v);
                    remaining -= 1;
                    progressed = true;
                }
            }
        }
        if remaining == 0 {
            break;
        }
        let v = (0..n)
            .filter(|&v| !removed[v])
            .max_by_key(|&v| (out_deg[v] - in_deg[v], std::cmp::Reverse(v)))
            .expect("a vertex remains");
        take(v, &mut removed, &mut out_deg, &mut in_deg);
        head.push(v);
        remaining -= 1;
    }
    tail.reverse();
    head.extend(tail);
    head
}
