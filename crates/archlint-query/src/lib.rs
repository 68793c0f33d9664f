//! Questions about a project's import graph, answered on the loaded (cached) graph: the
//! protocol of `archlint query` and the Python API. One JSON request in, one JSON answer out.
//!
//! Requests: `{"op": "info"}`, `{"op": "modules"}`, `{"op": "imports", "module": M}`,
//! `{"op": "importers", "module": M}`, `{"op": "chain", "importer": A, "imported": B,
//! "as_packages": true}`, `{"op": "contract", "contract": {"type": ..., "name": ..., ...}}`
//! (import-linter's options; lists as JSON arrays). A bad request gets `{"error": ...}` and the
//! session goes on.

use std::collections::BTreeMap;

use archlint_check::Paths;
use archlint_config::{ContractConfig, RawValue};
use archlint_contracts::Contract;
use archlint_engine::Project;
use archlint_graph::{Bfs, GraphView};
use archlint_report::json::contract_json;
use serde_json::{Value, json};

fn error(message: impl Into<String>) -> Value {
    json!({"error": message.into()})
}

/// The answer to one request (a line of JSON); a bad request gets `{"error": ...}`.
pub fn respond(project: &Project, line: &str) -> Value {
    let request: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return error(format!("not a JSON request: {e}")),
    };
    let text = |key: &str| request.get(key).and_then(Value::as_str);
    let graph = &project.graph;
    let module = |key: &str| -> Result<u32, Value> {
        let name = text(key).ok_or_else(|| error(format!("missing \"{key}\"")))?;
        graph
            .id(name)
            .ok_or_else(|| error(format!("no module named '{name}' in the graph")))
    };
    match text("op").unwrap_or("") {
        "info" => json!({
            "root": project.root.display().to_string(),
            "config": project.config.as_ref().map(|c| c.path.display().to_string()),
            "files": project.files.len(),
            "modules": graph.module_count(),
            "imports": graph.edge_count(),
            "warnings": project.warnings,
        }),
        "modules" => {
            let (mut internal, mut external): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
            for m in graph.modules() {
                if graph.is_squashed(m) {
                    external.push(graph.name(m));
                } else {
                    internal.push(graph.name(m));
                }
            }
            internal.sort_unstable();
            external.sort_unstable();
            json!({"modules": internal, "external": external})
        }
        "imports" => match module("module") {
            Ok(id) => {
                let imports: Vec<Value> = graph
                    .imports_with_details(id)
                    .map(|(target, details)| {
                        json!({
                            "imported": graph.name(target),
                            "lines": details.iter().map(|d| d.line).collect::<Vec<_>>(),
                            "type_checking": !details.is_empty() && details.iter().all(|d| d.type_checking),
                            "in_function": !details.is_empty() && details.iter().all(|d| d.in_function),
                        })
                    })
                    .collect();
                json!({"imports": imports})
            }
            Err(e) => e,
        },
        "importers" => match module("module") {
            Ok(id) => {
                let mut names: Vec<&str> = graph
                    .importers_of(id)
                    .iter()
                    .map(|&m| graph.name(m))
                    .collect();
                names.sort_unstable();
                json!({"importers": names})
            }
            Err(e) => e,
        },
        "chain" => {
            let (a, b) = match (module("importer"), module("imported")) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => return e,
            };
            let as_packages = request
                .get("as_packages")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let (from, to) = if as_packages {
                (graph.with_descendants(a), graph.with_descendants(b))
            } else {
                (vec![a], vec![b])
            };
            let view = GraphView::new(graph);
            let mut bfs = Bfs::new(graph.len());
            let chain = view.shortest_chain(&mut bfs, &from, &to, None, &Default::default());
            match chain {
                Some(c) => {
                    let paths = Paths::new(project);
                    let links: Vec<Value> = c
                        .windows(2)
                        .map(|w| {
                            let lines: Vec<u32> =
                                graph.details(w[0], w[1]).iter().map(|d| d.line).collect();
                            json!({
                                "importer": graph.name(w[0]),
                                "imported": graph.name(w[1]),
                                "lines": lines,
                                "file": paths.file(graph.name(w[0])),
                            })
                        })
                        .collect();
                    json!({"chain": c.iter().map(|&m| graph.name(m)).collect::<Vec<_>>(), "links": links})
                }
                None => json!({"chain": null, "links": []}),
            }
        }
        "contract" => contract(project, request.get("contract")),
        other => error(format!(
            "unknown op '{other}' (info, modules, imports, importers, chain, contract)"
        )),
    }
}

/// Check one contract given as JSON options, exactly as a configured one would be.
fn contract(project: &Project, spec: Option<&Value>) -> Value {
    let Some(Value::Object(spec)) = spec else {
        return error("\"contract\" must be an object of import-linter options");
    };
    let mut options = BTreeMap::new();
    for (k, v) in spec {
        let raw = match v {
            Value::String(s) => RawValue::One(s.clone()),
            Value::Bool(b) => RawValue::One(if *b { "True" } else { "False" }.into()),
            Value::Array(items) => {
                let mut list = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => list.push(s.clone()),
                        _ => return error(format!("option '{k}': list items must be strings")),
                    }
                }
                RawValue::Many(list)
            }
            _ => return error(format!("option '{k}' must be a string, boolean or list")),
        };
        options.insert(k.clone(), raw);
    }
    options
        .entry("name".into())
        .or_insert_with(|| RawValue::One("query".into()));
    let config = ContractConfig {
        id: spec.get("id").and_then(Value::as_str).map(str::to_owned),
        line: None,
        options,
    };
    let result =
        Contract::from_config(&config).and_then(|c| c.check(&project.graph, &project.settings));
    match result {
        Ok(r) => contract_json(
            &Paths::new(project),
            &archlint_report::snippets::Snippets::new(false),
            &r,
        ),
        Err(e) => json!({"error": e.to_string(), "kind": "configuration"}),
    }
}
