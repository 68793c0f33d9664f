//! SARIF 2.1.0, for code-scanning services: one run, one rule per finding code, one result per
//! finding with its location, the import chain as related locations and a stable fingerprint.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::{Finding, Location, Report, Severity, rule_description};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn physical(loc: &Location) -> Value {
    let mut region = serde_json::Map::new();
    if let Some(line) = loc.line.filter(|l| *l > 0) {
        region.insert("startLine".into(), json!(line));
        if let Some(col) = loc.column.filter(|c| *c > 0) {
            region.insert("startColumn".into(), json!(col));
        }
    }
    let mut p = json!({"artifactLocation": {"uri": loc.path, "uriBaseId": "%SRCROOT%"}});
    if !region.is_empty() {
        p["region"] = Value::Object(region);
    }
    p
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut text = f.message.clone();
    if let Some(help) = &f.help {
        text.push('\n');
        text.push_str(help);
    }
    let mut r = json!({
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": text},
        "partialFingerprints": {"archlintIdentity/v1": f.fingerprint()},
        "properties": {"check": f.check.name(), "identity": f.identity},
    });
    if let Some(loc) = &f.location {
        r["locations"] = json!([{"physicalLocation": physical(loc)}]);
    }
    let related: Vec<Value> = f
        .chain
        .iter()
        .enumerate()
        .filter_map(|(i, step)| {
            step.location.as_ref().map(|loc| {
                json!({
                    "id": i,
                    "physicalLocation": physical(loc),
                    "message": {"text": format!("{} imports {}", step.importer, step.imported)},
                })
            })
        })
        .chain(f.related.iter().enumerate().map(|(i, rel)| {
            json!({
                "id": f.chain.len() + i,
                "physicalLocation": physical(&rel.location),
                "message": {"text": rel.message},
            })
        }))
        .collect();
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    if let Some(reason) = &f.suppressed {
        r["suppressions"] = json!([{"kind": "external", "justification": reason}]);
    }
    r
}

/// The SARIF log for a report.
pub fn sarif(report: &Report) -> Value {
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        let n = rules.len();
        rules.entry(f.code.as_str()).or_insert(n);
    }
    let mut ordered: Vec<(&str, usize)> = rules.iter().map(|(k, v)| (*k, *v)).collect();
    ordered.sort_by_key(|(_, i)| *i);
    let rule_list: Vec<Value> = ordered
        .iter()
        .map(|(code, _)| {
            json!({
                "id": code,
                "name": code,
                "shortDescription": {"text": rule_description(code)},
                "helpUri": format!("https://example.invalid/archlint/rules#{code}"),
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, rules[f.code.as_str()]))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "archlint",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": rule_list,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    })
}
