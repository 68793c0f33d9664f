//! JUnit XML: one test suite per kind of check, one test case per contract and per dependency
//! policy area, failing with its findings.

use std::fmt::Write;

use crate::{Check, Report, Severity};

fn suite_of(check: &Check) -> &'static str {
    match check {
        Check::Contract { .. } => "archlint.contracts",
        Check::Dependencies { .. } => "archlint.dependencies",
        Check::Rule { .. } => "archlint.rules",
        Check::Sources => "archlint.sources",
    }
}

/// The JUnit XML document.
pub fn junit(report: &Report) -> String {
    let mut suites: Vec<(&'static str, Vec<&crate::CheckOutcome>)> = Vec::new();
    for outcome in &report.checks {
        let name = suite_of(&outcome.check);
        match suites.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.push(outcome),
            None => suites.push((name, vec![outcome])),
        }
    }
    let total = report.checks.len();
    let failures = report.checks.iter().filter(|c| !c.passed).count();
    let mut xml = String::new();
    let _ = writeln!(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        xml,
        "<testsuites name=\"archlint\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\" time=\"{:.3}\">",
        report.seconds
    );
    for (name, outcomes) in suites {
        let failed = outcomes.iter().filter(|o| !o.passed).count();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{name}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
            outcomes.len()
        );
        for o in outcomes {
            let case = crate::xml_escape(&o.check.name());
            let _ = write!(xml, "    <testcase name=\"{case}\" classname=\"{name}\"");
            let findings: Vec<_> = report
                .findings_of(&o.check)
                .filter(|f| f.suppressed.is_none())
                .collect();
            if o.passed {
                let warnings: Vec<_> = findings
                    .iter()
                    .filter(|f| f.severity != Severity::Error)
                    .collect();
                if warnings.is_empty() {
                    let _ = writeln!(xml, "/>");
                } else {
                    let _ = writeln!(xml, ">");
                    let mut out = String::new();
                    for f in warnings {
                        let _ = writeln!(out, "warning[{}] {}", f.code, f.message);
                    }
                    let _ = writeln!(
                        xml,
                        "      <system-out>{}</system-out>",
                        crate::xml_escape(&out)
                    );
                    let _ = writeln!(xml, "    </testcase>");
                }
                continue;
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            let _ = writeln!(xml, ">");
            let mut body = String::new();
            for f in &findings {
                let at = f
                    .location
                    .as_ref()
                    .map(|l| match l.line {
                        Some(line) => format!("{}:{line}: ", l.path),
                        None => format!("{}: ", l.path),
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    body,
                    "{at}{}[{}] {}",
                    if f.severity == Severity::Error {
                        "error"
                    } else {
                        "warning"
                    },
                    f.code,
                    f.message
                );
                for step in &f.chain {
                    let loc = step
                        .location
                        .as_ref()
                        .map(|l| format!(" ({}:{})", l.path, l.line.unwrap_or(0)))
                        .unwrap_or_default();
                    let _ = writeln!(body, "    {} -> {}{loc}", step.importer, step.imported);
                }
            }
            let _ = writeln!(
                xml,
                "      <failure message=\"{}\" type=\"archlint\">{}</failure>",
                crate::xml_escape(&format!("{} broken: {errors} error(s)", o.check.name())),
                crate::xml_escape(&body)
            );
            let _ = writeln!(xml, "    </testcase>");
        }
        let _ = writeln!(xml, "  </testsuite>");
    }
    let _ = writeln!(xml, "</testsuites>");
    xml
}
