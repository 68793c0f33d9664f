//! `archlint cache stats|clear|prune`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use archlint_cache::DiskCache;
use archlint_config::discover_config;
use archlint_engine::CacheReport;
use archlint_engine::cache_setup::{CacheFlags, cache_dir, cache_table};

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

/// Load the cache directory of a project (its configuration may name it); `None` when there is
/// no cache there yet (nothing is created just to be inspected).
fn open(
    target: &CacheTarget,
) -> Result<Option<(DiskCache, archlint_engine::cache_setup::CacheTable)>> {
    let root = match &target.path {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let config = discover_config(&root)?;
    let flags = CacheFlags {
        cache_dir: target.cache_dir.clone(),
        ..CacheFlags::default()
    };
    let dir = cache_dir(&root, config.as_ref(), &flags)?.expect("caching is on without --no-cache");
    let table = cache_table(config.as_ref())?;
    if !dir.join("CACHEDIR.TAG").is_file() {
        if target.json {
            println!(
                "{}",
                serde_json::json!({"dir": dir.display().to_string(), "exists": false})
            );
        } else {
            println!("no archlint cache at {}", dir.display());
        }
        return Ok(None);
    }
    let disk = DiskCache::open(&dir)
        .with_context(|| format!("cannot open the cache directory {}", dir.display()))?;
    Ok(Some((disk, table)))
}

pub fn run(args: &CacheArgs) -> Result<ExitCode> {
    match &args.action {
        CacheAction::Stats(target) => {
            let Some((disk, _)) = open(target)? else {
                return Ok(ExitCode::SUCCESS);
            };
            let sizes = disk.sizes();
            let last: Option<CacheReport> = disk
                .file_path("state", "last-run.json")
                .ok()
                .and_then(|p| archlint_cache::disk::read_regular(&p).ok())
                .and_then(|b| serde_json::from_slice(&b).ok());
            if target.json {
                let out = serde_json::json!({
                    "dir": disk.root().display().to_string(),
                    "buckets": sizes,
                    "last_run": last,
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!("cache directory: {}", disk.root().display());
                let (mut entries, mut bytes) = (0, 0);
                for b in &sizes {
                    println!(
                        "  {:<20} {:>8} files {:>12} bytes",
                        b.name, b.entries, b.bytes
                    );
                    entries += b.entries;
                    bytes += b.bytes;
                }
                println!("  {:<20} {:>8} files {:>12} bytes", "total", entries, bytes);
                match &last {
                    Some(report) => {
                        println!("last run:");
                        print!("{}", archlint_report::cache_text::cache_report_text(report));
                    }
                    None => println!("last run: none recorded"),
                }
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
