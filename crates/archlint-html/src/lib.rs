//! A self-contained HTML report: summary, contracts with their chains, the package graph as SVG
//! with violations highlighted, dependency tables and timings. One file, inline CSS and SVG, no
//! network needed to view it.
//!
//! The page is rendered from the findings model ([`archlint_findings::Report`]) plus the
//! tables only a page shows ([`Page`]); the template is Jinja (minijinja), so a team can restyle
//! it with `--html-template`.

pub mod svg;

use archlint_findings::{Check, Finding, Report, Severity};
use serde::Serialize;

/// The built-in template.
pub const TEMPLATE: &str = include_str!("../templates/report.html");

/// One installed distribution in the dependency table.
#[derive(Debug, Clone, Serialize)]
pub struct PackageRow {
    pub name: String,
    pub version: String,
    /// `direct`, `transitive`, `dev`, …
    pub role: String,
    /// SPDX expression or what the metadata said.
    pub license: String,
    /// `allowed`, `denied`, `review`, `unknown`, …
    pub license_verdict: String,
    /// Known vulnerability ids.
    pub vulnerabilities: Vec<String>,
    /// Finding codes about this package (policy, licenses, declarations).
    pub findings: Vec<String>,
    /// `ok`, `warning` or `error`: the worst of its findings.
    pub status: String,
}

/// A phase and its wall time.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub phase: String,
    pub ms: f64,
}

/// What the page shows beyond the findings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Page {
    /// The project's name (its directory).
    pub title: String,
    pub root: String,
    pub config: Option<String>,
    pub files: usize,
    pub modules: usize,
    pub imports: usize,
    pub graph: svg::Graph,
    /// `None`: dependencies were not checked.
    pub packages: Option<Vec<PackageRow>>,
    /// Why vulnerabilities were not checked, or where they came from.
    pub vulnerability_note: Option<String>,
    pub timings: Vec<Timing>,
}

#[derive(Serialize)]
struct ContractView<'a> {
    name: &'a str,
    id: Option<&'a str>,
    contract_type: &'a str,
    kept: bool,
    findings: Vec<&'a Finding>,
}

#[derive(Serialize)]
struct AreaView<'a> {
    area: &'a str,
    passed: bool,
    errors: usize,
    warnings: usize,
}

fn v<T: Serialize>(x: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(x))
}

/// Render the page. Fails only on a broken template (a user's `--html-template`).
pub fn render(report: &Report, page: &Page, template: Option<&str>) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_template("report.html", template.unwrap_or(TEMPLATE))
        .map_err(|e| format!("HTML template: {e:#}"))?;
    let contracts: Vec<ContractView<'_>> = report
        .checks
        .iter()
        .filter_map(|c| match &c.check {
            Check::Contract {
                id,
                name,
                contract_type,
            } => Some(ContractView {
                name,
                id: id.as_deref(),
                contract_type,
                kept: c.passed,
                findings: report
                    .findings_of(&c.check)
                    .filter(|f| f.suppressed.is_none())
                    .collect(),
            }),
            _ => None,
        })
        .collect();
    let areas: Vec<AreaView<'_>> = report
        .checks
        .iter()
        .filter_map(|c| match &c.check {
            Check::Dependencies { area } => {
                let of = |s: Severity| {
                    report
                        .findings_of(&c.check)
                        .filter(|f| f.suppressed.is_none() && f.severity == s)
                        .count()
                };
                Some(AreaView {
                    area,
                    passed: c.passed,
                    errors: of(Severity::Error),
                    warnings: of(Severity::Warning),
                })
            }
            _ => None,
        })
        .collect();
    let active: Vec<&Finding> = report.active().collect();
    let suppressed = report.findings.len() - active.len();
    let errors = active
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let kept = contracts.iter().filter(|c| c.kept).count();
    let ctx = minijinja::context! {
        page => v(page),
        version => report.tool_version.clone(),
        seconds => report.seconds,
        contracts => v(&contracts),
        contracts_kept => kept,
        contracts_broken => contracts.len() - kept,
        areas => v(&areas),
        findings => v(&active),
        errors => errors,
        warnings => active.len() - errors,
        suppressed => suppressed,
        passed => errors == 0,
        graph_svg => minijinja::Value::from_safe_string(svg::render(&page.graph)),
    };
    env.get_template("report.html")
        .and_then(|t| t.render(ctx))
        .map_err(|e| format!("HTML template: {e:#}"))
}

#[cfg(test)]
mod tests;
