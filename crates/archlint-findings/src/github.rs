//! GitHub Actions workflow commands: `::error file=…,line=…::message`, one per finding.

use crate::{Report, Severity};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation line per active finding.
pub fn annotations(report: &Report) -> String {
    let mut out = String::new();
    for f in report.active() {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = vec![format!(
            "title={}",
            escape_property(&format!("archlint {}", f.code))
        )];
        if let Some(loc) = &f.location {
            props.insert(0, format!("file={}", escape_property(&loc.path)));
            if let Some(line) = loc.line {
                props.insert(1, format!("line={line}"));
                if let Some(col) = loc.column {
                    props.insert(2, format!("col={col}"));
                }
            }
        }
        let mut message = f.message.clone();
        for step in &f.chain {
            message.push_str(&format!("\n  {} -> {}", step.importer, step.imported));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            props.join(","),
            escape_data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Check, Finding, Location};

    #[test]
    fn escaping() {
        let report = Report {
            tool_version: "0".into(),
            descriptions: Default::default(),
            checks: vec![],
            findings: vec![Finding {
                code: "layers".into(),
                severity: Severity::Error,
                message: "100% bad\nreally".into(),
                help: None,
                location: Some(Location {
                    path: "a,b:c.py".into(),
                    line: Some(3),
                    column: Some(1),
                }),
                chain: vec![],
                related: Vec::new(),
                check: Check::Sources,
                identity: "x".into(),
                suppressed: None,
            }],
            seconds: 0.0,
        };
        assert_eq!(
            annotations(&report),
            "::error file=a%2Cb%3Ac.py,line=3,col=1,title=archlint layers::100%25 bad%0Areally\n"
        );
    }
}
