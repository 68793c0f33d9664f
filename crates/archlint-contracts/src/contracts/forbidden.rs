//! ## What it does
//! Checks that a set of source modules never imports a set of forbidden modules, directly or
//! through any chain of imports (unless `allow_indirect_imports = true`). Forbidden modules may
//! be external packages when `include_external_packages` is on.
//!
//! ## Why is this bad?
//! A forbidden import couples code that the architecture keeps apart: the domain reaching into
//! the web framework, a library depending on the application that uses it.
//!
//! ## Example
//! ```ini
//! [importlinter:contract:no-web-in-domain]
//! name = Domain does not use the web layer
//! type = forbidden
//! source_modules = app.domain
//! forbidden_modules =
//!     app.web
//!     django
//! ```

use archlint_graph::{Bfs, ImportGraph, ModuleExpression, ModuleId};
use rustc_hash::FxHashSet;

use super::{ContractMeta, expand, name_in_package};
use crate::config::Settings;
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};
use crate::routes::simple_route;
use crate::{ContractResult, Violation};

/// A `forbidden` contract.
#[derive(Debug, Clone)]
pub struct ForbiddenContract {
    pub(crate) meta: ContractMeta,
    source_modules: Vec<ModuleExpression>,
    forbidden_modules: Vec<ModuleExpression>,
    ignore_imports: Vec<ImportExpression>,
    allow_indirect_imports: bool,
    alert: AlertLevel,
    as_packages: bool,
}

impl ForbiddenContract {
    pub(crate) fn wildcard_options(&self) -> Vec<(&'static str, &[ModuleExpression])> {
        vec![
            ("source_modules", &self.source_modules),
            ("forbidden_modules", &self.forbidden_modules),
        ]
    }

    pub(crate) fn read(meta: ContractMeta, r: &mut OptionReader<'_>) -> Self {
        Self {
            source_modules: r.module_expressions("source_modules", true),
            forbidden_modules: r.module_expressions("forbidden_modules", true),
            ignore_imports: r.import_expressions("ignore_imports"),
            allow_indirect_imports: r.boolean("allow_indirect_imports", false),
            alert: r.alert_level(),
            as_packages: r.boolean("as_packages", true),
            meta,
        }
    }

    pub(crate) fn check(
        &self,
        graph: &ImportGraph,
        settings: &Settings,
    ) -> Result<ContractResult, ContractError> {
        let (mut result, view) =
            self.meta
                .start("forbidden", graph, &self.ignore_imports, self.alert)?;

        let sources = expand(graph, &self.source_modules, false, false, &self.meta)?;
        let forbidden = expand(graph, &self.forbidden_modules, false, false, &self.meta)?;
        let is_internal = |m: &str| {
            settings
                .root_packages
                .iter()
                .any(|root| name_in_package(m, root))
        };
        for module in sources
            .iter()
            .chain(forbidden.iter().filter(|m| is_internal(m)))
        {
            if graph.id(module).is_none() {
                return Err(self
                    .meta
                    .error(format!("Module '{module}' does not exist.")));
            }
        }
        let external: Vec<&String> = forbidden.iter().filter(|m| !is_internal(m)).collect();
        if !external.is_empty() {
            if !settings.include_external_packages {
                return Err(self.meta.error(
                    "The top level configuration must have include_external_packages=True \
                     when there are external forbidden modules.",
                ));
            }
            if let Some(sub) = external.iter().find(|m| m.contains('.')) {
                return Err(self.meta.error(format!(
                    "Invalid forbidden module {sub}: subpackages of external packages are not valid."
                )));
            }
        }

        let mut bfs = Bfs::new(graph.len());
        for source in &sources {
            let source_id = graph.id(source).expect("checked above");
            for target in &forbidden {
                let Some(target_id) = graph.id(target) else {
                    continue;
                };
                if source == target
                    || (self.as_packages
                        && (name_in_package(source, target) || name_in_package(target, source)))
                {
                    continue;
                }
                let (downstream, upstream) = if self.as_packages {
                    (
                        graph.with_descendants(source_id),
                        graph.with_descendants(target_id),
                    )
                } else {
                    (vec![source_id], vec![target_id])
                };
                let mut chains: Vec<Vec<ModuleId>> = if self.allow_indirect_imports {
                    let up: FxHashSet<ModuleId> = upstream.iter().copied().collect();
                    downstream
                        .iter()
                        .flat_map(|&d| view.imports_of(d).map(move |b| (d, b)))
                        .filter(|(_, b)| up.contains(b))
                        .map(|(d, b)| vec![d, b])
                        .collect()
                } else {
                    // grimp's find_shortest_chains: shortest chains that share no import.
                    view.shortest_chains(&mut bfs, &downstream, &upstream, None)
                };
                if chains.is_empty() {
                    continue;
                }
                // import-linter lists them sorted as tuples of module names; ids follow name
                // order, so sorting the ids sorts the names.
                chains.sort_unstable();
                result.kept = false;
                result.violations.push(Violation {
                    summary: format!("{source} is not allowed to import {target}:"),
                    importer: source.clone(),
                    imported: target.clone(),
                    routes: chains.iter().map(|c| simple_route(graph, c)).collect(),
                });
            }
        }
        result
            .violations
            .sort_by(|a, b| (&a.imported, &a.importer).cmp(&(&b.imported, &b.importer)));
        Ok(result)
    }
}
