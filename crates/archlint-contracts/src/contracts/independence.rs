//! ## What it does
//! Checks that a set of modules are independent: none of them imports another, directly or
//! through a chain of imports.
//!
//! ## Why is this bad?
//! Independent components (plugins, bounded contexts, tenants) can only be developed, tested
//! and removed separately while nothing ties them together.
//!
//! ## Example
//! ```ini
//! [importlinter:contract:plugins]
//! name = Plugins are independent
//! type = independence
//! modules =
//!     app.plugins.*
//! ```

use archlint_graph::{ImportGraph, ModuleExpression};

use super::layers::illegal_dependencies;
use super::{ContractMeta, expand};
use crate::ContractResult;
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};

/// An `independence` contract.
#[derive(Debug, Clone)]
pub struct IndependenceContract {
    pub(crate) meta: ContractMeta,
    modules: Vec<ModuleExpression>,
    ignore_imports: Vec<ImportExpression>,
    alert: AlertLevel,
}

impl IndependenceContract {
    pub(crate) fn wildcard_options(&self) -> Vec<(&'static str, &[ModuleExpression])> {
        vec![("modules", &self.modules)]
    }

    pub(crate) fn read(meta: ContractMeta, r: &mut OptionReader<'_>) -> Self {
        Self {
            modules: r.module_expressions("modules", true),
            ignore_imports: r.import_expressions("ignore_imports"),
            alert: r.alert_level(),
            meta,
        }
    }

    pub(crate) fn check(&self, graph: &ImportGraph) -> Result<ContractResult, ContractError> {
        let (mut result, view) =
            self.meta
                .start("independence", graph, &self.ignore_imports, self.alert)?;
        let modules = expand(graph, &self.modules, false, false, &self.meta)?;
        let mut ids = Vec::new();
        for m in &modules {
            match graph.id(m) {
                Some(id) => ids.push(id),
                None => return Err(self.meta.error(format!("Module '{m}' does not exist."))),
            }
        }
        let mut violations = illegal_dependencies(&view, &[(ids, true)]);
        violations.sort_by(|a, b| (&a.importer, &a.imported).cmp(&(&b.importer, &b.imported)));
        result.kept = violations.is_empty();
        result.violations = violations;
        Ok(result)
    }
}
