//! The analysis pipeline: configuration → discovery → parallel parsing → graph → contracts.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use archlint_contracts::{Contract, ContractResult};
use archlint_engine::{CacheFlags, Project, ProjectOptions};
use rayon::prelude::*;

use crate::{CheckArgs, CheckFormat, ProjectArgs, render};

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Load the project named by the command-line arguments.
pub fn load_project(args: &ProjectArgs, require_config: bool) -> Result<Project> {
    archlint_engine::load_project(&ProjectOptions {
        path: args.path.clone(),
        config: args.config.clone(),
        require_config,
        cache: CacheFlags {
            no_cache: args.no_cache,
            cache_dir: args.cache_dir.clone(),
            redis_url: args.redis_url.clone(),
        },
    })
}

/// `archlint check`.
pub fn run_check(args: &CheckArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let mut project = load_project(&args.project, true)?;
    let config = project.config.as_ref().expect("required above");
    if config.contracts.is_empty() {
        bail!(
            "{}: no contracts found (each contract goes in an 'importlinter:contract:<id>' section, \
             or a [[tool.importlinter.contracts]] / [[tool.archlint.contracts]] table)",
            config.path.display()
        );
    }
    let mut selected = config.contracts.clone();
    if !args.contracts.is_empty() {
        for wanted in &args.contracts {
            if !selected
                .iter()
                .any(|c| c.id.as_deref() == Some(wanted.as_str()))
            {
                bail!(
                    "no contract with id '{wanted}' in {}",
                    config.path.display()
                );
            }
        }
        selected.retain(|c| c.id.as_ref().is_some_and(|id| args.contracts.contains(id)));
    }
    // A contract with bad options is reported as an error; the others are still checked.
    let mut errors = Vec::new();
    let mut contracts: Vec<Contract> = Vec::new();
    for contract_config in &selected {
        match Contract::from_config(contract_config) {
            Ok(c) => contracts.push(c),
            Err(e) => errors.push(e),
        }
    }

    let checking = Instant::now();
    let outcomes: Vec<Result<ContractResult, archlint_contracts::ContractError>> = contracts
        .par_iter()
        .map(|c| c.check(&project.graph, &project.settings))
        .collect();
    project.timings.contracts_ms = ms(checking);
    let mut results = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(r) => results.push(r),
            Err(e) => errors.push(e),
        }
    }
    let total_ms = ms(started);
    if args.stats {
        render::cache_stats(&project.cache);
    }
    match args.format {
        CheckFormat::Text => render::text(&project, &results, &errors, total_ms),
        CheckFormat::Json => render::json(&project, &results, &errors, total_ms)?,
    }
    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(if results.iter().all(|r| r.kept) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
