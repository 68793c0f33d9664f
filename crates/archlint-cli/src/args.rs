//! The command-line arguments several commands share, and their one conversion each into the
//! library's options.

use std::path::{Path, PathBuf};

use archlint_check::Run;
use archlint_engine::CacheFlags;
use archlint_inventory::EnvironmentSpec;
use clap::{Args, ValueEnum};

/// Options shared by commands that analyse a project.
#[derive(Debug, Clone, Args)]
pub struct ProjectArgs {
    /// Project root (default: the current directory).
    pub path: Option<PathBuf>,
    /// Configuration file (.importlinter, setup.cfg, pyproject.toml or archlint.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Worker threads for parsing and checking (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Do not read or write any cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Cache directory (default: .archlint_cache at the project root; env ARCHLINT_CACHE_DIR).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Redis shared by CI runners, e.g. redis://127.0.0.1:6379 (env ARCHLINT_REDIS_URL).
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,
    /// No progress display and no notes on standard error (the report is still printed).
    #[arg(short, long)]
    pub quiet: bool,
}

/// The cache choices on the command line.
pub fn cache_flags(args: &ProjectArgs) -> CacheFlags {
    CacheFlags {
        no_cache: args.no_cache,
        cache_dir: args.cache_dir.clone(),
        redis_url: args.redis_url.clone(),
    }
}

/// The check library's options for a project, its environment and which of the dependency
/// checks and rules run: every contract, no facts kept, nothing required to be configured.
pub fn check_options(
    project: &ProjectArgs,
    env: &EnvArgs,
    deps: archlint_check::Run,
    rules: archlint_check::Run,
) -> archlint_check::CheckOptions {
    archlint_check::CheckOptions {
        path: project.path.clone(),
        config: project.config.clone(),
        cache: cache_flags(project),
        env: env.options(),
        deps,
        rules,
        ..Default::default()
    }
}

/// What to analyse before exporting (or serving).
#[derive(Debug, Clone, clap::Args)]
pub struct AnalysisArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Also check dependencies (the default when a dependency policy is configured).
    #[arg(long, conflicts_with = "no_deps")]
    pub deps: bool,
    /// Skip the dependency checks.
    #[arg(long)]
    pub no_deps: bool,
    /// Also run the code-structure rules (the default when configured).
    #[arg(long, conflicts_with = "no_rules")]
    pub rules: bool,
    /// Skip the code-structure rules.
    #[arg(long)]
    pub no_rules: bool,
    #[command(flatten)]
    pub env: EnvArgs,
}

impl AnalysisArgs {
    /// The analysis these flags ask for: every contract, nothing required to be configured.
    pub fn options(&self) -> archlint_check::CheckOptions {
        check_options(
            &self.project,
            &self.env,
            Run::from_flags(self.deps, self.no_deps),
            Run::from_flags(self.rules, self.no_rules),
        )
    }
}

/// Which Python environment to inventory.
#[derive(Debug, Clone, Args, Default)]
pub struct EnvArgs {
    /// The interpreter whose environment is checked (default: VIRTUAL_ENV, ./.venv, python3).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// The virtualenv to check.
    #[arg(long, value_name = "DIR", conflicts_with = "python")]
    pub venv: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub online: OnlineArgs,
}

/// Asking an online service about vulnerabilities.
#[derive(Debug, Clone, Args, Default)]
pub struct OnlineArgs {
    /// Also ask the package index (or an OSV service) about each installed distribution.
    #[arg(long)]
    pub online: bool,
    /// The package index (default: ARCHLINT_INDEX_URL, the configuration, PIP_INDEX_URL,
    /// pip.conf). A simple-index URL is accepted.
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Which online service: the index's JSON API, or an OSV query service.
    #[arg(long, value_name = "SERVICE", value_parser = ["index", "osv"])]
    pub vuln_service: Option<String>,
    /// The OSV query service (with --vuln-service osv).
    #[arg(long, value_name = "URL")]
    pub osv_url: Option<String>,
    /// Requests in flight at most (default 10).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Requests per second at most (default 20).
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<f64>,
    /// Exit 1 when some packages could not be checked.
    #[arg(long)]
    pub fail_on_incomplete: bool,
}

/// Where the advisory database lives.
#[derive(Debug, Clone, Args, Default)]
pub struct DbArgs {
    /// The advisory database file (default: ARCHLINT_ADVISORY_DB, else
    /// <cache dir>/v1/advisories/pypi.db).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

impl EnvArgs {
    /// The library's options: the environment, the advisory database and the online audit
    /// (whose progress the terminal display shows).
    pub fn options(&self) -> archlint_check::EnvOptions {
        archlint_check::EnvOptions {
            python: self.python.clone(),
            venv: self.venv.clone(),
            db: self.db.db.clone(),
            online: archlint_check::OnlineOptions {
                online: self.online.online,
                index_url: self.online.index_url.clone(),
                vuln_service: self.online.vuln_service.clone(),
                osv_url: self.online.osv_url.clone(),
                concurrency: self.online.concurrency,
                rate_limit: self.online.rate_limit,
                fail_on_incomplete: self.online.fail_on_incomplete,
                progress: Some(std::sync::Arc::new(|done, total| {
                    crate::progress::ONLINE.set(done, total)
                })),
            },
        }
    }

    pub fn spec(&self, root: &Path) -> EnvironmentSpec {
        self.options().spec(root)
    }
}

/// A report format of the `deps` and `perf` commands.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// `--allow-plugins`, or `ARCHLINT_ALLOW_PLUGINS=1` in the environment (never the checked
/// project's configuration: its plugins are its code).
pub fn plugins_allowed(flag: bool) -> bool {
    flag || std::env::var("ARCHLINT_ALLOW_PLUGINS").is_ok_and(|v| v == "1")
}
