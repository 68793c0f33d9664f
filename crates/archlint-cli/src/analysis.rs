//! The analysis pipeline: configuration → discovery → parallel parsing → graph → contracts.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use archlint_contracts::{Contract, ContractResult};
use archlint_engine::{CacheFlags, Project, ProjectOptions};
use rayon::prelude::*;

use crate::{CheckArgs, ProjectArgs, render};

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The cache choices on the command line.
pub fn cache_flags(args: &ProjectArgs) -> CacheFlags {
    CacheFlags {
        no_cache: args.no_cache,
        cache_dir: args.cache_dir.clone(),
        redis_url: args.redis_url.clone(),
    }
}

/// Load the project named by the command-line arguments.
pub fn load_project(args: &ProjectArgs, require_config: bool) -> Result<Project> {
    archlint_engine::load_project(&ProjectOptions {
        path: args.path.clone(),
        config: args.config.clone(),
        require_config,
        cache: cache_flags(args),
        keep_facts: false,
        keep_parsed_facts: false,
        code_facts: false,
        result_tag: None,
        progress: None,
    })
}

/// `archlint check`.
pub fn run_check(args: &CheckArgs) -> Result<ExitCode> {
    if args.watch {
        return crate::watch_cmd::run(args);
    }
    let started = Instant::now();
    let outputs: Vec<(String, std::path::PathBuf)> = args
        .outputs
        .iter()
        .map(|o| crate::report::parse_output(o))
        .collect::<Result<_>>()?;
    let mut formats: Vec<&str> = Vec::new();
    for f in &args.format {
        if !formats.contains(&f.name()) {
            formats.push(f.name());
        }
    }
    if formats.len() > 1 && args.output_dir.is_none() {
        bail!(
            "--format {}: several formats need --output-dir DIR (or --output FORMAT=PATH for each)",
            formats.join(",")
        );
    }
    let html_template = match &args.html_template {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("--html-template {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let Analysis {
        project,
        mut results,
        errors,
        mut deps,
        mut rules,
    } = analyze(&Selection::for_check(args))?;
    // The baseline: accepted findings are taken out before anything is reported.
    let baseline_file = args
        .baseline
        .clone()
        .unwrap_or_else(|| project.root.join(crate::baseline::DEFAULT_FILE));
    let mut applied = None;
    if args.update_baseline {
        let n = crate::baseline::write(
            &baseline_file,
            crate::baseline::entries(&results, deps.as_ref(), rules.as_ref()),
        )?;
        eprintln!(
            "archlint: wrote {n} findings to {}",
            baseline_file.display()
        );
    }
    if args.update_baseline || args.baseline.is_some() || baseline_file.is_file() {
        let baseline = crate::baseline::load(&baseline_file)?;
        applied = Some(crate::baseline::apply(
            &baseline,
            &mut results,
            deps.as_mut(),
            rules.as_mut(),
            archlint_deps::today(),
        ));
    }
    let total_ms = ms(started);
    // Stale entries are always worth saying; the accepted count is a note.
    if let Some(a) = &applied
        && ((a.suppressed > 0 && !args.project.quiet) || !a.stale.is_empty())
    {
        eprintln!(
            "archlint: baseline {}: {} findings accepted; {} entries no longer occur{}",
            baseline_file.display(),
            a.suppressed,
            a.stale.len(),
            if a.stale.is_empty() {
                String::new()
            } else {
                " (remove them with --update-baseline)".into()
            }
        );
        for s in a.stale.iter().take(20) {
            eprintln!("  gone: {s}");
        }
    }
    if args.stats {
        render::cache_stats(&project.cache);
    }
    let reporting = Instant::now();
    // The findings model, built only when a format needs it (the default text report does not).
    let built = std::cell::OnceCell::new();
    let model = || {
        built.get_or_init(|| {
            crate::report::build(
                &project,
                &results,
                deps.as_ref(),
                rules.as_ref(),
                total_ms / 1000.0,
            )
        })
    };
    let mut files = outputs;
    if let Some(dir) = &args.output_dir {
        for f in &formats {
            files.push(((*f).to_owned(), dir.join(crate::report::file_name(f))));
        }
    }
    let render_one = |format: &str| -> Result<String> {
        Ok(match format {
            "text" => {
                let mut buf = Vec::new();
                render::text(
                    &mut buf,
                    false,
                    &project,
                    &results,
                    &errors,
                    deps.as_ref(),
                    rules.as_ref(),
                    total_ms,
                );
                String::from_utf8_lossy(&buf).into_owned()
            }
            "json" => {
                let serde_json::Value::Object(rest) = render::json_value(
                    &project,
                    &results,
                    &errors,
                    deps.as_ref(),
                    rules.as_ref(),
                    total_ms,
                ) else {
                    unreachable!("the JSON report is an object")
                };
                // Every finding in the one model the other formats are written from.
                let report = render::JsonReport {
                    rest,
                    paths: render::Paths::new(&project),
                    results: &results,
                    findings: &model().findings,
                };
                serde_json::to_string_pretty(&report)? + "\n"
            }
            "html" => {
                let page = crate::html_page::page(&project, &results, deps.as_ref(), total_ms);
                archlint_html::render(model(), &page, html_template.as_deref())
                    .map_err(|e| anyhow::anyhow!(e))?
            }
            other => crate::report::render(other, model())?,
        })
    };
    for (format, path) in &files {
        crate::report::write_file(path, &render_one(format)?)?;
    }
    render::print_diagnostics(&project);
    let stdout_format = if args.output_dir.is_some() {
        "text"
    } else {
        formats[0]
    };
    {
        let stdout = std::io::stdout();
        // One write per buffer, not per line (stdout is line-buffered).
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        if stdout_format == "text" {
            render::text(
                &mut out,
                crate::snippets::stdout_color(),
                &project,
                &results,
                &errors,
                deps.as_ref(),
                rules.as_ref(),
                total_ms,
            );
        } else {
            std::io::Write::write_all(&mut out, render_one(stdout_format)?.as_bytes())?;
        }
        std::io::Write::flush(&mut out)?;
    }
    render::print_errors(&project, &results, &errors);
    let report_ms = ms(reporting);
    let perf_log = args.perf_log.clone().or_else(|| {
        std::env::var_os("ARCHLINT_PERF_LOG")
            .filter(|v| !v.is_empty())
            .map(Into::into)
    });
    if let Some(log) = perf_log {
        let record = crate::perf_cmd::record(
            &project,
            deps.as_ref(),
            rules.as_ref(),
            report_ms,
            ms(started),
        );
        if let Err(e) = archlint_perf::append(&log, &record) {
            eprintln!("archlint: warning: cannot append to {}: {e}", log.display());
        }
    }
    // The process ends right after: the operating system takes the project's memory back at
    // once, where dropping it would free its hundreds of thousands of allocations one by one
    // (a tenth of a warm run on a 50k-module tree).
    std::mem::forget(project);
    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let deps_failed = deps.as_ref().is_some_and(|d| d.report.errors > 0);
    if args.strict_baseline && applied.as_ref().is_some_and(|a| !a.stale.is_empty()) {
        return Ok(ExitCode::from(1));
    }
    let rules_failed = rules
        .as_ref()
        .is_some_and(|r| !r.outcome.findings.is_empty());
    Ok(
        if results.iter().all(|r| r.kept) && !deps_failed && !rules_failed {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

/// What to analyse: the project and which checks to run.
pub struct Selection<'a> {
    pub project: &'a ProjectArgs,
    pub env: &'a crate::deps_cmd::EnvArgs,
    pub deps: bool,
    pub no_deps: bool,
    pub rules: bool,
    pub no_rules: bool,
    /// Only these contract ids (all when empty).
    pub contracts: &'a [String],
    /// Keep every file's facts on the project.
    pub keep_facts: bool,
    /// Keep the facts that are at hand without decoding cached ones.
    pub keep_parsed_facts: bool,
    /// Fail when there is nothing to check (no contracts, dependency policy or rules).
    pub require_checks: bool,
}

impl<'a> Selection<'a> {
    /// What `archlint check` analyses: its flags, no facts kept, something to check required.
    pub fn for_check(args: &'a CheckArgs) -> Self {
        Selection {
            project: &args.project,
            env: &args.env,
            deps: args.deps,
            no_deps: args.no_deps,
            rules: args.rules,
            no_rules: args.no_rules,
            contracts: &args.contracts,
            keep_facts: false,
            keep_parsed_facts: false,
            require_checks: true,
        }
    }
}

/// The result of an analysis, before any report.
pub struct Analysis {
    pub project: Project,
    pub results: Vec<ContractResult>,
    /// Contracts that could not be checked.
    pub errors: Vec<archlint_contracts::ContractError>,
    pub deps: Option<crate::deps_cmd::DepsRun>,
    pub rules: Option<crate::rules_cmd::RulesRun>,
}

/// Parse, build the graph and run the selected checks.
pub fn analyze(sel: &Selection<'_>) -> Result<Analysis> {
    // The dependency checks run when configured (or asked for), reading the environment while
    // the code is parsed.
    let root = match &sel.project.path {
        Some(p) => p.clone(),
        None => std::env::current_dir()?,
    };
    // The configuration decides whether the dependency checks and the rules run (read here
    // once; the engine reads it again for the contracts).
    let config = if sel.no_deps && sel.no_rules {
        None
    } else {
        match &sel.project.config {
            Some(p) => Some(archlint_contracts::config::load_config(p)?),
            None => archlint_contracts::config::discover_config(&root).unwrap_or(None),
        }
    };
    let config_for_deps = if sel.no_deps { None } else { config.as_ref() };
    let with_deps = !sel.no_deps && (sel.deps || crate::deps_cmd::configured(config_for_deps));
    let with_rules = !sel.no_rules && (sel.rules || crate::rules_cmd::configured(config.as_ref()));
    // Bad rule settings are a configuration error before any work is done.
    let rules_config = if with_rules {
        Some(crate::rules_cmd::settings(config.as_ref())?)
    } else {
        None
    };
    let counter = std::sync::Arc::new(archlint_engine::Progress::default());
    let display =
        crate::progress::Display::start(&counter, crate::progress::wanted(sel.project.quiet));
    let load = || {
        archlint_engine::load_project(&ProjectOptions {
            path: sel.project.path.clone(),
            config: sel.project.config.clone(),
            require_config: sel.require_checks && !with_deps && !with_rules,
            cache: cache_flags(sel.project),
            keep_facts: with_deps || sel.keep_facts,
            keep_parsed_facts: sel.keep_parsed_facts,
            code_facts: with_rules,
            result_tag: rules_config.as_ref().map(crate::rules_cmd::result_tag),
            progress: Some(counter.clone()),
        })
    };
    let (mut project, deps) = if with_deps {
        let (project, run) = crate::deps_cmd::check_dependencies(
            &root,
            config_for_deps,
            sel.env,
            &cache_flags(sel.project),
            || load().map(Some),
        )?;
        (project.expect("loaded above"), Some(run))
    } else {
        (load()?, None)
    };
    display.finish();
    let contracts_config = project
        .config
        .as_ref()
        .map(|c| c.contracts.clone())
        .unwrap_or_default();
    let rules = rules_config
        .as_ref()
        .map(|config| crate::rules_cmd::run(&project, config));
    if sel.require_checks && contracts_config.is_empty() && deps.is_none() && rules.is_none() {
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
    if !sel.contracts.is_empty() {
        let path = project
            .config
            .as_ref()
            .map(|c| c.path.display().to_string())
            .unwrap_or_default();
        for wanted in sel.contracts {
            if !selected
                .iter()
                .any(|c| c.id.as_deref() == Some(wanted.as_str()))
            {
                bail!("no contract with id '{wanted}' in {path}");
            }
        }
        selected.retain(|c| c.id.as_ref().is_some_and(|id| sel.contracts.contains(id)));
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
pub fn check_contracts(
    project: &Project,
    configs: &[archlint_contracts::config::ContractConfig],
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
    let outcomes: Vec<ContractOutcome> = contracts
        .into_par_iter()
        .map(|c| match c {
            Err(e) => ContractOutcome::Invalid(e),
            Ok(contract) => {
                let started = Instant::now();
                let outcome = contract.check(&project.graph, &project.settings);
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
const CONTRACT_RESULTS_VERSION: u32 = 1;

/// A checked contract's outcome and how long it took, as stored for an unchanged project.
type CheckedOutcome = (
    Result<ContractResult, archlint_contracts::ContractError>,
    f64,
);
