//! The whole check as a library call: the configuration read, the project loaded (through the
//! cache), the contracts checked against its graph, and the dependency checks and the
//! code-structure rules run when configured or asked for.
//!
//! [`analyze`] takes plain options — nothing here knows the command line or the terminal — and
//! returns every result before any report; the command-line tool, the watch loop, the explorer
//! and the exports are its callers.

pub mod baseline;
pub mod contracts;
pub mod deps;
pub mod findings;
pub mod identity;
mod paths;
pub mod perf;
pub mod rules;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, bail};
use archlint_contracts::ContractResult;
use archlint_engine::{CacheFlags, KeepFacts, Project, ProjectOptions};

pub use contracts::{ContractOutcome, check_contracts};
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

/// The whole check as one call: [`analyze`], then every result as one findings model.
pub fn check(options: &CheckOptions) -> Result<(Analysis, archlint_findings::Report)> {
    let started = Instant::now();
    let analysis = analyze(options)?;
    let report = analysis.findings(started.elapsed().as_secs_f64());
    Ok((analysis, report))
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
            } else {
                options.keep_facts
            },
            code_facts: with_rules,
            result_tag: rules_config.as_ref().map(rules::result_tag),
            progress: options.progress.clone(),
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
    let outcomes = check_contracts(&project, &selected);
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
