//! What the HTML report shows beyond the findings: the package graph, the dependency table and
//! the timings.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use archlint_contracts::ContractResult;
use archlint_engine::Project;
use archlint_graph::package_at_depth;
use archlint_html::{PackageRow, Page, Timing, svg};

use archlint_check::DepsRun;

/// More package nodes than this and the picture falls back to top-level packages.
const MAX_NODES: usize = 80;

/// Modules collapsed to packages, with the packages that must be split further so that every
/// broken import joins two different nodes.
struct Collapse {
    depth: usize,
    split: HashSet<String>,
}

impl Collapse {
    fn node<'n>(&self, name: &'n str) -> &'n str {
        let mut d = self.depth;
        loop {
            let p = package_at_depth(name, d);
            if p.len() < name.len() && self.split.contains(p) {
                d += 1;
            } else {
                return p;
            }
        }
    }
}

/// The package graph, with the imports of broken chains marked.
pub fn graph(project: &Project, results: &[ContractResult]) -> svg::Graph {
    let g = &project.graph;
    let internal: Vec<&str> = g
        .modules()
        .filter(|&m| !g.is_squashed(m))
        .map(|m| g.name(m))
        .collect();
    let roots: BTreeSet<&str> = internal.iter().map(|m| package_at_depth(m, 1)).collect();
    let mut depth = if roots.len() == 1 { 2 } else { 1 };
    if depth == 2
        && internal
            .iter()
            .map(|m| package_at_depth(m, 2))
            .collect::<HashSet<_>>()
            .len()
            > MAX_NODES
    {
        depth = 1;
    }
    let mut collapse = Collapse {
        depth,
        split: HashSet::new(),
    };
    // Every import of a broken chain is drawn red; a package is split only where the violation
    // itself (first importer → last imported) would otherwise fall inside one node.
    let mut broken: Vec<(&str, &str)> = Vec::new();
    let mut ends: Vec<(&str, &str)> = Vec::new();
    for r in results.iter().filter(|r| !r.kept) {
        for v in &r.violations {
            for route in &v.routes {
                for l in &route.chain {
                    broken.push((&l.importer, &l.imported));
                }
                if let (Some(first), Some(last)) = (route.chain.first(), route.chain.last()) {
                    ends.push((&first.importer, &last.imported));
                }
            }
        }
    }
    for &(a, b) in &ends {
        loop {
            let (na, nb) = (collapse.node(a), collapse.node(b));
            if na != nb || na == a || collapse.split.len() > MAX_NODES {
                break;
            }
            collapse.split.insert(na.to_owned());
        }
    }
    let external = |name: &str| g.id(name).is_some_and(|id| g.is_squashed(id));
    let bad: HashSet<(String, String)> = broken
        .iter()
        .map(|&(a, b)| (collapse.node(a).to_owned(), collapse.node(b).to_owned()))
        .collect();
    let shown_external: HashSet<&str> = bad
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .filter(|n| external(n))
        .collect();
    let mut nodes: BTreeMap<String, bool> = BTreeMap::new();
    for m in &internal {
        nodes.insert(collapse.node(m).to_owned(), false);
    }
    for n in &shown_external {
        nodes.insert((*n).to_owned(), true);
    }
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (a, b) in g.edges() {
        let (a, b) = (collapse.node(g.name(a)), collapse.node(g.name(b)));
        if a == b || !nodes.contains_key(a) || !nodes.contains_key(b) {
            continue;
        }
        *edges.entry((a.to_owned(), b.to_owned())).or_default() += 1;
    }
    svg::Graph {
        nodes: nodes
            .into_iter()
            .map(|(name, external)| svg::Node { name, external })
            .collect(),
        edges: edges
            .into_iter()
            .map(|((from, to), imports)| {
                let violation = bad.contains(&(from.clone(), to.clone()));
                svg::Edge {
                    from,
                    to,
                    imports,
                    violation,
                }
            })
            .collect(),
    }
}

fn packages(run: &DepsRun) -> Vec<PackageRow> {
    let mut vulns: HashMap<&str, Vec<String>> = HashMap::new();
    if let Some(audit) = &run.audit {
        for p in &audit.checked {
            vulns
                .entry(p.name.as_str())
                .or_default()
                .extend(p.vulnerabilities.iter().map(|v| v.id.clone()));
        }
    }
    let mut codes: HashMap<String, (Vec<String>, archlint_deps::Level)> = HashMap::new();
    for f in run.report.findings.iter().filter(|f| f.excepted.is_none()) {
        if let Some(p) = &f.package {
            let entry = codes
                .entry(archlint_inventory::normalize_name(p))
                .or_insert((Vec::new(), archlint_deps::Level::Warn));
            if !entry.0.iter().any(|c| c == f.code) {
                entry.0.push(f.code.to_owned());
            }
            if f.level == archlint_deps::Level::Error {
                entry.1 = archlint_deps::Level::Error;
            }
        }
    }
    run.report
        .packages
        .iter()
        .map(|p| {
            let key = archlint_inventory::normalize_name(&p.name);
            let (findings, level) = codes
                .get(&key)
                .cloned()
                .unwrap_or((Vec::new(), archlint_deps::Level::Warn));
            let status = if findings.is_empty() {
                "ok"
            } else if level == archlint_deps::Level::Error {
                "error"
            } else {
                "warning"
            };
            PackageRow {
                name: p.name.clone(),
                version: p.version.clone(),
                role: p.role.name().into(),
                license: p
                    .license
                    .expression
                    .clone()
                    .or_else(|| p.license.raw.clone())
                    .unwrap_or_else(|| "unknown".into()),
                license_verdict: p.verdict.name().into(),
                vulnerabilities: vulns.get(key.as_str()).cloned().unwrap_or_default(),
                findings,
                status: status.into(),
            }
        })
        .collect()
}

/// The page around the findings.
pub fn page(
    project: &Project,
    results: &[ContractResult],
    deps: Option<&DepsRun>,
    total_ms: f64,
) -> Page {
    let t = &project.timings;
    let mut timings = vec![
        Timing {
            phase: "discover".into(),
            ms: t.discover_ms,
        },
        Timing {
            phase: "parse (stat, hash, cache, parse)".into(),
            ms: t.parse_ms,
        },
        Timing {
            phase: "graph".into(),
            ms: t.graph_ms,
        },
        Timing {
            phase: "contracts".into(),
            ms: t.contracts_ms,
        },
    ];
    if let Some(run) = deps {
        timings.push(Timing {
            phase: "dependencies".into(),
            ms: run.total_ms,
        });
    }
    timings.push(Timing {
        phase: "total".into(),
        ms: total_ms,
    });
    Page {
        title: project
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| project.root.display().to_string()),
        root: project.root.display().to_string(),
        config: project
            .config
            .as_ref()
            .map(|c| archlint_engine::display_path(&project.root, &c.path)),
        files: project.files.len(),
        modules: project.graph.module_count(),
        imports: project.graph.edge_count(),
        graph: graph(project, results),
        packages: deps.map(packages),
        vulnerability_note: deps.and_then(|d| d.vulnerability_note.clone()),
        timings,
    }
}
