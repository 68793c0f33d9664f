//! tach's diagnostics as archlint findings, for the CI formats (SARIF, JUnit, GitHub
//! annotations): one check per section of tach's report, a stable code per kind, identities
//! without line numbers.

use archlint_findings::{Check, CheckOutcome, Finding, Location, Report, Severity};

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Group};

/// `UndeclaredDependency` → `undeclared-dependency`.
fn code(kind: &str) -> String {
    let mut out = String::new();
    for (i, c) in kind.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn check(group: Group) -> Check {
    Check::Contract {
        id: Some(format!("tach-{}", code(&format!("{group:?}")))),
        name: format!("tach: {}", group.title()),
        contract_type: "tach".into(),
    }
}

fn finding(d: &Diagnostic) -> Finding {
    let kind = d.kind();
    let identity = match (d.modules(), d.dependency()) {
        (Some((from, to)), Some(dependency)) => {
            format!(
                "tach|{kind}|{}|{from}|{to}|{dependency}",
                d.file_path().unwrap_or("")
            )
        }
        _ => format!(
            "tach|{kind}|{}|{}",
            d.file_path().unwrap_or(""),
            d.message()
        ),
    };
    Finding {
        code: format!("tach-{}", code(kind)),
        severity: if d.is_error() {
            Severity::Error
        } else {
            Severity::Warning
        },
        message: d.message(),
        help: None,
        location: d.file_path().map(|path| Location {
            path: path.to_owned(),
            line: d.line_number(),
            column: None,
        }),
        chain: Vec::new(),
        related: Vec::new(),
        check: check(d.group()),
        identity,
        suppressed: None,
    }
}

/// The findings report of `tach check` (a configuration stop is one error finding).
pub fn report(outcome: &Outcome, seconds: f64) -> Report {
    let groups = [
        Group::General,
        Group::Configuration,
        Group::Interface,
        Group::InternalDependency,
    ];
    report_of(outcome, seconds, &groups)
}

/// The findings report of `tach check-external`.
pub fn external_report(outcome: &Outcome, seconds: f64) -> Report {
    let groups = [
        Group::General,
        Group::Configuration,
        Group::ExternalDependency,
    ];
    report_of(outcome, seconds, &groups)
}

/// One check per group of tach's report.
fn report_of(outcome: &Outcome, seconds: f64, groups: &[Group]) -> Report {
    let mut findings: Vec<Finding> = outcome.diagnostics.iter().map(finding).collect();
    if let Some(stop) = &outcome.stop {
        for line in stop.lines() {
            findings.push(Finding {
                code: "tach-configuration".into(),
                severity: Severity::Error,
                identity: format!("tach|stop|{line}"),
                message: line,
                help: None,
                location: None,
                chain: Vec::new(),
                related: Vec::new(),
                check: check(Group::Configuration),
                suppressed: None,
            });
        }
    }
    let checks = groups
        .iter()
        .copied()
        .map(|g| CheckOutcome {
            check: check(g),
            passed: !findings
                .iter()
                .any(|f| f.check == check(g) && f.severity == Severity::Error),
        })
        .collect();
    let mut descriptions = std::collections::BTreeMap::new();
    for f in &findings {
        descriptions.entry(f.code.clone()).or_insert_with(|| {
            format!(
                "tach: {}",
                f.code.trim_start_matches("tach-").replace('-', " ")
            )
        });
    }
    Report {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        checks,
        findings,
        seconds,
        descriptions,
    }
}
