//! ## What it does
//! Checks a layered architecture: each layer may import the layers below it, never the ones
//! above, directly or indirectly. Layers listed on one line separated by `|` are independent
//! siblings (they may not import each other); separated by `:` they may. With `containers`,
//! the same layers repeat inside each container package. Optional layers are in parentheses;
//! `exhaustive = true` requires every child of a container to be listed.
//!
//! ## Why is this bad?
//! An upward import inverts the dependency direction the design relies on: lower layers stop
//! being reusable and testable on their own, and changes ripple upwards.
//!
//! ## Example
//! ```ini
//! [importlinter:contract:layers]
//! name = Layered app
//! type = layers
//! containers = app
//! layers =
//!     api
//!     services | jobs
//!     domain
//!     (utils)
//! ```

use archlint_graph::{Bfs, GraphView, ImportGraph, ModuleExpression, ModuleId};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::{ContractMeta, expand, name_in_package};
use crate::config::Settings;
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};
use crate::routes::{route_with_heads_and_tails, simple_route};
use crate::{ContractResult, Route, Violation};

/// One line of the `layers` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// (module tail, optional) pairs.
    pub modules: Vec<(String, bool)>,
    /// Siblings may not import each other (`|`, or a single module).
    pub independent: bool,
}

/// A `layers` contract.
#[derive(Debug, Clone)]
pub struct LayersContract {
    pub(crate) meta: ContractMeta,
    layers: Vec<Layer>,
    layer_error: Option<String>,
    containers: Vec<ModuleExpression>,
    ignore_imports: Vec<ImportExpression>,
    alert: AlertLevel,
    exhaustive: bool,
    exhaustive_ignores: Vec<String>,
}

fn parse_layer(raw: &str) -> Result<Layer, String> {
    let (items, independent): (Vec<&str>, bool) = match (raw.contains('|'), raw.contains(':')) {
        (true, true) => {
            return Err(
                "Layer cannot have a mixture of independent and non-independent elements.".into(),
            );
        }
        (true, false) => (raw.split('|').map(str::trim).collect(), true),
        (false, true) => (raw.split(':').map(str::trim).collect(), false),
        (false, false) => (vec![raw.trim()], true),
    };
    let mut modules: Vec<(String, bool)> = Vec::new();
    let mut duplicated: Vec<String> = Vec::new();
    for item in items {
        let (name, optional) = match item.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
            Some(inner) => (inner.to_owned(), true),
            None => (item.to_owned(), false),
        };
        if modules.iter().any(|(n, _)| *n == name) {
            duplicated.push(format!("'{name}'"));
        }
        modules.push((name, optional));
    }
    if !duplicated.is_empty() {
        duplicated.sort();
        duplicated.dedup();
        return Err(format!(
            "Modules cannot be repeated in a layer: {}.",
            duplicated.join(", ")
        ));
    }
    Ok(Layer {
        modules,
        independent,
    })
}

impl LayersContract {
    pub(crate) fn read(meta: ContractMeta, r: &mut OptionReader<'_>) -> Self {
        let raw_layers = r.list("layers", true);
        let mut layers = Vec::new();
        let mut layer_error = None;
        for raw in &raw_layers {
            match parse_layer(raw) {
                Ok(l) => layers.push(l),
                Err(e) => layer_error = Some(e),
            }
        }
        Self {
            containers: r.module_expressions("containers", false),
            ignore_imports: r.import_expressions("ignore_imports"),
            alert: r.alert_level(),
            exhaustive: r.boolean("exhaustive", false),
            exhaustive_ignores: r
                .list("exhaustive_ignores", false)
                .into_iter()
                .map(|s| s.trim().to_owned())
                .collect(),
            layers,
            layer_error,
            meta,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ContractError> {
        let err = |option: &str, message: String| ContractError {
            contract: self.meta.name.clone(),
            option: Some(option.to_owned()),
            line: self.meta.line,
            message,
        };
        if let Some(e) = &self.layer_error {
            return Err(err("layers", e.clone()));
        }
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        let mut duplicated: Vec<String> = Vec::new();
        for layer in &self.layers {
            let names: FxHashSet<&str> = layer.modules.iter().map(|(n, _)| n.as_str()).collect();
            for n in &names {
                if seen.contains(n) {
                    duplicated.push(format!("'{n}'"));
                }
            }
            seen.extend(names);
        }
        if !duplicated.is_empty() {
            duplicated.sort();
            duplicated.dedup();
            return Err(err(
                "layers",
                format!(
                    "Modules cannot be in more than one layer: {}.",
                    duplicated.join(", ")
                ),
            ));
        }
        if self.exhaustive && self.containers.is_empty() {
            return Err(err(
                "exhaustive",
                "The exhaustive option is not supported for contracts without containers.".into(),
            ));
        }
        Ok(())
    }

    pub(crate) fn check(
        &self,
        graph: &ImportGraph,
        settings: &Settings,
    ) -> Result<ContractResult, ContractError> {
        let (mut result, view) =
            self.meta
                .start("layers", graph, &self.ignore_imports, self.alert)?;

        let containers = expand(graph, &self.containers, false, false, &self.meta)?;
        let roots = &settings.root_packages;
        if self.containers.is_empty() {
            for layer in &self.layers {
                for (name, optional) in &layer.modules {
                    if !optional && graph.id(name).is_none() {
                        return Err(self.meta.error(format!(
                            "Missing layer '{name}': module {name} does not exist."
                        )));
                    }
                }
            }
        } else {
            for container in &containers {
                if !roots.iter().any(|r| name_in_package(container, r)) {
                    let message = if roots.len() == 1 {
                        format!(
                            "Invalid container '{container}': a container must either be a subpackage of {0}, or {0} itself.",
                            roots[0]
                        )
                    } else {
                        format!(
                            "Invalid container '{container}': a container must either be a root package, or a subpackage of one of them. (The root packages are: {}.)",
                            roots.join(", ")
                        )
                    };
                    return Err(self.meta.error(message));
                }
                for layer in &self.layers {
                    for (name, optional) in &layer.modules {
                        let full = format!("{container}.{name}");
                        if !optional && graph.id(&full).is_none() {
                            return Err(self.meta.error(format!(
                                "Missing layer in container '{container}': module {full} does not exist."
                            )));
                        }
                    }
                }
            }
        }

        if self.exhaustive {
            let mut declared: FxHashSet<&str> = self
                .layers
                .iter()
                .flat_map(|l| l.modules.iter().map(|(n, _)| n.as_str()))
                .collect();
            declared.extend(self.exhaustive_ignores.iter().map(String::as_str));
            let mut undeclared = Vec::new();
            for container in &containers {
                let Some(id) = graph.id(container) else {
                    continue;
                };
                for child in graph.children(id) {
                    let name = graph.name(child);
                    let tail = name.rsplit('.').next().unwrap_or(name);
                    if !declared.contains(tail) {
                        undeclared.push(name.to_owned());
                    }
                }
            }
            undeclared.sort();
            undeclared.dedup();
            result.undeclared_modules = undeclared;
        }

        let quasi_containers: Vec<Option<&str>> = if containers.is_empty() {
            vec![None]
        } else {
            containers.iter().map(|c| Some(c.as_str())).collect()
        };
        let levels: Vec<(Vec<String>, bool)> = self
            .layers
            .iter()
            .map(|l| {
                (
                    l.modules.iter().map(|(n, _)| n.clone()).collect(),
                    l.independent,
                )
            })
            .collect();
        // Containers are searched in parallel (each search has its own BFS state); the
        // violations are sorted below, so the report does not depend on the order.
        let mut violations: Vec<Violation> = quasi_containers
            .par_iter()
            .flat_map_iter(|container| {
                let full_levels: Vec<(Vec<ModuleId>, bool)> = levels
                    .iter()
                    .map(|(names, independent)| {
                        let ids = names
                            .iter()
                            .filter_map(|n| match container {
                                Some(c) => graph.id(&format!("{c}.{n}")),
                                None => graph.id(n),
                            })
                            .collect();
                        (ids, *independent)
                    })
                    .collect();
                illegal_dependencies(&view, &full_levels)
            })
            .collect();
        violations.sort_by(|a, b| (&a.importer, &a.imported).cmp(&(&b.importer, &b.imported)));
        result.kept = violations.is_empty() && result.undeclared_modules.is_empty();
        result.violations = violations;
        Ok(result)
    }
}

/// Every illegal dependency between layers: lower importing higher, and independent siblings
/// importing each other. Chains through other layers are not counted against this pair (they
/// are reported for the pair they really break).
pub(crate) fn illegal_dependencies(
    view: &GraphView<'_>,
    levels: &[(Vec<ModuleId>, bool)],
) -> Vec<Violation> {
    let graph = view.graph();
    let mut pairs: Vec<(ModuleId, ModuleId)> = Vec::new();
    for (index, (modules, independent)) in levels.iter().enumerate() {
        for &higher in modules {
            for (lower_modules, _) in &levels[index + 1..] {
                for &lower in lower_modules {
                    pairs.push((lower, higher));
                }
            }
            if *independent {
                for &sibling in modules {
                    if sibling != higher {
                        pairs.push((sibling, higher));
                    }
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();

    // Sets, not masks over the whole graph: this runs once per container, and a container's
    // layers are a small part of a large graph.
    let all_layer_modules: FxHashSet<ModuleId> = levels
        .iter()
        .flat_map(|(m, _)| m.iter())
        .flat_map(|&m| graph.with_descendants(m))
        .collect();
    let mut bfs = Bfs::new(graph.len());
    let mut out = Vec::new();
    for (from, to) in pairs {
        let from_set = graph.with_descendants(from);
        let to_set = graph.with_descendants(to);
        let own: FxHashSet<ModuleId> = from_set.iter().chain(&to_set).copied().collect();
        let excluded = |m: ModuleId| all_layer_modules.contains(&m) && !own.contains(&m);
        // grimp's find_illegal_dependencies: shortest chains that share no import, each
        // direct import a route of its own, and the indirect ones as routes through their
        // middle with every head and tail — kept in a set, so a middle reached twice is one
        // route.
        let mut direct: Vec<Route> = Vec::new();
        let mut middles: Vec<Vec<ModuleId>> = Vec::new();
        for chain in view.shortest_chains(&mut bfs, &from_set, &to_set, Some(&excluded)) {
            if chain.len() == 2 {
                direct.push(simple_route(graph, &chain));
            } else {
                middles.push(chain[1..chain.len() - 1].to_vec());
            }
        }
        middles.sort_unstable();
        middles.dedup();
        let mut routes = direct;
        routes.extend(
            middles
                .iter()
                .map(|middle| route_with_heads_and_tails(view, middle, &from_set, &to_set)),
        );
        routes.sort_by_cached_key(|r| {
            r.chain
                .iter()
                .map(|l| l.importer.clone())
                .chain(r.chain.last().map(|l| l.imported.clone()))
                .collect::<Vec<_>>()
        });
        if routes.is_empty() {
            continue;
        }
        let (importer, imported) = (graph.name(from).to_owned(), graph.name(to).to_owned());
        out.push(Violation {
            summary: format!("{importer} is not allowed to import {imported}:"),
            importer,
            imported,
            routes,
        });
    }
    out
}
