//! Where the cache lives and how it behaves, from flags, environment and configuration (in that
//! order of precedence).
//!
//! ```toml
//! [tool.archlint]
//! cache_dir = ".archlint_cache"        # also --cache-dir, ARCHLINT_CACHE_DIR
//!
//! [tool.archlint.cache]
//! max_size = "1GB"                     # facts pack cap
//! redis_url = "redis://127.0.0.1:6379" # also --redis-url, ARCHLINT_REDIS_URL
//! redis_ttl = "7d"
//! redis_timeout = "100ms"              # connect, and silence within one operation
//! redis_budget = "2s"                  # all Redis operations of one run together
//! breaker_threshold = 3                # consecutive failed runs before the breaker opens
//! breaker_cooldown = "60s"
//! ttl = { package-metadata = "24h", license = "7d", vulnerability = "1h", dependency-tree = "30m" }
//! ```
//! `ARCHLINT_CACHE_KEY` (never in a file) signs entries shared through Redis.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
pub use archlint_cache::DiskCache;
use archlint_cache::{CacheKind, Ttls, parse_duration};
use archlint_config::ProjectConfig;

use crate::facts::FactsCacheOptions;

/// Cache choices from the command line.
#[derive(Debug, Clone, Default)]
pub struct CacheFlags {
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--cache-dir`.
    pub cache_dir: Option<PathBuf>,
    /// `--redis-url`.
    pub redis_url: Option<String>,
}

/// The default cache directory name, at the project root.
pub const DEFAULT_CACHE_DIR: &str = ".archlint_cache";

/// Everything from `[tool.archlint.cache]`.
#[derive(Debug, Clone)]
pub struct CacheTable {
    pub dir: Option<String>,
    pub max_size: u64,
    pub redis_url: Option<String>,
    pub redis_ttl: std::time::Duration,
    pub redis_timeout: std::time::Duration,
    pub redis_budget: std::time::Duration,
    pub breaker_threshold: u32,
    pub breaker_cooldown: std::time::Duration,
    pub ttls: Ttls,
}

impl Default for CacheTable {
    fn default() -> Self {
        CacheTable {
            dir: None,
            max_size: 1 << 30,
            redis_url: None,
            redis_ttl: std::time::Duration::from_secs(7 * 86_400),
            redis_timeout: std::time::Duration::from_millis(100),
            redis_budget: std::time::Duration::from_secs(2),
            breaker_threshold: 3,
            breaker_cooldown: std::time::Duration::from_secs(60),
            ttls: Ttls::default(),
        }
    }
}

/// Parse a size such as `512MB`, `1GB`, `64KB` or a number of bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{text}' is not a size (expected e.g. 512MB, 1GB)"))?;
    let factor: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "KB" | "K" | "KIB" => 1 << 10,
        "MB" | "M" | "MIB" => 1 << 20,
        "GB" | "G" | "GIB" => 1 << 30,
        other => return Err(format!("unknown size unit '{other}' in '{text}'")),
    };
    Ok(n.saturating_mul(factor))
}

/// Read `[tool.archlint.cache]`.
pub fn parse_cache_table(table: &toml::Table) -> Result<CacheTable, String> {
    let mut out = CacheTable::default();
    let text = |key: &str, v: &toml::Value| -> Result<String, String> {
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("cache setting '{key}' must be a string"))
    };
    let duration = |key: &str, v: &toml::Value| -> Result<std::time::Duration, String> {
        match v {
            toml::Value::Integer(i) if *i >= 0 => Ok(std::time::Duration::from_secs(*i as u64)),
            toml::Value::String(s) => {
                parse_duration(s).map_err(|e| format!("cache setting '{key}': {e}"))
            }
            _ => Err(format!(
                "cache setting '{key}' must be a duration such as \"24h\""
            )),
        }
    };
    for (key, value) in table {
        match key.as_str() {
            "dir" => out.dir = Some(text(key, value)?),
            "max_size" => {
                out.max_size = match value {
                    toml::Value::Integer(i) if *i >= 0 => *i as u64,
                    _ => parse_size(&text(key, value)?)
                        .map_err(|e| format!("cache setting 'max_size': {e}"))?,
                }
            }
            "redis_url" => out.redis_url = Some(text(key, value)?),
            "redis_ttl" => out.redis_ttl = duration(key, value)?,
            "redis_timeout" => out.redis_timeout = duration(key, value)?,
            "redis_budget" => out.redis_budget = duration(key, value)?,
            "breaker_threshold" => {
                out.breaker_threshold = value
                    .as_integer()
                    .filter(|i| (1..=1000).contains(i))
                    .ok_or(
                        "cache setting 'breaker_threshold' must be a whole number from 1 to 1000",
                    )? as u32
            }
            "breaker_cooldown" => out.breaker_cooldown = duration(key, value)?,
            "ttl" => {
                let ttl = value
                    .as_table()
                    .ok_or("cache setting 'ttl' must be a table of kind = duration")?;
                for (kind_name, v) in ttl {
                    let kind = CacheKind::from_name(kind_name)
                        .filter(|k| *k != CacheKind::Facts)
                        .ok_or_else(|| {
                            format!(
                                "unknown cache kind '{kind_name}' in 'ttl' (expected \
                                 package-metadata, license, vulnerability or dependency-tree)"
                            )
                        })?;
                    out.ttls.set(kind, Some(duration(kind_name, v)?));
                }
            }
            other => {
                return Err(format!(
                    "unknown cache setting '{other}' (expected dir, max_size, redis_url, \
                     redis_ttl, redis_timeout, redis_budget, breaker_threshold, \
                     breaker_cooldown or ttl)"
                ));
            }
        }
    }
    Ok(out)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The cache table of a configuration (defaults when absent).
pub fn cache_table(config: Option<&ProjectConfig>) -> Result<CacheTable> {
    match config.and_then(|c| c.cache_table.as_ref().map(|t| (c, t))) {
        Some((c, t)) => parse_cache_table(t).map_err(|e| anyhow!("{}: {e}", c.path.display())),
        None => Ok(CacheTable::default()),
    }
}

/// The cache directory for a project, or `None` when caching is off.
pub fn cache_dir(
    root: &Path,
    config: Option<&ProjectConfig>,
    flags: &CacheFlags,
) -> Result<Option<PathBuf>> {
    let off = env("ARCHLINT_NO_CACHE").is_some_and(|v| v != "0" && v != "false");
    if flags.no_cache || off {
        return Ok(None);
    }
    let table = cache_table(config)?;
    let dir = flags
        .cache_dir
        .clone()
        .or_else(|| env("ARCHLINT_CACHE_DIR").map(PathBuf::from))
        .or_else(|| {
            config
                .and_then(|c| c.settings.cache_dir.clone().or(table.dir.clone()))
                .map(|d| root.join(d))
        })
        .unwrap_or_else(|| root.join(DEFAULT_CACHE_DIR));
    // Never a directory archlint does not own: `--cache-dir .` must not chmod, fill or prune
    // the project.
    archlint_cache::disk::check_owned(&dir).map_err(|e| anyhow!(e))?;
    Ok(Some(dir))
}

/// Resolve every cache choice for a run.
pub fn resolve_cache(
    root: &Path,
    config: Option<&ProjectConfig>,
    flags: &CacheFlags,
) -> Result<FactsCacheOptions> {
    let table = cache_table(config)?;
    let dir = cache_dir(root, config, flags)?;
    #[cfg(feature = "redis")]
    let redis = if flags.no_cache {
        None
    } else {
        let url = flags
            .redis_url
            .clone()
            .or_else(|| env("ARCHLINT_REDIS_URL"))
            .or(table.redis_url.clone());
        if let Some(url) = &url {
            archlint_cache::shared::validate_url(url).map_err(|e| anyhow!(e))?;
        }
        url.map(|url| {
            let mut opts = archlint_cache::RedisOptions::new(&url);
            opts.ttl = table.redis_ttl;
            opts.connect_timeout = table.redis_timeout;
            opts.op_timeout = table.redis_timeout;
            opts.budget = table.redis_budget;
            opts.failure_threshold = table.breaker_threshold;
            opts.cooldown = table.breaker_cooldown;
            opts.signing = env("ARCHLINT_CACHE_KEY")
                .map(|secret| archlint_cache::SigningKey::from_secret(&secret));
            opts
        })
    };
    Ok(FactsCacheOptions {
        dir,
        #[cfg(feature = "redis")]
        redis,
        memory: None,
        max_pack_bytes: table.max_size,
        progress: None,
        drop_decoded: false,
    })
}

/// The layered cache (memory, disk, Redis) for the dependency side's kinds: package
/// metadata, licenses, vulnerabilities. `--no-cache` leaves only a memory layer for the run.
pub fn dependency_cache(
    root: &Path,
    config: Option<&ProjectConfig>,
    flags: &CacheFlags,
) -> Result<archlint_cache::Cache> {
    let table = cache_table(config)?;
    let resolved = resolve_cache(root, config, flags)?;
    Ok(archlint_cache::Cache::open(archlint_cache::CacheOptions {
        dir: resolved.dir,
        ttls: table.ttls.clone(),
        #[cfg(feature = "redis")]
        redis: resolved.redis,
        ..archlint_cache::CacheOptions::default()
    }))
}

/// The cache directory of the project at `root` (its configuration may name it; `cache_dir`
/// overrides), opened only when it already exists — nothing is created just to be inspected.
#[allow(clippy::large_enum_variant)] // made once per `archlint cache` command
pub enum ExistingCache {
    /// No archlint cache at this directory yet.
    Missing(PathBuf),
    Found(DiskCache, CacheTable),
}

/// See [`ExistingCache`].
pub fn existing_cache(root: &Path, cache_dir_flag: Option<PathBuf>) -> Result<ExistingCache> {
    let config = archlint_config::discover_config(root)?;
    let flags = CacheFlags {
        cache_dir: cache_dir_flag,
        ..CacheFlags::default()
    };
    let dir = cache_dir(root, config.as_ref(), &flags)?.expect("caching is on without --no-cache");
    let table = cache_table(config.as_ref())?;
    if !dir.join("CACHEDIR.TAG").is_file() {
        return Ok(ExistingCache::Missing(dir));
    }
    let disk = DiskCache::open(&dir)
        .with_context(|| format!("cannot open the cache directory {}", dir.display()))?;
    Ok(ExistingCache::Found(disk, table))
}

/// The counters of the last run recorded in a cache directory.
pub fn last_run(disk: &DiskCache) -> Option<crate::facts::CacheReport> {
    disk.file_path("state", "last-run.json")
        .ok()
        .and_then(|p| archlint_cache::disk::read_regular(&p).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Result<CacheTable, String> {
        parse_cache_table(&text.parse::<toml::Table>().unwrap())
    }

    #[test]
    fn reads_every_setting() {
        let t = table(
            r#"
            max_size = "64MB"
            redis_url = "redis://127.0.0.1:1"
            redis_ttl = "1d"
            redis_timeout = "250ms"
            breaker_threshold = 5
            breaker_cooldown = 30
            ttl = { license = "2d", vulnerability = "10m" }
            "#,
        )
        .unwrap();
        assert_eq!(t.max_size, 64 << 20);
        assert_eq!(t.redis_url.as_deref(), Some("redis://127.0.0.1:1"));
        assert_eq!(t.redis_ttl.as_secs(), 86_400);
        assert_eq!(t.redis_timeout.as_millis(), 250);
        assert_eq!(t.breaker_threshold, 5);
        assert_eq!(t.breaker_cooldown.as_secs(), 30);
        assert_eq!(t.ttls.get(CacheKind::License).unwrap().as_secs(), 172_800);
        assert_eq!(t.ttls.get(CacheKind::Vulnerability).unwrap().as_secs(), 600);
        assert_eq!(
            t.ttls.get(CacheKind::PackageMetadata).unwrap().as_secs(),
            86_400
        );
    }

    #[test]
    fn clear_errors() {
        assert!(
            table("colour = 1")
                .unwrap_err()
                .contains("unknown cache setting 'colour'")
        );
        assert!(
            table("ttl = { facts = \"1h\" }")
                .unwrap_err()
                .contains("unknown cache kind 'facts'")
        );
        assert!(
            table("redis_ttl = \"7w\"")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            table("max_size = \"big\"")
                .unwrap_err()
                .contains("not a size")
        );
        assert!(
            table("breaker_threshold = 0")
                .unwrap_err()
                .contains("1 to 1000")
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512MB").unwrap(), 512 << 20);
        assert_eq!(parse_size("1GB").unwrap(), 1 << 30);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("1TB").is_err());
    }
}
