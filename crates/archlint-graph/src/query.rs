//! Traversals: shortest chains with excluded modules and imports, reachability, cycles.

use rustc_hash::FxHashSet;

use crate::{ImportGraph, ModuleId};

/// The graph with some imports hidden (a contract's `ignore_imports`).
#[derive(Debug, Clone)]
pub struct GraphView<'g> {
    graph: &'g ImportGraph,
    removed: FxHashSet<(ModuleId, ModuleId)>,
}

/// Reusable scratch space for breadth-first searches over one graph.
#[derive(Debug, Clone)]
pub struct Bfs {
    stamp: Vec<u32>,
    generation: u32,
    prev: Vec<ModuleId>,
    queue: std::collections::VecDeque<ModuleId>,
    back_stamp: Vec<u32>,
    next: Vec<ModuleId>,
    dist: Vec<u32>,
    back_dist: Vec<u32>,
}

impl Bfs {
    /// Scratch space for a graph of `n` ids.
    pub fn new(n: usize) -> Self {
        Self {
            stamp: vec![0; n],
            generation: 0,
            prev: vec![0; n],
            queue: std::collections::VecDeque::new(),
            back_stamp: vec![0; n],
            next: vec![0; n],
            dist: vec![0; n],
            back_dist: vec![0; n],
        }
    }

    fn reset(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.fill(0);
            self.back_stamp.fill(0);
            self.generation = 1;
        }
        self.queue.clear();
    }

    fn seen(&self, m: ModuleId) -> bool {
        self.stamp[m as usize] == self.generation
    }

    fn mark(&mut self, m: ModuleId, prev: ModuleId) {
        self.stamp[m as usize] = self.generation;
        self.prev[m as usize] = prev;
    }

    fn seen_back(&self, m: ModuleId) -> bool {
        self.back_stamp[m as usize] == self.generation
    }

    fn mark_back(&mut self, m: ModuleId, next: ModuleId, dist: u32) {
        self.back_stamp[m as usize] = self.generation;
        self.next[m as usize] = next;
        self.back_dist[m as usize] = dist;
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
        let blocked = |a: ModuleId, b: ModuleId| {
            !excluded_imports.is_empty() && excluded_imports.contains(&(a, b))
        };
        let mut forward: Vec<ModuleId> = Vec::new();
        for &s in from {
            if !bfs.seen(s) {
                bfs.mark(s, s);
                bfs.dist[s as usize] = 0;
                forward.push(s);
            }
        }
        let mut backward: Vec<ModuleId> = Vec::new();
        for &t in to {
            if bfs.seen(t) {
                return Some(vec![t]);
            }
            if !bfs.seen_back(t) {
                bfs.mark_back(t, t, 0);
                backward.push(t);
            }
        }
        let mut next_level: Vec<ModuleId> = Vec::new();
        while !forward.is_empty() && !backward.is_empty() {
            // (length, importer, imported) of the best meeting edge found in this level.
            let mut best: Option<(u32, ModuleId, ModuleId)> = None;
            next_level.clear();
            if forward.len() <= backward.len() {
                for &u in &forward {
                    for v in self.imports_of(u) {
                        if blocked(u, v) {
                            continue;
                        }
                        if bfs.seen_back(v) {
                            let len = bfs.dist[u as usize] + 1 + bfs.back_dist[v as usize];
                            if best.is_none_or(|(l, _, _)| len < l) {
                                best = Some((len, u, v));
                            }
                        } else if !bfs.seen(v) && !excluded(v) {
                            bfs.mark(v, u);
                            bfs.dist[v as usize] = bfs.dist[u as usize] + 1;
                            next_level.push(v);
                        }
                    }
                }
                std::mem::swap(&mut forward, &mut next_level);
            } else {
                for &v in &backward {
                    for u in self.importers_of(v) {
                        if blocked(u, v) {
                            continue;
                        }
                        if bfs.seen(u) {
                            let len = bfs.dist[u as usize] + 1 + bfs.back_dist[v as usize];
                            if best.is_none_or(|(l, _, _)| len < l) {
                                best = Some((len, u, v));
                            }
                        } else if !bfs.seen_back(u) && !excluded(u) {
                            let d = bfs.back_dist[v as usize] + 1;
                            bfs.mark_back(u, v, d);
                            next_level.push(u);
                        }
                    }
                }
                std::mem::swap(&mut backward, &mut next_level);
            }
            if let Some((_, u, v)) = best {
                let mut chain = vec![u];
                let mut cur = u;
                while bfs.prev[cur as usize] != cur {
                    cur = bfs.prev[cur as usize];
                    chain.push(cur);
                }
                chain.reverse();
                let mut cur = v;
                chain.push(cur);
                while bfs.next[cur as usize] != cur {
                    cur = bfs.next[cur as usize];
                    chain.push(cur);
                }
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
        bfs.mark(source, source);
        bfs.queue.push_back(source);
        let mut found: Vec<ModuleId> = Vec::new();
        let mut found_set: FxHashSet<ModuleId> = FxHashSet::default();
        let mut via: Vec<(ModuleId, ModuleId)> = Vec::new();
        while let Some(m) = bfs.queue.pop_front() {
            for next in self.imports_of(m) {
                if next == source {
                    continue;
                }
                if is_target(next) {
                    if found_set.insert(next) {
                        found.push(next);
                        via.push((next, m));
                    }
                    continue;
                }
                if bfs.seen(next) || excluded(next) {
                    continue;
                }
                bfs.mark(next, m);
                bfs.queue.push_back(next);
            }
        }
        via.into_iter()
            .map(|(target, last)| {
                let mut chain = vec![target, last];
                let mut cur = last;
                while bfs.prev[cur as usize] != cur {
                    cur = bfs.prev[cur as usize];
                    chain.push(cur);
                }
                chain.reverse();
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
