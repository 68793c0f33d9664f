//! Traversals: shortest chains with excluded modules and imports, reachability, cycles.

use rustc_hash::FxHashSet;

use crate::{ImportGraph, ModuleId};

/// The graph with some imports hidden (a contract's `ignore_imports`).
#[derive(Debug, Clone)]
pub struct GraphView<'g> {
    graph: &'g ImportGraph,
    removed: FxHashSet<(ModuleId, ModuleId)>,
}

/// One direction of a search: which modules it reached, and through which neighbour.
#[derive(Debug, Clone)]
struct Side {
    stamp: Vec<u32>,
    link: Vec<ModuleId>,
}

impl Side {
    fn new(n: usize) -> Self {
        Self {
            stamp: vec![0; n],
            link: vec![0; n],
        }
    }

    fn seen(&self, m: ModuleId, generation: u32) -> bool {
        self.stamp[m as usize] == generation
    }

    fn mark(&mut self, m: ModuleId, link: ModuleId, generation: u32) {
        self.stamp[m as usize] = generation;
        self.link[m as usize] = link;
    }

    /// Follow links from `m` back to where this side started (a module that links to itself).
    fn trace(&self, m: ModuleId) -> Vec<ModuleId> {
        let mut path = vec![m];
        let mut cur = m;
        while self.link[cur as usize] != cur {
            cur = self.link[cur as usize];
            path.push(cur);
        }
        path
    }
}

/// Reusable scratch space for breadth-first searches over one graph. Stamps with a generation
/// number avoid clearing the arrays between searches.
#[derive(Debug, Clone)]
pub struct Bfs {
    generation: u32,
    forward: Side,
    backward: Side,
}

impl Bfs {
    /// Scratch space for a graph of `n` ids.
    pub fn new(n: usize) -> Self {
        Self {
            generation: 0,
            forward: Side::new(n),
            backward: Side::new(n),
        }
    }

    fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.forward.stamp.fill(0);
            self.backward.stamp.fill(0);
            self.generation = 1;
        }
    }
}

impl<'g> GraphView<'g> {
    /// A view that hides nothing.
    pub fn new(graph: &'g ImportGraph) -> Self {
        Self {
            graph,
            removed: FxHashSet::default(),
        }
    }

    /// The underlying graph.
    pub fn graph(&self) -> &'g ImportGraph {
        self.graph
    }

    /// Hide an import.
    pub fn remove_import(&mut self, importer: ModuleId, imported: ModuleId) {
        self.removed.insert((importer, imported));
    }

    /// Whether an import is visible in this view.
    pub fn has_import(&self, importer: ModuleId, imported: ModuleId) -> bool {
        !self.removed.contains(&(importer, imported))
            && self
                .graph
                .imports_of(importer)
                .binary_search(&imported)
                .is_ok()
    }

    /// Visible imports of a module.
    pub fn imports_of(&self, m: ModuleId) -> impl Iterator<Item = ModuleId> + '_ {
        self.graph
            .imports_of(m)
            .iter()
            .copied()
            .filter(move |&b| self.removed.is_empty() || !self.removed.contains(&(m, b)))
    }

    /// Visible importers of a module.
    pub fn importers_of(&self, m: ModuleId) -> impl Iterator<Item = ModuleId> + '_ {
        self.graph
            .importers_of(m)
            .iter()
            .copied()
            .filter(move |&a| self.removed.is_empty() || !self.removed.contains(&(a, m)))
    }

    /// Shortest chain from any module in `from` to any in `to`, never passing through a module
    /// for which `excluded` (when given) is true nor along an import in `excluded_imports`. `None` when no
    /// chain exists; a one-module chain when `from` and `to` share a module.
    ///
    /// This is grimp's bidirectional search step for step (`find_shortest_path`, grimp 3.x), so
    /// that the chains archlint reports are the ones import-linter reports: one whole level
    /// forwards (imports of the modules reached so far, in the order they were reached), then
    /// one whole level backwards (importers), and the search stops at the first module found by
    /// both sides — not necessarily the shortest meeting of that level. Where grimp visits
    /// modules in hash-set order, this visits them in name order: the chains are the same
    /// wherever the choice does not depend on that order.
    pub fn shortest_chain(
        &self,
        bfs: &mut Bfs,
        from: &[ModuleId],
        to: &[ModuleId],
        excluded: Option<&dyn Fn(ModuleId) -> bool>,
        excluded_imports: &FxHashSet<(ModuleId, ModuleId)>,
    ) -> Option<Vec<ModuleId>> {
        let mut space = SearchSpace::new(self, excluded);
        for &(a, b) in excluded_imports {
            space.hide(self.graph, a, b);
        }
        space.shortest_chain(self.graph, bfs, from, to)
    }

    /// Every chain grimp's `find_shortest_chains` reports between the two sets: a shortest chain,
    /// then its imports hidden and a shortest chain again, until none is left — so no two chains
    /// share an import. Chains never pass through an `excluded` module.
    ///
    /// Direct imports between the sets are taken in one pass first: while one is left, each
    /// search would find one, and hiding it changes no other search.
    pub fn shortest_chains(
        &self,
        bfs: &mut Bfs,
        from: &[ModuleId],
        to: &[ModuleId],
        excluded: Option<&dyn Fn(ModuleId) -> bool>,
    ) -> Vec<Vec<ModuleId>> {
        let graph = self.graph;
        let mut space = SearchSpace::new(self, excluded);
        let mut target = vec![false; graph.len()];
        for &t in to {
            target[t as usize] = true;
        }
        let mut chains: Vec<Vec<ModuleId>> = Vec::new();
        for &f in from {
            if target[f as usize] {
                continue;
            }
            let first = graph.first_edge(f);
            for (k, &n) in graph.imports_of(f).iter().enumerate() {
                if target[n as usize] && !space.blocked(first + k, n) {
                    space.hide_edge(first + k);
                    chains.push(vec![f, n]);
                }
            }
        }
        while let Some(chain) = space.shortest_chain(graph, bfs, from, to) {
            if chain.len() < 2 {
                break;
            }
            for w in chain.windows(2) {
                space.hide(graph, w[0], w[1]);
            }
            chains.push(chain);
        }
        chains
    }

    /// Strongly connected components with more than one module (import cycles), each sorted,
    /// in order of their smallest module.
    pub fn cycles(&self) -> Vec<Vec<ModuleId>> {
        let n = self.graph.len();
        let mut index = vec![u32::MAX; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<ModuleId> = Vec::new();
        let mut counter = 0u32;
        let mut out = Vec::new();
        // Iterative Tarjan: (node, position in its adjacency list).
        for root in 0..n as ModuleId {
            if index[root as usize] != u32::MAX {
                continue;
            }
            let mut work: Vec<(ModuleId, usize)> = vec![(root, 0)];
            index[root as usize] = counter;
            low[root as usize] = counter;
            counter += 1;
            stack.push(root);
            on_stack[root as usize] = true;
            while let Some(&mut (v, ref mut pos)) = work.last_mut() {
                let adj = self.graph.imports_of(v);
                if *pos < adj.len() {
                    let w = adj[*pos];
                    *pos += 1;
                    if self.removed.contains(&(v, w)) {
                        continue;
                    }
                    if index[w as usize] == u32::MAX {
                        index[w as usize] = counter;
                        low[w as usize] = counter;
                        counter += 1;
                        stack.push(w);
                        on_stack[w as usize] = true;
                        work.push((w, 0));
                    } else if on_stack[w as usize] {
                        low[v as usize] = low[v as usize].min(index[w as usize]);
                    }
                } else {
                    work.pop();
                    if let Some(&(parent, _)) = work.last() {
                        low[parent as usize] = low[parent as usize].min(low[v as usize]);
                    }
                    if low[v as usize] == index[v as usize] {
                        let mut component = Vec::new();
                        loop {
                            let w = stack.pop().expect("tarjan stack");
                            on_stack[w as usize] = false;
                            component.push(w);
                            if w == v {
                                break;
                            }
                        }
                        if component.len() > 1 {
                            component.sort_unstable();
                            out.push(component);
                        }
                    }
                }
            }
        }
        out.sort();
        out
    }
}

/// A set of small integers (edge or module indices) as bits.
#[derive(Debug, Clone)]
struct BitSet(Vec<u64>);

impl BitSet {
    fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }

    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// One side of a search as a level of it is expanded: the modules in the order reached, the
/// next to expand, this side's marks and the other side's.
struct Level<'a> {
    order: &'a mut Vec<ModuleId>,
    next: &'a mut usize,
    this: &'a mut Side,
    other: &'a Side,
    generation: u32,
}

/// What a run of searches may not use: hidden imports (the view's, and those of chains already
/// found) by edge index, and excluded modules. Nothing here is proportional to the graph unless
/// an import is hidden: a contract runs thousands of searches over one large graph (a layers
/// contract with a thousand containers), each reaching a small part of it.
struct SearchSpace<'x> {
    /// Hidden edges, a bit set over the edge slots allocated when the first edge is hidden.
    hidden: Option<BitSet>,
    edge_slots: usize,
    /// Asked only for the modules a search reaches; `None` (no call at all) when nothing is
    /// excluded — the repeated searches of a `forbidden` contract step along millions of edges.
    excluded: Option<&'x dyn Fn(ModuleId) -> bool>,
}

impl<'x> SearchSpace<'x> {
    fn new(view: &GraphView<'_>, excluded: Option<&'x dyn Fn(ModuleId) -> bool>) -> Self {
        let graph = view.graph;
        let mut space = Self {
            hidden: None,
            edge_slots: graph.edge_slots(),
            excluded,
        };
        for &(a, b) in &view.removed {
            space.hide(graph, a, b);
        }
        space
    }

    fn hide_edge(&mut self, e: usize) {
        let slots = self.edge_slots;
        self.hidden
            .get_or_insert_with(|| BitSet::new(slots))
            .insert(e);
    }

    fn hide(&mut self, graph: &ImportGraph, a: ModuleId, b: ModuleId) {
        if let Some(e) = graph.edge(a, b) {
            self.hide_edge(e);
        }
    }

    /// Whether the search may not step along edge `edge` into (or out of, backwards) module `m`.
    #[inline]
    fn blocked(&self, edge: usize, m: ModuleId) -> bool {
        self.hidden.as_ref().is_some_and(|h| h.contains(edge))
            || self.excluded.is_some_and(|excluded| excluded(m))
    }

    /// One whole level of one side of the search: every module this side had reached but not
    /// expanded when the level began, in the order reached. `neighbours(m)` yields the modules
    /// one step further (with the edge stepped along). Returns the first module found that the
    /// other side has reached.
    fn expand_level<I: Iterator<Item = (ModuleId, usize)>>(
        &self,
        level: Level<'_>,
        neighbours: impl Fn(ModuleId) -> I,
    ) -> Option<ModuleId> {
        let Level {
            order,
            next,
            this,
            other,
            generation,
        } = level;
        let level_end = order.len();
        while *next < level_end {
            let m = order[*next];
            for (n, edge) in neighbours(m) {
                if self.blocked(edge, n) {
                    continue;
                }
                if !this.seen(n, generation) {
                    this.mark(n, m, generation);
                    order.push(n);
                }
                if other.seen(n, generation) {
                    return Some(n);
                }
            }
            *next += 1;
        }
        None
    }

    /// grimp's search (see [`GraphView::shortest_chain`]) within this space.
    fn shortest_chain(
        &self,
        graph: &ImportGraph,
        bfs: &mut Bfs,
        from: &[ModuleId],
        to: &[ModuleId],
    ) -> Option<Vec<ModuleId>> {
        bfs.reset();
        let generation = bfs.generation;
        let Bfs {
            forward, backward, ..
        } = bfs;
        let mut forward_order: Vec<ModuleId> = Vec::new();
        for &s in from {
            if !forward.seen(s, generation) {
                forward.mark(s, s, generation);
                forward_order.push(s);
            }
        }
        let mut backward_order: Vec<ModuleId> = Vec::new();
        for &t in to {
            if forward.seen(t, generation) {
                return Some(vec![t]);
            }
            if !backward.seen(t, generation) {
                backward.mark(t, t, generation);
                backward_order.push(t);
            }
        }
        let (mut next_forward, mut next_backward) = (0usize, 0usize);
        let meeting = loop {
            let imports = |m: ModuleId| {
                let first = graph.first_edge(m);
                graph
                    .imports_of(m)
                    .iter()
                    .enumerate()
                    .map(move |(k, &n)| (n, first + k))
            };
            // grimp tests the module already reached (the importer's import) against the
            // excluded ones when it steps backwards; an excluded module reached that way is a
            // dead end either way, so it is not recorded at all.
            let importers = |m: ModuleId| {
                let edges = graph.importer_edges(m).iter().map(|&e| e as usize);
                graph.importers_of(m).iter().copied().zip(edges)
            };
            let found = self.expand_level(
                Level {
                    order: &mut forward_order,
                    next: &mut next_forward,
                    this: forward,
                    other: backward,
                    generation,
                },
                imports,
            );
            if found.is_some() {
                break found;
            }
            // A side that reached nothing new has reached everything it can without meeting
            // the other: no chain exists (had one existed, this side would have stepped onto
            // the other side's start, which is always marked). Stopping here finds no chain
            // grimp would find, and saves walking the rest of the other side's reach.
            if next_forward == forward_order.len() {
                break None;
            }
            let found = self.expand_level(
                Level {
                    order: &mut backward_order,
                    next: &mut next_backward,
                    this: backward,
                    other: forward,
                    generation,
                },
                importers,
            );
            if found.is_some() {
                break found;
            }
            if next_backward == backward_order.len() {
                break None;
            }
        };
        meeting.map(|m| {
            let mut chain = forward.trace(m);
            chain.reverse();
            let back = backward.trace(m);
            chain.extend_from_slice(&back[1..]);
            chain
        })
    }
}
