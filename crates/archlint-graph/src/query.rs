//! Traversals: shortest chains with excluded modules and imports, reachability, cycles.

use rustc_hash::FxHashSet;

use crate::{ImportGraph, ModuleId};

/// The graph with some imports hidden (a contract's `ignore_imports`).
#[derive(Debug, Clone)]
pub struct GraphView<'g> {
    graph: &'g ImportGraph,
    removed: FxHashSet<(ModuleId, ModuleId)>,
}

/// One direction of a search: which modules it reached, through which neighbour, how far.
#[derive(Debug, Clone)]
struct Side {
    stamp: Vec<u32>,
    link: Vec<ModuleId>,
    dist: Vec<u32>,
}

impl Side {
    fn new(n: usize) -> Self {
        Self {
            stamp: vec![0; n],
            link: vec![0; n],
            dist: vec![0; n],
        }
    }

    fn seen(&self, m: ModuleId, generation: u32) -> bool {
        self.stamp[m as usize] == generation
    }

    fn mark(&mut self, m: ModuleId, link: ModuleId, dist: u32, generation: u32) {
        self.stamp[m as usize] = generation;
        self.link[m as usize] = link;
        self.dist[m as usize] = dist;
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
    queue: std::collections::VecDeque<ModuleId>,
}

impl Bfs {
    /// Scratch space for a graph of `n` ids.
    pub fn new(n: usize) -> Self {
        Self {
            generation: 0,
            forward: Side::new(n),
            backward: Side::new(n),
            queue: std::collections::VecDeque::new(),
        }
    }

    fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.forward.stamp.fill(0);
            self.backward.stamp.fill(0);
            self.generation = 1;
        }
        self.queue.clear();
    }
}

/// Expand one whole level of one side of a bidirectional search. `neighbours(m)` yields the
/// modules one step further from this side's start, `edge(m, n)` orients a step as
/// (importer, imported). Returns the best meeting as (length, module on this side, module on
/// the other side).
#[allow(clippy::too_many_arguments)]
fn expand_level<I: Iterator<Item = ModuleId>>(
    frontier: &[ModuleId],
    next_level: &mut Vec<ModuleId>,
    this: &mut Side,
    other: &Side,
    generation: u32,
    neighbours: impl Fn(ModuleId) -> I,
    edge: impl Fn(ModuleId, ModuleId) -> (ModuleId, ModuleId),
    blocked: &dyn Fn(ModuleId, ModuleId) -> bool,
    excluded: &dyn Fn(ModuleId) -> bool,
) -> Option<(u32, ModuleId, ModuleId)> {
    let mut best: Option<(u32, ModuleId, ModuleId)> = None;
    next_level.clear();
    for &m in frontier {
        for n in neighbours(m) {
            let (a, b) = edge(m, n);
            if blocked(a, b) {
                continue;
            }
            if other.seen(n, generation) {
                let len = this.dist[m as usize] + 1 + other.dist[n as usize];
                if best.is_none_or(|(l, _, _)| len < l) {
                    best = Some((len, m, n));
                }
            } else if !this.seen(n, generation) && !excluded(n) {
                let d = this.dist[m as usize] + 1;
                this.mark(n, m, d, generation);
                next_level.push(n);
            }
        }
    }
    best
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
    /// for which `excluded` is true nor along an import in `excluded_imports`.
    ///
    /// A bidirectional breadth-first search: it expands whichever side has the smaller frontier,
    /// one whole level at a time, so the first meeting level gives a shortest chain.
    pub fn shortest_chain(
        &self,
        bfs: &mut Bfs,
        from: &[ModuleId],
        to: &[ModuleId],
        excluded: &dyn Fn(ModuleId) -> bool,
        excluded_imports: &FxHashSet<(ModuleId, ModuleId)>,
    ) -> Option<Vec<ModuleId>> {
        bfs.reset();
        let generation = bfs.generation;
        let blocked = |a: ModuleId, b: ModuleId| {
            !excluded_imports.is_empty() && excluded_imports.contains(&(a, b))
        };
        let mut forward: Vec<ModuleId> = Vec::new();
        for &s in from {
            if !bfs.forward.seen(s, generation) {
                bfs.forward.mark(s, s, 0, generation);
                forward.push(s);
            }
        }
        let mut backward: Vec<ModuleId> = Vec::new();
        for &t in to {
            if bfs.forward.seen(t, generation) {
                return Some(vec![t]);
            }
            if !bfs.backward.seen(t, generation) {
                bfs.backward.mark(t, t, 0, generation);
                backward.push(t);
            }
        }
        let mut next_level: Vec<ModuleId> = Vec::new();
        while !forward.is_empty() && !backward.is_empty() {
            // Expand the smaller side; a meeting is (importer on the forward side, imported on
            // the backward side).
            let meeting = if forward.len() <= backward.len() {
                let found = expand_level(
                    &forward,
                    &mut next_level,
                    &mut bfs.forward,
                    &bfs.backward,
                    generation,
                    |m| self.imports_of(m),
                    |m, n| (m, n),
                    &blocked,
                    excluded,
                );
                std::mem::swap(&mut forward, &mut next_level);
                found.map(|(_, u, v)| (u, v))
            } else {
                let found = expand_level(
                    &backward,
                    &mut next_level,
                    &mut bfs.backward,
                    &bfs.forward,
                    generation,
                    |m| self.importers_of(m),
                    |m, n| (n, m),
                    &blocked,
                    excluded,
                );
                std::mem::swap(&mut backward, &mut next_level);
                found.map(|(_, v, u)| (u, v))
            };
            if let Some((u, v)) = meeting {
                let mut chain = bfs.forward.trace(u);
                chain.reverse();
                chain.extend(bfs.backward.trace(v));
                return Some(chain);
            }
        }
        None
    }

    /// Modules from which some module in `to` can be reached without passing through an
    /// excluded module (the `to` modules themselves included), as a mask over module ids.
    pub fn can_reach(&self, to: &[ModuleId], excluded: &dyn Fn(ModuleId) -> bool) -> Vec<bool> {
        let mut mask = vec![false; self.graph.len()];
        let mut stack: Vec<ModuleId> = Vec::new();
        for &t in to {
            if !mask[t as usize] {
                mask[t as usize] = true;
                stack.push(t);
            }
        }
        while let Some(v) = stack.pop() {
            for u in self.importers_of(v) {
                if !mask[u as usize] && !excluded(u) {
                    mask[u as usize] = true;
                    stack.push(u);
                }
            }
        }
        mask
    }

    /// From one source, the shortest chain to every target reachable through modules that are
    /// not excluded (targets end a chain; they are never passed through).
    pub fn shortest_chains_from(
        &self,
        bfs: &mut Bfs,
        source: ModuleId,
        is_target: &dyn Fn(ModuleId) -> bool,
        excluded: &dyn Fn(ModuleId) -> bool,
    ) -> Vec<Vec<ModuleId>> {
        bfs.reset();
        let generation = bfs.generation;
        bfs.forward.mark(source, source, 0, generation);
        bfs.queue.push_back(source);
        let mut found: FxHashSet<ModuleId> = FxHashSet::default();
        // (target, the module it was reached from), in order of discovery.
        let mut via: Vec<(ModuleId, ModuleId)> = Vec::new();
        while let Some(m) = bfs.queue.pop_front() {
            for next in self.imports_of(m) {
                if next == source {
                    continue;
                }
                if is_target(next) {
                    if found.insert(next) {
                        via.push((next, m));
                    }
                    continue;
                }
                if bfs.forward.seen(next, generation) || excluded(next) {
                    continue;
                }
                let d = bfs.forward.dist[m as usize] + 1;
                bfs.forward.mark(next, m, d, generation);
                bfs.queue.push_back(next);
            }
        }
        via.into_iter()
            .map(|(target, last)| {
                let mut chain = bfs.forward.trace(last);
                chain.reverse();
                chain.push(target);
                chain
            })
            .collect()
    }

    /// Whether any chain leads from a module in `from` to one in `to`.
    pub fn chain_exists(&self, bfs: &mut Bfs, from: &[ModuleId], to: &[ModuleId]) -> bool {
        self.shortest_chain(bfs, from, to, &|_| false, &FxHashSet::default())
            .is_some()
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
