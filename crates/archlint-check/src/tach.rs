//! A project configured for tach: its `tach.toml` (or `[tool.tach]`) read unchanged, its
//! files found as tach finds them, parsed (and cached) by the engine, checked by
//! `archlint-tach`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, anyhow};
use archlint_engine::{KeepFacts, Located, ProjectOptions};
use archlint_facts::ModuleFacts;
use archlint_tach::{Layout, Outcome, TachConfig};
use rayon::prelude::*;

use crate::CheckOptions;

/// A finished tach check.
pub struct TachRun {
    pub config: TachConfig,
    pub layout: Layout,
    pub outcome: Outcome,
    /// Each walked file's facts, in the order of `layout.files` (without a cache and without
    /// `exact`, only their diagnostics: see [`run_streaming`]).
    pub facts: Vec<Arc<ModuleFacts>>,
}

impl TachRun {
    /// `exact`'s unused declared dependencies (empty without `exact`).
    pub fn unused_dependencies(&self) -> Result<Vec<(String, Vec<String>)>> {
        if !self.config.exact {
            return Ok(Vec::new());
        }
        let refs: Vec<&ModuleFacts> = self.facts.iter().map(Arc::as_ref).collect();
        archlint_tach::check::unused_dependencies(&self.config, &self.layout, &refs)
            .map_err(config_error)
    }
}

fn config_error(e: archlint_tach::ConfigError) -> anyhow::Error {
    anyhow::Error::from(e)
}

/// The tach configuration this check runs, if it is one: `--config` naming `tach.toml` (or a
/// `pyproject.toml` with `[tool.tach]` and no import-linter or archlint table), or — with no
/// configuration given and none of archlint's or import-linter's in the project — the
/// project's own `tach.toml` / `[tool.tach]`.
pub fn select(options: &CheckOptions) -> Result<Option<TachConfig>> {
    let root = match &options.path {
        Some(p) => p.clone(),
        None => std::env::current_dir()?,
    };
    match &options.config {
        Some(file) => {
            let name = file.file_name().and_then(|n| n.to_str());
            if name == Some("tach.toml") {
                return archlint_tach::load(file).map(Some).map_err(config_error);
            }
            if name == Some("pyproject.toml")
                && let Ok(text) = std::fs::read_to_string(file)
                && text.contains("tool.tach")
                && archlint_tach::config::is_tach_file(file, &text)
                && archlint_config::load_config(file).is_err()
            {
                return archlint_tach::config::parse(file, &text)
                    .map(Some)
                    .map_err(config_error);
            }
            Ok(None)
        }
        None => {
            // Cheap first (this runs before every check): no tach file, nothing more to read.
            let pyproject_has_tach = std::fs::read_to_string(root.join("pyproject.toml"))
                .is_ok_and(|text| text.contains("tool.tach"));
            if !root.join("tach.toml").is_file() && !pyproject_has_tach {
                return Ok(None);
            }
            if !root.is_dir()
                || archlint_config::discover_config(&root)
                    .ok()
                    .flatten()
                    .is_some()
            {
                return Ok(None);
            }
            archlint_tach::discover(&root).map_err(config_error)
        }
    }
}

/// The project root of a tach configuration: its file's directory.
fn project_root(config: &TachConfig) -> PathBuf {
    config
        .file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Walk and parse: the layout (with `tach.domain.toml` modules added) and each file's facts.
fn walk_and_parse(
    options: &CheckOptions,
    config: &mut TachConfig,
) -> Result<(Layout, Vec<Arc<ModuleFacts>>)> {
    let root = project_root(config);
    let layout = archlint_tach::walk(&root, config).map_err(config_error)?;
    archlint_tach::add_domains(config, &layout).map_err(config_error)?;
    let facts = if options.cache.no_cache {
        // Nothing to cache: each file parsed for its imports alone, in parallel.
        let settings = import_settings();
        let parsed: Vec<Option<Arc<ModuleFacts>>> = layout
            .files
            .par_iter()
            .enumerate()
            .map(|(i, f)| {
                (!is_repeat(&layout, i, f))
                    .then(|| Arc::new(archlint_parser::parse_file(&f.path, &settings)))
            })
            .collect();
        // A repeat follows the file it repeats: it shares that file's facts.
        let mut facts: Vec<Arc<ModuleFacts>> = Vec::with_capacity(parsed.len());
        for one in parsed {
            match one.or_else(|| facts.last().cloned()) {
                Some(f) => facts.push(f),
                None => return Err(anyhow!("internal error: a walked file was not parsed")),
            }
        }
        facts
    } else {
        cached_facts(options, &layout)?
    };
    Ok((layout, facts))
}

/// The tach configuration `check-external` runs on: `--config` naming one, else the
/// project's `tach.toml` / `[tool.tach]` (even beside archlint's or import-linter's
/// configuration, which `check-external` has no use for).
pub fn select_for_external(options: &CheckOptions) -> Result<Option<TachConfig>> {
    if options.config.is_some() {
        return select(options);
    }
    let root = match &options.path {
        Some(p) => p.clone(),
        None => std::env::current_dir()?,
    };
    archlint_tach::discover(&root).map_err(config_error)
}

/// Walk, parse and check.
pub fn run(options: &CheckOptions, mut config: TachConfig) -> Result<TachRun> {
    if options.cache.no_cache && !config.exact {
        return run_streaming(config);
    }
    let (layout, facts) = walk_and_parse(options, &mut config)?;
    let refs: Vec<&ModuleFacts> = facts.iter().map(Arc::as_ref).collect();
    let outcome = archlint_tach::check(&config, &layout, &refs, archlint_tach::Checks::default())
        .map_err(config_error)?;
    Ok(TachRun {
        config,
        layout,
        outcome,
        facts,
    })
}

/// The parse settings of a tach check: imports (and directives, diagnostics) only.
fn import_settings() -> archlint_parser::ParseSettings {
    let mut settings = archlint_engine::parse_settings(&archlint_config::Settings::default());
    settings.code_facts = false;
    settings.structure = false;
    settings
}

/// A check with nothing to cache and one pass to make (no `exact`, which checks twice): each
/// file parsed just before it is checked, on the same thread, and nothing kept of it but its
/// diagnostics — as tach itself goes. On the 50k-file tree this holds a fraction of the
/// memory (every file's imports were most of it) and spends less time allocating it.
fn run_streaming(mut config: TachConfig) -> Result<TachRun> {
    let root = project_root(&config);
    let layout = archlint_tach::walk(&root, &config).map_err(config_error)?;
    archlint_tach::add_domains(&mut config, &layout).map_err(config_error)?;
    let settings = import_settings();
    let clean: Arc<ModuleFacts> = Arc::default();
    // What the report keeps of a file: its diagnostics, when it has any.
    let keep = |facts: ModuleFacts| {
        if facts.diagnostics.is_empty() {
            clean.clone()
        } else {
            Arc::new(ModuleFacts {
                diagnostics: facts.diagnostics,
                bytes: facts.bytes,
                lines: facts.lines,
                ..ModuleFacts::default()
            })
        }
    };
    let prepared =
        archlint_tach::check::Prepared::new(&config, &layout, archlint_tach::Checks::default())
            .map_err(config_error)?;
    let (outcome, facts) = match prepared {
        Ok(prepared) => {
            let per_file: Vec<(archlint_tach::check::FileOutcome, Arc<ModuleFacts>)> = layout
                .files
                .par_iter()
                .enumerate()
                .map(|(index, file)| {
                    let facts = archlint_parser::parse_file(&file.path, &settings);
                    (prepared.check_file(index, &facts), keep(facts))
                })
                .collect();
            let (outcomes, facts): (Vec<_>, Vec<_>) = per_file.into_iter().unzip();
            (prepared.finish(outcomes), facts)
        }
        // Stopped before any file is checked: the files are still read, for their problems.
        Err(stopped) => {
            let facts = layout
                .files
                .par_iter()
                .map(|file| keep(archlint_parser::parse_file(&file.path, &settings)))
                .collect();
            (stopped, facts)
        }
    };
    Ok(TachRun {
        config,
        layout,
        outcome,
        facts,
    })
}

/// A finished `tach check-external`.
pub struct TachExternalRun {
    pub layout: Layout,
    pub outcome: archlint_tach::ExternalOutcome,
    /// Each walked file's facts, in the order of `layout.files`.
    pub facts: Vec<Arc<ModuleFacts>>,
    /// The environment whose distributions were read (`None`: none was found, and every
    /// import name stands for itself).
    pub environment: Option<archlint_inventory::Environment>,
}

/// Walk, parse, read the environment's distributions and run `tach check-external`.
pub fn run_external(options: &CheckOptions, mut config: TachConfig) -> Result<TachExternalRun> {
    let root = project_root(&config);
    let spec = options.env.spec(&root);
    let (parsed, inventory) = rayon::join(
        || walk_and_parse(options, &mut config),
        || archlint_inventory::locate(&spec).map(archlint_inventory::read_inventory),
    );
    let (layout, facts) = parsed?;
    let (environment, inventory) = match inventory {
        Ok(inventory) => (Some(inventory.environment.clone()), Some(inventory)),
        Err(_) if options.env.python.is_none() && options.env.venv.is_none() => (None, None),
        Err(e) => return Err(e.into()),
    };
    let environment_names = external_environment(inventory.as_ref());
    let refs: Vec<&ModuleFacts> = facts.iter().map(Arc::as_ref).collect();
    let outcome = archlint_tach::check_external(&config, &layout, &refs, &environment_names)
        .map_err(config_error)?;
    Ok(TachExternalRun {
        layout,
        outcome,
        facts,
        environment,
    })
}

/// What `importlib.metadata.packages_distributions()` says in that environment: each
/// distribution's `top_level.txt` names, else the top-level names of its files; and the
/// standard library's top-level modules.
fn external_environment(
    inventory: Option<&archlint_inventory::DistInventory>,
) -> archlint_tach::Environment {
    let mut distributions: std::collections::HashMap<String, Vec<String>> = Default::default();
    for dist in inventory.iter().flat_map(|i| &i.distributions) {
        if dist.import_names_from == archlint_inventory::ImportNamesSource::Guessed {
            continue;
        }
        for name in &dist.import_names {
            distributions
                .entry(name.clone())
                .or_default()
                .push(dist.name.clone());
        }
    }
    let stdlib = archlint_deps::stdlib::STDLIB
        .iter()
        .chain(archlint_tach::external::STDLIB_SPECIAL_CASES)
        .map(|s| (*s).to_owned())
        .collect();
    archlint_tach::Environment {
        distributions,
        stdlib,
    }
}

/// Each file's problems (unreadable, not UTF-8, syntax errors), one line each:
/// `path:line: severity[code]: message`, in file order.
pub fn file_problems(layout: &Layout, facts: &[Arc<ModuleFacts>]) -> Vec<String> {
    let mut out = Vec::new();
    for (file, facts) in layout.files.iter().zip(facts) {
        for d in &facts.diagnostics {
            let line = d.line.map(|l| format!(":{l}")).unwrap_or_default();
            let severity = format!("{:?}", d.severity).to_lowercase();
            out.push(format!(
                "{}{line}: {severity}[{}]: {}",
                file.relative, d.code, d.message
            ));
        }
    }
    out
}

/// Whether the file at `index` is one walked again from a second source root (the files are
/// sorted by path, so a repeat follows its first).
fn is_repeat(layout: &Layout, index: usize, file: &archlint_tach::TachFile) -> bool {
    // Compared as bytes: `Path`'s equality walks components when the paths differ.
    index > 0 && layout.files[index - 1].path.as_os_str() == file.path.as_os_str()
}

/// The files' facts through the engine and its cache, in the order of `layout.files`.
fn cached_facts(options: &CheckOptions, layout: &Layout) -> Result<Vec<Arc<ModuleFacts>>> {
    // Each file's metadata asked for in parallel (one `stat` each: on a large tree, most of
    // the time of building this list).
    let mut files: Vec<archlint_discovery::SourceFile> = layout
        .files
        .par_iter()
        .enumerate()
        .filter(|(i, f)| !is_repeat(layout, *i, f))
        .map(|(_, f)| archlint_discovery::SourceFile {
            module: f.module.clone(),
            path: f.path.clone(),
            is_package: f.is_package,
            meta: std::fs::metadata(&f.path).ok().map(Into::into),
        })
        .collect();
    // The engine's order: by module name (two files may be the same module: `a.py` and
    // `a/__init__.py`, which tach both checks).
    files.sort();
    let project = archlint_engine::load_project(&ProjectOptions {
        located: Some(Located {
            root: layout.root.clone(),
            config: None,
        }),
        cache: options.cache.clone(),
        keep_facts: KeepFacts::All,
        imports_only: true,
        progress: options.progress.clone(),
        settings: Some(archlint_config::Settings {
            exclude_type_checking_imports: false,
            ..Default::default()
        }),
        discovered: Some(archlint_discovery::Discovered {
            files,
            ..Default::default()
        }),
        ..Default::default()
    })?;
    let facts: Vec<Arc<ModuleFacts>> = project.facts.clone().unwrap_or_default();
    let index: std::collections::HashMap<&Path, usize> = project
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_path(), i))
        .collect();
    layout
        .files
        .iter()
        .map(|file| {
            index
                .get(file.path.as_path())
                .and_then(|&i| facts.get(i))
                .cloned()
                .ok_or_else(|| {
                    anyhow!(
                        "internal error: {} was walked but not parsed",
                        file.path.display()
                    )
                })
        })
        .collect()
}
