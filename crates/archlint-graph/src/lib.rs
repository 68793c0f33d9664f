//! The import graph: modules, the imports between them, and the queries contracts need.
//!
//! Modules are interned as dense ids assigned in name order, so every traversal is deterministic.
//! External packages are single "squashed" nodes named after their distribution's top-level
//! package. Contracts never mutate the graph: they look at it through a [`GraphView`] that hides
//! ignored imports.

mod build;
mod expression;
mod query;

pub use build::{GraphOptions, ModuleInput, build_graph, resolve_import};
pub use expression::{ExpressionError, ModuleExpression};
pub use query::{Bfs, GraphView};

use archlint_facts::ImportKind;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Dense module identifier.
pub type ModuleId = u32;

/// One import statement behind an edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ImportDetail {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// How it was written.
    pub kind: ImportKind,
    /// Inside `if TYPE_CHECKING:`.
    pub type_checking: bool,
    /// Inside a function body.
    pub in_function: bool,
}

/// A directed graph of imports between modules.
#[derive(Debug, Clone, Default)]
pub struct ImportGraph {
    names: Vec<String>,
    index: FxHashMap<String, ModuleId>,
    /// Visible modules (files, namespace packages, external packages); hidden ancestors are not.
    present: Vec<bool>,
    squashed: Vec<bool>,
    parent: Vec<Option<ModuleId>>,
    children: Vec<Vec<ModuleId>>,
    imports: Vec<Vec<ModuleId>>,
    importers: Vec<Vec<ModuleId>>,
    details: FxHashMap<(ModuleId, ModuleId), Vec<ImportDetail>>,
}

impl ImportGraph {
    /// Create a graph from module names and edges. Names may repeat; ancestors are added hidden.
    pub fn from_parts(
        modules: impl IntoIterator<Item = (String, bool)>,
        edges: impl IntoIterator<Item = (String, String, ImportDetail)>,
    ) -> Self {
        let modules: Vec<(String, bool)> = modules.into_iter().collect();
        let edges: Vec<(String, String, ImportDetail)> = edges.into_iter().collect();
        let mut all: Vec<&str> = Vec::new();
        for (name, _) in &modules {
            all.push(name);
        }
        for (a, b, _) in &edges {
            all.push(a);
            all.push(b);
        }
        let mut names: Vec<String> = Vec::with_capacity(all.len());
        for name in all {
            let mut cur = name;
            loop {
                names.push(cur.to_owned());
                match cur.rfind('.') {
                    Some(i) => cur = &cur[..i],
                    None => break,
                }
            }
        }
        names.sort_unstable();
        names.dedup();
        let n = names.len();
        let index: FxHashMap<String, ModuleId> = names
            .iter()
            .enumerate()
            .map(|(i, s)| (s.clone(), i as ModuleId))
            .collect();
        let mut graph = ImportGraph {
            present: vec![false; n],
            squashed: vec![false; n],
            parent: vec![None; n],
            children: vec![Vec::new(); n],
            imports: vec![Vec::new(); n],
            importers: vec![Vec::new(); n],
            details: FxHashMap::default(),
            names,
            index,
        };
        for id in 0..n {
            if let Some(i) = graph.names[id].rfind('.') {
                let p = graph.index[&graph.names[id][..i]];
                graph.parent[id] = Some(p);
                graph.children[p as usize].push(id as ModuleId);
            }
        }
        for (name, squashed) in &modules {
            let id = graph.index[name.as_str()] as usize;
            graph.present[id] = true;
            graph.squashed[id] |= *squashed;
        }
        for (a, b, detail) in edges {
            let ia = graph.index[a.as_str()];
            let ib = graph.index[b.as_str()];
            graph.present[ia as usize] = true;
            graph.present[ib as usize] = true;
            graph.details.entry((ia, ib)).or_default().push(detail);
        }
        for &(a, b) in graph.details.keys() {
            graph.imports[a as usize].push(b);
            graph.importers[b as usize].push(a);
        }
        for list in graph.imports.iter_mut().chain(graph.importers.iter_mut()) {
            list.sort_unstable();
        }
        for details in graph.details.values_mut() {
            details.sort_by_key(|d| (d.line, d.column));
            details.dedup();
        }
        graph
    }

    /// Number of ids (visible and hidden).
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the graph has no modules.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Look up a visible module.
    pub fn id(&self, name: &str) -> Option<ModuleId> {
        self.index
            .get(name)
            .copied()
            .filter(|&i| self.present[i as usize])
    }

    /// Name of a module.
    pub fn name(&self, id: ModuleId) -> &str {
        &self.names[id as usize]
    }

    /// Whether a module is visible (a file, a namespace package or an external package).
    pub fn is_present(&self, id: ModuleId) -> bool {
        self.present[id as usize]
    }

    /// Whether a module stands for a whole package (external packages).
    pub fn is_squashed(&self, id: ModuleId) -> bool {
        self.squashed[id as usize]
    }

    /// Visible modules, in name order.
    pub fn modules(&self) -> impl Iterator<Item = ModuleId> + '_ {
        (0..self.names.len() as ModuleId).filter(|&i| self.present[i as usize])
    }

    /// Number of visible modules.
    pub fn module_count(&self) -> usize {
        self.present.iter().filter(|&&p| p).count()
    }

    /// Number of distinct (importer, imported) edges.
    pub fn edge_count(&self) -> usize {
        self.details.len()
    }

    /// Visible modules matching an expression.
    pub fn find_matching_modules(&self, expr: &ModuleExpression) -> Vec<ModuleId> {
        self.modules()
            .filter(|&m| expr.matches(self.name(m)))
            .collect()
    }

    /// Parent in the hierarchy (possibly hidden).
    pub fn parent(&self, id: ModuleId) -> Option<ModuleId> {
        self.parent[id as usize]
    }

    /// Visible direct children.
    pub fn children(&self, id: ModuleId) -> Vec<ModuleId> {
        self.children[id as usize]
            .iter()
            .copied()
            .filter(|&c| self.present[c as usize])
            .collect()
    }

    /// Visible descendants (not including the module itself); nothing for a squashed module.
    pub fn descendants(&self, id: ModuleId) -> Vec<ModuleId> {
        let mut out = Vec::new();
        if self.squashed[id as usize] {
            return out;
        }
        let mut stack: Vec<ModuleId> = self.children[id as usize].clone();
        while let Some(m) = stack.pop() {
            if self.present[m as usize] {
                out.push(m);
            }
            stack.extend_from_slice(&self.children[m as usize]);
        }
        out.sort_unstable();
        out
    }

    /// The module and its visible descendants.
    pub fn with_descendants(&self, id: ModuleId) -> Vec<ModuleId> {
        let mut out = self.descendants(id);
        out.push(id);
        out.sort_unstable();
        out
    }

    /// Whether `a` is `b` or lies below it.
    pub fn is_in_package(&self, a: ModuleId, b: ModuleId) -> bool {
        let mut cur = Some(a);
        while let Some(c) = cur {
            if c == b {
                return true;
            }
            cur = self.parent[c as usize];
        }
        false
    }

    /// Modules `id` imports directly.
    pub fn imports_of(&self, id: ModuleId) -> &[ModuleId] {
        &self.imports[id as usize]
    }

    /// Modules that import `id` directly.
    pub fn importers_of(&self, id: ModuleId) -> &[ModuleId] {
        &self.importers[id as usize]
    }

    /// The import statements behind an edge, ordered by line.
    pub fn details(&self, importer: ModuleId, imported: ModuleId) -> &[ImportDetail] {
        self.details
            .get(&(importer, imported))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every edge, in (importer, imported) order.
    pub fn edges(&self) -> impl Iterator<Item = (ModuleId, ModuleId)> + '_ {
        self.imports
            .iter()
            .enumerate()
            .flat_map(|(a, list)| list.iter().map(move |&b| (a as ModuleId, b)))
    }

    /// Direct imports whose importer and imported match the two expressions.
    pub fn find_matching_direct_imports(
        &self,
        importer: &ModuleExpression,
        imported: &ModuleExpression,
    ) -> Vec<(ModuleId, ModuleId)> {
        let importers = self.find_matching_modules(importer);
        let mut out = Vec::new();
        for a in importers {
            for &b in self.imports_of(a) {
                if imported.matches(self.name(b)) {
                    out.push((a, b));
                }
            }
        }
        out
    }

    /// A view with no imports hidden.
    pub fn view(&self) -> GraphView<'_> {
        GraphView::new(self)
    }
}

#[cfg(test)]
mod tests;
