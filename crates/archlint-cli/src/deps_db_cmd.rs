//! `archlint deps db import | stats`: the offline advisory database.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use archlint_advisories::AdvisoryDb;
use archlint_config::{ProjectConfig, discover_config};
use clap::{Args, Subcommand};
use serde_json::json;

use archlint_report::deps_tables;

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
    let named = args.db.db.is_some() || archlint_check::deps::env("ARCHLINT_ADVISORY_DB").is_some();
    let (db, report, bytes) = archlint_check::deps::import_db(&args.source, &path, named)?;
    let mut w = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut w,
                &json!({"database": path, "bytes": bytes, "import": report, "meta": db.meta()}),
            )?;
            writeln!(w)?;
        }
        Format::Text => deps_tables::db_import_text(&mut w, &path, bytes, &report)?,
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
        Format::Text => deps_tables::db_stats_text(&mut w, &path, db.file_bytes, meta, age)?,
    }
    if old {
        eprintln!(
            "warning: the advisory database is {}; import a current copy (max_db_age is {} days)",
            deps_tables::age_text(age),
            policy.vulnerabilities.max_db_age.as_secs() / 86_400
        );
    }
    Ok(ExitCode::SUCCESS)
}
