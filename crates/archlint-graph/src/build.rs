//! Building the graph from per-module facts: resolving each import to a module.

use archlint_facts::{ImportFact, ImportKind, ModuleFacts};
use rustc_hash::FxHashSet;

use rayon::prelude::*;

use crate::{GraphBuilder, ImportDetail, ImportGraph, ModuleId};

/// Settings that decide which imports become edges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GraphOptions {
    /// Add external packages as squashed nodes.
    pub include_external_packages: bool,
    /// Leave out imports under `if TYPE_CHECKING:`.
    pub exclude_type_checking_imports: bool,
    /// Add string-literal `importlib.import_module(...)` calls as edges.
    pub include_dynamic_imports: bool,
}

/// One module and its facts.
#[derive(Debug, Clone, Copy)]
pub struct ModuleInput<'a> {
    /// Dotted name.
    pub name: &'a str,
    /// An `__init__.py`.
    pub is_package: bool,
    /// What the parser found.
    pub facts: &'a ModuleFacts,
}

/// Where an import points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A module of the project.
    Internal(String),
    /// An external package, squashed to its top-level name.
    External(String),
}

/// Changes whenever [`resolve_import`] resolves some import differently, so graphs cached by an
/// earlier archlint are built again. 2: relative imports of a missing module are imports of the
/// root package with external packages on, as grimp records them.
pub const RESOLUTION_VERSION: u32 = 2;

/// Resolve one import of `importer` against the project's modules.
///
/// `from a import b` resolves to `a.b` when that is a module and to `a` otherwise; `import a.b`
/// resolves to `a.b` (or its parent when `a.b` is not a module). Relative imports are taken
/// against the importer's package. Returns `None` for a relative import that climbs above the
/// top-level package, and for external imports that are not wanted.
pub fn resolve_import(
    fact: &ImportFact,
    importer: &str,
    importer_is_package: bool,
    modules: &FxHashSet<&str>,
    root_packages: &[String],
    include_external: bool,
) -> Option<Resolved> {
    let mut object = String::new();
    if fact.level > 0 {
        let parts: Vec<&str> = importer.split('.').collect();
        // A package's own name is its first level; a plain module's package is one up.
        let keep = if importer_is_package {
            parts.len() as i64 - fact.level as i64 + 1
        } else {
            parts.len() as i64 - fact.level as i64
        };
        if keep < 1 {
            return None;
        }
        object.push_str(&parts[..keep as usize].join("."));
    }
    for piece in [Some(fact.module.as_str()), fact.name.as_deref()]
        .into_iter()
        .flatten()
    {
        if piece.is_empty() {
            continue;
        }
        if !object.is_empty() {
            object.push('.');
        }
        object.push_str(piece);
    }
    if object.is_empty() {
        return None;
    }
    if modules.contains(object.as_str()) {
        return Some(Resolved::Internal(object));
    }
    if let Some(i) = object.rfind('.')
        && modules.contains(&object[..i])
    {
        return Some(Resolved::Internal(object[..i].to_owned()));
    }
    if !include_external {
        return None;
    }
    let distilled = distill_external(&object, root_packages)?;
    // `import app.missing` (or `from .missing import x` inside app) still runs
    // `app/__init__.py`: an import of the root package, as grimp records it.
    if modules.contains(distilled.as_str()) {
        return Some(Resolved::Internal(distilled));
    }
    Some(Resolved::External(distilled))
}

/// Reduce an external module to the package to show for it: its top-level name, or for a
/// namespace shared with a root package, the shallowest component that does not clash with it.
fn distill_external(object: &str, root_packages: &[String]) -> Option<String> {
    // An import of a parent of one of our packages is a namespace import, not a dependency.
    if root_packages
        .iter()
        .any(|p| p.starts_with(object) && p.as_bytes().get(object.len()) == Some(&b'.'))
    {
        return None;
    }
    let parts: Vec<&str> = object.split('.').collect();
    let mut best: Option<Vec<&str>> = None;
    for root in root_packages {
        let root_parts: Vec<&str> = root.split('.').collect();
        if root_parts.len() < 2 || root_parts[0] != parts[0] {
            continue;
        }
        let shared = parts
            .iter()
            .zip(&root_parts)
            .take_while(|(a, b)| a == b)
            .count();
        let take = (shared + 1).min(parts.len());
        let candidate = parts[..take].to_vec();
        if best.as_ref().is_none_or(|b| candidate.len() > b.len()) {
            best = Some(candidate);
        }
    }
    Some(match best {
        Some(parts) => parts.join("."),
        None => parts[0].to_owned(),
    })
}

/// One import of a module, resolved against the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImport {
    /// The imported module (internal) or package (external).
    pub target: String,
    /// Whether `target` is an external package.
    pub external: bool,
    /// Where and how the import is written.
    pub detail: ImportDetail,
}

/// Resolve every import of one module that becomes an edge under `options`.
pub fn resolve_imports(
    module: &ModuleInput<'_>,
    names: &FxHashSet<&str>,
    root_packages: &[String],
    options: &GraphOptions,
) -> Vec<ResolvedImport> {
    let mut out = Vec::new();
    for_each_resolved(module, names, root_packages, options, |resolved, detail| {
        let (target, external) = match resolved {
            Resolved::Internal(t) => (t, false),
            Resolved::External(t) => (t, true),
        };
        out.push(ResolvedImport {
            target,
            external,
            detail,
        });
    });
    out
}

/// [`resolve_imports`], one import at a time.
fn for_each_resolved(
    module: &ModuleInput<'_>,
    names: &FxHashSet<&str>,
    root_packages: &[String],
    options: &GraphOptions,
    mut each: impl FnMut(Resolved, ImportDetail),
) {
    for fact in &module.facts.imports {
        if options.exclude_type_checking_imports && fact.type_checking {
            continue;
        }
        if fact.kind == ImportKind::Dynamic && !options.include_dynamic_imports {
            continue;
        }
        let Some(resolved) = resolve_import(
            fact,
            module.name,
            module.is_package,
            names,
            root_packages,
            options.include_external_packages,
        ) else {
            continue;
        };
        if matches!(&resolved, Resolved::Internal(t) if t == module.name) {
            continue;
        }
        each(
            resolved,
            ImportDetail {
                line: fact.line,
                column: fact.column,
                kind: fact.kind,
                type_checking: fact.type_checking,
                in_function: fact.in_function,
            },
        );
    }
}

/// The graph [`build_graph`] would build for the same modules, made from `old` (the graph of
/// the same modules before some of them changed) with the imports of the `replaced` modules
/// swapped for their new ones. Every other module keeps its edges, details and externality.
pub fn reassemble_graph(
    old: &ImportGraph,
    namespace_packages: &[String],
    modules: &[&str],
    replaced: &rustc_hash::FxHashMap<&str, &[ResolvedImport]>,
) -> ImportGraph {
    if let Some(graph) = old.with_rows_replaced(replaced) {
        return graph;
    }
    let mut builder = GraphBuilder::default();
    for ns in namespace_packages {
        builder.add_module(ns, false);
    }
    for name in modules {
        builder.add_module(name, false);
    }
    for importer in 0..old.len() as crate::ModuleId {
        let name = old.name(importer);
        if replaced.contains_key(name) {
            continue;
        }
        for (target, details) in old.imports_with_details(importer) {
            let target_name = old.name(target);
            if old.is_squashed(target) {
                builder.add_module(target_name, true);
            }
            for detail in details {
                builder.add_import(name, target_name, detail.clone());
            }
        }
    }
    for (name, imports) in replaced {
        for import in *imports {
            if import.external {
                builder.add_module(&import.target, true);
            }
            builder.add_import(name, &import.target, import.detail.clone());
        }
    }
    builder.finish()
}

/// Build the import graph of a project.
pub fn build_graph(
    modules: &[ModuleInput<'_>],
    namespace_packages: &[String],
    root_packages: &[String],
    options: &GraphOptions,
) -> ImportGraph {
    let names: Vec<&str> = modules.iter().map(|m| m.name).collect();
    let resolver = Resolver::new(&names, namespace_packages, root_packages, options);
    let rows = modules.par_iter().map(|m| resolver.resolve(m)).collect();
    resolver.assemble(rows)
}

/// Resolves each module's imports straight to module ids, one module at a time and from any
/// thread, then assembles the graph from what it returned: 20 bytes an edge instead of a
/// string per import, and the facts a row was made from can be let go at once — a check of a
/// large tree (500,000 imports) never holds every file's facts, nor every resolved name.
pub struct Resolver<'a> {
    builder: GraphBuilder,
    names: FxHashSet<&'a str>,
    root_packages: &'a [String],
    options: &'a GraphOptions,
}

/// One module's imports, resolved by a [`Resolver`].
pub struct ResolvedRow {
    importer: ModuleId,
    /// Imports of modules, by the resolver's ids.
    internal: Vec<(ModuleId, ImportDetail)>,
    /// Imports of external packages.
    external: Vec<(String, ImportDetail)>,
}

impl<'a> Resolver<'a> {
    /// A resolver for a project's modules (every module a row may be made for).
    pub fn new(
        modules: &[&'a str],
        namespace_packages: &[String],
        root_packages: &'a [String],
        options: &'a GraphOptions,
    ) -> Self {
        let mut builder = GraphBuilder::default();
        for ns in namespace_packages {
            builder.add_module(ns, false);
        }
        for m in modules {
            builder.add_module(m, false);
        }
        Self {
            builder,
            names: modules.iter().copied().collect(),
            root_packages,
            options,
        }
    }

    /// The imports of one module (one of those the resolver was made for).
    pub fn resolve(&self, module: &ModuleInput<'_>) -> ResolvedRow {
        let ids = self.builder.ids();
        let mut row = ResolvedRow {
            importer: ids[module.name],
            internal: Vec::new(),
            external: Vec::new(),
        };
        let roots = self.root_packages;
        for_each_resolved(
            module,
            &self.names,
            roots,
            self.options,
            |r, detail| match r {
                Resolved::Internal(t) => match ids.get(t.as_str()) {
                    Some(&id) => row.internal.push((id, detail)),
                    // Every internal target is one of the resolver's modules.
                    None => row.external.push((t, detail)),
                },
                Resolved::External(t) => row.external.push((t, detail)),
            },
        );
        row
    }

    /// The graph of the rows (in any order).
    pub fn assemble(self, rows: Vec<ResolvedRow>) -> ImportGraph {
        let mut builder = self.builder;
        for row in rows {
            let a = row.importer;
            for (b, detail) in row.internal {
                builder.add_edge(a, b, detail);
            }
            for (target, detail) in row.external {
                builder.add_module(&target, true);
                let b = builder.id_of(&target);
                builder.add_edge(a, b, detail);
            }
        }
        builder.finish()
    }
}
