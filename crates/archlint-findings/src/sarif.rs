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

/// The SARIF log for a report, serialized as it is written: each result is built, written and
/// dropped in turn, so memory grows with one result, not with the whole log.
pub struct Sarif<'a>(pub &'a Report);

/// The results of a report, serialized one by one.
struct Results<'a> {
    report: &'a Report,
    rules: &'a BTreeMap<&'a str, usize>,
}

impl serde::Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.report
                .findings
                .iter()
                .map(|f| result(f, self.rules[f.code.as_str()])),
        )
    }
}

impl serde::Serialize for Sarif<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let report = self.0;
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
                    "shortDescription": {"text": rule_description(report, code)},
                    "helpUri": format!("https://example.invalid/archlint/rules#{code}"),
                })
            })
            .collect();
        struct Run<'a> {
            report: &'a Report,
            rules: &'a BTreeMap<&'a str, usize>,
            rule_list: Vec<Value>,
        }
        impl serde::Serialize for Run<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut run = serializer.serialize_map(Some(3))?;
                run.serialize_entry(
                    "tool",
                    &json!({"driver": {
                        "name": "archlint",
                        "version": self.report.tool_version,
                        "semanticVersion": self.report.tool_version,
                        "rules": self.rule_list,
                    }}),
                )?;
                run.serialize_entry(
                    "results",
                    &Results {
                        report: self.report,
                        rules: self.rules,
                    },
                )?;
                run.serialize_entry("columnKind", "unicodeCodePoints")?;
                run.end()
            }
        }
        let mut log = serializer.serialize_map(Some(3))?;
        log.serialize_entry("$schema", "https://json.schemastore.org/sarif-2.1.0.json")?;
        log.serialize_entry("version", "2.1.0")?;
        log.serialize_entry(
            "runs",
            &[Run {
                report,
                rules: &rules,
                rule_list,
            }],
        )?;
        log.end()
    }
}

/// The SARIF log for a report as a JSON value.
pub fn sarif(report: &Report) -> Value {
    serde_json::to_value(Sarif(report)).expect("a SARIF log is plain JSON")
}
