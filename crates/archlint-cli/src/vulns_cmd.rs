//! `archlint deps db import | stats`, and the vulnerability audit behind `deps check`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use archlint_advisories::AdvisoryDb;
use archlint_config::{ProjectConfig, discover_config};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::args::{DbArgs, Format};

#[derive(Debug, Args)]
pub struct DbCommandArgs {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Build the offline advisory database from OSV data: a zip or directory of OSV JSON files,
    /// or the PyPA advisory-database layout (YAML).
    Import(ImportArgs),
    /// Show the database's source, size and age.
    Stats(StatsArgs),
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The OSV data to import.
    source: PathBuf,
    /// Project root, whose cache directory holds the database (default: current directory).
    #[arg(long)]
    project: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
    /// Cache directory (default: .archlint_cache at the project root; env ARCHLINT_CACHE_DIR).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Args)]
struct StatsArgs {
    /// Project root (default: the current directory).
    path: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The advisory database of the project at `path` (default: the current directory): `--db`,
/// else ARCHLINT_ADVISORY_DB, else the project's cache directory; and the project's
/// configuration.
fn database(
    path: &Option<PathBuf>,
    db: &DbArgs,
    cache_dir: Option<&Path>,
) -> Result<(PathBuf, Option<ProjectConfig>)> {
    let root = match path {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let config = discover_config(&root).unwrap_or(None);
    let path = archlint_check::deps::db_path(&root, config.as_ref(), db.db.as_deref(), cache_dir)?;
    Ok((path, config))
}

pub fn run(args: &DbCommandArgs) -> Result<ExitCode> {
    match &args.command {
        DbCommand::Import(a) => import(a),
        DbCommand::Stats(a) => stats(a),
    }
}

fn import(args: &ImportArgs) -> Result<ExitCode> {
    let (path, _) = database(&args.project, &args.db, args.cache_dir.as_deref())?;
    let (db, report) = archlint_advisories::import(&args.source)?;
    if args.db.db.is_none() && archlint_check::deps::env("ARCHLINT_ADVISORY_DB").is_none() {
        // The cache directory's tag, .gitignore and owner-only permissions.
        if let Some(cache_root) = path.parent().and_then(Path::parent).and_then(Path::parent) {
            archlint_cache::DiskCache::open(cache_root)
                .with_context(|| format!("cannot use {}", cache_root.display()))?;
        }
    }
    let bytes = db.save(&path)?;
    let mut w = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut w,
                &json!({"database": path, "bytes": bytes, "import": report, "meta": db.meta()}),
            )?;
            writeln!(w)?;
        }
        Format::Text => {
            writeln!(
                w,
                "Imported {} advisories for {} packages from {} files ({} withdrawn skipped) in {:.0} ms",
                report.advisories,
                report.packages,
                report.files,
                report.withdrawn,
                report.elapsed_ms
            )?;
            writeln!(w, "Database: {} ({} kB)", path.display(), bytes / 1024)?;
            if report.error_count > 0 {
                writeln!(w, "{} files could not be read:", report.error_count)?;
                for e in &report.errors {
                    writeln!(w, "  {e}")?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(args: &StatsArgs) -> Result<ExitCode> {
    let (path, config) = database(&args.path, &args.db, args.cache_dir.as_deref())?;
    if !path.exists() {
        return Err(anyhow!(
            "no advisory database at {} (build one with `archlint deps db import PATH`)",
            path.display()
        ));
    }
    let db = AdvisoryDb::load(&path)?;
    let policy = archlint_check::deps::policy_of(config.as_ref())?;
    let meta = db.meta();
    let age = archlint_advisories::audit::now_secs().saturating_sub(meta.imported_at);
    let old = age >= policy.vulnerabilities.max_db_age.as_secs();
    let mut w = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut w,
                &json!({"database": path, "bytes": db.file_bytes, "meta": meta, "age_secs": age, "outdated": old}),
            )?;
            writeln!(w)?;
        }
        Format::Text => {
            writeln!(
                w,
                "Database:    {} ({} kB)",
                path.display(),
                db.file_bytes / 1024
            )?;
            writeln!(w, "Source:      {}", meta.source)?;
            writeln!(
                w,
                "Imported:    {} ({})",
                crate::vulns_cmd::date_of(meta.imported_at),
                age_text(age)
            )?;
            if let Some(n) = &meta.newest_advisory {
                writeln!(w, "Newest:      {n}")?;
            }
            writeln!(
                w,
                "Advisories:  {} for {} packages ({} withdrawn skipped)",
                meta.advisories, meta.packages, meta.withdrawn
            )?;
        }
    }
    if old {
        eprintln!(
            "warning: the advisory database is {}; import a current copy (max_db_age is {} days)",
            age_text(age),
            policy.vulnerabilities.max_db_age.as_secs() / 86_400
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn age_text(secs: u64) -> String {
    match secs {
        s if s < 3600 => format!("{} minutes old", s / 60),
        s if s < 2 * 86_400 => format!("{} hours old", s / 3600),
        s => format!("{} days old", s / 86_400),
    }
}

/// `YYYY-MM-DD` of a Unix time.
pub fn date_of(secs: u64) -> String {
    let (y, m, d) = archlint_deps::sbom::civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}
