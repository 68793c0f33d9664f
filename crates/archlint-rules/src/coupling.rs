//! Package coupling: Martin's metrics and import cycles between packages.

use archlint_graph::{ImportGraph, package_at_depth};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::catalog::{MainSequenceDistance, PackageCycle as PackageCycleRule};
use crate::recursion::strongly_connected;
use crate::{Ctx, ModuleInput, Raw, Related, RuleFinding};

/// Coupling figures of one package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageMetrics {
    pub package: String,
    /// Modules in the package (itself and its descendants).
    pub modules: usize,
    /// Afferent coupling: modules outside the package that import it.
    pub ca: usize,
    /// Efferent coupling: modules outside the package that it imports.
    pub ce: usize,
    /// Ce / (Ca + Ce); 0 when nothing is coupled.
    pub instability: f64,
    pub classes: usize,
    pub abstract_classes: usize,
    /// Abstract classes / classes; 0 without classes.
    pub abstractness: f64,
    /// |A + I − 1|.
    pub distance: f64,
}

/// A cycle between packages, one import per step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageCycle {
    pub packages: Vec<String>,
    /// (importer, imported, line) for each step of one cycle.
    pub steps: Vec<(String, String, u32)>,
}

/// Project-internal edges, as indexes into `modules`.
fn internal_edges(modules: &[ModuleInput], graph: &ImportGraph) -> Vec<(usize, usize)> {
    let ids: Vec<Option<u32>> = modules.iter().map(|m| graph.id(m.module)).collect();
    let by_id: FxHashMap<u32, usize> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| id.map(|id| (id, i)))
        .collect();
    let mut edges = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        for target in graph.imports_of(*id) {
            if let Some(&j) = by_id.get(target) {
                edges.push((i, j));
            }
        }
    }
    edges
}

/// Martin's metrics for every package of `depth` components.
pub fn package_metrics(
    modules: &[ModuleInput],
    graph: &ImportGraph,
    depth: usize,
) -> Vec<PackageMetrics> {
    let package_of: Vec<&str> = modules
        .iter()
        .map(|m| package_at_depth(m.module, depth))
        .collect();
    let mut afferent: FxHashMap<&str, FxHashSet<usize>> = FxHashMap::default();
    let mut efferent: FxHashMap<&str, FxHashSet<usize>> = FxHashMap::default();
    for (i, j) in internal_edges(modules, graph) {
        let (pi, pj) = (package_of[i], package_of[j]);
        if pi != pj {
            efferent.entry(pi).or_default().insert(j);
            afferent.entry(pj).or_default().insert(i);
        }
    }
    let mut packages: FxHashMap<&str, (usize, usize, usize)> = FxHashMap::default();
    for (m, p) in modules.iter().zip(&package_of) {
        let entry = packages.entry(p).or_default();
        entry.0 += 1;
        entry.1 += m.facts.classes.len();
        entry.2 += m.facts.classes.iter().filter(|c| c.is_abstract).count();
    }
    let mut out: Vec<PackageMetrics> = packages
        .into_iter()
        .map(|(package, (count, classes, abstract_classes))| {
            let ca = afferent.get(package).map_or(0, FxHashSet::len);
            let ce = efferent.get(package).map_or(0, FxHashSet::len);
            let instability = if ca + ce == 0 {
                0.0
            } else {
                ce as f64 / (ca + ce) as f64
            };
            let abstractness = if classes == 0 {
                0.0
            } else {
                abstract_classes as f64 / classes as f64
            };
            PackageMetrics {
                package: package.to_owned(),
                modules: count,
                ca,
                ce,
                instability,
                classes,
                abstract_classes,
                abstractness,
                distance: (abstractness + instability - 1.0).abs(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.package.cmp(&b.package));
    out
}

/// Cycles between packages of `depth` components, one per strongly connected group.
pub fn package_cycles(
    modules: &[ModuleInput],
    graph: &ImportGraph,
    depth: usize,
) -> Vec<PackageCycle> {
    let package_of: Vec<&str> = modules
        .iter()
        .map(|m| package_at_depth(m.module, depth))
        .collect();
    let mut edges: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    // One example import per package pair: the first by module order.
    let mut example: FxHashMap<(&str, &str), (usize, usize)> = FxHashMap::default();
    for (i, j) in internal_edges(modules, graph) {
        let (pi, pj) = (package_of[i], package_of[j]);
        if pi == pj {
            continue;
        }
        let targets = edges.entry(pi).or_default();
        if !targets.contains(&pj) {
            targets.push(pj);
        }
        example
            .entry((pi, pj))
            .and_modify(|e| {
                if (modules[i].module, modules[j].module)
                    < (modules[e.0].module, modules[e.1].module)
                {
                    *e = (i, j);
                }
            })
            .or_insert((i, j));
    }
    for targets in edges.values_mut() {
        targets.sort_unstable();
    }
    let mut cycles = Vec::new();
    for component in strongly_connected(&edges) {
        if component.len() < 2 {
            continue;
        }
        let mut members = component.clone();
        members.sort_unstable();
        let inside: FxHashSet<&str> = members.iter().copied().collect();
        // Shortest cycle through the first member.
        let start = members[0];
        let mut previous: FxHashMap<&str, &str> = FxHashMap::default();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut cycle = vec![start];
        'search: while let Some(n) = queue.pop_front() {
            for &t in edges.get(n).map(Vec::as_slice).unwrap_or(&[]) {
                if t == start {
                    let mut path = vec![n];
                    let mut at = n;
                    while at != start {
                        at = previous[at];
                        path.push(at);
                    }
                    path.reverse();
                    path.dedup();
                    cycle = path;
                    break 'search;
                }
                if inside.contains(t) && !previous.contains_key(t) {
                    previous.insert(t, n);
                    queue.push_back(t);
                }
            }
        }
        let mut steps = Vec::new();
        for (k, &from) in cycle.iter().enumerate() {
            let to = cycle[(k + 1) % cycle.len()];
            if let Some(&(i, j)) = example.get(&(from, to)) {
                let line = match (graph.id(modules[i].module), graph.id(modules[j].module)) {
                    (Some(a), Some(b)) => graph.details(a, b).first().map_or(1, |d| d.line),
                    _ => 1,
                };
                steps.push((
                    modules[i].module.to_owned(),
                    modules[j].module.to_owned(),
                    line,
                ));
            }
        }
        cycles.push(PackageCycle {
            packages: members.iter().map(|p| (*p).to_owned()).collect(),
            steps,
        });
    }
    cycles.sort_by(|a, b| a.packages.cmp(&b.packages));
    cycles
}

pub(crate) fn check_cycles(ctx: &Ctx, graph: &ImportGraph, out: &mut Vec<Raw>) {
    let by_name = &ctx.by_name;
    for cycle in package_cycles(ctx.modules, graph, ctx.config.cycle_depth) {
        let Some((importer, _, line)) = cycle.steps.first() else {
            continue;
        };
        let Some(&m) = by_name.get(importer.as_str()) else {
            continue;
        };
        let mut spelled: Vec<&str> = cycle
            .steps
            .iter()
            .map(|(a, _, _)| package_at_depth(a, ctx.config.cycle_depth))
            .collect();
        spelled.push(spelled[0]);
        let related = cycle
            .steps
            .iter()
            .filter_map(|(a, b, line)| {
                by_name.get(a.as_str()).map(|&i| Related {
                    path: ctx.modules[i].path.to_owned(),
                    line: *line,
                    end_line: None,
                    message: format!("{a} imports {b}"),
                })
            })
            .collect();
        let others = if cycle.packages.len() > cycle.steps.len() {
            format!(
                " ({} packages in the cycle group: {})",
                cycle.packages.len(),
                cycle.packages.join(", ")
            )
        } else {
            String::new()
        };
        out.push(Raw {
            module: m,
            anchor: *line..=*line,
            finding: RuleFinding {
                code: PackageCycleRule::CODE,
                path: ctx.modules[m].path.to_owned(),
                module: ctx.modules[m].module.to_owned(),
                line: *line,
                column: None,
                end_line: None,
                message: format!(
                    "packages import each other in a cycle: {}{others}",
                    spelled.join(" → ")
                ),
                help: Some(
                    "move what both need into a package of its own, or invert one import".into(),
                ),
                symbol: cycle.packages.join(","),
                related,
            },
        });
    }
}

pub(crate) fn check_distance(ctx: &Ctx, graph: &ImportGraph, out: &mut Vec<Raw>) {
    let config = ctx.config;
    let by_name = &ctx.by_name;
    for p in package_metrics(ctx.modules, graph, config.distance_depth) {
        if p.modules < config.distance_min_modules || p.distance <= config.max_distance {
            continue;
        }
        // Reported on the package's __init__.py, or its first module.
        let m = by_name.get(p.package.as_str()).copied().or_else(|| {
            ctx.modules
                .iter()
                .position(|m| package_at_depth(m.module, config.distance_depth) == p.package)
        });
        let Some(m) = m else { continue };
        let zone = if p.abstractness + p.instability < 1.0 {
            "zone of pain: concrete and depended upon"
        } else {
            "zone of uselessness: abstract and little used"
        };
        out.push(Raw {
            module: m,
            anchor: 1..=1,
            finding: RuleFinding {
                code: MainSequenceDistance::CODE,
                path: ctx.modules[m].path.to_owned(),
                module: ctx.modules[m].module.to_owned(),
                line: 1,
                column: None,
                end_line: None,
                message: format!(
                    "package {} is {:.2} from the main sequence (limit {:.2}; Ca {}, Ce {}, \
                     I {:.2}, A {:.2}): {zone}",
                    p.package,
                    p.distance,
                    config.max_distance,
                    p.ca,
                    p.ce,
                    p.instability,
                    p.abstractness
                ),
                help: Some(
                    "depend on abstractions, or split the stable core from the volatile parts"
                        .into(),
                ),
                symbol: p.package.clone(),
                related: Vec::new(),
            },
        });
    }
}
