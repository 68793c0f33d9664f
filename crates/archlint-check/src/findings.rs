//! Every check's results as one [`Report`] of [`Finding`]s: the model every format but the text
//! report is written from.

use std::path::Path;

use archlint_contracts::{ContractResult, Link};
use archlint_engine::{Project, display_path};
use archlint_findings::{
    ChainStep, Check, CheckOutcome, Finding, Location, Related, Report, Severity,
};

use crate::{DepsRun, Paths, RulesRun};

/// The dependency areas, each one JUnit test case.
pub const DEPENDENCY_AREAS: [&str; 5] = [
    "policy",
    "licenses",
    "vulnerabilities",
    "declarations",
    "metadata",
];

/// Which dependency area a finding code belongs to.
pub fn area_of(code: &str) -> &'static str {
    use archlint_deps::codes::*;
    match code {
        ForbiddenPackage::CODE | UnapprovedPackage::CODE | VersionNotApproved::CODE => "policy",
        LicenseDenied::CODE
        | LicenseNotAllowed::CODE
        | LicenseReview::CODE
        | LicenseAmbiguous::CODE
        | LicenseUnknown::CODE => "licenses",
        VulnerablePackage::CODE
        | VulnerabilityUnchecked::CODE
        | VulnerabilityDataOutdated::CODE => "vulnerabilities",
        MalformedMetadata::CODE => "metadata",
        _ => "declarations",
    }
}

/// Where an import is: the importer's file and the import's first line.
fn link_location(paths: &Paths<'_>, link: &Link) -> Option<Location> {
    Some(Location {
        path: paths.file(&link.importer)?,
        line: link.lines.first().copied(),
        column: None,
    })
}

/// Where an imported name is defined (the symbol-level contracts), as a related location.
fn definition(paths: &Paths<'_>, link: &Link) -> Option<Related> {
    let d = link.defined.as_ref()?;
    Some(Related {
        location: Location {
            path: paths.file(&d.module)?,
            line: Some(d.line),
            column: None,
        },
        message: format!("{} is defined here", link.imported),
    })
}

/// Every check run and whether it passed, in the order the findings model lists them: each
/// contract, the dependency areas, each rule run, and the source files when any had a problem.
/// Cheap (no finding is built): the exit status comes from these.
pub fn checks(
    project: &Project,
    results: &[ContractResult],
    deps: Option<&DepsRun>,
    rules: Option<&RulesRun>,
) -> Vec<CheckOutcome> {
    let mut checks: Vec<CheckOutcome> = results.iter().map(contract_check).collect();
    if let Some(run) = deps {
        checks.extend(DEPENDENCY_AREAS.iter().map(|area| {
            let failed = run.report.findings.iter().any(|f| {
                area_of(f.code) == *area
                    && f.excepted.is_none()
                    && f.level == archlint_deps::Level::Error
            });
            CheckOutcome {
                check: Check::Dependencies {
                    area: (*area).into(),
                },
                passed: !failed,
            }
        }));
    }
    if let Some(run) = rules {
        checks.extend(run.outcome.rules_run.iter().map(|code| CheckOutcome {
            check: Check::Rule {
                code: (*code).to_owned(),
            },
            passed: !run.outcome.findings.iter().any(|f| f.code == *code),
        }));
    }
    if project.diagnostics.iter().any(|d| !d.is_empty()) {
        // Unreadable files are reported, but only contracts and policies fail a run.
        checks.push(CheckOutcome {
            check: Check::Sources,
            passed: true,
        });
    }
    checks
}

/// A contract's check: passed when kept.
fn contract_check(r: &ContractResult) -> CheckOutcome {
    CheckOutcome {
        check: Check::Contract {
            id: r.id.clone(),
            name: r.name.clone(),
            contract_type: r.kind.clone(),
        },
        passed: r.kept,
    }
}

/// Build the report of one `archlint check` run: [`checks`], and each check's findings.
pub fn build(
    project: &Project,
    results: &[ContractResult],
    deps: Option<&DepsRun>,
    rules: Option<&RulesRun>,
    seconds: f64,
) -> Report {
    let paths = Paths::new(project);
    let mut out = Parts::default();
    for r in results {
        out.contract(&paths, r);
    }
    if let Some(run) = deps {
        out.dependencies(&project.root, run);
    }
    if let Some(run) = rules {
        out.rules(run);
    }
    out.sources(project);
    let findings = out.findings;
    let descriptions = findings
        .iter()
        .map(|f| (f.code.clone(), describe(&f.code).to_owned()))
        .collect();
    Report {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        checks: checks(project, results, deps, rules),
        findings,
        seconds,
        descriptions,
    }
}

/// Every finding, as each check adds its own.
#[derive(Default)]
struct Parts {
    findings: Vec<Finding>,
}

impl Parts {
    /// A contract: one finding per route of each violation, and per module an exhaustive
    /// layers contract does not list.
    fn contract(&mut self, paths: &Paths<'_>, r: &ContractResult) {
        let findings = &mut self.findings;
        let check = contract_check(r).check;
        let key = r.id.clone().unwrap_or_else(|| r.name.clone());
        for v in &r.violations {
            for route in &v.routes {
                let (Some(first), Some(last)) = (route.chain.first(), route.chain.last()) else {
                    continue;
                };
                let chain: Vec<ChainStep> = route
                    .chain
                    .iter()
                    .map(|l| ChainStep {
                        importer: l.importer.clone(),
                        imported: l.imported.clone(),
                        location: link_location(paths, l),
                    })
                    .collect();
                let how = if route.chain.len() == 1 {
                    format!("{} imports {}", first.importer, first.imported)
                } else {
                    format!(
                        "{} imports {} indirectly ({} steps)",
                        first.importer,
                        last.imported,
                        route.chain.len()
                    )
                };
                findings.push(Finding {
                    code: r.kind.clone(),
                    severity: Severity::Error,
                    message: format!("{}: {} ({how})", r.name, v.summary.trim_end_matches(':')),
                    help: r.guidance.clone(),
                    location: link_location(paths, first),
                    chain,
                    related: definition(paths, first).into_iter().collect(),
                    check: check.clone(),
                    identity: crate::identity::contract_identity(
                        &key,
                        &first.importer,
                        &last.imported,
                    ),
                    suppressed: None,
                });
            }
        }
        if let (false, Some(rendered)) = (r.kept, &r.rendered) {
            // A custom contract type: one finding, its own account as the help.
            let first = rendered
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("broken");
            findings.push(Finding {
                code: r.kind.clone(),
                severity: Severity::Error,
                message: format!("{}: {first}", r.name),
                help: Some(match &r.guidance {
                    Some(g) => format!("{}\n\n{g}", rendered.trim_end()),
                    None => rendered.trim_end().to_owned(),
                }),
                location: None,
                chain: Vec::new(),
                related: Vec::new(),
                check: check.clone(),
                identity: crate::identity::contract_identity(&key, &r.kind, ""),
                suppressed: None,
            });
        }
        for m in &r.undeclared_modules {
            findings.push(Finding {
                code: archlint_contracts::codes::ExhaustiveLayers::CODE.into(),
                severity: Severity::Error,
                message: format!(
                    "{}: {m} is not listed as a layer (the contract is exhaustive)",
                    r.name
                ),
                help: None,
                location: None,
                chain: Vec::new(),
                related: Vec::new(),
                check: check.clone(),
                identity: crate::identity::undeclared_identity(&key, m),
                suppressed: None,
            });
        }
    }

    /// The dependency checks: one check per policy area, one finding per dependency finding.
    fn dependencies(&mut self, root: &Path, run: &DepsRun) {
        let findings = &mut self.findings;
        for f in &run.report.findings {
            findings.push(Finding {
                code: f.code.to_owned(),
                severity: if f.level == archlint_deps::Level::Error {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message: f.message.clone(),
                help: None,
                location: f.file.as_ref().map(|file| Location {
                    path: display_path(root, Path::new(file)),
                    line: f.line,
                    column: None,
                }),
                chain: Vec::new(),
                related: Vec::new(),
                check: Check::Dependencies {
                    area: area_of(f.code).into(),
                },
                identity: crate::identity::dependency_identity(
                    f.code,
                    f.package.as_deref(),
                    &f.message,
                ),
                suppressed: f.excepted.clone(),
            });
        }
    }

    /// The code-structure rules: one check per rule run.
    fn rules(&mut self, run: &RulesRun) {
        let findings = &mut self.findings;
        for f in &run.outcome.findings {
            findings.push(Finding {
                code: f.code.to_owned(),
                severity: Severity::Warning,
                message: f.message.clone(),
                help: f.help.clone(),
                location: Some(Location {
                    path: f.path.clone(),
                    line: Some(f.line),
                    column: f.column,
                }),
                chain: Vec::new(),
                related: f
                    .related
                    .iter()
                    .map(|r| archlint_findings::Related {
                        location: Location {
                            path: r.path.clone(),
                            line: Some(r.line),
                            column: None,
                        },
                        message: r.message.clone(),
                    })
                    .collect(),
                check: Check::Rule {
                    code: f.code.to_owned(),
                },
                identity: crate::identity::rule_identity(f),
                suppressed: None,
            });
        }
    }

    /// Problems reading source files (reported; they fail no run).
    fn sources(&mut self, project: &Project) {
        let findings = &mut self.findings;
        for (file, diagnostics) in project.files.iter().zip(&project.diagnostics) {
            for d in diagnostics {
                let path = display_path(&project.root, &file.path);
                findings.push(Finding {
                    code: d.code.clone(),
                    severity: Severity::Warning,
                    message: d.message.clone(),
                    help: None,
                    location: Some(Location {
                        path: path.clone(),
                        line: d.line,
                        column: d.column,
                    }),
                    chain: Vec::new(),
                    related: Vec::new(),
                    check: Check::Sources,
                    identity: format!("source:{}:{path}", d.code),
                    suppressed: None,
                });
            }
        }
    }
}

/// A finding code's one-line summary, from the catalog of the check that owns the code.
fn describe(code: &str) -> &'static str {
    archlint_contracts::CATALOG
        .iter()
        .chain(archlint_deps::CATALOG)
        .chain(archlint_facts::DIAGNOSTIC_CATALOG)
        .find(|(c, _)| *c == code)
        .map(|(_, summary)| *summary)
        .or_else(|| archlint_rules::rule(code).map(|r| r.summary))
        .unwrap_or("archlint finding")
}

#[cfg(test)]
mod tests {
    use super::describe;

    /// Every code of every check's catalog has its own summary, and no two checks claim the
    /// same code (SARIF lists each code once, with one description).
    #[test]
    fn every_finding_code_is_owned_by_one_catalog_and_described() {
        let mut owners: std::collections::BTreeMap<&str, usize> = Default::default();
        let catalogs: [Vec<&str>; 4] = [
            archlint_contracts::CATALOG
                .iter()
                .map(|(c, _)| *c)
                .collect(),
            archlint_deps::CATALOG.iter().map(|(c, _)| *c).collect(),
            archlint_facts::DIAGNOSTIC_CATALOG
                .iter()
                .map(|(c, _)| *c)
                .collect(),
            archlint_rules::RULES.iter().map(|r| r.code).collect(),
        ];
        for codes in &catalogs {
            for code in codes {
                *owners.entry(code).or_default() += 1;
                assert_ne!(describe(code), "archlint finding", "{code}");
            }
        }
        let shared: Vec<_> = owners.iter().filter(|(_, n)| **n > 1).collect();
        assert!(shared.is_empty(), "codes in two catalogs: {shared:?}");
        assert_eq!(describe("no-such-code"), "archlint finding");
        assert_eq!(describe("layers"), "A layer imports a higher layer");
        assert_eq!(describe("non-utf8"), "A source file is not valid UTF-8");
    }
}
