//! grimp's `nominate_cycle_breakers`: the imports whose removal would leave a package's
//! children (or the given packages) without cycles.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::{Graph, GraphError, Result, Token};

impl Graph {
    /// For one package, its children are the nodes; for several, the packages themselves (which
    /// must not contain each other). Nodes are ordered as grimp orders them (an Eades–Lin–Smyth
    /// ordering: sources, then the rest by weighted out-degree minus in-degree with ties to the
    /// earlier name, then sinks); every module-level import behind a dependency that points
    /// backwards in that order is a breaker.
    pub fn nominate_cycle_breakers(
        &self,
        package: &str,
        additional: &[String],
    ) -> Result<Vec<(String, String)>> {
        let package = self.visible(package)?;
        let mut nodes: Vec<Token> = if additional.is_empty() {
            self.node(package).children.iter().copied().collect()
        } else {
            let mut nodes: FxHashSet<Token> = [package].into_iter().collect();
            for name in additional {
                nodes.insert(self.visible(name)?);
            }
            for &n in &nodes {
                if self.descendant_tokens(n).iter().any(|d| nodes.contains(d)) {
                    return Err(GraphError::SharedDescendants);
                }
            }
            nodes.into_iter().collect()
        };
        if nodes.len() < 2 {
            return Ok(Vec::new());
        }
        nodes.sort_unstable_by(|&a, &b| self.name(a).cmp(self.name(b)));
        let n = nodes.len();
        let mut behind: FxHashMap<(usize, usize), Vec<(Token, Token)>> = FxHashMap::default();
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let imports = self.direct_imports_between(nodes[i], nodes[j])?;
                    if !imports.is_empty() {
                        behind.insert((i, j), imports);
                    }
                }
            }
        }
        let order = order(n, &behind);
        let mut position = vec![0; n];
        for (p, &v) in order.iter().enumerate() {
            position[v] = p;
        }
        let mut out: Vec<(String, String)> = behind
            .iter()
            .filter(|((a, b), _)| position[*b] < position[*a])
            .flat_map(|(_, imports)| imports)
            .map(|&(a, b)| (self.name(a).to_owned(), self.name(b).to_owned()))
            .collect();
        out.sort_unstable();
        Ok(out)
    }
}

/// The node order (nodes are indices in name order, so index order is name order).
fn order(n: usize, behind: &FxHashMap<(usize, usize), Vec<(Token, Token)>>) -> Vec<usize> {
    let mut out: Vec<FxHashMap<usize, i64>> = vec![FxHashMap::default(); n];
    let mut inward: Vec<FxHashMap<usize, i64>> = vec![FxHashMap::default(); n];
    for (&(a, b), imports) in behind {
        out[a].insert(b, imports.len() as i64);
        inward[b].insert(a, imports.len() as i64);
    }
    let mut left: Vec<usize> = (0..n).collect();
    // Sources round by round, in order; then sinks round by round, each round ahead of the
    // ones before.
    let mut sources: Vec<usize> = peel(&mut left, &mut out, &mut inward, true).concat();
    let mut sinks: Vec<usize> = Vec::new();
    for round in peel(&mut left, &mut out, &mut inward, false) {
        sinks.splice(0..0, round);
    }
    let mut middle = Vec::new();
    while !left.is_empty() {
        let difference = |v: usize| out[v].values().sum::<i64>() - inward[v].values().sum::<i64>();
        // Highest difference first; ties to the earlier name (the lower index).
        let best = left
            .iter()
            .copied()
            .max_by(|&x, &y| difference(x).cmp(&difference(y)).then_with(|| y.cmp(&x)))
            .expect("nodes are left");
        remove(best, &mut out, &mut inward);
        left.retain(|&v| v != best);
        middle.push(best);
    }
    sources.extend(middle);
    sources.extend(sinks);
    sources
}

type Degrees = Vec<FxHashMap<usize, i64>>;

/// Take `v` out of the working graph.
fn remove(v: usize, out: &mut Degrees, inward: &mut Degrees) {
    for b in std::mem::take(&mut out[v]).into_keys() {
        inward[b].remove(&v);
    }
    for a in std::mem::take(&mut inward[v]).into_keys() {
        out[a].remove(&v);
    }
}

/// Take out, round by round, the nodes left with no importer (`sources`) or no import (else),
/// until a round finds none; the rounds in order.
fn peel(
    left: &mut Vec<usize>,
    out: &mut Degrees,
    inward: &mut Degrees,
    sources: bool,
) -> Vec<Vec<usize>> {
    let mut rounds = Vec::new();
    loop {
        let round: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&v| {
                if sources {
                    inward[v].is_empty()
                } else {
                    out[v].is_empty()
                }
            })
            .collect();
        if round.is_empty() {
            return rounds;
        }
        for &v in &round {
            remove(v, out, inward);
        }
        left.retain(|v| !round.contains(v));
        rounds.push(round);
    }
}
