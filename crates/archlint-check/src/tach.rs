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
    /// Each walked file's facts, in the order of `layout.files`.
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

/// Walk, parse and check.
pub fn run(options: &CheckOptions, mut config: TachConfig) -> Result<TachRun> {
    let root: PathBuf = config
        .file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let layout = archlint_tach::walk(&root, &config).map_err(config_error)?;
    archlint_tach::add_domains(&mut config, &layout).map_err(config_error)?;
    let facts = if options.cache.no_cache {
        // Nothing to cache: each file parsed for its imports alone, in parallel.
        let mut settings = archlint_engine::parse_settings(&archlint_config::Settings::default());
        settings.code_facts = false;
        settings.structure = false;
        layout
            .files
            .par_iter()
            .map(|f| Arc::new(archlint_parser::parse_file(&f.path, &settings)))
            .collect()
    } else {
        cached_facts(options, &layout)?
    };
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

/// The files' facts through the engine and its cache, in the order of `layout.files`.
fn cached_facts(options: &CheckOptions, layout: &Layout) -> Result<Vec<Arc<ModuleFacts>>> {
    let mut files: Vec<archlint_discovery::SourceFile> = layout
        .files
        .iter()
        .map(|f| archlint_discovery::SourceFile {
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
