//! ## What it does
//! Checks that private modules (a last name part starting with an underscore, such as
//! `shop.orders._pricing`; dunder names like `__main__` are not private) are imported only
//! from within their parent package, and that their descendants are too.
//!
//! ## Why is this bad?
//! An underscore is Python's way of saying "implementation detail of this package". Every
//! import of it from elsewhere couples another part of the code to something its owners expect
//! to change freely.
//!
//! ## Example
//! ```ini
//! [importlinter:contract:private]
//! name = Private modules stay private
//! type = private_modules
//! packages_with_private_modules = shop.orders
//! ignore_imports =
//!     shop.api -> shop.orders._pricing
//! ```
//!
//! Only direct imports are checked: `shop.api` importing `shop.orders.public`, which imports
//! `shop.orders._pricing`, is fine.

use archlint_facts::is_private_name;
use archlint_graph::{ImportGraph, ModuleExpression, ModuleId};
use rustc_hash::FxHashSet;

use super::{ContractMeta, expand, name_in_package};
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};
use crate::routes::link;
use crate::{ContractResult, Route, Violation};

/// A `private_modules` contract.
#[derive(Debug, Clone)]
pub struct PrivateModulesContract {
    pub(crate) meta: ContractMeta,
    packages: Vec<ModuleExpression>,
    ignore_imports: Vec<ImportExpression>,
    alert: AlertLevel,
}

/// Whether any part of a dotted name (or expression) is private, the top one included.
fn has_private_part(name: &str) -> bool {
    name.split('.').any(is_private_name)
}

/// The package a module's innermost private part is private to: for `a.b._c.d`, `a.b`.
/// `None` when no part below the top is private (a top-level module has no parent to be
/// private to).
fn privacy_scope(module: &str) -> Option<&str> {
    let mut end = module.len();
    // Walk the parts from the last one up, stopping before the top-level one.
    while let Some(dot) = module[..end].rfind('.') {
        if is_private_name(&module[dot + 1..end]) {
            return Some(&module[..dot]);
        }
        end = dot;
    }
    None
}

impl PrivateModulesContract {
    pub(crate) fn read(meta: ContractMeta, r: &mut OptionReader<'_>) -> Self {
        Self {
            packages: r.module_expressions("packages_with_private_modules", false),
            ignore_imports: r.import_expressions("ignore_imports"),
            alert: r.alert_level(),
            meta,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ContractError> {
        let mut private: Vec<&str> = self
            .packages
            .iter()
            .map(ModuleExpression::as_str)
            .filter(|e| has_private_part(e))
            .collect();
        if private.is_empty() {
            return Ok(());
        }
        private.sort_unstable();
        let listed: Vec<String> = private.iter().map(|p| format!("'{p}'")).collect();
        Err(ContractError {
            contract: self.meta.name.clone(),
            option: Some("packages_with_private_modules".into()),
            line: self.meta.line,
            message: format!(
                "Packages cannot be private or inside a private module: {}. List an ancestor \
                 that isn't private instead.",
                listed.join(", ")
            ),
        })
    }

    /// The modules whose importers are checked: every module, or the listed packages and
    /// everything inside them.
    fn modules_to_check(&self, graph: &ImportGraph) -> Result<Vec<ModuleId>, ContractError> {
        if self.packages.is_empty() {
            return Ok(graph.modules().collect());
        }
        let mut out: FxHashSet<ModuleId> = FxHashSet::default();
        for expr in &self.packages {
            // Each listed package must exist (a wildcard must match something).
            let matched = expand(graph, std::slice::from_ref(expr), false, true, &self.meta)?;
            // A wildcard can match what the validation of plain names rejects.
            let private: Vec<String> = matched
                .iter()
                .filter(|n| has_private_part(n))
                .map(|n| format!("'{n}'"))
                .collect();
            if !private.is_empty() {
                return Err(self.meta.error(format!(
                    "The expression '{expr}' in packages_with_private_modules matched packages \
                     that are private or inside a private module: {}. Packages cannot be \
                     private or inside a private module. List an ancestor that isn't private \
                     instead.",
                    private.join(", ")
                )));
            }
            for id in matched.iter().filter_map(|n| graph.id(n)) {
                out.extend(graph.with_descendants(id));
            }
        }
        Ok(out.into_iter().collect())
    }

    pub(crate) fn check(&self, graph: &ImportGraph) -> Result<ContractResult, ContractError> {
        let (mut result, view) =
            self.meta
                .start("private_modules", graph, &self.ignore_imports, self.alert)?;
        let mut illegal: Vec<(ModuleId, ModuleId)> = Vec::new();
        for imported in self.modules_to_check(graph)? {
            let Some(scope) = privacy_scope(graph.name(imported)) else {
                continue;
            };
            for importer in view.importers_of(imported) {
                if !name_in_package(graph.name(importer), scope) {
                    illegal.push((importer, imported));
                }
            }
        }
        illegal.sort_by(|a, b| {
            (graph.name(a.0), graph.name(a.1)).cmp(&(graph.name(b.0), graph.name(b.1)))
        });
        illegal.dedup();
        if !illegal.is_empty() {
            result.violations.push(Violation {
                summary: "Private modules may only be imported from within their parent package:"
                    .into(),
                importer: "*".into(),
                imported: "*".into(),
                routes: illegal
                    .into_iter()
                    .map(|(a, b)| Route {
                        chain: vec![link(graph, a, b)],
                        extra_firsts: Vec::new(),
                        extra_lasts: Vec::new(),
                    })
                    .collect(),
            });
        }
        result.kept = result.violations.is_empty();
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privacy_follows_the_innermost_private_part() {
        assert_eq!(privacy_scope("foo._private"), Some("foo"));
        assert_eq!(privacy_scope("foo.green._private"), Some("foo.green"));
        assert_eq!(privacy_scope("foo.green._private.red"), Some("foo.green"));
        assert_eq!(privacy_scope("foo._private._green"), Some("foo._private"));
        assert_eq!(privacy_scope("foo._a.b._c.d"), Some("foo._a.b"));
        assert_eq!(privacy_scope("foo.public"), None);
        assert_eq!(privacy_scope("foo.__main__"), None);
        assert_eq!(privacy_scope("foo.__init__x"), Some("foo"));
        assert_eq!(
            privacy_scope("_foo"),
            None,
            "a top-level module is never private"
        );
        assert_eq!(privacy_scope("_foo.bar"), None);
        assert_eq!(privacy_scope("foo._"), Some("foo"));
        assert_eq!(
            privacy_scope("foo.__"),
            None,
            "'__' counts as a dunder name"
        );
    }

    #[test]
    fn private_parts_of_package_expressions() {
        assert!(has_private_part("foo._x"));
        assert!(has_private_part("_foo"));
        assert!(has_private_part("foo._*"));
        assert!(!has_private_part("foo.*"));
        assert!(!has_private_part("foo.**"));
        assert!(!has_private_part("foo.__main__"));
    }
}
