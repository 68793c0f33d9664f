//! Several JSON reports (packages of a monorepo, CI shards) merged into one.

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

fn add_counts(total: &mut Value, part: &Value) {
    if let (Some(t), Some(p)) = (total.as_object_mut(), part.as_object()) {
        for (k, v) in p {
            if let Some(n) = v.as_u64() {
                let sum = t.get(k).and_then(Value::as_u64).unwrap_or(0) + n;
                t.insert(k.clone(), json!(sum));
            }
        }
    }
}

fn extend(total: &mut Value, key: &str, part: &Value, tag: &str) {
    let Some(items) = part.get(key).and_then(Value::as_array) else {
        return;
    };
    let list = total[key].as_array_mut().expect("initialised as an array");
    for item in items {
        let mut item = item.clone();
        if let Some(obj) = item.as_object_mut() {
            obj.insert("report".into(), json!(tag));
        }
        list.push(item);
    }
}

/// Merge reports: summaries and dependency counts add up, lists are concatenated with each
/// item tagged by the report it came from.
pub fn merge(parts: &[(String, Value)]) -> Result<Value> {
    let mut out = json!({
        "schema_version": 1,
        "tool": {"name": "archlint", "version": env!("CARGO_PKG_VERSION")},
        "merged_from": parts.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "summary": {},
        "contracts": [], "errors": [], "diagnostics": [], "warnings": [], "files": [],
        "findings": [],
    });
    let mut deps: Option<Value> = None;
    for (name, report) in parts {
        if report.get("schema_version") != Some(&json!(1)) {
            return Err(anyhow!(
                "{name}: not an archlint JSON report (schema_version 1)"
            ));
        }
        add_counts(&mut out["summary"], &report["summary"]);
        for key in ["contracts", "errors", "diagnostics", "files", "findings"] {
            extend(&mut out, key, report, name);
        }
        if let Some(ws) = report["warnings"].as_array() {
            for w in ws {
                out["warnings"]
                    .as_array_mut()
                    .expect("array")
                    .push(json!(format!("{name}: {}", w.as_str().unwrap_or(""))));
            }
        }
        if let Some(d) = report.get("dependencies").filter(|d| d.is_object()) {
            let total = deps.get_or_insert_with(|| json!({"findings": [], "packages": []}));
            add_counts(total, d);
            extend(total, "findings", d, name);
            extend(total, "packages", d, name);
        }
    }
    if let Some(d) = deps {
        out["dependencies"] = d;
    }
    Ok(out)
}
