//! Checking the configured contracts against a project's graph.

use std::time::Instant;

use archlint_contracts::symbols::SymbolIndex;
use archlint_contracts::{Contract, ContractResult};
use archlint_engine::Project;
use rayon::prelude::*;

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// What one configured contract gave.
pub enum ContractOutcome {
    /// Its options are wrong: it was not checked.
    Invalid(archlint_contracts::ContractError),
    /// Checked (or failed while checking), in this many milliseconds.
    Checked(
        Result<ContractResult, archlint_contracts::ContractError>,
        f64,
    ),
}

/// Check configured contracts against a project, in parallel; the outcomes in configuration
/// order. A contract with bad options is an outcome of its own; the others are still checked.
///
/// With a disk cache, the outcomes of an unchanged project (the same files, the same contracts
/// and settings, the same archlint) are read back instead of searched again: the graph is the
/// same, so they are too.
///
/// Contracts of import-linter's custom contract types run in Python ([`crate::plugins`]) when
/// `plugins` allows it, and are never stored.
pub fn check_contracts(
    project: &Project,
    configs: &[archlint_config::ContractConfig],
    plugins: &crate::plugins::PluginOptions,
) -> Vec<ContractOutcome> {
    if project.settings.contract_types.is_empty() {
        return check_built_in(project, configs);
    }
    let (custom, built_in): (Vec<(usize, &archlint_config::ContractConfig)>, Vec<_>) = configs
        .iter()
        .enumerate()
        .partition(|(_, c)| crate::plugins::custom_type(project, c).is_some());
    let built_in_configs: Vec<archlint_config::ContractConfig> =
        built_in.iter().map(|(_, c)| (*c).clone()).collect();
    let custom_configs: Vec<&archlint_config::ContractConfig> =
        custom.iter().map(|(_, c)| *c).collect();
    let mut outcomes: Vec<Option<ContractOutcome>> = configs.iter().map(|_| None).collect();
    for ((i, _), o) in built_in
        .iter()
        .zip(check_built_in(project, &built_in_configs))
    {
        outcomes[*i] = Some(o);
    }
    if !custom_configs.is_empty() {
        for ((i, _), o) in
            custom
                .iter()
                .zip(crate::plugins::check(project, &custom_configs, plugins))
        {
            outcomes[*i] = Some(o);
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.expect("every contract has an outcome"))
        .collect()
}

fn check_built_in(
    project: &Project,
    configs: &[archlint_config::ContractConfig],
) -> Vec<ContractOutcome> {
    let contracts: Vec<Result<Contract, archlint_contracts::ContractError>> =
        configs.iter().map(Contract::from_config).collect();
    let slot = project.result_slots.as_ref().and_then(|slots| {
        let tag = format!(
            "contracts;{};{CONTRACT_RESULTS_VERSION};{};{configs:?};{:?}",
            env!("CARGO_PKG_VERSION"),
            build_identity(),
            project.settings
        );
        slots.slot(&format!(
            "contracts-{}",
            archlint_cache::content_hash(tag.as_bytes()).to_hex()
        ))
    });
    let valid = contracts.iter().filter(|c| c.is_ok()).count();
    let stored: Option<Vec<CheckedOutcome>> = slot
        .as_ref()
        .and_then(|s| s.load())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(|stored: &Vec<CheckedOutcome>| stored.len() == valid);
    if let Some(stored) = stored {
        let mut stored = stored.into_iter();
        return contracts
            .into_iter()
            .map(|c| match c {
                Err(e) => ContractOutcome::Invalid(e),
                Ok(_) => {
                    let (outcome, ms) = stored.next().expect("one stored outcome per contract");
                    ContractOutcome::Checked(outcome, ms)
                }
            })
            .collect();
    }
    let symbols = if contracts
        .iter()
        .any(|c| c.as_ref().is_ok_and(Contract::needs_symbols))
    {
        symbol_index(project)
    } else {
        SymbolIndex::default()
    };
    let outcomes: Vec<ContractOutcome> = contracts
        .into_par_iter()
        .map(|c| match c {
            Err(e) => ContractOutcome::Invalid(e),
            Ok(contract) => {
                let started = Instant::now();
                let outcome =
                    contract.check_with_symbols(&project.graph, &project.settings, &symbols);
                ContractOutcome::Checked(outcome, ms(started))
            }
        })
        .collect();
    if let Some(slot) = slot {
        let checked: Vec<(
            &Result<ContractResult, archlint_contracts::ContractError>,
            f64,
        )> = outcomes
            .iter()
            .filter_map(|o| match o {
                ContractOutcome::Checked(r, ms) => Some((r, *ms)),
                ContractOutcome::Invalid(_) => None,
            })
            .collect();
        if let Ok(bytes) = serde_json::to_vec(&checked) {
            slot.store(&bytes);
        }
    }
    outcomes
}

/// Whether any of the contracts is symbol-level (its project must be loaded with symbol facts,
/// and its facts kept).
pub fn need_symbols(configs: &[archlint_config::ContractConfig]) -> bool {
    configs.iter().any(|c| {
        matches!(c.options.get("type"), Some(archlint_config::RawValue::One(t))
            if archlint_contracts::SYMBOL_CONTRACT_TYPES.contains(&t.trim()))
    })
}

/// Every module's symbols, from the project's facts (read in parallel).
fn symbol_index(project: &Project) -> SymbolIndex {
    let facts: Vec<std::sync::Arc<archlint_facts::ModuleFacts>> = (0..project.files.len())
        .into_par_iter()
        .map(|i| project.facts_of(i))
        .collect();
    SymbolIndex::build(
        project
            .files
            .iter()
            .zip(&facts)
            .map(|(f, facts)| (f.module.as_str(), f.is_package, facts.as_ref())),
        project.settings.exclude_type_checking_imports,
    )
}

/// This executable's size and modification time: a rebuilt archlint (a development build with
/// the same version number) never reads the contract outcomes an older build stored.
fn build_identity() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}-{mtime}", m.len())
        })
        .unwrap_or_default()
}

/// Raised whenever a contract's outcome on the same graph could change (a new algorithm, a new
/// field): stored outcomes of an older version are not read.
const CONTRACT_RESULTS_VERSION: u32 = 2;

/// A checked contract's outcome and how long it took, as stored for an unchanged project.
type CheckedOutcome = (
    Result<ContractResult, archlint_contracts::ContractError>,
    f64,
);
