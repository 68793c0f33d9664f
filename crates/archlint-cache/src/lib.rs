//! archlint's cache engine.
//!
//! Three layers, each optional, each verified:
//! - L1 [`memory`]: a strictly bounded in-process LRU for long-lived processes;
//! - L2 [`disk`]: the cache directory (`.archlint_cache/` by default), with facts [`pack`]s and
//!   one file per entry of the other kinds;
//! - L3 [`shared`]: Redis, shared by CI runners, behind a circuit breaker.
//!
//! Values are opaque bytes to this crate; keys come from [`keys::KeyBuilder`] and are versioned
//! by archlint version and cache schema. No cache fault ever fails a run: a bad entry is a miss.

pub mod disk;
pub mod entry;
pub mod keys;
pub mod memory;
pub mod pack;
#[cfg(feature = "redis")]
mod resp;
#[cfg(feature = "redis")]
pub mod shared;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

pub use disk::{DiskCache, Lookup};
pub use entry::SigningKey;
pub use keys::{CacheKey, CacheKind, KeyBuilder, Ttls, content_hash, parse_duration};
pub use memory::MemoryCache;
#[cfg(feature = "redis")]
pub use shared::{RedisOptions, RedisStats, SharedCache};

/// Hits, misses and writes of one layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerStats {
    pub hits: u64,
    pub misses: u64,
    pub writes: u64,
    /// Entries found damaged, truncated, foreign or unreadable (removed and recomputed).
    pub corrupt: u64,
}

impl LayerStats {
    /// Hits over lookups, in percent (100 when there were no lookups).
    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            100.0
        } else {
            self.hits as f64 * 100.0 / total as f64
        }
    }
}

/// How to set up the layers for the generic (non-facts) kinds.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// The cache directory; `None` runs without a disk layer.
    pub dir: Option<PathBuf>,
    pub ttls: Ttls,
    pub memory_entries: usize,
    pub memory_bytes: usize,
    #[cfg(feature = "redis")]
    pub redis: Option<RedisOptions>,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            dir: None,
            ttls: Ttls::default(),
            memory_entries: 100_000,
            memory_bytes: 256 << 20,
            #[cfg(feature = "redis")]
            redis: None,
        }
    }
}

/// The three layers together, for entries of the dependency side (package metadata, licenses,
/// vulnerabilities, dependency trees): read-through L1 → L2 → L3 with back-fill, write-through.
pub struct Cache {
    memory: MemoryCache<(CacheKind, CacheKey), Arc<[u8]>>,
    disk: Option<DiskCache>,
    #[cfg(feature = "redis")]
    shared: Option<Mutex<SharedCache>>,
    ttls: Ttls,
    stats: Mutex<[LayerStats; 3]>,
    /// Problems met while opening the layers (the run goes on without them).
    pub warnings: Vec<String>,
}

impl Cache {
    /// Open the configured layers. An unusable cache directory becomes a warning.
    pub fn open(options: CacheOptions) -> Cache {
        let mut warnings = Vec::new();
        let disk = options
            .dir
            .as_ref()
            .and_then(|dir| DiskCache::open_or_warn(dir, &mut warnings));
        #[cfg(feature = "redis")]
        let shared = options
            .redis
            .map(|opts| Mutex::new(SharedCache::beside(opts, disk.as_ref())));
        Cache {
            memory: MemoryCache::new(options.memory_entries, options.memory_bytes),
            disk,
            #[cfg(feature = "redis")]
            shared,
            ttls: options.ttls,
            stats: Mutex::new([LayerStats::default(); 3]),
            warnings,
        }
    }

    fn count(&self, layer: usize, f: impl FnOnce(&mut LayerStats)) {
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut stats[layer]);
    }

    /// Look an entry up through the layers; a hit in a lower layer fills the upper ones.
    pub fn get(&self, kind: CacheKind, key: &CacheKey) -> Option<Arc<[u8]>> {
        let ttl = self.ttls.get(kind);
        if let Some(v) = self.memory.get(&(kind, *key)) {
            self.count(0, |s| s.hits += 1);
            return Some(v);
        }
        self.count(0, |s| s.misses += 1);
        if let Some(disk) = &self.disk {
            match disk.get(kind, key, ttl) {
                Lookup::Hit(bytes) => {
                    self.count(1, |s| s.hits += 1);
                    let value: Arc<[u8]> = bytes.into();
                    self.memory
                        .insert((kind, *key), Arc::clone(&value), value.len(), ttl);
                    return Some(value);
                }
                Lookup::Rejected(_) => self.count(1, |s| {
                    s.misses += 1;
                    s.corrupt += 1
                }),
                Lookup::Miss | Lookup::Expired => self.count(1, |s| s.misses += 1),
            }
        }
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(bytes) = shared.get_many(kind, &[*key]).pop().flatten() {
                drop(shared);
                self.count(2, |s| s.hits += 1);
                if let Some(disk) = &self.disk
                    && disk.put(kind, key, &bytes).is_ok()
                {
                    self.count(1, |s| s.writes += 1);
                }
                let value: Arc<[u8]> = bytes.into();
                self.memory
                    .insert((kind, *key), Arc::clone(&value), value.len(), ttl);
                return Some(value);
            }
            self.count(2, |s| s.misses += 1);
        }
        None
    }

    /// Store an entry in every layer.
    pub fn put(&self, kind: CacheKind, key: &CacheKey, value: &[u8]) {
        let ttl = self.ttls.get(kind);
        self.memory
            .insert((kind, *key), value.into(), value.len(), ttl);
        self.count(0, |s| s.writes += 1);
        if let Some(disk) = &self.disk
            && disk.put(kind, key, value).is_ok()
        {
            self.count(1, |s| s.writes += 1);
        }
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
            shared.put_many(kind, &[(*key, value)]);
            self.count(2, |s| s.writes += 1);
        }
    }

    /// Counters per layer: memory, disk, Redis.
    pub fn stats(&self) -> [LayerStats; 3] {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Save the Redis breaker state; call once at the end of a run. Returns what the user
    /// should be told once: layers that could not be opened, Redis skipped and why.
    pub fn finish(&self) -> Vec<String> {
        #[allow(unused_mut)]
        let mut notes = self.warnings.clone();
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
            shared.finish();
            notes.extend(shared.note());
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_through_and_back_fill() {
        let dir = tempfile::tempdir().unwrap();
        let options = CacheOptions {
            dir: Some(dir.path().to_path_buf()),
            ..CacheOptions::default()
        };
        let key = KeyBuilder::new(CacheKind::License)
            .part("package", "django")
            .finish();
        let first = Cache::open(options.clone());
        assert!(first.get(CacheKind::License, &key).is_none());
        first.put(CacheKind::License, &key, b"BSD-3-Clause");
        assert_eq!(
            first.get(CacheKind::License, &key).as_deref(),
            Some(&b"BSD-3-Clause"[..])
        );
        assert_eq!(first.stats()[0].hits, 1);
        // A new process: memory is empty, the disk layer answers and fills memory.
        let second = Cache::open(options);
        assert_eq!(
            second.get(CacheKind::License, &key).as_deref(),
            Some(&b"BSD-3-Clause"[..])
        );
        assert_eq!(second.stats()[1].hits, 1);
        assert!(second.get(CacheKind::License, &key).is_some());
        assert_eq!(second.stats()[0].hits, 1);
    }

    #[test]
    fn unusable_directory_is_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let cache = Cache::open(CacheOptions {
            dir: Some(file),
            ..CacheOptions::default()
        });
        assert_eq!(cache.warnings.len(), 1);
        let key = KeyBuilder::new(CacheKind::License).finish();
        cache.put(CacheKind::License, &key, b"MIT");
        assert!(cache.get(CacheKind::License, &key).is_some());
    }
}
