//! What the symbol-level contracts read: per module, the names it binds and exports, and every
//! name it takes from another module (by `from … import`, `import`, or an attribute chain
//! through an imported module), resolved to absolute module names.

use archlint_facts::{DefinitionKind, ImportKind, ModuleFacts, SymbolFacts, is_private_name};
use rustc_hash::{FxHashMap, FxHashSet};

/// How a name is taken from a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseKind {
    /// `import a.b` (or a dynamic import of `a.b`): the module itself.
    Module,
    /// `from a.b import name`
    From,
    /// `from a.b import *`
    Star,
    /// `a.b._name` through an imported name.
    Attribute,
}

/// One name (or module) a module takes from another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameUse {
    /// The module it is taken from, absolute (`from .x import y` in `app.m` → `app.x`).
    pub module: String,
    /// The name taken (`*` for a star import); `None` for a module import.
    pub name: Option<String>,
    pub line: u32,
    pub kind: UseKind,
}

impl NameUse {
    /// The object as a dotted name: `module.name`, or the module.
    pub fn object(&self) -> String {
        match &self.name {
            Some(n) => format!("{}.{n}", self.module),
            None => self.module.clone(),
        }
    }
}

/// One module's symbols.
#[derive(Debug, Clone, Default)]
pub struct ModuleSymbols {
    /// The module is a package (`__init__.py`).
    pub is_package: bool,
    /// Its `__all__` and module-level names.
    pub facts: SymbolFacts,
    /// The names it takes from project modules, in source order.
    pub uses: Vec<NameUse>,
}

impl ModuleSymbols {
    /// Line of the module-level binding of `name`.
    pub fn definition_line(&self, name: &str) -> Option<u32> {
        self.facts
            .definitions
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.line)
    }
}

/// Every project module's symbols, by module name.
#[derive(Debug, Clone, Default)]
pub struct SymbolIndex {
    modules: FxHashMap<String, ModuleSymbols>,
}

/// Which imported names count as a package's own when it has no `__all__`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reexports {
    /// Every public name its `__init__` binds, imported ones included.
    All,
    /// Imported names only in the explicit re-export forms (`from .x import A as A`,
    /// `import a as a`, `from . import a`), as typed libraries mark them.
    Explicit,
    /// Names its `__init__` defines itself; imported names never.
    None,
}

impl SymbolIndex {
    /// Build the index from each module's name, whether it is a package, and its facts.
    /// Imports inside `if TYPE_CHECKING:` are left out when `exclude_type_checking`.
    pub fn build<'a>(
        modules: impl IntoIterator<Item = (&'a str, bool, &'a ModuleFacts)>,
        exclude_type_checking: bool,
    ) -> Self {
        let modules: Vec<(&str, bool, &ModuleFacts)> = modules.into_iter().collect();
        let known: FxHashSet<&str> = modules.iter().map(|(m, ..)| *m).collect();
        let mut out = FxHashMap::default();
        for (name, is_package, facts) in &modules {
            let mut uses = Vec::new();
            for import in &facts.imports {
                if exclude_type_checking && import.type_checking {
                    continue;
                }
                let Some(module) = absolute(name, *is_package, import.level, &import.module) else {
                    continue;
                };
                let (kind, taken) = match import.kind {
                    ImportKind::Import | ImportKind::Dynamic => (UseKind::Module, None),
                    ImportKind::From => (UseKind::From, import.name.clone()),
                    ImportKind::Star => (UseKind::Star, Some("*".to_owned())),
                };
                if !known.contains(module.as_str()) {
                    continue;
                }
                uses.push(NameUse {
                    module,
                    name: taken,
                    line: import.line,
                    kind,
                });
            }
            for attr in &facts.symbols.private_attributes {
                let Some(path) = absolute(name, *is_package, attr.level, &attr.target) else {
                    continue;
                };
                // The module is the path without its last part; the last part is the name.
                let Some((module, last)) = path.rsplit_once('.') else {
                    continue;
                };
                if known.contains(module) && !known.contains(path.as_str()) {
                    uses.push(NameUse {
                        module: module.to_owned(),
                        name: Some(last.to_owned()),
                        line: attr.line,
                        kind: UseKind::Attribute,
                    });
                }
            }
            out.insert(
                (*name).to_owned(),
                ModuleSymbols {
                    is_package: *is_package,
                    facts: facts.symbols.clone(),
                    uses,
                },
            );
        }
        SymbolIndex { modules: out }
    }

    /// A module's symbols.
    pub fn get(&self, module: &str) -> Option<&ModuleSymbols> {
        self.modules.get(module)
    }

    /// Whether `module` is a project module.
    pub fn contains(&self, module: &str) -> bool {
        self.modules.contains_key(module)
    }

    /// Every module, in name order.
    pub fn modules(&self) -> Vec<(&str, &ModuleSymbols)> {
        let mut out: Vec<(&str, &ModuleSymbols)> =
            self.modules.iter().map(|(k, v)| (k.as_str(), v)).collect();
        out.sort_unstable_by_key(|(k, _)| *k);
        out
    }

    /// The names `package` exports, and whether the list is exact: its `__all__` when it has
    /// one (names of star-imported modules added when `__all__` is computed), else the public
    /// names its `__init__` binds (with `reexports` deciding about imported ones) and the
    /// exports of the modules it star-imports. `None` when the package is not in the index.
    pub fn exports(&self, package: &str, reexports: Reexports) -> Option<(Vec<String>, bool)> {
        let module = self.get(package)?;
        let mut names: Vec<String> = Vec::new();
        let mut exact = true;
        let own_public = |names: &mut Vec<String>, m: &ModuleSymbols, reexports: Reexports| {
            for d in &m.facts.definitions {
                let counted = match d.kind {
                    DefinitionKind::Import => reexports == Reexports::All,
                    DefinitionKind::ExplicitReexport => reexports != Reexports::None,
                    _ => true,
                };
                if counted && !is_private_name(&d.name) && !names.contains(&d.name) {
                    names.push(d.name.clone());
                }
            }
        };
        match &module.facts.all {
            Some(all) => {
                names.extend(all.names.iter().cloned());
                if !all.complete {
                    exact = false;
                    own_public(&mut names, module, reexports);
                }
            }
            None => own_public(&mut names, module, reexports),
        }
        if module.facts.all.as_ref().is_none_or(|a| !a.complete) && reexports != Reexports::None {
            for star in module.uses.iter().filter(|u| u.kind == UseKind::Star) {
                if let Some(from) = self.get(&star.module) {
                    match &from.facts.all {
                        Some(all) => names.extend(all.names.iter().cloned()),
                        None => own_public(&mut names, from, Reexports::None),
                    }
                }
            }
        }
        let mut seen = FxHashSet::default();
        names.retain(|n| seen.insert(n.clone()));
        Some((names, exact))
    }
}

/// A name a package exports that no module outside it imports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnusedExport {
    pub package: String,
    pub name: String,
    /// Line of its binding in the package's `__init__`, when it binds it.
    pub line: Option<u32>,
}

impl SymbolIndex {
    /// The names each package below the top level exports (as `public_interface` reads them,
    /// every public name counting) that no module outside the package imports. A package
    /// some outside module imports whole (`import a.pkg`, `from a import pkg`, a star
    /// import) is left out: its names may be used by attribute, which the facts do not
    /// follow for public names. Top-level packages are left out too (their importers are
    /// usually other projects).
    pub fn unused_exports(&self) -> Vec<UnusedExport> {
        let mut used: FxHashMap<&str, FxHashSet<&str>> = FxHashMap::default();
        let mut whole: FxHashSet<&str> = FxHashSet::default();
        for (importer, module) in &self.modules {
            for u in &module.uses {
                if name_in_package(importer, &u.module) {
                    continue;
                }
                match (u.kind, u.name.as_deref()) {
                    (UseKind::Star, _) => {
                        whole.insert(u.module.as_str());
                    }
                    (UseKind::Module, _) | (_, None) => {
                        // `import a.b.c` binds `a`: every package on the way the importer is
                        // outside of is reachable.
                        let mut prefix = u.module.as_str();
                        while !name_in_package(importer, prefix) {
                            whole.insert(prefix);
                            match prefix.rsplit_once('.') {
                                Some((parent, _)) => prefix = parent,
                                None => break,
                            }
                        }
                    }
                    (_, Some(name)) => {
                        used.entry(u.module.as_str()).or_default().insert(name);
                        if let Some((key, _)) = self
                            .modules
                            .get_key_value(format!("{}.{name}", u.module).as_str())
                        {
                            whole.insert(key.as_str());
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (package, module) in self.modules() {
            if !module.is_package || !package.contains('.') || whole.contains(package) {
                continue;
            }
            let Some((exports, _)) = self.exports(package, Reexports::All) else {
                continue;
            };
            let used = used.get(package);
            for name in exports {
                if used.is_some_and(|u| u.contains(name.as_str())) {
                    continue;
                }
                out.push(UnusedExport {
                    package: package.to_owned(),
                    line: module.definition_line(&name),
                    name,
                });
            }
        }
        out
    }
}

/// Whether module name `a` is `b` or inside it.
pub(crate) fn name_in_package(a: &str, b: &str) -> bool {
    a == b || (a.starts_with(b) && a.as_bytes().get(b.len()) == Some(&b'.'))
}

/// The absolute dotted name of `path` imported `level` dots up from `importer`.
fn absolute(importer: &str, is_package: bool, level: u32, path: &str) -> Option<String> {
    if level == 0 {
        return (!path.is_empty()).then(|| path.to_owned());
    }
    let parts: Vec<&str> = importer.split('.').collect();
    let keep = if is_package {
        parts.len() as i64 - level as i64 + 1
    } else {
        parts.len() as i64 - level as i64
    };
    if keep < 1 {
        return None;
    }
    let mut out = parts[..keep as usize].join(".");
    if !path.is_empty() {
        out.push('.');
        out.push_str(path);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(absolute("a.b.c", false, 1, "x"), Some("a.b.x".into()));
        assert_eq!(absolute("a.b", true, 1, "x.y"), Some("a.b.x.y".into()));
        assert_eq!(absolute("a.b", true, 1, ""), Some("a.b".into()));
        assert_eq!(absolute("a.b", false, 2, ""), None);
        assert_eq!(absolute("a.b.c", false, 2, "z"), Some("a.z".into()));
        assert_eq!(absolute("a", false, 0, "q.r"), Some("q.r".into()));
    }
}
