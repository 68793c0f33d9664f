//! The PostgreSQL mapping: each module's rows (facts and resolved imports) and the run's
//! contracts, findings, distributions, licenses, vulnerabilities and timings.

use archlint_findings::Check;
use archlint_store::{
    ContractRow, DistributionRow, FindingRow, ImportRow, LicenseRow, ModuleRows, RunInput,
    VulnerabilityRow,
};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::{kind_name, module_keys, resolved_imports, tag};
use archlint_check::Report;

fn module_rows(g: &Report, names: &FxHashSet<&str>, index: usize) -> ModuleRows {
    let facts = g.analysis.project.facts_of(index);
    ModuleRows {
        size_bytes: facts.bytes as i64,
        lines: facts.lines as i32,
        classes: facts.classes.len() as i32,
        functions: facts.functions.len() as i32,
        imports: resolved_imports(g, names, index, &facts)
            .into_iter()
            .map(|r| ImportRow {
                imported: r.target,
                external: r.external,
                line: r.detail.line as i32,
                column: r.detail.column as i32,
                kind: kind_name(r.detail.kind),
                type_checking: r.detail.type_checking,
                in_function: r.detail.in_function,
            })
            .collect(),
    }
}

/// Everything of the run apart from the modules.
fn run_input(g: &Report) -> RunInput {
    let a = &g.analysis;
    let project = &a.project;
    let contracts = a
        .results
        .iter()
        .map(|r| ContractRow {
            id: r.id.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            kept: r.kept,
            violations: r.violations.len() as i32,
        })
        .collect();
    let findings = g
        .findings()
        .findings
        .iter()
        .map(|f| FindingRow {
            check_kind: match &f.check {
                Check::Contract { .. } => "contract",
                Check::Dependencies { .. } => "dependencies",
                Check::Rule { .. } => "rule",
                Check::Sources => "sources",
            }
            .into(),
            check_name: f.check.name(),
            code: f.code.clone(),
            severity: tag(&f.severity),
            message: f.message.clone(),
            path: f.location.as_ref().map(|l| l.path.clone()),
            line: f.location.as_ref().and_then(|l| l.line).map(|l| l as i32),
            column: f.location.as_ref().and_then(|l| l.column).map(|c| c as i32),
            identity: f.identity.clone(),
            suppressed: f.suppressed.clone(),
            chain: serde_json::to_value(&f.chain).unwrap_or_default(),
        })
        .collect();
    let mut distributions = Vec::new();
    let mut licenses = Vec::new();
    let mut vulnerabilities = Vec::new();
    if let Some(deps) = &a.deps {
        for p in &deps.report.packages {
            let normalized = archlint_inventory::normalize_name(&p.name);
            distributions.push(DistributionRow {
                name: p.name.clone(),
                normalized: normalized.clone(),
                version: p.version.clone(),
                role: tag(&p.role),
                editable: p.editable,
            });
            licenses.push(LicenseRow {
                distribution: normalized,
                expression: p.license.expression.clone(),
                status: tag(&p.license.status),
                source: p.license.source.as_ref().map(tag),
                verdict: tag(&p.verdict),
                raw: p.license.raw.clone(),
            });
        }
        if let Some(audit) = &deps.audit {
            for pkg in &audit.checked {
                for v in &pkg.vulnerabilities {
                    vulnerabilities.push(VulnerabilityRow {
                        distribution: pkg.name.clone(),
                        version: pkg.version.clone(),
                        advisory: v.id.clone(),
                        aliases: v.aliases.clone(),
                        summary: v.summary.clone(),
                        fixed: v.fixed.clone(),
                    });
                }
            }
        }
    }
    let t = &project.timings;
    let mut timings = vec![
        ("discover".to_owned(), t.discover_ms),
        ("parse".to_owned(), t.parse_ms),
        ("graph".to_owned(), t.graph_ms),
        ("contracts".to_owned(), t.contracts_ms),
    ];
    if let Some(deps) = &a.deps {
        timings.push(("dependencies".into(), deps.total_ms));
    }
    timings.push(("analysis".into(), g.ms));
    RunInput {
        project_root: project
            .root
            .canonicalize()
            .unwrap_or_else(|_| project.root.clone())
            .display()
            .to_string(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        analysis_ms: g.ms,
        contracts,
        findings,
        distributions,
        licenses,
        vulnerabilities,
        timings,
    }
}

/// Write the analysis to PostgreSQL; only modules whose content changed since the last run
/// are written again.
pub fn export(
    target: &archlint_store::Target,
    g: &Report,
) -> Result<archlint_store::ExportSummary, archlint_store::StoreError> {
    let keys = module_keys(g);
    let run = run_input(g);
    let names: FxHashSet<&str> = g
        .analysis
        .project
        .files
        .iter()
        .map(|f| f.module.as_str())
        .collect();
    let mut rows = |indices: &[usize]| -> Vec<ModuleRows> {
        indices
            .par_iter()
            .map(|&i| module_rows(g, &names, i))
            .collect()
    };
    archlint_store::export(target, &run, &keys, &mut rows)
}
