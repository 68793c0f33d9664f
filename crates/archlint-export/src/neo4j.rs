//! The Neo4j mapping: Module, Package, Distribution and Vulnerability nodes; IMPORTS,
//! CONTAINS, DEPENDS_ON and AFFECTED_BY relationships.

use std::collections::{BTreeMap, BTreeSet};

use archlint_graph::ResolvedImport;
use archlint_neo4j::{Graph, Kind, Nodes, Relationships};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::{kind_name, module_keys, resolved_imports, tag};
use archlint_check::Report;

/// Parent package of a dotted name.
fn parent(name: &str) -> Option<&str> {
    name.rfind('.').map(|i| &name[..i])
}

/// Module, Package, Distribution and Vulnerability nodes; IMPORTS, CONTAINS, DEPENDS_ON and
/// AFFECTED_BY relationships.
pub fn graph(g: &Report) -> Graph {
    let project = &g.analysis.project;
    let names: FxHashSet<&str> = project.files.iter().map(|f| f.module.as_str()).collect();
    let per_module: Vec<(std::sync::Arc<archlint_facts::ModuleFacts>, Vec<_>)> =
        (0..project.files.len())
            .into_par_iter()
            .map(|i| {
                let facts = g.analysis.project.facts_of(i);
                let imports = resolved_imports(g, &names, i, &facts);
                (facts, imports)
            })
            .collect();
    let modules = module_nodes(g, &per_module);
    let (packages, contains_packages, contains_modules) = packages(g);
    let (imports, depends_on) = imports(g, &per_module);
    let (distributions, vulnerabilities, affected_by) = distributions(g);
    Graph {
        nodes: vec![modules, packages, distributions, vulnerabilities],
        relationships: vec![
            imports,
            contains_packages,
            contains_modules,
            depends_on,
            affected_by,
        ],
    }
}

/// Each file's facts and its imports, resolved as the graph resolves them.
type PerModule = [(
    std::sync::Arc<archlint_facts::ModuleFacts>,
    Vec<ResolvedImport>,
)];

/// Module nodes: key, path, content hash and size figures.
fn module_nodes(g: &Report, per_module: &PerModule) -> Nodes {
    let keys = module_keys(g);
    let mut modules = Nodes {
        label: "Module",
        properties: vec![
            ("name", Kind::String),
            ("path", Kind::String),
            ("package", Kind::Boolean),
            ("content_hash", Kind::String),
            ("lines", Kind::Int),
            ("size", Kind::Long),
            ("classes", Kind::Int),
            ("functions", Kind::Int),
        ],
        rows: Vec::new(),
    };
    for (key, (facts, _)) in keys.iter().zip(per_module) {
        modules.rows.push((
            key.name.clone(),
            vec![
                key.name.as_str().into(),
                key.path.as_str().into(),
                key.is_package.into(),
                key.content_hash.as_str().into(),
                (facts.lines as i64).into(),
                (facts.bytes as i64).into(),
                (facts.classes.len() as i64).into(),
                (facts.functions.len() as i64).into(),
            ],
        ));
    }

    modules
}

/// Package nodes (each dotted prefix of a module, namespace packages included) and what each
/// package contains.
fn packages(g: &Report) -> (Nodes, Relationships, Relationships) {
    let project = &g.analysis.project;
    let mut package_names = BTreeSet::new();
    for f in &project.files {
        let mut name = f.module.as_str();
        if f.is_package {
            package_names.insert(name.to_owned());
        }
        while let Some(p) = parent(name) {
            package_names.insert(p.to_owned());
            name = p;
        }
    }
    let packages = Nodes {
        label: "Package",
        properties: vec![("name", Kind::String), ("depth", Kind::Int)],
        rows: package_names
            .iter()
            .map(|p| {
                (
                    p.clone(),
                    vec![
                        p.as_str().into(),
                        (p.matches('.').count() as i64 + 1).into(),
                    ],
                )
            })
            .collect(),
    };
    let contains_modules = Relationships {
        rel_type: "CONTAINS",
        start: "Package",
        end: "Module",
        properties: Vec::new(),
        key: None,
        rows: project
            .files
            .iter()
            .filter_map(|f| {
                // A package's `__init__` belongs to the package itself.
                let owner = if f.is_package {
                    Some(f.module.as_str())
                } else {
                    parent(&f.module)
                };
                owner.map(|p| (p.to_owned(), f.module.clone(), Vec::new()))
            })
            .collect(),
    };
    let contains_packages = Relationships {
        rel_type: "CONTAINS",
        start: "Package",
        end: "Package",
        properties: Vec::new(),
        key: None,
        rows: package_names
            .iter()
            .filter_map(|p| parent(p).map(|up| (up.to_owned(), p.clone(), Vec::new())))
            .collect(),
    };

    (packages, contains_packages, contains_modules)
}

/// IMPORTS between modules (one per importer, target and line), and DEPENDS_ON from a module
/// to each distribution providing what it imports (with the first line).
fn imports(g: &Report, per_module: &PerModule) -> (Relationships, Relationships) {
    let project = &g.analysis.project;
    let mut imports = Relationships {
        rel_type: "IMPORTS",
        start: "Module",
        end: "Module",
        properties: vec![
            ("line", Kind::Int),
            ("column", Kind::Int),
            ("kind", Kind::String),
            ("type_checking", Kind::Boolean),
            ("in_function", Kind::Boolean),
        ],
        key: Some("line"),
        rows: Vec::new(),
    };
    // Top-level import name → distributions providing it.
    let mut providers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    if let Some(deps) = &g.analysis.deps {
        for p in &deps.report.packages {
            for n in &p.import_names {
                providers
                    .entry(n.as_str())
                    .or_default()
                    .push(archlint_inventory::normalize_name(&p.name));
            }
        }
    }
    // Module → distribution, with the first line that imports it.
    let mut depends: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (file, (_, resolved)) in project.files.iter().zip(per_module) {
        // `from a import b, c` on one line is one relationship (its key is the line).
        let mut lines = BTreeSet::new();
        for r in resolved {
            if r.external {
                let top = r.target.split('.').next().unwrap_or(&r.target);
                for dist in providers.get(top).into_iter().flatten() {
                    let line = r.detail.line as i64;
                    depends
                        .entry((file.module.clone(), dist.clone()))
                        .and_modify(|l| *l = (*l).min(line))
                        .or_insert(line);
                }
                continue;
            }
            if !lines.insert((r.target.as_str(), r.detail.line)) {
                continue;
            }
            imports.rows.push((
                file.module.clone(),
                r.target.clone(),
                vec![
                    (r.detail.line as i64).into(),
                    (r.detail.column as i64).into(),
                    kind_name(r.detail.kind).into(),
                    r.detail.type_checking.into(),
                    r.detail.in_function.into(),
                ],
            ));
        }
    }

    let depends_on = Relationships {
        rel_type: "DEPENDS_ON",
        start: "Module",
        end: "Distribution",
        properties: vec![("line", Kind::Int)],
        key: None,
        rows: depends
            .into_iter()
            .map(|((m, d), line)| (m, d, vec![line.into()]))
            .collect(),
    };
    (imports, depends_on)
}

/// Distribution and Vulnerability nodes, and which distribution each advisory affects.
fn distributions(g: &Report) -> (Nodes, Nodes, Relationships) {
    let mut distributions = Nodes {
        label: "Distribution",
        properties: vec![
            ("name", Kind::String),
            ("version", Kind::String),
            ("role", Kind::String),
            ("license", Kind::String),
            ("license_verdict", Kind::String),
        ],
        rows: Vec::new(),
    };
    let mut vulnerabilities = Nodes {
        label: "Vulnerability",
        properties: vec![("summary", Kind::String), ("aliases", Kind::StringArray)],
        rows: Vec::new(),
    };
    let mut affected_by = Relationships {
        rel_type: "AFFECTED_BY",
        start: "Distribution",
        end: "Vulnerability",
        properties: vec![("version", Kind::String), ("fixed", Kind::String)],
        key: None,
        rows: Vec::new(),
    };
    if let Some(deps) = &g.analysis.deps {
        let mut seen = BTreeSet::new();
        for p in &deps.report.packages {
            let id = archlint_inventory::normalize_name(&p.name);
            // Two installs of one name: the first is the one Python imports.
            if !seen.insert(id.clone()) {
                continue;
            }
            distributions.rows.push((
                id,
                vec![
                    p.name.as_str().into(),
                    p.version.as_str().into(),
                    p.role.name().into(),
                    p.license.expression.clone().into(),
                    tag(&p.verdict).into(),
                ],
            ));
        }
        let mut advisories = BTreeSet::new();
        if let Some(audit) = &deps.audit {
            for pkg in &audit.checked {
                for v in &pkg.vulnerabilities {
                    if advisories.insert(v.id.clone()) {
                        vulnerabilities.rows.push((
                            v.id.clone(),
                            vec![v.summary.as_str().into(), v.aliases.clone().into()],
                        ));
                    }
                    if seen.contains(&pkg.name) {
                        affected_by.rows.push((
                            pkg.name.clone(),
                            v.id.clone(),
                            vec![pkg.version.as_str().into(), v.fixed.clone().into()],
                        ));
                    }
                }
            }
        }
    }
    (distributions, vulnerabilities, affected_by)
}
