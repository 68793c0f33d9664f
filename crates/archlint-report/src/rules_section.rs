//! The code-structure rules' part of the text and JSON reports.

use std::io::Write;

use archlint_check::RulesRun;
use serde_json::json;

/// Related places listed under a finding in the text report.
const SHOWN_RELATED: usize = 10;

/// The text report's rules section.
pub fn write_text(out: &mut impl Write, run: &RulesRun, color: bool) -> std::io::Result<()> {
    let paint = |s: &str, code: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    writeln!(out, "\nRules\n-----\n")?;
    for f in &run.outcome.findings {
        let column = f.column.map(|c| format!(":{c}")).unwrap_or_default();
        writeln!(
            out,
            "{}:{}{column}: {} {}",
            paint(&f.path, "1"),
            f.line,
            paint(f.code, "31;1"),
            f.message
        )?;
        for r in f.related.iter().take(SHOWN_RELATED) {
            let end = r
                .end_line
                .filter(|e| *e != r.line)
                .map(|e| format!("-{e}"))
                .unwrap_or_default();
            writeln!(out, "    {}:{}{end}: {}", r.path, r.line, r.message)?;
        }
        if f.related.len() > SHOWN_RELATED {
            writeln!(
                out,
                "    … and {} more (every one in the JSON report)",
                f.related.len() - SHOWN_RELATED
            )?;
        }
    }
    let n = run.outcome.findings.len();
    let mut notes = Vec::new();
    if run.outcome.suppressed > 0 {
        notes.push(format!("{} suppressed", run.outcome.suppressed));
    }
    if run.baselined > 0 {
        notes.push(format!("{} in the baseline", run.baselined));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    if n > 0 {
        writeln!(out)?;
    }
    writeln!(
        out,
        "Rules: {} run, {n} finding{}{notes}.",
        run.outcome.rules_run.len(),
        if n == 1 { "" } else { "s" }
    )
}

/// The JSON report's `rules` member.
pub fn to_json(run: &RulesRun) -> serde_json::Value {
    json!({
        "rules_run": run.outcome.rules_run,
        "findings": run.outcome.findings.iter().map(|f| {
            let mut v = serde_json::to_value(f).unwrap_or_default();
            v["identity"] = json!(f.identity());
            v
        }).collect::<Vec<_>>(),
        "suppressed": run.outcome.suppressed,
        "baselined": run.baselined,
        "ms": run.ms,
        "timings_ms": run.outcome.timings_ms.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    })
}
