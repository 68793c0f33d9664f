//! The machine-readable report of `archlint check`.

use archlint_check::{Analysis, Paths, Report};
use archlint_contracts::ContractResult;
use archlint_engine::CacheReport;
use serde_json::json;

use crate::snippets::Snippets;
use crate::text::{source_diagnostics, write_broken};

/// Version of the JSON report layout.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// One contract's result as JSON: its fields, `status`, `direct_imports` and, when broken, the
/// text report's block (`text`, what the pytest plugin and the Python API show as is). Serialized
/// straight from the result (keys in the same sorted order a JSON value would give them), so a
/// report with thousands of routes is never copied into a JSON tree.
pub struct ContractJson<'a> {
    pub paths: &'a Paths<'a>,
    pub snippets: &'a Snippets,
    pub result: &'a ContractResult,
}

impl serde::Serialize for ContractJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        #[derive(serde::Serialize)]
        struct Direct<'a> {
            imported: &'a str,
            importer: &'a str,
        }
        let r = self.result;
        let direct = r.direct_imports();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(
            "direct_imports",
            &direct
                .iter()
                .map(|(a, b)| Direct {
                    imported: b,
                    importer: a,
                })
                .collect::<Vec<_>>(),
        )?;
        map.serialize_entry("guidance", &r.guidance)?;
        map.serialize_entry("id", &r.id)?;
        map.serialize_entry("ignored_imports", &r.ignored_imports)?;
        map.serialize_entry("kept", &r.kept)?;
        map.serialize_entry("kind", &r.kind)?;
        map.serialize_entry("name", &r.name)?;
        if let Some(rendered) = &r.rendered {
            map.serialize_entry("rendered", rendered)?;
        }
        map.serialize_entry("status", if r.kept { "kept" } else { "broken" })?;
        if !r.kept {
            let mut buf = Vec::new();
            write_broken(&mut buf, self.paths, self.snippets, r);
            map.serialize_entry("text", String::from_utf8_lossy(&buf).trim())?;
        }
        map.serialize_entry("undeclared_modules", &r.undeclared_modules)?;
        if !r.unmatched_expressions.is_empty() {
            map.serialize_entry("unmatched_expressions", &r.unmatched_expressions)?;
        }
        map.serialize_entry("violations", &r.violations)?;
        map.serialize_entry("warnings", &r.warnings)?;
        map.end()
    }
}

/// One contract's result as a JSON value (see [`ContractJson`]).
pub fn contract_json(
    paths: &Paths<'_>,
    snippets: &Snippets,
    r: &ContractResult,
) -> serde_json::Value {
    serde_json::to_value(ContractJson {
        paths,
        snippets,
        result: r,
    })
    .expect("serialisable")
}

/// The machine-readable report, written as it is serialized: the summary parts as a JSON value,
/// the contracts and the findings (the parts that grow with the number of violations) straight
/// from the results. The report's and each contract's keys come out sorted, as in a JSON value;
/// a finding's follow its struct.
pub struct JsonReport<'a> {
    /// Everything but `contracts` and `findings`.
    pub rest: serde_json::Map<String, serde_json::Value>,
    pub paths: Paths<'a>,
    pub results: &'a [ContractResult],
    pub findings: &'a [archlint_findings::Finding],
}

impl serde::Serialize for JsonReport<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Contracts<'a>(&'a JsonReport<'a>, &'a Snippets);
        impl serde::Serialize for Contracts<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.results.iter().map(|r| ContractJson {
                    paths: &self.0.paths,
                    snippets: self.1,
                    result: r,
                }))
            }
        }
        let snippets = Snippets::new(false);
        let mut keys: Vec<&str> = self.rest.keys().map(String::as_str).collect();
        keys.extend(["contracts", "findings"]);
        keys.sort_unstable();
        let mut map = serializer.serialize_map(Some(keys.len()))?;
        for key in keys {
            match key {
                "contracts" => map.serialize_entry(key, &Contracts(self, &snippets))?,
                "findings" => map.serialize_entry(key, self.findings)?,
                _ => map.serialize_entry(key, &self.rest[key])?,
            }
        }
        map.end()
    }
}

/// The machine-readable report as a JSON value, but for `contracts` and `findings` (see
/// [`JsonReport`]).
fn json_value(analysis: &Analysis, total_ms: f64) -> serde_json::Value {
    let Analysis {
        project,
        results,
        errors,
        deps,
        rules,
    } = analysis;
    let paths = Paths::new(project);
    let diagnostics: Vec<_> = source_diagnostics(project)
        .into_iter()
        .map(|(loc, _, d)| json!({"location": loc, "code": d.code, "severity": d.severity, "message": d.message, "line": d.line, "column": d.column}))
        .collect();
    let errors: Vec<_> = errors
        .iter()
        .map(|e| json!({"contract": e.contract, "option": e.option, "line": e.line, "message": e.message}))
        .collect();
    let kept = results.iter().filter(|r| r.kept).count();
    let mut report = json!({
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": "archlint", "version": env!("CARGO_PKG_VERSION")},
        "root": project.root.display().to_string(),
        "config": project.config.as_ref().map(|c| c.path.display().to_string()),
        "summary": {
            "files": project.files.len(),
            "modules": project.graph.module_count(),
            "imports": project.graph.edge_count(),
            "contracts_kept": kept,
            "contracts_broken": results.len() - kept,
            "contract_errors": errors.len(),
        },
        "errors": errors,
        "diagnostics": diagnostics,
        "warnings": project.warnings,
        "cache": cache_json(&project.cache),
        "timings": {
            "discover_ms": project.timings.discover_ms,
            "parse_ms": project.timings.parse_ms,
            "graph_ms": project.timings.graph_ms,
            "contracts_ms": project.timings.contracts_ms,
            "total_ms": total_ms,
            "peak_rss_mb": archlint_perf::peak_rss_mb(),
        },
        "files": project.files.iter().map(|f| json!({"module": f.module, "path": paths.file(&f.module)})).collect::<Vec<_>>(),
    });
    if let Some(run) = deps {
        report["dependencies"] = crate::deps_section::to_json(&project.root, run);
    }
    if let Some(run) = rules {
        report["rules"] = crate::rules_section::to_json(run);
        report["timings"]["rules_ms"] = json!(run.ms);
    }
    report
}

/// The cache counters with each layer's hit rate.
fn cache_json(report: &CacheReport) -> serde_json::Value {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    value["layer_hit_rates"] = report
        .layer_hit_rates()
        .into_iter()
        .map(|(layer, rate)| (layer.to_owned(), json!(rate)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    value
}

/// The whole JSON report of a check: its summary, contracts and findings.
pub fn report(report: &Report) -> serde_json::Result<String> {
    let (analysis, findings) = (&report.analysis, &report.findings().findings);
    let serde_json::Value::Object(rest) = json_value(analysis, report.ms) else {
        unreachable!("the JSON report is an object")
    };
    let report = JsonReport {
        rest,
        paths: Paths::new(&analysis.project),
        results: &analysis.results,
        findings,
    };
    Ok(serde_json::to_string_pretty(&report)? + "\n")
}
