//! archlint's pipeline up to the import graph: configuration → discovery → facts (through the
//! cache layers) → import graph, and the facts a caller asks to keep ([`KeepFacts`]). The check
//! library (archlint-check) and every command build on [`load_project`].

pub mod cache_setup;
pub mod facts;
pub mod graph_cache;
pub mod results_cache;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use archlint_config::{ProjectConfig, Settings, discover_config, load_config};
use archlint_discovery::{DiscoveryOptions, SourceFile, discover};
use archlint_facts::SourceDiagnostic;
use archlint_graph::{GraphOptions, ImportGraph, ModuleInput, resolve_imports};
use archlint_parser::ParseSettings;
use rustc_hash::FxHashSet;

pub use cache_setup::{CacheFlags, resolve_cache};
pub use facts::{CacheReport, FactsCacheOptions, OnDemand, collect_facts};

/// How to load a project.
#[derive(Debug, Clone, Default)]
pub struct ProjectOptions {
    /// Project root (default: the current directory).
    pub path: Option<PathBuf>,
    /// Explicit configuration file.
    pub config: Option<PathBuf>,
    /// The project and configuration already found with [`locate`] (`path` and `config` are
    /// then not read again).
    pub located: Option<Located>,
    /// Fail when no configuration is found.
    pub require_config: bool,
    /// Cache choices from the command line.
    pub cache: CacheFlags,
    /// Which files' facts the caller reads after loading.
    pub keep_facts: KeepFacts,
    /// The caller reads the code-structure facts (the rules and metrics do). Without them,
    /// and with no cache to fill for later runs, files are parsed for imports, classes and
    /// functions only, or for imports alone when no facts are kept (see `ParseSettings`).
    pub code_facts: bool,
    /// A result derived from the whole project that the caller caches under this tag (its
    /// settings' fingerprint). When a stored one matches the project's state it is in
    /// [`Project::stored_result`] and facts are not decoded for it; otherwise facts are kept
    /// and [`Project::result_slot`] says where to store the new result.
    pub result_tag: Option<String>,
    /// Session settings to use instead of the configuration's (the packages of a graph built
    /// from Python, `archlint.grimp.build_graph`, where there is no configuration file).
    pub settings: Option<Settings>,
    /// Counts files as they are done, for a progress display.
    pub progress: Option<std::sync::Arc<Progress>>,
    /// The files to read, chosen by the caller (tach's walk), instead of discovering root
    /// packages from the settings.
    pub discovered: Option<archlint_discovery::Discovered>,
    /// The caller reads the kept facts' imports only (tach's check): without a cache to fill,
    /// classes and functions are not recorded.
    pub imports_only: bool,
    /// The caller reads the symbol facts (module-level names, `__all__`, private names
    /// reached by attribute): the symbol-level contracts.
    pub symbols: bool,
}

/// Which files' facts a [`Project`] keeps for its caller, beyond the import graph.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeepFacts {
    /// None: the graph reads each file's facts once and lets them go.
    #[default]
    None,
    /// Every file's, decoded, in [`Project::facts`] (the dependency checks read the imports).
    All,
    /// Any file's on request ([`Project::facts_of`]): those at hand are kept, the others are
    /// decoded from the cache when asked for (an export that writes only the changed modules).
    OnDemand,
}

/// How far a run is: files found and files done. The engine only counts (one relaxed atomic
/// add per file); a front end polls it to draw a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    total: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
}

impl Progress {
    pub const fn new() -> Self {
        Progress {
            total: std::sync::atomic::AtomicU64::new(0),
            done: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Set both counts at once.
    pub fn set(&self, done: u64, total: u64) {
        self.total
            .store(total, std::sync::atomic::Ordering::Relaxed);
        self.done.store(done, std::sync::atomic::Ordering::Relaxed);
    }

    /// One more file done.
    pub fn tick(&self) {
        self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The number of files to look at, once discovery knows it.
    pub fn set_total(&self, total: u64) {
        self.total
            .store(total, std::sync::atomic::Ordering::Relaxed);
    }

    /// `(done, total)`; total is 0 while files are still being discovered.
    pub fn position(&self) -> (u64, u64) {
        (
            self.done.load(std::sync::atomic::Ordering::Relaxed),
            self.total.load(std::sync::atomic::Ordering::Relaxed),
        )
    }
}

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
    pub cache: CacheReport,
    /// Each file's BLAKE3 content hash, in the order of `files`, where the cache computed it.
    pub content_hashes: Vec<Option<archlint_cache::CacheKey>>,
    /// With [`KeepFacts::OnDemand`]: the facts at hand and the cache to decode the others from.
    on_demand: Option<facts::OnDemand>,
    /// With [`KeepFacts::All`]: every file's facts, in the order of `files`.
    pub facts: Option<Vec<std::sync::Arc<archlint_facts::ModuleFacts>>>,
    /// The stored result for [`ProjectOptions::result_tag`], when the project is unchanged.
    pub stored_result: Option<Vec<u8>>,
    /// Where to store the result for [`ProjectOptions::result_tag`] (with a disk cache).
    pub result_slot: Option<results_cache::ResultSlot>,
    /// Where other results derived from this exact project state can be kept (the contracts'
    /// outcomes); `None` without a disk cache.
    pub result_slots: Option<results_cache::Slots>,
}

impl Project {
    /// The facts of the file at `index` (in the order of `files`): kept, at hand, decoded from
    /// the cache, or — with no cache, or a damaged entry — parsed again.
    pub fn facts_of(&self, index: usize) -> std::sync::Arc<archlint_facts::ModuleFacts> {
        if let Some(f) = self.facts.as_ref().and_then(|f| f.get(index)) {
            return std::sync::Arc::clone(f);
        }
        let path = &self.files[index].path;
        match &self.on_demand {
            Some(on_demand) => on_demand.facts_of(index, path),
            None => {
                let mut settings = parse_settings(&self.settings);
                settings.structure = true;
                std::sync::Arc::new(archlint_parser::parse_file(path, &settings))
            }
        }
    }
}

/// Wall-clock time per phase, in milliseconds.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Timings {
    pub discover_ms: f64,
    /// Stat, hash, cache lookups and parsing of the misses.
    pub parse_ms: f64,
    pub graph_ms: f64,
    pub contracts_ms: f64,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// A path that is itself a package (`src/myapp`, with an `__init__.py`) stands for the project
/// around it: the nearest ancestor of its top-level package with a configuration (stopping at a
/// repository root), else the directory holding the top-level package.
fn project_around(path: PathBuf) -> Result<(PathBuf, Option<ProjectConfig>)> {
    if !path.join("__init__.py").is_file() {
        return Ok((path, None));
    }
    let path = path.canonicalize().unwrap_or(path);
    let mut top = path.as_path();
    while let Some(parent) = top.parent()
        && parent.join("__init__.py").is_file()
    {
        top = parent;
    }
    let Some(source_dir) = top.parent() else {
        return Ok((path.clone(), None));
    };
    for dir in source_dir.ancestors() {
        if let Some(config) = discover_config(dir)? {
            return Ok((dir.to_path_buf(), Some(config)));
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    Ok((source_dir.to_path_buf(), None))
}

/// A project's root and its configuration, found once per run.
#[derive(Debug, Clone)]
pub struct Located {
    pub root: PathBuf,
    pub config: Option<ProjectConfig>,
}

/// Find the project at `path` (default: the current directory) and its configuration: the
/// file `config` when given, else one found in it, else — for a path that is itself a package —
/// around it.
pub fn locate(path: Option<&Path>, config: Option<&Path>) -> Result<Located> {
    let root = match path {
        Some(p) => p.to_path_buf(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    if !root.is_dir() {
        bail!("{} is not a directory", root.display());
    }
    let (root, config) = match config {
        Some(file) => (root, Some(load_config(file)?)),
        None => match discover_config(&root)? {
            Some(c) => (root, Some(c)),
            None => project_around(root)?,
        },
    };
    Ok(Located { root, config })
}

/// Load configuration (if any), discover, collect facts through the cache and build the graph.
pub fn load_project(options: &ProjectOptions) -> Result<Project> {
    let Located { root, config } = match &options.located {
        Some(located) => located.clone(),
        None => locate(options.path.as_deref(), options.config.as_deref())?,
    };
    if options.require_config && config.is_none() {
        bail!(
            "no configuration found in {} (looked for archlint.toml, [tool.archlint] or \
             [tool.importlinter] in pyproject.toml, [importlinter] in setup.cfg or .importlinter)",
            root.display()
        );
    }
    let mut cache_options = resolve_cache(&root, config.as_ref(), &options.cache)?;
    cache_options.progress = options.progress.clone();
    // The graph reads each file's facts once; only a caller that keeps them, or computes a
    // result from them, reads them again.
    let read_once = options.keep_facts == KeepFacts::None && options.result_tag.is_none();
    cache_options.drop_decoded = read_once;
    let settings = match &options.settings {
        Some(settings) => settings.clone(),
        None => config
            .as_ref()
            .map(|c| c.settings.clone())
            .unwrap_or_default(),
    };
    let mut warnings: Vec<String> = config
        .as_ref()
        .map(|c| c.warnings.clone())
        .unwrap_or_default();

    let mut parse_settings = parse_settings(&settings);
    // Cached facts serve later runs too, which may run the rules: only an uncached run that
    // never reads them leaves them out.
    parse_settings.code_facts = options.code_facts || cache_options.enabled();
    // Kept facts go to callers that may count classes and functions (export); a check that
    // keeps nothing reads the imports only.
    parse_settings.structure = parse_settings.code_facts
        || (options.keep_facts != KeepFacts::None && !options.imports_only);
    parse_settings.symbols = options.symbols;

    let started = Instant::now();
    let fingerprint = facts::facts_fingerprint(&parse_settings);
    let (discovered, prefetched) = match &options.discovered {
        Some(given) => {
            let prefetched = cache_options
                .dir
                .as_ref()
                .and_then(|dir| graph_cache::prefetch(dir, &root, &fingerprint));
            (given.clone(), prefetched)
        }
        None => discover_files(
            &root,
            &settings,
            config.as_ref(),
            &cache_options,
            &fingerprint,
        )?,
    };
    let discover_ms = ms(started);
    if let Some(p) = &options.progress {
        p.set_total(discovered.files.len() as u64);
    }
    warnings.extend(discovered.warnings.iter().cloned());

    let started = Instant::now();
    let graph_options = GraphOptions {
        include_external_packages: settings.include_external_packages,
        exclude_type_checking_imports: settings.exclude_type_checking_imports,
        include_dynamic_imports: settings.include_dynamic_imports,
    };
    let analysed = if read_once && !cache_options.enabled() {
        without_cache(
            &root,
            &discovered,
            &parse_settings,
            &graph_options,
            options,
            started,
        )
    } else {
        through_cache(
            &root,
            &discovered,
            &parse_settings,
            &graph_options,
            &cache_options,
            options,
            prefetched,
        )
    };
    warnings.extend(analysed.cache.warnings.iter().cloned());
    let mut settings = settings;
    settings.root_packages = discovered.root_packages.clone();
    Ok(Project {
        root,
        config,
        settings,
        diagnostics: analysed.diagnostics,
        files: discovered.files,
        graph: analysed.graph,
        warnings,
        timings: Timings {
            discover_ms,
            parse_ms: analysed.parse_ms,
            graph_ms: analysed.graph_ms,
            contracts_ms: 0.0,
        },
        cache: analysed.cache,
        content_hashes: analysed.content_hashes,
        on_demand: analysed.on_demand,
        facts: analysed.facts,
        stored_result: analysed.stored_result,
        result_slot: analysed.result_slot,
        result_slots: analysed.result_slots,
    })
}

/// Walk the project's tree; meanwhile the graph snapshot of an earlier run is read and decoded
/// on its own thread (a warm run spends most of its time in these two). Whether the snapshot
/// still describes the project is decided once the files are known.
fn discover_files(
    root: &Path,
    settings: &Settings,
    config: Option<&ProjectConfig>,
    cache_options: &FactsCacheOptions,
    fingerprint: &archlint_cache::CacheKey,
) -> Result<(
    archlint_discovery::Discovered,
    Option<graph_cache::Prefetched>,
)> {
    let (discovered, prefetched) = std::thread::scope(|scope| {
        let prefetch = cache_options
            .dir
            .as_ref()
            .map(|dir| scope.spawn(|| graph_cache::prefetch(dir, root, fingerprint)));
        let discovered = discover(&DiscoveryOptions {
            root: root.to_path_buf(),
            root_packages: settings.root_packages.clone(),
            source_dirs: settings.source_dirs.iter().map(PathBuf::from).collect(),
            include: settings.include.clone(),
            exclude: settings.exclude.clone(),
            respect_gitignore: true,
            stat_files: cache_options.enabled(),
        });
        let prefetched = prefetch.and_then(|handle| handle.join().ok().flatten());
        (discovered, prefetched)
    });
    let discovered = discovered.map_err(|e| match (&e, config) {
        // Name the file and the setting the glob came from.
        (archlint_discovery::DiscoveryError::InvalidGlob { glob, .. }, Some(c)) => {
            let setting = if settings.exclude.contains(glob) {
                "exclude"
            } else {
                "include"
            };
            anyhow::anyhow!("{}: setting '{setting}': {e}", c.path.display())
        }
        _ => anyhow::Error::from(e),
    })?;
    Ok((discovered, prefetched))
}

/// What the parse and graph steps hand to [`Project`].
struct Analysed {
    graph: ImportGraph,
    diagnostics: Vec<Vec<SourceDiagnostic>>,
    cache: CacheReport,
    content_hashes: Vec<Option<archlint_cache::CacheKey>>,
    on_demand: Option<facts::OnDemand>,
    facts: Option<Vec<std::sync::Arc<archlint_facts::ModuleFacts>>>,
    stored_result: Option<Vec<u8>>,
    result_slot: Option<results_cache::ResultSlot>,
    result_slots: Option<results_cache::Slots>,
    parse_ms: f64,
    graph_ms: f64,
}

/// A resolver for every discovered module.
fn resolver<'a>(
    discovered: &'a archlint_discovery::Discovered,
    graph_options: &'a GraphOptions,
) -> archlint_graph::Resolver<'a> {
    let names: Vec<&str> = discovered.files.iter().map(|f| f.module.as_str()).collect();
    archlint_graph::Resolver::new(
        &names,
        &discovered.namespace_packages,
        &discovered.root_packages,
        graph_options,
    )
}

/// One file's row of the graph and its diagnostics, from its facts.
fn row_of(
    resolver: &archlint_graph::Resolver<'_>,
    file: &SourceFile,
    facts: &archlint_facts::ModuleFacts,
) -> archlint_graph::ResolvedRow {
    resolver.resolve(&ModuleInput {
        name: &file.module,
        is_package: file.is_package,
        facts,
    })
}

/// Nothing to cache and nothing kept: each file's facts are resolved into the graph's rows as
/// soon as they are made, and let go.
fn without_cache(
    root: &Path,
    discovered: &archlint_discovery::Discovered,
    parse_settings: &ParseSettings,
    graph_options: &GraphOptions,
    options: &ProjectOptions,
    started: Instant,
) -> Analysed {
    let resolver = resolver(discovered, graph_options);
    let files = &discovered.files;
    let (rows, cache) = facts::parse_each(
        root,
        files,
        parse_settings,
        options.progress.as_deref(),
        |i, facts| (row_of(&resolver, &files[i], &facts), facts.diagnostics),
    );
    let parse_ms = ms(started);
    let started = Instant::now();
    let (rows, diagnostics): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
    let graph = resolver.assemble(rows);
    Analysed {
        graph,
        diagnostics,
        cache,
        content_hashes: vec![None; files.len()],
        on_demand: None,
        facts: None,
        stored_result: None,
        result_slot: None,
        result_slots: None,
        parse_ms,
        graph_ms: ms(started),
    }
}

/// Facts through the cache layers, the graph from its snapshot when nothing (or little)
/// changed, and the stored result of the caller's tag.
fn through_cache(
    root: &Path,
    discovered: &archlint_discovery::Discovered,
    parse_settings: &ParseSettings,
    graph_options: &GraphOptions,
    cache_options: &FactsCacheOptions,
    options: &ProjectOptions,
    prefetched: Option<graph_cache::Prefetched>,
) -> Analysed {
    let started = Instant::now();
    let mut scan = facts::scan(root, &discovered.files, parse_settings, cache_options);
    let parse_ms = ms(started);

    let started = Instant::now();
    let hashes = scan.hashes();
    let content_hashes = scan.file_hashes();
    let structure = graph_cache::structure_key(
        scan.fingerprint(),
        graph_options,
        &discovered.root_packages,
        &discovered.namespace_packages,
        &discovered.files,
    );
    let stored = match (scan.disk(), &hashes, prefetched) {
        (Some(_), Some(_), Some(p)) => p.matching(&structure, discovered.files.len()),
        _ => None,
    };
    let mut graph_mode = GraphMode::Built;
    let (graph, diagnostics) = match (stored, &hashes) {
        (Some(stored), Some(hashes)) if stored.hashes == *hashes => {
            graph_mode = GraphMode::Reused;
            (stored.graph, stored.diagnostics)
        }
        (Some(stored), Some(hashes))
            if changed_few(&stored.hashes, hashes, discovered.files.len()) =>
        {
            // Same modules, a few changed files: resolve only those and patch the old graph.
            graph_mode = GraphMode::Patched;
            let changed: Vec<usize> = (0..hashes.len())
                .filter(|&i| stored.hashes[i] != hashes[i])
                .collect();
            let facts = scan.facts_of(&changed);
            let names: FxHashSet<&str> =
                discovered.files.iter().map(|f| f.module.as_str()).collect();
            let resolved: Vec<Vec<archlint_graph::ResolvedImport>> = changed
                .iter()
                .zip(&facts)
                .map(|(&i, facts)| {
                    let f = &discovered.files[i];
                    let input = ModuleInput {
                        name: &f.module,
                        is_package: f.is_package,
                        facts,
                    };
                    resolve_imports(&input, &names, &discovered.root_packages, graph_options)
                })
                .collect();
            let replaced: rustc_hash::FxHashMap<&str, &[archlint_graph::ResolvedImport]> = changed
                .iter()
                .zip(&resolved)
                .map(|(&i, r)| (discovered.files[i].module.as_str(), r.as_slice()))
                .collect();
            let modules: Vec<&str> = discovered.files.iter().map(|f| f.module.as_str()).collect();
            let graph = archlint_graph::reassemble_graph(
                &stored.graph,
                &discovered.namespace_packages,
                &modules,
                &replaced,
            );
            let mut diagnostics = stored.diagnostics;
            for (&i, facts) in changed.iter().zip(&facts) {
                diagnostics[i] = facts.diagnostics.clone();
            }
            (graph, diagnostics)
        }
        _ => {
            let resolver = resolver(discovered, graph_options);
            let files = &discovered.files;
            let rows = scan.map_facts(|i, facts| {
                (
                    row_of(&resolver, &files[i], facts),
                    facts.diagnostics.clone(),
                )
            });
            let (rows, diagnostics): (Vec<_>, Vec<_>) = rows.into_iter().unzip();
            (resolver.assemble(rows), diagnostics)
        }
    };
    let result_slots = match (scan.disk(), &hashes) {
        (Some(disk), Some(hashes)) => Some(results_cache::Slots::new(
            disk,
            root,
            scan.fingerprint(),
            &structure,
            &discovered.files,
            hashes,
        )),
        _ => None,
    };
    let result_slot = match (&options.result_tag, &result_slots) {
        (Some(tag), Some(slots)) => slots.slot(tag),
        _ => None,
    };
    let stored_result = result_slot
        .as_ref()
        .and_then(results_cache::ResultSlot::load);
    let want_facts = options.keep_facts == KeepFacts::All
        || (options.result_tag.is_some() && stored_result.is_none());
    let kept_facts = want_facts.then(|| scan.facts());
    let at_hand = (options.keep_facts == KeepFacts::OnDemand).then(|| scan.facts_at_hand());
    // The two write-backs are independent: the graph snapshot on one core, the facts pack on
    // the other.
    let disk = scan.disk().cloned();
    let fingerprint = *scan.fingerprint();
    let (_, cache) = rayon::join(
        || {
            if graph_mode != GraphMode::Reused
                && let (Some(disk), Some(hashes)) = (&disk, &hashes)
            {
                graph_cache::store(
                    disk,
                    root,
                    &fingerprint,
                    &structure,
                    hashes,
                    &graph,
                    &diagnostics,
                );
            }
        },
        || scan.finish_keeping_pack(),
    );
    let (mut cache, pack) = cache;
    let on_demand = at_hand.map(|at_hand| facts::OnDemand {
        at_hand,
        hashes: content_hashes.clone(),
        pack,
        parse: parse_settings.clone(),
    });
    cache.graph_reused = graph_mode == GraphMode::Reused;
    cache.graph_patched = graph_mode == GraphMode::Patched;
    Analysed {
        graph,
        diagnostics,
        cache,
        content_hashes,
        on_demand,
        facts: kept_facts,
        stored_result,
        result_slot,
        result_slots,
        parse_ms,
        graph_ms: ms(started),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum GraphMode {
    /// Taken from the snapshot as is.
    Reused,
    /// The snapshot with a few modules' imports replaced.
    Patched,
    /// Built from every file's facts.
    Built,
}

/// Whether few enough files changed for patching the old graph to beat rebuilding it.
fn changed_few(
    old: &[archlint_cache::CacheKey],
    new: &[archlint_cache::CacheKey],
    n: usize,
) -> bool {
    old.len() == new.len() && old.iter().zip(new).filter(|(a, b)| a != b).count() <= (n / 4).max(1)
}

/// The parser settings a project's configuration asks for.
pub fn parse_settings(settings: &Settings) -> ParseSettings {
    let mut parse = ParseSettings::default();
    if let Some(version) = settings.target_version {
        parse.target_version = version;
    }
    parse
}

/// A file's path as every report shows it: relative to the project, `/`-separated on every
/// platform (as it is unchanged when outside the project).
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path).to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        rel.into_owned()
    } else {
        rel.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
