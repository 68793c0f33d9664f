//! Chain queries — shortest chains, whether a chain exists, illegal dependencies between
//! layers — run by archlint's chain search on a frozen copy of the graph.

use archlint_facts::ImportKind;
use archlint_graph::{Bfs, GraphView, ImportDetail, ImportGraph, ModuleId};
use rustc_hash::FxHashSet;

use crate::{Graph, GraphError, Result, Token};

/// The graph frozen for searching; made on the first chain query after a change.
#[derive(Debug, Clone)]
pub(crate) struct Frozen {
    graph: ImportGraph,
}

/// One level of a layered architecture: its layers (module names, relative to the container
/// when there is one), whether they are independent of each other, and whether the level is
/// closed (higher levels may not import past it).
#[derive(Debug, Clone)]
pub struct Level {
    pub layers: Vec<String>,
    pub independent: bool,
    pub closed: bool,
}

/// Chains that share their middle: every head imports the middle's first module, the middle's
/// last module imports every tail.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub heads: Vec<String>,
    pub middle: Vec<String>,
    pub tails: Vec<String>,
}

/// A lower layer depending on a higher one (or a layer on an independent sibling).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PackageDependency {
    pub importer: String,
    pub imported: String,
    pub routes: Vec<Route>,
}

impl Graph {
    fn frozen(&self) -> &Frozen {
        self.frozen.get_or_init(|| {
            let live = self.nodes.iter().flatten();
            let modules = live
                .clone()
                .filter(|n| !n.invisible)
                .map(|n| (n.name.to_string(), n.squashed));
            let detail = ImportDetail {
                line: 0,
                column: 0,
                kind: ImportKind::Import,
                type_checking: false,
                in_function: false,
            };
            let edges = live.flat_map(|n| {
                n.imports
                    .iter()
                    .map(|&b| (n.name.to_string(), self.name(b).to_owned(), detail.clone()))
            });
            Frozen {
                graph: ImportGraph::from_parts(modules, edges),
            }
        })
    }

    /// The frozen graph's ids of `tokens` (modules with no imports may be missing from it).
    fn ids(&self, frozen: &Frozen, tokens: &FxHashSet<Token>) -> Vec<ModuleId> {
        let mut ids: Vec<ModuleId> = tokens
            .iter()
            .filter_map(|&t| frozen.graph.id(self.name(t)))
            .collect();
        ids.sort_unstable();
        ids
    }

    fn chain_between(&self, from: &FxHashSet<Token>, to: &FxHashSet<Token>) -> Option<Vec<String>> {
        let frozen = self.frozen();
        let graph = &frozen.graph;
        let (from, to) = (self.ids(frozen, from), self.ids(frozen, to));
        let mut bfs = Bfs::new(graph.len());
        GraphView::new(graph)
            .shortest_chain(&mut bfs, &from, &to, None, &FxHashSet::default())
            .map(|chain| chain.iter().map(|&m| graph.name(m).to_owned()).collect())
    }

    /// A shortest chain of imports from `importer` to `imported` (with their descendants when
    /// `as_packages`).
    pub fn find_shortest_chain(
        &self,
        importer: &str,
        imported: &str,
        as_packages: bool,
    ) -> Result<Option<Vec<String>>> {
        let (from, to) = self.ends(importer, imported, as_packages)?;
        Ok(self.chain_between(&from, &to))
    }

    /// Where chains start and end: the two modules (with their descendants when
    /// `as_packages`), which must not overlap.
    fn ends(
        &self,
        importer: &str,
        imported: &str,
        as_packages: bool,
    ) -> Result<(FxHashSet<Token>, FxHashSet<Token>)> {
        let (from, to) = self.packages(
            self.visible(importer)?,
            self.visible(imported)?,
            as_packages,
        )?;
        if !as_packages && from == to {
            return Err(GraphError::SharedDescendants);
        }
        Ok((from, to))
    }

    pub fn chain_exists(&self, importer: &str, imported: &str, as_packages: bool) -> Result<bool> {
        Ok(self
            .find_shortest_chain(importer, imported, as_packages)?
            .is_some())
    }

    /// grimp's `find_shortest_chains`: a shortest chain, then its imports hidden and again,
    /// until none is left.
    pub fn find_shortest_chains(
        &self,
        importer: &str,
        imported: &str,
        as_packages: bool,
    ) -> Result<Vec<Vec<String>>> {
        let (from, to) = self.ends(importer, imported, as_packages)?;
        Ok(self.chains_between(&from, &to, &FxHashSet::default()))
    }

    fn chains_between(
        &self,
        from: &FxHashSet<Token>,
        to: &FxHashSet<Token>,
        excluded: &FxHashSet<ModuleId>,
    ) -> Vec<Vec<String>> {
        let frozen = self.frozen();
        let graph = &frozen.graph;
        let (from, to) = (self.ids(frozen, from), self.ids(frozen, to));
        let mut bfs = Bfs::new(graph.len());
        let skip = |m: ModuleId| excluded.contains(&m);
        GraphView::new(graph)
            .shortest_chains(&mut bfs, &from, &to, Some(&skip))
            .into_iter()
            .map(|chain| chain.iter().map(|&m| graph.name(m).to_owned()).collect())
            .collect()
    }

    /// grimp's `find_illegal_dependencies_for_layers`: for every pair of layers that may not
    /// depend on each other, the routes by which one does — never through a third layer.
    pub fn find_illegal_dependencies_for_layers(
        &self,
        levels: &[Level],
        containers: &[String],
    ) -> Result<Vec<PackageDependency>> {
        let mut prefixes: Vec<Option<&str>> = Vec::new();
        for c in containers {
            self.visible(c)
                .map_err(|_| GraphError::NoSuchContainer(c.clone()))?;
            prefixes.push(Some(c));
        }
        if prefixes.is_empty() {
            prefixes.push(None);
        }
        let mut out = Vec::new();
        for prefix in prefixes {
            let resolved: Vec<(Vec<Token>, bool, bool)> = levels
                .iter()
                .map(|level| {
                    let tokens = level
                        .layers
                        .iter()
                        .map(|tail| match prefix {
                            Some(c) => format!("{c}.{tail}"),
                            None => tail.clone(),
                        })
                        .filter_map(|name| self.visible(&name).ok())
                        .collect();
                    (tokens, level.independent, level.closed)
                })
                .collect();
            out.extend(self.illegal_dependencies(&resolved)?);
        }
        out.sort();
        Ok(out)
    }

    fn illegal_dependencies(
        &self,
        levels: &[(Vec<Token>, bool, bool)],
    ) -> Result<Vec<PackageDependency>> {
        let mut pairs: FxHashSet<(Token, Token)> = FxHashSet::default();
        for (index, (modules, independent, _)) in levels.iter().enumerate() {
            for &module in modules {
                for (lower, _, _) in &levels[index + 1..] {
                    pairs.extend(lower.iter().map(|&l| (l, module)));
                }
                if *independent {
                    pairs.extend(
                        modules
                            .iter()
                            .filter(|&&s| s != module)
                            .map(|&s| (module, s)),
                    );
                }
                // Higher levels may not import past a closed level in between.
                let mut closed = false;
                for (higher, _, higher_closed) in levels[..index].iter().rev() {
                    if closed {
                        pairs.extend(higher.iter().map(|&h| (h, module)));
                    }
                    closed |= higher_closed;
                }
            }
        }
        let frozen = self.frozen();
        let all_layer_modules: FxHashSet<Token> = levels
            .iter()
            .flat_map(|(modules, _, _)| modules)
            .flat_map(|&m| self.with_descendants(m))
            .collect();
        let mut out = Vec::new();
        let mut pairs: Vec<(Token, Token)> = pairs.into_iter().collect();
        pairs.sort_unstable_by(|a, b| {
            (self.name(a.0), self.name(a.1)).cmp(&(self.name(b.0), self.name(b.1)))
        });
        for (from, to) in pairs {
            let (from_set, to_set) = self.packages(from, to, true)?;
            if self.chain_between(&from_set, &to_set).is_none() {
                continue;
            }
            let excluded: FxHashSet<Token> = all_layer_modules
                .iter()
                .copied()
                .filter(|m| !from_set.contains(m) && !to_set.contains(m))
                .collect();
            let excluded: FxHashSet<ModuleId> = self.ids(frozen, &excluded).into_iter().collect();
            let mut routes = Vec::new();
            for chain in self.chains_between(&from_set, &to_set, &excluded) {
                let (head, tail) = (&chain[0], &chain[chain.len() - 1]);
                if chain.len() == 2 {
                    routes.push(Route {
                        heads: vec![head.clone()],
                        middle: Vec::new(),
                        tails: vec![tail.clone()],
                    });
                    continue;
                }
                let middle = chain[1..chain.len() - 1].to_vec();
                let first = self
                    .token(&middle[0])
                    .expect("a chain's module is in the graph");
                let last = self
                    .token(&middle[middle.len() - 1])
                    .expect("a chain's module is in the graph");
                let heads = self.names_of(
                    from_set
                        .iter()
                        .copied()
                        .filter(|&h| self.node(h).imports.contains(&first)),
                );
                let tails = self.names_of(
                    to_set
                        .iter()
                        .copied()
                        .filter(|t| self.node(last).imports.contains(t)),
                );
                routes.push(Route {
                    heads,
                    middle,
                    tails,
                });
            }
            if routes.is_empty() {
                continue;
            }
            routes.sort();
            routes.dedup();
            out.push(PackageDependency {
                importer: self.name(from).to_owned(),
                imported: self.name(to).to_owned(),
                routes,
            });
        }
        Ok(out)
    }
}
