//! ## What it does
//! Checks that protected modules are imported directly only by an allowed set of importers
//! (and, with `as_packages`, by modules inside the protected package itself).
//!
//! ## Why is this bad?
//! Some modules are implementation details of one component — database models, a vendored
//! client — and every outside importer becomes a hidden dependency on them.
//!
//! ## Example
//! ```ini
//! [importlinter:contract:models]
//! name = Only the repository layer touches models
//! type = protected
//! protected_modules = app.models
//! allowed_importers = app.repositories
//! ```

use archlint_graph::{ImportGraph, ModuleExpression, ModuleId};
use rustc_hash::FxHashSet;

use super::{ContractMeta, expand};
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};
use crate::routes::link;
use crate::{ContractResult, Route, Violation};

/// A `protected` contract.
#[derive(Debug, Clone)]
pub struct ProtectedContract {
    pub(crate) meta: ContractMeta,
    protected_modules: Vec<ModuleExpression>,
    allowed_importers: Vec<ModuleExpression>,
    ignore_imports: Vec<ImportExpression>,
    alert: AlertLevel,
    as_packages: bool,
}

impl ProtectedContract {
    pub(crate) fn wildcard_options(&self) -> Vec<(&'static str, &[ModuleExpression])> {
        vec![("protected_modules", &self.protected_modules)]
    }

    pub(crate) fn read(meta: ContractMeta, r: &mut OptionReader<'_>) -> Self {
        Self {
            protected_modules: r.module_expressions("protected_modules", true),
            allowed_importers: r.module_expressions("allowed_importers", true),
            ignore_imports: r.import_expressions("ignore_imports"),
            alert: r.alert_level(),
            as_packages: r.boolean("as_packages", true),
            meta,
        }
    }

    pub(crate) fn check(&self, graph: &ImportGraph) -> Result<ContractResult, ContractError> {
        let (mut result, view) =
            self.meta
                .start("protected", graph, &self.ignore_imports, self.alert)?;

        let allowed: FxHashSet<String> = expand(
            graph,
            &self.allowed_importers,
            self.as_packages,
            false,
            &self.meta,
        )?
        .into_iter()
        .collect();
        for expr in &self.protected_modules {
            let tops = expand(graph, std::slice::from_ref(expr), false, false, &self.meta)?;
            for top in tops {
                let Some(top_id) = graph.id(&top) else {
                    return Err(self.meta.error(format!("Module '{top}' does not exist.")));
                };
                let protected: Vec<ModuleId> = if self.as_packages {
                    graph.with_descendants(top_id)
                } else {
                    vec![top_id]
                };
                let protected_set: FxHashSet<ModuleId> = protected.iter().copied().collect();
                let mut routes = Vec::new();
                for &p in &protected {
                    let mut importers: Vec<ModuleId> = view
                        .importers_of(p)
                        .filter(|a| !protected_set.contains(a) && !allowed.contains(graph.name(*a)))
                        .collect();
                    importers.sort_by(|a, b| graph.name(*a).cmp(graph.name(*b)));
                    for a in importers {
                        routes.push(Route {
                            chain: vec![link(graph, a, p)],
                            extra_firsts: Vec::new(),
                            extra_lasts: Vec::new(),
                        });
                    }
                }
                if routes.is_empty() {
                    continue;
                }
                let via = if expr.has_wildcard() {
                    format!("\n(via {expr} expression)")
                } else {
                    String::new()
                };
                result.violations.push(Violation {
                    summary: format!("Illegal imports of protected package {top}{via}:"),
                    importer: "*".into(),
                    imported: top.clone(),
                    routes,
                });
            }
        }
        result.kept = result.violations.is_empty();
        Ok(result)
    }
}
