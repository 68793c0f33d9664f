//! ## What it does
//! Checks that modules outside a package import from it only the names it exports: its
//! `__init__`'s `__all__` when it has one, else the public names its `__init__` binds, or the
//! contract's own `exports` list. `from shop.orders import Order` is fine when `shop.orders`
//! exports `Order`; `from shop.orders.models import Order`, `import shop.orders.models` and
//! `from shop.orders import _cache` are not.
//!
//! ## Why is this bad?
//! A package's `__init__` is its front door. Importers that reach past it into its modules
//! tie themselves to its layout, so the package cannot move code around without breaking them.
//!
//! ## Example
//! ```toml
//! [[contracts]]
//! name = "Orders are used through their public interface"
//! type = "public_interface"
//! packages = ["shop.orders", "shop.billing"]
//! allow = ["shop.tests"]
//! ```
//!
//! Options: `exports` (the names every listed package exports, instead of reading them),
//! `allow` (importers that may import anything; their submodules too), `ignore_imports`
//! (`importer -> module` or `importer -> module.name`), `reexports` (`all`: every public name
//! `__init__` binds counts, imported ones included; `explicit`: imported names count only in
//! the forms `from .x import A as A`, `import a as a`, `from . import a`; `none`: imported
//! names never count). A submodule a package exports (`from . import api` in its `__init__`)
//! may be imported as a module: `import shop.orders.api`.

use archlint_graph::{ImportGraph, ModuleExpression};

use super::{ContractMeta, expand, name_in_package};
use crate::options::{AlertLevel, ContractError, ImportExpression, OptionReader};
use crate::routes::{NameIgnores, NameImport, name_routes};
use crate::symbols::{NameUse, Reexports, SymbolIndex, UseKind};
use crate::{ContractResult, DefinedAt, Violation};
use rustc_hash::{FxHashMap, FxHashSet};

/// A `public_interface` contract.
#[derive(Debug, Clone)]
pub struct PublicInterfaceContract {
    pub(crate) meta: ContractMeta,
    packages: Vec<ModuleExpression>,
    exports: Option<Vec<String>>,
    allow: Vec<ModuleExpression>,
    ignore_imports: Vec<ImportExpression>,
    reexports: Reexports,
    alert: AlertLevel,
}

impl PublicInterfaceContract {
    pub(crate) fn wildcard_options(&self) -> Vec<(&'static str, &[ModuleExpression])> {
        vec![("packages", &self.packages)]
    }

    pub(crate) fn read(meta: ContractMeta, r: &mut OptionReader<'_>) -> Self {
        let packages = r.module_expressions("packages", true);
        let exports = r.config.options.contains_key("exports").then(|| {
            r.list("exports", false)
                .into_iter()
                .map(|e| e.trim().to_owned())
                .collect()
        });
        let allow = r.module_expressions("allow", false);
        let ignore_imports = r.import_expressions("ignore_imports");
        let reexports = match r.string("reexports").as_deref() {
            None | Some("all") => Reexports::All,
            Some("explicit") => Reexports::Explicit,
            Some("none") => Reexports::None,
            Some(other) => {
                r.fail(
                    "reexports",
                    format!("'{other}' is not one of: all, explicit, none."),
                );
                Reexports::All
            }
        };
        Self {
            packages,
            exports,
            allow,
            ignore_imports,
            reexports,
            alert: r.alert_level(),
            meta,
        }
    }

    pub(crate) fn check(
        &self,
        graph: &ImportGraph,
        symbols: &SymbolIndex,
    ) -> Result<ContractResult, ContractError> {
        let mut result = self.meta.result("public_interface");
        let allowed: FxHashSet<String> = expand(graph, &self.allow, true, false, &self.meta)?
            .into_iter()
            .collect();
        let mut ignores = NameIgnores::new(&self.ignore_imports);
        // Each listed package (wildcards expanded) with what it exports.
        let mut packages: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for package in expand(graph, &self.packages, false, true, &self.meta)? {
            let (exports, exact) = match &self.exports {
                Some(list) => (list.clone(), true),
                None => symbols.exports(&package, self.reexports).ok_or_else(|| {
                    self.meta.error(format!(
                        "Module '{package}' does not exist or was not read."
                    ))
                })?,
            };
            if !exact {
                result.warnings.push(format!(
                    "{package}: __all__ is not a literal list, so its exports are what it lists \
                     literally plus the public names its __init__ binds."
                ));
            }
            packages.insert(package, exports);
        }
        let mut found: FxHashMap<&str, Vec<NameImport>> = FxHashMap::default();
        for (importer, module) in symbols.modules() {
            if allowed.contains(importer) {
                continue;
            }
            for u in &module.uses {
                // Every listed package that holds the module the name comes from.
                let mut prefix = u.module.as_str();
                loop {
                    if let Some((package, exports)) = packages.get_key_value(prefix)
                        && !name_in_package(importer, package)
                        && !self.permitted(package, exports, u)
                    {
                        let object = u.object();
                        if !ignores.ignores(importer, &u.module, &object) {
                            let defined = u.name.as_deref().and_then(|name| {
                                let line = symbols.get(&u.module)?.definition_line(name)?;
                                Some(DefinedAt {
                                    line,
                                    module: u.module.clone(),
                                })
                            });
                            found.entry(package).or_default().push(NameImport {
                                importer: importer.to_owned(),
                                object,
                                line: u.line,
                                defined,
                            });
                        }
                    }
                    match prefix.rsplit_once('.') {
                        Some((parent, _)) => prefix = parent,
                        None => break,
                    }
                }
            }
        }
        let mut broken: Vec<(&str, Vec<NameImport>)> = found.into_iter().collect();
        broken.sort_unstable_by_key(|(p, _)| *p);
        for (package, imports) in broken {
            let mut shown: Vec<&str> = packages[package].iter().map(String::as_str).collect();
            shown.sort_unstable();
            let list = match shown.len() {
                0 => "nothing".to_owned(),
                n if n <= 8 => shown.join(", "),
                n => format!("{} and {} more", shown[..8].join(", "), n - 8),
            };
            result.violations.push(Violation {
                summary: format!(
                    "{package} may be imported from outside only through the names it exports \
                     ({list}):"
                ),
                importer: "*".into(),
                imported: package.to_owned(),
                routes: name_routes(imports),
            });
        }
        ignores
            .close(&mut result, self.alert)
            .map_err(|m| self.meta.error(m))?;
        Ok(result)
    }

    /// Whether a use of `package` (or of a module inside it) from outside goes through what it
    /// exports.
    fn permitted(&self, package: &str, exports: &[String], u: &NameUse) -> bool {
        let exported = |n: &str| exports.iter().any(|e| e == n);
        if u.module == package {
            return match (u.kind, u.name.as_deref()) {
                (UseKind::Module | UseKind::Star, _) | (_, None) => true,
                (_, Some(name)) => exported(name),
            };
        }
        // `import pkg.api` of a submodule the package exports.
        u.kind == UseKind::Module
            && u.module
                .strip_prefix(package)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|child| !child.contains('.') && exported(child))
    }
}
