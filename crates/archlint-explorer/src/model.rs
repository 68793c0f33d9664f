//! What the explorer shows, built from one analysis: every module with its imports and
//! importers, and every contract with the chains that break it; answered as JSON.

use std::collections::{BTreeMap, HashMap};

use archlint_check::Report;
use archlint_findings::Check;
use serde_json::{Value, json};

/// A module of the explorer's graph.
struct Node {
    name: String,
    /// `module`, `package`, `namespace` or `external`.
    kind: &'static str,
    path: Option<String>,
    parent: Option<usize>,
    children: Vec<usize>,
    /// Internal imports: target and first line.
    imports: Vec<(usize, u32)>,
    importers: Vec<usize>,
}

struct Step {
    importer: String,
    imported: String,
    path: Option<String>,
    line: Option<u32>,
}

struct Violation {
    message: String,
    chain: Vec<Step>,
}

struct ContractView {
    key: String,
    name: String,
    kind: String,
    kept: bool,
    violations: Vec<Violation>,
}

/// Everything the page shows, from one analysis.
pub struct Model {
    version: u64,
    root: String,
    analysed_ms: f64,
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    contracts: Vec<ContractView>,
    findings: usize,
    diagnostics: usize,
    error: Option<String>,
}

impl Model {
    /// The model of one check's report, the `version`-th of this server.
    pub fn new(report: &Report, version: u64) -> Model {
        build(report, version)
    }

    /// This model's version.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The project root.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// Keep this model but say that refreshing it (to `version`) failed.
    pub fn failed(&mut self, version: u64, error: String) {
        self.version = version;
        self.error = Some(error);
    }
}

fn build(checked: &Report, version: u64) -> Model {
    let (a, analysed_ms) = (&checked.analysis, checked.ms);
    let project = &a.project;
    let graph = &project.graph;
    let files: HashMap<&str, &archlint_discovery::SourceFile> = project
        .files
        .iter()
        .map(|f| (f.module.as_str(), f))
        .collect();
    let ids: Vec<archlint_graph::ModuleId> = (0..graph.len() as archlint_graph::ModuleId).collect();
    let mut nodes: Vec<Node> = ids
        .iter()
        .map(|&id| {
            let name = graph.name(id).to_owned();
            let file = files.get(name.as_str());
            let kind = match file {
                Some(f) if f.is_package => "package",
                Some(_) => "module",
                None if graph.children(id).is_empty() && graph.is_present(id) => "external",
                None => "namespace",
            };
            Node {
                path: file.map(|f| archlint_engine::display_path(&project.root, &f.path)),
                name,
                kind,
                parent: graph.parent(id).map(|p| p as usize),
                children: graph.children(id).iter().map(|&c| c as usize).collect(),
                imports: graph
                    .imports_with_details(id)
                    .map(|(t, d)| (t as usize, d.first().map_or(0, |d| d.line)))
                    .collect(),
                importers: graph.importers_of(id).iter().map(|&i| i as usize).collect(),
            }
        })
        .collect();
    for n in &mut nodes {
        n.children.sort_unstable();
    }
    let index = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.clone(), i))
        .collect();
    let report = checked.findings();
    let contracts = a
        .results
        .iter()
        .map(|r| {
            let violations = report
                .findings
                .iter()
                .filter(|f| {
                    matches!(&f.check, Check::Contract { id, name, .. }
                        if *id == r.id && *name == r.name)
                })
                .map(|f| Violation {
                    message: f.message.clone(),
                    chain: f
                        .chain
                        .iter()
                        .map(|s| Step {
                            importer: s.importer.clone(),
                            imported: s.imported.clone(),
                            path: s.location.as_ref().map(|l| l.path.clone()),
                            line: s.location.as_ref().and_then(|l| l.line),
                        })
                        .collect(),
                })
                .collect();
            ContractView {
                key: r.id.clone().unwrap_or_else(|| r.name.clone()),
                name: r.name.clone(),
                kind: r.kind.clone(),
                kept: r.kept,
                violations,
            }
        })
        .collect();
    Model {
        version,
        root: project.root.display().to_string(),
        analysed_ms,
        nodes,
        index,
        contracts,
        findings: report.active().count(),
        diagnostics: project.diagnostics.iter().map(Vec::len).sum(),
        error: None,
    }
}

impl Model {
    /// The page's state: counts, packages and contracts (`/api/state`).
    pub fn state(&self) -> Value {
        let roots: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| n.parent.is_none() && n.kind != "external")
            .map(|n| n.name.as_str())
            .collect();
        json!({
            "version": self.version,
            "root": self.root,
            "analysed_ms": self.analysed_ms,
            "modules": self.nodes.iter().filter(|n| n.path.is_some()).count(),
            "imports": self.nodes.iter().map(|n| n.imports.len()).sum::<usize>(),
            "findings": self.findings,
            "diagnostics": self.diagnostics,
            "error": self.error,
            "packages": roots,
            "contracts": self.contracts.iter().map(|c| json!({
                "id": c.key,
                "name": c.name,
                "kind": c.kind,
                "kept": c.kept,
                "violations": c.violations.len(),
            })).collect::<Vec<_>>(),
        })
    }

    /// Whether `i` is `root` or inside it.
    fn within(&self, mut i: usize, root: usize) -> bool {
        loop {
            if i == root {
                return true;
            }
            match self.nodes[i].parent {
                Some(p) => i = p,
                None => return false,
            }
        }
    }

    fn subtree(&self, root: usize) -> Vec<usize> {
        let mut out = vec![root];
        let mut k = 0;
        while k < out.len() {
            out.extend(self.nodes[out[k]].children.iter().copied());
            k += 1;
        }
        out
    }

    /// The child of `root` that `i` lies in (`None`: outside, or `root` itself).
    fn child_of(&self, mut i: usize, root: usize) -> Option<usize> {
        loop {
            let p = self.nodes[i].parent?;
            if p == root {
                return Some(i);
            }
            i = p;
        }
    }

    /// A package: its children, its imports and importers, and the imports between its
    /// children and the outside, counted per package (`/api/package?name=`).
    pub fn package(&self, name: &str) -> Option<Value> {
        let &root = self.index.get(name)?;
        let node = &self.nodes[root];
        let members = self.subtree(root);
        let mut out_counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut in_counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut between: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut child_out: HashMap<usize, usize> = HashMap::new();
        let mut child_in: HashMap<usize, usize> = HashMap::new();
        for &m in &members {
            for &(t, _) in &self.nodes[m].imports {
                if self.within(t, root) {
                    if let (Some(a), Some(b)) = (self.child_of(m, root), self.child_of(t, root))
                        && a != b
                    {
                        *between.entry((a, b)).or_default() += 1;
                        *child_out.entry(a).or_default() += 1;
                        *child_in.entry(b).or_default() += 1;
                    }
                } else {
                    *out_counts.entry(self.nodes[t].name.as_str()).or_default() += 1;
                    if let Some(a) = self.child_of(m, root) {
                        *child_out.entry(a).or_default() += 1;
                    }
                }
            }
            for &i in &self.nodes[m].importers {
                if !self.within(i, root) {
                    *in_counts.entry(self.nodes[i].name.as_str()).or_default() += 1;
                    if let Some(b) = self.child_of(m, root) {
                        *child_in.entry(b).or_default() += 1;
                    }
                }
            }
        }
        let children: Vec<Value> = node
            .children
            .iter()
            .map(|&c| {
                let n = &self.nodes[c];
                json!({
                    "name": n.name,
                    "kind": n.kind,
                    "modules": self.subtree(c).iter().filter(|&&m| self.nodes[m].path.is_some()).count(),
                    "imports_out": child_out.get(&c).copied().unwrap_or(0),
                    "imports_in": child_in.get(&c).copied().unwrap_or(0),
                })
            })
            .collect();
        let list = |counts: BTreeMap<&str, usize>| -> Vec<Value> {
            let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            v.into_iter()
                .take(200)
                .map(|(m, n)| json!({"module": m, "imports": n}))
                .collect()
        };
        Some(json!({
            "version": self.version,
            "name": node.name,
            "kind": node.kind,
            "path": node.path,
            "parent": node.parent.map(|p| self.nodes[p].name.clone()),
            "modules": members.iter().filter(|&&m| self.nodes[m].path.is_some()).count(),
            "children": children,
            "between": between.into_iter().map(|((a, b), n)| json!({
                "from": self.nodes[a].name, "to": self.nodes[b].name, "imports": n,
            })).collect::<Vec<_>>(),
            "imports": node.imports.iter().map(|&(t, line)| json!({
                "module": self.nodes[t].name, "line": line,
            })).collect::<Vec<_>>(),
            "imported_by": node.importers.iter().map(|&i| self.nodes[i].name.clone()).collect::<Vec<_>>(),
            "outgoing": list(out_counts),
            "incoming": list(in_counts),
        }))
    }

    /// A contract with its violations and their chains (`/api/contract?id=`).
    pub fn contract(&self, key: &str) -> Option<Value> {
        let c = self.contracts.iter().find(|c| c.key == key)?;
        Some(json!({
            "version": self.version,
            "id": c.key,
            "name": c.name,
            "kind": c.kind,
            "kept": c.kept,
            "violations": c.violations.iter().map(|v| json!({
                "message": v.message,
                "chain": v.chain.iter().map(|s| json!({
                    "importer": s.importer,
                    "imported": s.imported,
                    "path": s.path,
                    "line": s.line,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }))
    }
}
