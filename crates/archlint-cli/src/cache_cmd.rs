//! `archlint cache stats|clear|prune`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use archlint_engine::cache_setup::{
    CacheTable, DiskCache, ExistingCache, existing_cache, last_run,
};

#[derive(Debug, clap::Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    action: CacheAction,
}

#[derive(Debug, clap::Subcommand)]
enum CacheAction {
    /// Entries and bytes per layer and bucket, and the last run's hits and misses.
    Stats(CacheTarget),
    /// Remove every entry.
    Clear(CacheTarget),
    /// Remove expired and foreign-version entries, then the least recently used until the
    /// cache fits its size cap.
    Prune {
        #[command(flatten)]
        target: CacheTarget,
        /// Size cap, e.g. 512MB (default: max_size from configuration, else 1GB).
        #[arg(long, value_name = "SIZE")]
        max_size: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
struct CacheTarget {
    /// Project root (default: the current directory).
    path: Option<PathBuf>,
    /// Cache directory (default: .archlint_cache at the project root; env ARCHLINT_CACHE_DIR).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Output as JSON.
    #[arg(long)]
    json: bool,
}

/// The cache directory of a project, when it exists (else says so).
fn open(target: &CacheTarget) -> Result<Option<(DiskCache, CacheTable)>> {
    let root = match &target.path {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    match existing_cache(&root, target.cache_dir.clone())? {
        ExistingCache::Found(disk, table) => Ok(Some((disk, table))),
        ExistingCache::Missing(dir) => {
            if target.json {
                println!(
                    "{}",
                    serde_json::json!({"dir": dir.display().to_string(), "exists": false})
                );
            } else {
                println!("no archlint cache at {}", dir.display());
            }
            Ok(None)
        }
    }
}

pub fn run(args: &CacheArgs) -> Result<ExitCode> {
    match &args.action {
        CacheAction::Stats(target) => {
            let Some((disk, _)) = open(target)? else {
                return Ok(ExitCode::SUCCESS);
            };
            let sizes = disk.sizes();
            let last = last_run(&disk);
            if target.json {
                let out = serde_json::json!({
                    "dir": disk.root().display().to_string(),
                    "buckets": sizes,
                    "last_run": last,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                print!(
                    "{}",
                    archlint_report::cache_text::directory_text(disk.root(), &sizes, last.as_ref())
                );
            }
        }
        CacheAction::Clear(target) => {
            let Some((disk, _)) = open(target)? else {
                return Ok(ExitCode::SUCCESS);
            };
            let removed = disk.clear()?;
            if target.json {
                println!("{}", serde_json::json!({"removed_files": removed}));
            } else {
                println!("removed {removed} files from {}", disk.root().display());
            }
        }
        CacheAction::Prune { target, max_size } => {
            let Some((disk, table)) = open(target)? else {
                return Ok(ExitCode::SUCCESS);
            };
            let cap = match max_size {
                Some(s) => archlint_engine::cache_setup::parse_size(s)
                    .map_err(|e| anyhow::anyhow!("--max-size: {e}"))?,
                None => table.max_size,
            };
            let (files, bytes) = disk.prune(cap, &table.ttls)?;
            if target.json {
                println!(
                    "{}",
                    serde_json::json!({"removed_files": files, "removed_bytes": bytes})
                );
            } else {
                println!(
                    "removed {files} files ({bytes} bytes) from {}",
                    disk.root().display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
