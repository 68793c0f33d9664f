//! The import graph: modules, the imports between them, and the queries contracts need.
//!
//! Modules are interned as dense ids assigned in name order, so every traversal is deterministic.
//! External packages are single "squashed" nodes named after their distribution's top-level
//! package. Contracts never mutate the graph: they look at it through a [`GraphView`] that hides
//! ignored imports.

mod build;
mod expression;
mod query;
mod snapshot;

pub use build::{
    GraphOptions, ModuleInput, RESOLUTION_VERSION, ResolvedImport, ResolvedRow, Resolver,
    build_graph, reassemble_graph, resolve_import, resolve_imports,
};
pub use expression::{ExpressionError, ModuleExpression};
pub use query::{Bfs, GraphView};

use archlint_facts::ImportKind;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Dense module identifier.
pub type ModuleId = u32;

/// The package a module belongs to at `depth`: its first `depth` dotted components
/// (`package_at_depth("a.b.c", 2)` is `a.b`); the whole name when it has no more, or when
/// `depth` is 0. The one rule every grouping of modules by package uses (graph output, the
/// explorer, the coupling rules).
pub fn package_at_depth(module: &str, depth: usize) -> &str {
    if depth == 0 {
        return module;
    }
    match module.match_indices('.').nth(depth - 1) {
        Some((i, _)) => &module[..i],
        None => module,
    }
}

/// One import statement behind an edge.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    index: NameIndex,
    /// Visible modules (files, namespace packages, external packages); hidden ancestors are not.
    present: Vec<bool>,
    squashed: Vec<bool>,
    parent: Vec<Option<ModuleId>>,
    children: Vec<Vec<ModuleId>>,
    /// Compressed adjacency: the imports of module `m` are
    /// `import_targets[import_offsets[m]..import_offsets[m + 1]]`, sorted.
    import_offsets: Vec<u32>,
    import_targets: Vec<ModuleId>,
    importers: Vec<Vec<ModuleId>>,
    /// For edge `e` (an index into `import_targets`), its statements are
    /// `details[detail_offsets[e]..detail_offsets[e + 1]]`, sorted by line.
    detail_offsets: Vec<u32>,
    details: Vec<ImportDetail>,
    /// For each module, the edge index (into `import_targets`) of each of its importers' imports
    /// of it, in `importers` order; built the first time a chain search needs it.
    importer_edges: std::sync::OnceLock<ImporterEdges>,
}

/// Module ids by name, for names kept elsewhere (the graph's `names`): no second copy of every
/// name, and no allocation per module when a graph is read back.
#[derive(Debug, Clone, Default)]
struct NameIndex {
    table: hashbrown::HashTable<ModuleId>,
}

fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}

impl NameIndex {
    /// The index of distinct `names`.
    fn new(names: &[String]) -> NameIndex {
        let mut table = hashbrown::HashTable::with_capacity(names.len());
        for (id, name) in names.iter().enumerate() {
            table.insert_unique(name_hash(name), id as ModuleId, |&i| {
                name_hash(&names[i as usize])
            });
        }
        NameIndex { table }
    }

    /// The id of `name`, among the `names` the index was built from.
    fn get(&self, names: &[String], name: &str) -> Option<ModuleId> {
        self.table
            .find(name_hash(name), |&i| names[i as usize] == name)
            .copied()
    }
}

/// [`ImportGraph::importer_edges`] in compressed form.
#[derive(Debug, Clone, Default)]
struct ImporterEdges {
    offsets: Vec<u32>,
    edges: Vec<u32>,
}

impl ImportGraph {
    /// Rebuild a graph from its stored form; `None` when the parts are inconsistent.
    fn from_snapshot(s: snapshot::GraphSnapshot) -> Option<ImportGraph> {
        let n = s.names.len();
        let monotonic = |v: &[u32], len: usize, end: usize| {
            v.len() == len
                && v.first() == Some(&0)
                && v.windows(2).all(|w| w[0] <= w[1])
                && v.last().map(|&x| x as usize) == Some(end)
        };
        if s.present.len() != n
            || s.squashed.len() != n
            || !s.names.windows(2).all(|w| w[0] < w[1])
            || !monotonic(&s.import_offsets, n + 1, s.import_targets.len())
            || !monotonic(
                &s.detail_offsets,
                s.import_targets.len() + 1,
                s.details.len(),
            )
            || s.import_targets.iter().any(|&t| t as usize >= n)
        {
            return None;
        }
        // The name index and the hierarchy on one core, the importer lists on the other.
        let (hierarchy, importers) = rayon::join(
            || {
                let index = NameIndex::new(&s.names);
                let mut parent = vec![None; n];
                let mut children = vec![Vec::new(); n];
                for (id, name) in s.names.iter().enumerate() {
                    if let Some(dot) = name.rfind('.') {
                        let p = index.get(&s.names, &name[..dot])?;
                        parent[id] = Some(p);
                        children[p as usize].push(id as ModuleId);
                    }
                }
                Some((index, parent, children))
            },
            || {
                let mut importers = vec![Vec::new(); n];
                for a in 0..n {
                    let targets = &s.import_targets
                        [s.import_offsets[a] as usize..s.import_offsets[a + 1] as usize];
                    if !targets.windows(2).all(|w| w[0] < w[1]) {
                        return None;
                    }
                    for &b in targets {
                        importers[b as usize].push(a as ModuleId);
                    }
                }
                Some(importers)
            },
        );
        let (index, parent, children) = hierarchy?;
        let importers = importers?;
        Some(ImportGraph {
            names: s.names,
            index,
            present: s.present,
            squashed: s.squashed,
            parent,
            children,
            import_offsets: s.import_offsets,
            import_targets: s.import_targets,
            importers,
            detail_offsets: s.detail_offsets,
            details: s.details,
            importer_edges: Default::default(),
        })
    }

    /// Create a graph from module names and edges. Names may repeat; ancestors are added hidden.
    pub fn from_parts(
        modules: impl IntoIterator<Item = (String, bool)>,
        edges: impl IntoIterator<Item = (String, String, ImportDetail)>,
    ) -> Self {
        let mut builder = GraphBuilder::default();
        for (name, squashed) in modules {
            builder.add_module(&name, squashed);
        }
        for (a, b, detail) in edges {
            builder.add_import(&a, &b, detail);
        }
        builder.finish()
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
            .get(&self.names, name)
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
        self.import_targets.len()
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
        let (start, end) = (
            self.import_offsets[id as usize],
            self.import_offsets[id as usize + 1],
        );
        &self.import_targets[start as usize..end as usize]
    }

    /// The same graph with the imports of some modules replaced, when that leaves every module's
    /// visibility unchanged (no new module, no external package losing its last importer), so
    /// ids stay the same and only the adjacency rows are spliced. `None` otherwise: the caller
    /// then rebuilds the graph.
    pub fn with_rows_replaced(
        &self,
        replaced: &FxHashMap<&str, &[crate::ResolvedImport]>,
    ) -> Option<ImportGraph> {
        let n = self.names.len();
        let mut rows: FxHashMap<ModuleId, Vec<(ModuleId, ImportDetail)>> = FxHashMap::default();
        for (name, imports) in replaced {
            let a = self.id(name)?;
            if !self.present[a as usize] || self.squashed[a as usize] {
                return None;
            }
            let mut row = Vec::with_capacity(imports.len());
            for import in *imports {
                let b = self.id(&import.target)?;
                // A target must already be visible, and be external exactly when it was.
                if !self.present[b as usize] || self.squashed[b as usize] != import.external {
                    return None;
                }
                row.push((b, import.detail.clone()));
            }
            row.sort_unstable_by_key(|(b, d)| (*b, d.line, d.column));
            row.dedup();
            rows.insert(a, row);
        }
        // An external package imported only from replaced rows must still be imported.
        for &a in rows.keys() {
            for &b in self.imports_of(a) {
                if self.squashed[b as usize]
                    && !self.importers[b as usize]
                        .iter()
                        .any(|i| !rows.contains_key(i))
                    && !rows.values().any(|r| r.iter().any(|(t, _)| *t == b))
                {
                    return None;
                }
            }
        }
        let mut import_offsets = Vec::with_capacity(n + 1);
        let mut import_targets = Vec::with_capacity(self.import_targets.len());
        let mut detail_offsets = Vec::with_capacity(self.detail_offsets.len());
        let mut details = Vec::with_capacity(self.details.len());
        import_offsets.push(0u32);
        for a in 0..n as ModuleId {
            match rows.get(&a) {
                Some(row) => {
                    let mut last = None;
                    for (b, d) in row {
                        if last != Some(*b) {
                            import_targets.push(*b);
                            detail_offsets.push(details.len() as u32);
                            last = Some(*b);
                        }
                        details.push(d.clone());
                    }
                }
                None => {
                    let start = self.import_offsets[a as usize] as usize;
                    let end = self.import_offsets[a as usize + 1] as usize;
                    for edge in start..end {
                        import_targets.push(self.import_targets[edge]);
                        detail_offsets.push(details.len() as u32);
                        let (ds, de) = (self.detail_offsets[edge], self.detail_offsets[edge + 1]);
                        details.extend_from_slice(&self.details[ds as usize..de as usize]);
                    }
                }
            }
            import_offsets.push(import_targets.len() as u32);
        }
        detail_offsets.push(details.len() as u32);
        let mut importers = vec![Vec::new(); n];
        for a in 0..n {
            let (start, end) = (import_offsets[a] as usize, import_offsets[a + 1] as usize);
            for &b in &import_targets[start..end] {
                importers[b as usize].push(a as ModuleId);
            }
        }
        Some(ImportGraph {
            names: self.names.clone(),
            index: self.index.clone(),
            present: self.present.clone(),
            squashed: self.squashed.clone(),
            parent: self.parent.clone(),
            children: self.children.clone(),
            import_offsets,
            import_targets,
            importers,
            detail_offsets,
            details,
            importer_edges: Default::default(),
        })
    }

    /// The imports of `id` with the statements behind each, in target order.
    pub fn imports_with_details(
        &self,
        id: ModuleId,
    ) -> impl Iterator<Item = (ModuleId, &[ImportDetail])> + '_ {
        let start = self.import_offsets[id as usize] as usize;
        let end = self.import_offsets[id as usize + 1] as usize;
        (start..end).map(move |edge| {
            let (a, b) = (self.detail_offsets[edge], self.detail_offsets[edge + 1]);
            (
                self.import_targets[edge],
                &self.details[a as usize..b as usize],
            )
        })
    }

    /// Modules that import `id` directly.
    pub fn importers_of(&self, id: ModuleId) -> &[ModuleId] {
        &self.importers[id as usize]
    }

    /// The index of import edge `importer -> imported` in the compressed adjacency, when there is
    /// one.
    pub(crate) fn edge(&self, importer: ModuleId, imported: ModuleId) -> Option<usize> {
        self.imports_of(importer)
            .binary_search(&imported)
            .ok()
            .map(|pos| self.import_offsets[importer as usize] as usize + pos)
    }

    /// The first edge index of a module's imports: `imports_of(m)[k]` is edge
    /// `first_edge(m) + k`.
    pub(crate) fn first_edge(&self, id: ModuleId) -> usize {
        self.import_offsets[id as usize] as usize
    }

    /// Number of import edges.
    pub(crate) fn edge_slots(&self) -> usize {
        self.import_targets.len()
    }

    /// The edge index of each import of `id`, parallel to [`ImportGraph::importers_of`].
    pub(crate) fn importer_edges(&self, id: ModuleId) -> &[u32] {
        let index = self.importer_edges.get_or_init(|| {
            let n = self.names.len();
            let mut offsets = vec![0u32; n + 1];
            for (m, list) in self.importers.iter().enumerate() {
                offsets[m + 1] = offsets[m] + list.len() as u32;
            }
            let mut cursor: Vec<u32> = offsets[..n].to_vec();
            let mut edges = vec![0u32; self.import_targets.len()];
            // Importers are sorted by id, and edges are visited by importer id: each list fills
            // in importers order.
            for a in 0..n {
                let start = self.import_offsets[a] as usize;
                for (k, &b) in self.imports_of(a as ModuleId).iter().enumerate() {
                    edges[cursor[b as usize] as usize] = (start + k) as u32;
                    cursor[b as usize] += 1;
                }
            }
            ImporterEdges { offsets, edges }
        });
        &index.edges[index.offsets[id as usize] as usize..index.offsets[id as usize + 1] as usize]
    }

    /// The import statements behind an edge, ordered by line.
    pub fn details(&self, importer: ModuleId, imported: ModuleId) -> &[ImportDetail] {
        match self.edge(importer, imported) {
            Some(edge) => {
                let (start, end) = (self.detail_offsets[edge], self.detail_offsets[edge + 1]);
                &self.details[start as usize..end as usize]
            }
            None => &[],
        }
    }

    /// Every edge, in (importer, imported) order.
    pub fn edges(&self) -> impl Iterator<Item = (ModuleId, ModuleId)> + '_ {
        (0..self.names.len() as ModuleId)
            .flat_map(move |a| self.imports_of(a).iter().map(move |&b| (a, b)))
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

/// Collects modules and imports, then freezes them into an [`ImportGraph`] whose ids follow
/// name order.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    ids: FxHashMap<Box<str>, ModuleId>,
    names: Vec<Box<str>>,
    present: Vec<bool>,
    squashed: Vec<bool>,
    edges: Vec<(ModuleId, ModuleId, ImportDetail)>,
}

impl GraphBuilder {
    fn intern(&mut self, name: &str) -> ModuleId {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as ModuleId;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        self.present.push(false);
        self.squashed.push(false);
        id
    }

    /// The ids given so far, by name.
    pub(crate) fn ids(&self) -> &FxHashMap<Box<str>, ModuleId> {
        &self.ids
    }

    /// The id of a name already added.
    pub(crate) fn id_of(&mut self, name: &str) -> ModuleId {
        self.intern(name)
    }

    /// Add an import between modules already added and visible.
    pub(crate) fn add_edge(&mut self, a: ModuleId, b: ModuleId, detail: ImportDetail) {
        self.edges.push((a, b, detail));
    }

    /// Add a visible module; `squashed` marks an external package that stands for its subtree.
    pub fn add_module(&mut self, name: &str, squashed: bool) {
        let id = self.intern(name) as usize;
        self.present[id] = true;
        self.squashed[id] |= squashed;
    }

    /// Add an import; both ends become visible modules.
    pub fn add_import(&mut self, importer: &str, imported: &str, detail: ImportDetail) {
        let a = self.intern(importer);
        let b = self.intern(imported);
        self.present[a as usize] = true;
        self.present[b as usize] = true;
        self.edges.push((a, b, detail));
    }

    /// Freeze into a graph: hidden ancestors added, ids renumbered in name order.
    pub fn finish(mut self) -> ImportGraph {
        // Every ancestor of a module is in the hierarchy, visible or not.
        let mut i = 0;
        while i < self.names.len() {
            let name = self.names[i].clone();
            if let Some(dot) = name.rfind('.') {
                self.intern(&name[..dot]);
            }
            i += 1;
        }
        let n = self.names.len();
        let mut order: Vec<ModuleId> = (0..n as ModuleId).collect();
        order.sort_unstable_by(|&a, &b| self.names[a as usize].cmp(&self.names[b as usize]));
        let mut remap = vec![0 as ModuleId; n];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as ModuleId;
        }
        let names: Vec<String> = order
            .iter()
            .map(|&old| self.names[old as usize].to_string())
            .collect();
        let index = NameIndex::new(&names);
        let present: Vec<bool> = order
            .iter()
            .map(|&old| self.present[old as usize])
            .collect();
        let squashed: Vec<bool> = order
            .iter()
            .map(|&old| self.squashed[old as usize])
            .collect();
        let mut parent = vec![None; n];
        let mut children = vec![Vec::new(); n];
        for (id, name) in names.iter().enumerate() {
            if let Some(dot) = name.rfind('.') {
                let p = index
                    .get(&names, &name[..dot])
                    .expect("every ancestor is a module");
                parent[id] = Some(p);
                children[p as usize].push(id as ModuleId);
            }
        }
        let mut edges = std::mem::take(&mut self.edges);
        for (a, b, _) in &mut edges {
            (*a, *b) = (remap[*a as usize], remap[*b as usize]);
        }
        edges.sort_unstable_by_key(|(a, b, d)| (*a, *b, d.line, d.column));
        edges.dedup();
        let mut import_offsets = vec![0u32; n + 1];
        let mut import_targets: Vec<ModuleId> = Vec::with_capacity(edges.len());
        let mut importers = vec![Vec::new(); n];
        let mut detail_offsets: Vec<u32> = Vec::with_capacity(edges.len() + 1);
        let mut details: Vec<ImportDetail> = Vec::with_capacity(edges.len());
        let mut last: Option<(ModuleId, ModuleId)> = None;
        for (a, b, d) in edges {
            if last != Some((a, b)) {
                import_offsets[a as usize + 1] += 1;
                import_targets.push(b);
                importers[b as usize].push(a);
                detail_offsets.push(details.len() as u32);
                last = Some((a, b));
            }
            details.push(d);
        }
        detail_offsets.push(details.len() as u32);
        for i in 0..n {
            import_offsets[i + 1] += import_offsets[i];
        }
        for list in &mut importers {
            list.sort_unstable();
        }
        ImportGraph {
            names,
            index,
            present,
            squashed,
            parent,
            children,
            import_offsets,
            import_targets,
            importers,
            detail_offsets,
            details,
            importer_edges: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests;
