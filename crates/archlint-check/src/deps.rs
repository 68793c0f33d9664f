//! The dependency checks as part of a check: the environment's inventory, the project's
//! declarations and imports, the policy, licenses and vulnerabilities.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use archlint_config::ProjectConfig;
use archlint_deps::{CheckInput, DepReport, DependencyPolicy, ModuleImports, ProjectImports};
use archlint_engine::Project;
use archlint_inventory::{DistInventory, EnvironmentSpec};
use archlint_requirements::Declarations;
use rustc_hash::FxHashSet;
use serde_json::json;

/// Which Python environment to inventory, and how vulnerabilities are looked up.
#[derive(Clone, Default)]
pub struct EnvOptions {
    /// The interpreter whose environment is checked (default: VIRTUAL_ENV, ./.venv, python3).
    pub python: Option<PathBuf>,
    /// The virtualenv to check.
    pub venv: Option<PathBuf>,
    /// The advisory database file (default: ARCHLINT_ADVISORY_DB, else
    /// <cache dir>/v1/advisories/pypi.db).
    pub db: Option<PathBuf>,
    /// Asking an online service about vulnerabilities.
    pub online: OnlineOptions,
}

/// Asking an online service about vulnerabilities.
#[derive(Clone, Default)]
pub struct OnlineOptions {
    /// Also ask the package index (or an OSV service) about each installed distribution.
    pub online: bool,
    /// The package index (default: ARCHLINT_INDEX_URL, the configuration, PIP_INDEX_URL,
    /// pip.conf). A simple-index URL is accepted.
    pub index_url: Option<String>,
    /// `index` (the index's JSON API) or `osv` (an OSV query service).
    pub vuln_service: Option<String>,
    /// The OSV query service (with `vuln_service` `osv`).
    pub osv_url: Option<String>,
    /// Requests in flight at most (default: the configuration's, 10).
    pub concurrency: Option<usize>,
    /// Requests per second at most (default: the configuration's, 20).
    pub rate_limit: Option<f64>,
    /// Findings when some packages could not be checked.
    pub fail_on_incomplete: bool,
    /// Told (answered, asked) as the online audit proceeds.
    pub progress: Option<Arc<dyn Fn(u64, u64) + Send + Sync>>,
}

impl EnvOptions {
    /// Where the environment is looked for, from `root`.
    pub fn spec(&self, root: &Path) -> EnvironmentSpec {
        let mut spec = EnvironmentSpec::from_env(root);
        spec.python = self.python.clone();
        spec.venv = self.venv.clone();
        spec
    }
}

/// The dependency policy from the configuration (defaults without one).
pub fn policy_of(config: Option<&ProjectConfig>) -> Result<DependencyPolicy> {
    let Some(c) = config else {
        return Ok(DependencyPolicy::default());
    };
    let file = c.tables_path.as_deref().unwrap_or(&c.path);
    DependencyPolicy::from_all_tables(
        c.dependencies_table.as_ref(),
        c.licenses_table.as_ref(),
        c.vulnerabilities_table.as_ref(),
        Some(file),
    )
    .map_err(|e| anyhow!("{e}"))
}

/// Whether the configuration asks for dependency checks.
pub fn configured(config: Option<&ProjectConfig>) -> bool {
    config.is_some_and(|c| {
        c.dependencies_table.is_some()
            || c.licenses_table.is_some()
            || c.vulnerabilities_table.is_some()
    })
}

/// The project's external imports, from its facts.
pub fn project_imports(project: &Project) -> Option<ProjectImports> {
    let facts = project.facts.as_ref()?;
    let paths: Vec<String> = project
        .files
        .iter()
        .map(|f| archlint_engine::display_path(&project.root, &f.path))
        .collect();
    let mut internal: FxHashSet<&str> = project
        .files
        .iter()
        .map(|f| f.module.split('.').next().unwrap_or(""))
        .collect();
    internal.extend(
        project
            .settings
            .root_packages
            .iter()
            .map(|r| r.split('.').next().unwrap_or("")),
    );
    Some(ProjectImports::collect(
        project
            .files
            .iter()
            .zip(facts)
            .zip(&paths)
            .map(|((f, facts), path)| ModuleImports {
                module: &f.module,
                path,
                facts,
            }),
        &internal,
    ))
}

/// Everything a dependency check needs besides the code.
pub struct DepsRun {
    pub report: DepReport,
    pub inventory_ms: f64,
    pub total_ms: f64,
    pub distributions: usize,
    /// The vulnerability audit, when one ran.
    pub audit: Option<archlint_advisories::VulnAudit>,
    /// Why vulnerabilities were not checked.
    pub vulnerability_note: Option<String>,
    /// Request counters of an online audit.
    pub online: Option<serde_json::Value>,
}

fn online_service(
    args: &OnlineOptions,
    policy: &archlint_deps::VulnPolicy,
) -> Result<archlint_index::Service> {
    let which = args.vuln_service.as_deref().unwrap_or(&policy.service);
    if which == "osv" {
        let url = args
            .osv_url
            .clone()
            .or_else(|| std::env::var("ARCHLINT_OSV_URL").ok().filter(|u| !u.is_empty()))
            .or(policy.osv_url.clone())
            .ok_or_else(|| anyhow!("--vuln-service osv needs --osv-url URL (or ARCHLINT_OSV_URL, or osv_url in [tool.archlint.vulnerabilities])"))?;
        let base = archlint_index::json_api_base(&url).map_err(|e| anyhow!(e))?;
        return Ok(archlint_index::Service::Osv { base });
    }
    let found = archlint_index::resolve_index_url(args.index_url.as_deref(), policy.index_url.as_deref()).ok_or_else(|| {
        anyhow!("--online needs a package index: pass --index-url URL, or set ARCHLINT_INDEX_URL, index_url in [tool.archlint.vulnerabilities], PIP_INDEX_URL or pip.conf's index-url")
    })?;
    let base = archlint_index::json_api_base(&found.url)
        .map_err(|e| anyhow!("{} (from {})", archlint_index::redact(&e), found.from))?;
    Ok(archlint_index::Service::Index { base })
}

/// `archlint deps db import`: build the offline advisory database from OSV data at `source`
/// and save it at `path` — in the project's cache directory unless the database was named
/// (`named`), which is then set up as archlint's own (tag, .gitignore, owner-only).
/// Returns the database and what the import read, and the bytes written.
pub fn import_db(
    source: &Path,
    path: &Path,
    named: bool,
) -> Result<(
    archlint_advisories::AdvisoryDb,
    archlint_advisories::ImportReport,
    u64,
)> {
    let (db, report) = archlint_advisories::import(source)?;
    if !named && let Some(cache_root) = path.parent().and_then(Path::parent).and_then(Path::parent)
    {
        archlint_cache::DiskCache::open(cache_root)
            .with_context(|| format!("cannot use {}", cache_root.display()))?;
    }
    let bytes = db.save(path)?;
    Ok((db, report, bytes))
}

/// `archlint deps check`: the dependency checks alone, reading the project's code (every
/// file's imports, for the missing/unused checks) unless `with_code` is off or the project has
/// no Python package (only requirements: then a note says imports are not cross-checked).
pub fn check_alone(
    root: &Path,
    config_file: Option<&Path>,
    env: &EnvOptions,
    cache: &archlint_engine::CacheFlags,
    with_code: bool,
    progress: Option<std::sync::Arc<archlint_engine::Progress>>,
) -> Result<(Option<Project>, DepsRun, Vec<String>)> {
    let located = archlint_engine::locate(Some(root), config_file)?;
    let mut notes = Vec::new();
    let (project, run) = check_dependencies(root, located.config.as_ref(), env, cache, || {
        if !with_code {
            return Ok(None);
        }
        let loaded = archlint_engine::load_project(&archlint_engine::ProjectOptions {
            path: Some(root.to_path_buf()),
            config: config_file.map(Path::to_path_buf),
            located: Some(located.clone()),
            cache: cache.clone(),
            keep_facts: archlint_engine::KeepFacts::All,
            progress,
            ..Default::default()
        });
        match loaded {
            Ok(p) => Ok(Some(p)),
            Err(e) if e.to_string().starts_with("no Python package found") => {
                notes.push(format!("note: {e}; imports are not cross-checked"));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    })?;
    Ok((project, run, notes))
}

/// Inventory, declarations and the check; `load` reads the project's code meanwhile (its
/// imports feed the missing/unused checks).
pub fn check_dependencies<F>(
    root: &Path,
    config: Option<&ProjectConfig>,
    env: &EnvOptions,
    cache_flags: &archlint_engine::CacheFlags,
    load: F,
) -> Result<(Option<Project>, DepsRun)>
where
    F: FnOnce() -> Result<Option<Project>> + Send,
{
    let started = Instant::now();
    let policy = policy_of(config)?;
    let spec = env.spec(root);
    let (project, gathered) = rayon::join(load, || {
        let environment = archlint_inventory::locate(&spec)?;
        let (inv, declarations): (DistInventory, Declarations) = rayon::join(
            || archlint_inventory::read_inventory(environment),
            || archlint_requirements::read_declarations(root, &policy.requirements),
        );
        Ok::<_, anyhow::Error>((inv, declarations))
    });
    let project = project?;
    let (inv, declarations) = gathered?;
    let imports = project.as_ref().and_then(project_imports);
    let scope = archlint_deps::check::audit_scope(&inv, &declarations, &policy);
    let db_file = db_path(
        root,
        config,
        env.db.as_deref(),
        cache_flags.cache_dir.as_deref(),
    )?;
    let offline_db = if db_file.exists() {
        Some(archlint_advisories::AdvisoryDb::load(&db_file)?)
    } else {
        None
    };
    let online = env.online.online || policy.vulnerabilities.online;
    let mut extra_licenses = std::collections::HashMap::new();
    let mut online_stats = None;
    let audit = if online {
        let service = online_service(&env.online, &policy.vulnerabilities)?;
        let options = archlint_index::OnlineOptions {
            concurrency: env
                .online
                .concurrency
                .unwrap_or(policy.vulnerabilities.concurrency)
                .max(1),
            rate_limit: env
                .online
                .rate_limit
                .unwrap_or(policy.vulnerabilities.rate_limit),
            timeout: policy.vulnerabilities.timeout,
            retries: policy.vulnerabilities.retries,
            ..archlint_index::OnlineOptions::default()
        };
        let cache = archlint_engine::cache_setup::dependency_cache(root, config, cache_flags)?;
        let mut result = archlint_index::audit_online(archlint_index::OnlineRequest {
            packages: &scope,
            service,
            options,
            cache: Some(&cache),
            offline: offline_db.as_ref(),
            progress: env
                .online
                .progress
                .as_deref()
                .map(|p| p as &(dyn Fn(u64, u64) + Sync)),
        })
        .map_err(|e| anyhow!(e))?;
        result.audit.notes.extend(cache.finish());
        if let Some(db) = &offline_db {
            let age = archlint_advisories::audit::now_secs().saturating_sub(db.meta().imported_at);
            if age >= policy.vulnerabilities.max_db_age.as_secs()
                && result
                    .audit
                    .checked
                    .iter()
                    .any(|p| p.source == archlint_advisories::VulnSource::OfflineDb)
            {
                result.audit.notes.push(format!(
                    "the advisory database is {} days old",
                    age / 86_400
                ));
            }
        }
        for (name, l) in &result.licenses {
            let resolved = archlint_licenses::resolve(archlint_licenses::LicenseFields {
                license_expression: l.license_expression.as_deref(),
                license: l.license.as_deref(),
                classifiers: &l.classifiers,
            });
            extra_licenses.insert(name.clone(), resolved);
        }
        online_stats = Some(json!({
            "requests": result.audit.requests,
            "retries": result.retries,
            "cache_hits": result.cache_hits,
            "breaker_opened": result.breaker_opened,
        }));
        Some(result.audit)
    } else {
        offline_db.as_ref().map(|db| {
            archlint_advisories::audit_offline(
                db,
                &scope,
                policy.vulnerabilities.max_db_age.as_secs(),
            )
        })
    };
    let vulnerability_note = audit.is_none().then(|| {
        format!(
            "not checked: no advisory database at {} (build one with `archlint deps db import PATH`, or use --online)",
            db_file.strip_prefix(root).unwrap_or(&db_file).display()
        )
    });
    let mut policy = policy;
    if env.online.fail_on_incomplete {
        policy.vulnerabilities.fail_on_incomplete = true;
    }
    let report = archlint_deps::check(&CheckInput {
        inventory: &inv,
        declarations: &declarations,
        imports: imports.as_ref(),
        policy: &policy,
        today: archlint_deps::today(),
        vulnerabilities: audit.as_ref(),
        extra_licenses: (!extra_licenses.is_empty()).then_some(&extra_licenses),
    });
    let run = DepsRun {
        report,
        inventory_ms: inv.elapsed_ms,
        total_ms: started.elapsed().as_secs_f64() * 1000.0,
        distributions: inv.distributions.len(),
        audit,
        vulnerability_note,
        online: online_stats,
    };
    Ok((project, run))
}

/// The database file: `--db`, `ARCHLINT_ADVISORY_DB`, else in the cache directory (which
/// `--no-cache` does not switch off: the database is data the user imported, not a cache).
pub fn db_path(
    root: &Path,
    config: Option<&ProjectConfig>,
    db: Option<&Path>,
    cache_dir: Option<&Path>,
) -> Result<PathBuf> {
    if let Some(p) = db
        .map(Path::to_owned)
        .or_else(|| env("ARCHLINT_ADVISORY_DB").map(PathBuf::from))
    {
        return Ok(p);
    }
    let table = archlint_engine::cache_setup::cache_table(config)?;
    let dir = cache_dir
        .map(Path::to_owned)
        .or_else(|| env("ARCHLINT_CACHE_DIR").map(PathBuf::from))
        .or_else(|| {
            config
                .and_then(|c| c.settings.cache_dir.clone().or(table.dir.clone()))
                .map(|d| root.join(d))
        })
        .unwrap_or_else(|| root.join(archlint_engine::cache_setup::DEFAULT_CACHE_DIR));
    Ok(dir.join("v1").join("advisories").join("pypi.db"))
}

/// An environment variable's value, when set and not blank.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
