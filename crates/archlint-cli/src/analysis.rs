//! The analysis pipeline: configuration → discovery → parallel parsing → graph → contracts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use archlint_contracts::config::{ProjectConfig, Settings, discover_config, load_config};
use archlint_contracts::{Contract, ContractResult};
use archlint_discovery::{DiscoveryOptions, SourceFile, discover};
use archlint_facts::SourceDiagnostic;
use archlint_graph::{
    GraphOptions, ImportGraph, ModuleInput, ResolvedImport, assemble_graph, resolve_imports,
};
use archlint_parser::{ParseSettings, parse_file};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::{CheckArgs, CheckFormat, ProjectArgs, render};

/// Everything known about a project after parsing.
pub struct Project {
    pub root: PathBuf,
    pub config: Option<ProjectConfig>,
    pub settings: Settings,
    pub files: Vec<SourceFile>,
    /// Problems found in each file, in the order of `files`.
    pub diagnostics: Vec<Vec<SourceDiagnostic>>,
    pub graph: ImportGraph,
    pub warnings: Vec<String>,
    pub timings: Timings,
}

/// Wall-clock time per phase, in milliseconds.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Timings {
    pub discover_ms: f64,
    pub parse_ms: f64,
    pub graph_ms: f64,
    pub contracts_ms: f64,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Load configuration (if any), discover, parse and build the graph.
pub fn load_project(args: &ProjectArgs, require_config: bool) -> Result<Project> {
    let root = match &args.path {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    if !root.is_dir() {
        bail!("{} is not a directory", root.display());
    }
    let config = match &args.config {
        Some(path) => Some(load_config(path)?),
        None => discover_config(&root)?,
    };
    if require_config && config.is_none() {
        bail!(
            "no configuration found in {} (looked for archlint.toml, [tool.archlint] or \
             [tool.importlinter] in pyproject.toml, [importlinter] in setup.cfg or .importlinter)",
            root.display()
        );
    }
    let settings = config
        .as_ref()
        .map(|c| c.settings.clone())
        .unwrap_or_default();
    let mut warnings: Vec<String> = config
        .as_ref()
        .map(|c| c.warnings.clone())
        .unwrap_or_default();

    let started = Instant::now();
    let discovered = discover(&DiscoveryOptions {
        root: root.clone(),
        root_packages: settings.root_packages.clone(),
        source_dirs: settings.source_dirs.iter().map(PathBuf::from).collect(),
        include: settings.include.clone(),
        exclude: settings.exclude.clone(),
        respect_gitignore: true,
    })?;
    let discover_ms = ms(started);
    warnings.extend(discovered.warnings.iter().cloned());

    let started = Instant::now();
    let parse_settings = ParseSettings::default();
    let graph_options = GraphOptions {
        include_external_packages: settings.include_external_packages,
        exclude_type_checking_imports: settings.exclude_type_checking_imports,
        include_dynamic_imports: settings.include_dynamic_imports,
    };
    let names: FxHashSet<&str> = discovered.files.iter().map(|f| f.module.as_str()).collect();
    // Parse and resolve each file on the worker threads; only the resolved imports and the
    // diagnostics are kept, so memory stays proportional to the graph, not to the sources.
    let parsed: Vec<(Vec<ResolvedImport>, Vec<SourceDiagnostic>)> = discovered
        .files
        .par_iter()
        .map(|f| {
            let facts = parse_file(&f.path, &parse_settings);
            let input = ModuleInput {
                name: &f.module,
                is_package: f.is_package,
                facts: &facts,
            };
            let resolved =
                resolve_imports(&input, &names, &discovered.root_packages, &graph_options);
            (resolved, facts.diagnostics)
        })
        .collect();
    let parse_ms = ms(started);

    let started = Instant::now();
    let graph = assemble_graph(
        &discovered.namespace_packages,
        discovered
            .files
            .iter()
            .zip(&parsed)
            .map(|(f, (resolved, _))| (f.module.as_str(), resolved.as_slice())),
    );
    let diagnostics: Vec<Vec<SourceDiagnostic>> = parsed.into_iter().map(|(_, d)| d).collect();
    let graph_ms = ms(started);
    let mut settings = settings;
    settings.root_packages = discovered.root_packages.clone();

    Ok(Project {
        root,
        config,
        settings,
        diagnostics,
        files: discovered.files,
        graph,
        warnings,
        timings: Timings {
            discover_ms,
            parse_ms,
            graph_ms,
            contracts_ms: 0.0,
        },
    })
}

/// One file's path relative to the project, for messages.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
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
