//! The code-structure rules as part of a check: their settings, and their findings (stored for an
//! unchanged project, computed otherwise).

use std::time::Instant;

use anyhow::Result;
use archlint_config::ProjectConfig;
use archlint_engine::{Project, display_path};
use archlint_rules::{ModuleInput, Outcome, RulesConfig};

/// The rules run as part of `archlint check`.
#[derive(Debug)]
pub struct RulesRun {
    pub outcome: Outcome,
    /// Findings taken out by the baseline.
    pub baselined: usize,
    pub ms: f64,
}

/// Whether `[tool.archlint.rules]` is configured.
pub fn configured(config: Option<&ProjectConfig>) -> bool {
    config.is_some_and(|c| c.rules_table.is_some())
}

/// The rules' settings from the configuration (defaults without a table).
pub fn settings(config: Option<&ProjectConfig>) -> Result<RulesConfig> {
    match config.and_then(|c| c.rules_table.as_ref()) {
        Some(table) => {
            let path = config
                .and_then(|c| c.tables_path.as_ref().or(Some(&c.path)))
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            RulesConfig::from_table(table).map_err(|e| anyhow::anyhow!("{path}: {e}"))
        }
        None => Ok(RulesConfig::default()),
    }
}

/// Relative, `/`-separated paths of the project's files.
pub fn project_paths(project: &Project) -> Vec<String> {
    project
        .files
        .iter()
        .map(|f| display_path(&project.root, &f.path))
        .collect()
}

/// Call `f` with every module's rule input (its facts must be kept on the project).
pub fn with_inputs<T>(project: &Project, f: impl FnOnce(&[ModuleInput]) -> T) -> T {
    let paths = project_paths(project);
    let facts = project.facts.as_deref().unwrap_or(&[]);
    let inputs: Vec<ModuleInput> = project
        .files
        .iter()
        .zip(&paths)
        .zip(facts)
        .map(|((file, path), facts)| ModuleInput {
            module: &file.module,
            path,
            is_package: file.is_package,
            facts,
        })
        .collect();
    f(&inputs)
}

/// The tag the rules' findings are cached under: the rules' version and every setting.
pub fn result_tag(config: &RulesConfig) -> String {
    format!(
        "rules-{}-{}|{}",
        archlint_rules::RESULTS_VERSION,
        env!("CARGO_PKG_VERSION"),
        config.fingerprint()
    )
}

/// Evaluate the rules on the project's facts; on an unchanged project, the stored findings.
pub fn run(project: &Project, config: &RulesConfig) -> RulesRun {
    let started = Instant::now();
    let stored = project
        .stored_result
        .as_deref()
        .and_then(Outcome::from_bytes);
    let outcome = match stored {
        Some(outcome) => outcome,
        None => {
            let outcome = with_inputs(project, |inputs| {
                archlint_rules::check(inputs, &project.graph, config)
            });
            if let Some(slot) = &project.result_slot {
                slot.store(&outcome.to_bytes());
            }
            outcome
        }
    };
    RulesRun {
        outcome,
        baselined: 0,
        ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}
