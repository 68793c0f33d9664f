//! ## What it does
//! Checks that private names (a leading underscore, not a dunder name) are imported only from
//! within their package: `from shop.orders.pricing import _round` and
//! `pricing._round(…)` after `from shop.orders import pricing` are fine inside `shop.orders`
//! and violations anywhere else. A name's package is the package its module belongs to (the
//! module itself when it is a package's `__init__`), the same scoping `private_modules` gives
//! private modules; `packages` widens it to a package you name.
//!
//! ## Why is this bad?
//! An underscore says "detail of this module's package, free to change". Every import of one
//! from elsewhere is a dependency its owners do not know they must keep.
//!
//! ## Example
//! ```toml
//! [[contracts]]
//! name = "Private names stay private"
//! type = "private_names"
//! packages = ["shop.*"]
//! ignore_imports = ["shop.tests.** -> shop.**"]
//! ```
//!
//! Options: `packages` (boundaries: a private name may be imported anywhere inside the
//! innermost listed package that holds its module; names in modules outside every listed
//! package keep the default scope), `ignore_imports`. Private modules themselves are the
//! `private_modules` contract's business and are not reported here.

use archlint_facts::is_private_name;
use archlint_graph::{ImportGraph, ModuleExpression};

use super::{ContractMeta, expand, name_in_package};
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};
use crate::routes::{NameIgnores, NameImport, name_routes};
use crate::symbols::{SymbolIndex, UseKind};
use crate::{ContractResult, DefinedAt, Violation};

/// A `private_names` contract.
#[derive(Debug, Clone)]
pub struct PrivateNamesContract {
    pub(crate) meta: ContractMeta,
    packages: Vec<ModuleExpression>,
    ignore_imports: Vec<ImportExpression>,
    alert: AlertLevel,
}

/// The package a module's private names are private to: the innermost listed package that
/// holds it, else its own package (itself for a package, its parent for a module, itself for
/// a top-level module).
fn scope<'a>(module: &'a str, is_package: bool, boundaries: &'a [String]) -> &'a str {
    if let Some(b) = boundaries
        .iter()
        .filter(|b| name_in_package(module, b))
        .max_by_key(|b| b.len())
    {
        return b;
    }
    if is_package {
        return module;
    }
    module.rsplit_once('.').map_or(module, |(parent, _)| parent)
}

impl PrivateNamesContract {
    pub(crate) fn wildcard_options(&self) -> Vec<(&'static str, &[ModuleExpression])> {
        vec![("packages", &self.packages)]
    }

    pub(crate) fn read(meta: ContractMeta, r: &mut OptionReader<'_>) -> Self {
        Self {
            packages: r.module_expressions("packages", false),
            ignore_imports: r.import_expressions("ignore_imports"),
            alert: r.alert_level(),
            meta,
        }
    }

    pub(crate) fn check(
        &self,
        graph: &ImportGraph,
        symbols: &SymbolIndex,
    ) -> Result<ContractResult, ContractError> {
        let mut result = self.meta.result("private_names");
        let boundaries = expand(graph, &self.packages, false, true, &self.meta)?;
        let mut ignores = NameIgnores::new(&self.ignore_imports);
        let mut found: Vec<NameImport> = Vec::new();
        for (importer, module) in symbols.modules() {
            for u in &module.uses {
                let (UseKind::From | UseKind::Attribute, Some(name)) = (u.kind, u.name.as_deref())
                else {
                    continue;
                };
                if !is_private_name(name) {
                    continue;
                }
                let object = u.object();
                // A private submodule is `private_modules`' business.
                if symbols.contains(&object) {
                    continue;
                }
                let Some(owner) = symbols.get(&u.module) else {
                    continue;
                };
                let scope = scope(&u.module, owner.is_package, &boundaries);
                if name_in_package(importer, scope) {
                    continue;
                }
                if ignores.ignores(importer, &u.module, &object) {
                    continue;
                }
                found.push(NameImport {
                    importer: importer.to_owned(),
                    line: u.line,
                    defined: owner.definition_line(name).map(|line| DefinedAt {
                        line,
                        module: u.module.clone(),
                    }),
                    object,
                });
            }
        }
        if !found.is_empty() {
            result.violations.push(Violation {
                summary: "Private names may only be imported from within their package:".into(),
                importer: "*".into(),
                imported: "*".into(),
                routes: name_routes(found),
            });
        }
        ignores
            .close(&mut result, self.alert)
            .map_err(|m| self.meta.error(m))?;
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::scope;

    #[test]
    fn scopes() {
        assert_eq!(scope("a.b.c", false, &[]), "a.b");
        assert_eq!(scope("a.b", true, &[]), "a.b");
        assert_eq!(scope("top", false, &[]), "top");
        let listed = vec!["a".to_owned(), "a.b".to_owned()];
        assert_eq!(scope("a.b.c.d", false, &listed), "a.b");
        assert_eq!(scope("a.x", false, &listed), "a");
        assert_eq!(scope("z.y", false, &listed), "z");
    }
}
