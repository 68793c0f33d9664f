//! The whole check as a library call: the configuration read, the project loaded (through the
//! cache), the contracts checked against its graph, and the dependency checks and the
//! code-structure rules run when configured or asked for.
//!
//! [`check`] takes plain options — nothing here knows the command line or the terminal — and
//! returns one [`Report`]: each check's own results and the findings model built from them, with
//! the baseline applied to both. The command-line tool, the watch loop, the explorer and the
//! exports are its callers; every report format is rendered from it.
//!
//! ```no_run
//! use archlint_check::{CheckOptions, check};
//!
//! let report = check(&CheckOptions {
//!     path: Some("my-project".into()),
//!     ..Default::default()
//! })?;
//! for finding in report.findings().active() {
//!     println!("{}: {}", finding.code, finding.message);
//! }
//! std::process::exit(report.status(false).code().into());
//! # Ok::<(), anyhow::Error>(())
//! ```

pub mod baseline;
pub mod contracts;
pub mod deps;
pub mod findings;
pub mod identity;
mod paths;
pub mod perf;
pub mod plugins;
pub mod rules;
pub mod tach;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, bail};
use archlint_contracts::ContractResult;
use archlint_engine::{CacheFlags, KeepFacts, Project, ProjectOptions};

pub use contracts::{ContractOutcome, check_contracts, need_symbols};
pub use deps::{DepsRun, EnvOptions, OnlineOptions};
pub use paths::Paths;
pub use rules::RulesRun;

/// Whether a part of the check runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Run {
    /// When the configuration has its section.
    #[default]
    WhenConfigured,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Run {
    /// A pair of command-line flags (`--deps`/`--no-deps`): off wins, then on.
    pub fn from_flags(on: bool, off: bool) -> Run {
        if off {
            Run::Never
        } else if on {
            Run::Always
        } else {
            Run::WhenConfigured
        }
    }
}

/// What to check, and how.
#[derive(Clone, Default)]
pub struct CheckOptions {
    /// The project (default: the current directory).
    pub path: Option<PathBuf>,
    /// The configuration file (default: found in the project).
    pub config: Option<PathBuf>,
    /// The cache layers to use.
    pub cache: CacheFlags,
    /// The Python environment the dependency checks read.
    pub env: EnvOptions,
    /// The dependency checks.
    pub deps: Run,
    /// The code-structure rules.
    pub rules: Run,
    /// Only these contract ids (all when empty).
    pub contracts: Vec<String>,
    /// Which files' facts the project keeps for the caller (the dependency checks keep every
    /// file's whatever this says).
    pub keep_facts: KeepFacts,
    /// Fail when there is nothing to check (no contracts, dependency policy or rules).
    pub require_checks: bool,
    /// Counts the files as they are read.
    pub progress: Option<Arc<archlint_engine::Progress>>,
    /// The baseline of accepted findings (none: every finding counts).
    pub baseline: Option<BaselineOptions>,
    /// Whether and how import-linter's custom contract types run.
    pub plugins: plugins::PluginOptions,
}

/// Which baseline a check applies.
#[derive(Debug, Clone, Default)]
pub struct BaselineOptions {
    /// The baseline file (default: [`baseline::DEFAULT_FILE`] at the project root, applied when
    /// it exists).
    pub file: Option<PathBuf>,
    /// Write this run's findings to it first.
    pub update: bool,
}

/// The result of a check, before any report.
pub struct Analysis {
    pub project: Project,
    pub results: Vec<ContractResult>,
    /// Contracts that could not be checked.
    pub errors: Vec<archlint_contracts::ContractError>,
    pub deps: Option<DepsRun>,
    pub rules: Option<RulesRun>,
}

impl Analysis {
    /// Every result as one findings model (`seconds`: the run's duration, as reports show it).
    pub fn findings(&self, seconds: f64) -> archlint_findings::Report {
        findings::build(
            &self.project,
            &self.results,
            self.deps.as_ref(),
            self.rules.as_ref(),
            seconds,
        )
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Everything one check found: each check's own results (the detail the text and JSON reports
/// show: import-linter's routes with every line of each import, the dependency inventory, the
/// rules' metrics) and the findings model built from them — the one currency of verdicts,
/// identities, suppressions and the exit status. The baseline is applied to both.
pub struct Report {
    pub analysis: Analysis,
    /// Every check run and whether it passed (the findings model's own list).
    pub checks: Vec<archlint_findings::CheckOutcome>,
    /// What the baseline did, when one was asked for.
    pub baseline: Option<baseline::Outcome>,
    /// Wall time of the check, in milliseconds.
    pub ms: f64,
    /// The findings model, built when first asked for: the text report, which shows each
    /// check's own results, never needs it (on a tree with thousands of broken routes, building
    /// it would be a fifth of a warm run).
    findings: std::sync::OnceLock<archlint_findings::Report>,
}

/// A check's verdict, as the process exit status gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every check passed (0).
    Clean,
    /// Something failed a check (1).
    Findings,
    /// A contract could not be checked (2).
    Error,
}

impl Status {
    /// The exit code: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Status::Clean => 0,
            Status::Findings => 1,
            Status::Error => 2,
        }
    }
}

impl Report {
    /// The findings model of this check: every finding, with the baseline's accepted ones
    /// taken out.
    pub fn findings(&self) -> &archlint_findings::Report {
        self.findings
            .get_or_init(|| self.analysis.findings(self.ms / 1000.0))
    }

    /// Contracts that could not be checked are an error; a failed check (a broken contract, a
    /// dependency error, a rule finding not in the baseline) or, when `strict_baseline`, a
    /// baseline entry that no longer occurs are findings.
    pub fn status(&self, strict_baseline: bool) -> Status {
        if !self.analysis.errors.is_empty() {
            Status::Error
        } else if (strict_baseline && self.baseline.as_ref().is_some_and(|b| b.has_stale()))
            || self.checks.iter().any(|c| !c.passed)
        {
            Status::Findings
        } else {
            Status::Clean
        }
    }
}

/// The whole check as one call: [`analyze`], the baseline applied, then every result as one
/// findings model.
pub fn check(options: &CheckOptions) -> Result<Report> {
    let started = Instant::now();
    let mut analysis = analyze(options)?;
    let baseline = match &options.baseline {
        Some(b) => Some(baseline::apply_to(
            &mut analysis,
            b.file.as_deref(),
            b.update,
        )?),
        None => None,
    };
    let checks = findings::checks(
        &analysis.project,
        &analysis.results,
        analysis.deps.as_ref(),
        analysis.rules.as_ref(),
    );
    Ok(Report {
        analysis,
        checks,
        baseline,
        ms: ms(started),
        findings: Default::default(),
    })
}

/// Load the project, build the graph and run the selected checks.
pub fn analyze(options: &CheckOptions) -> Result<Analysis> {
    let root = match &options.path {
        Some(p) => p.clone(),
        None => std::env::current_dir()?,
    };
    // The configuration, read once: it decides whether the dependency checks and the rules
    // run, and the engine takes it as found.
    let located = archlint_engine::locate(options.path.as_deref(), options.config.as_deref())?;
    let config = located.config.as_ref();
    let config_for_deps = if options.deps == Run::Never {
        None
    } else {
        config
    };
    let with_deps = match options.deps {
        Run::Always => true,
        Run::Never => false,
        Run::WhenConfigured => deps::configured(config_for_deps),
    };
    let with_rules = match options.rules {
        Run::Always => true,
        Run::Never => false,
        Run::WhenConfigured => rules::configured(config),
    };
    let with_symbols = config.is_some_and(|c| contracts::need_symbols(&c.contracts));
    // Bad rule settings are a configuration error before any work is done.
    let rules_config = if with_rules {
        Some(rules::settings(config)?)
    } else {
        None
    };
    let load = || {
        archlint_engine::load_project(&ProjectOptions {
            path: options.path.clone(),
            config: options.config.clone(),
            located: Some(located.clone()),
            require_config: options.require_checks && !with_deps && !with_rules,
            cache: options.cache.clone(),
            keep_facts: if with_deps {
                KeepFacts::All
            } else if with_symbols && options.keep_facts == KeepFacts::None {
                KeepFacts::OnDemand
            } else {
                options.keep_facts
            },
            code_facts: with_rules,
            result_tag: rules_config.as_ref().map(rules::result_tag),
            progress: options.progress.clone(),
            settings: None,
            discovered: None,
            imports_only: false,
            symbols: with_symbols,
        })
    };
    let (mut project, deps) = if with_deps {
        let (project, run) =
            deps::check_dependencies(&root, config_for_deps, &options.env, &options.cache, || {
                load().map(Some)
            })?;
        (project.expect("loaded above"), Some(run))
    } else {
        (load()?, None)
    };
    let contracts_config = project
        .config
        .as_ref()
        .map(|c| c.contracts.clone())
        .unwrap_or_default();
    let rules = rules_config
        .as_ref()
        .map(|config| rules::run(&project, config));
    if options.require_checks && contracts_config.is_empty() && deps.is_none() && rules.is_none() {
        let path = project
            .config
            .as_ref()
            .map(|c| c.path.display().to_string())
            .unwrap_or_default();
        bail!(
            "{path}: no contracts found (each contract goes in an 'importlinter:contract:<id>' section, \
             or a [[tool.importlinter.contracts]] / [[tool.archlint.contracts]] table)"
        );
    }
    let mut selected = contracts_config;
    if !options.contracts.is_empty() {
        let path = project
            .config
            .as_ref()
            .map(|c| c.path.display().to_string())
            .unwrap_or_default();
        for wanted in &options.contracts {
            if !selected
                .iter()
                .any(|c| c.id.as_deref() == Some(wanted.as_str()))
            {
                bail!("no contract with id '{wanted}' in {path}");
            }
        }
        selected.retain(|c| {
            c.id.as_ref()
                .is_some_and(|id| options.contracts.contains(id))
        });
    }
    let checking = Instant::now();
    let outcomes = check_contracts(&project, &selected, &options.plugins);
    project.timings.contracts_ms = ms(checking);
    // Contracts with bad options first, then those that failed while checking.
    let mut errors = Vec::new();
    let mut failed = Vec::new();
    let mut results = Vec::new();
    for outcome in outcomes {
        match outcome {
            ContractOutcome::Invalid(e) => errors.push(e),
            ContractOutcome::Checked(Ok(r), _) => results.push(r),
            ContractOutcome::Checked(Err(e), _) => failed.push(e),
        }
    }
    errors.extend(failed);
    Ok(Analysis {
        project,
        results,
        errors,
        deps,
        rules,
    })
}
