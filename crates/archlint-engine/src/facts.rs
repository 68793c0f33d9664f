//! Facts for every discovered file, from the cache wherever the file has not changed.
//!
//! Per file: if its (size, mtime, inode) match the manifest row and the file is not "racily
//! clean" (modified within a second of the manifest being written), the manifest's content hash
//! is trusted; otherwise the file is read and hashed with BLAKE3. Facts are then looked up by
//! content hash in memory (long-lived processes), in the project's facts pack on disk, and in
//! Redis (one pipelined MGET for all misses); only what is left is parsed. New facts are written
//! back: the pack is replaced atomically when anything changed, and Redis gets a pipelined SET.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use archlint_cache::pack::{self, FileStamp, ManifestEntry, Pack};
use archlint_cache::{CacheKey, CacheKind, DiskCache, KeyBuilder, LayerStats, MemoryCache};
use archlint_discovery::{FileMeta, SourceFile};
use archlint_facts::{FACTS_SCHEMA_VERSION, ModuleFacts};
use archlint_parser::{ParseSettings, parse_bytes, read_source};
use rayon::prelude::*;
use serde::Serialize;

/// A memory layer of facts shared between runs of a long-lived process.
pub type FactsMemory = MemoryCache<CacheKey, Arc<ModuleFacts>>;

/// Where facts may come from besides parsing.
#[derive(Clone, Default)]
pub struct FactsCacheOptions {
    /// The cache directory; `None` for no disk layer.
    pub dir: Option<PathBuf>,
    /// Redis, shared between machines.
    #[cfg(feature = "redis")]
    pub redis: Option<archlint_cache::RedisOptions>,
    /// In-process layer for long-lived processes.
    pub memory: Option<Arc<FactsMemory>>,
    /// Upper bound on the facts pack; least recently used facts of files no longer present go
    /// first.
    pub max_pack_bytes: u64,
    /// Counts files as they are done, for a progress display.
    pub progress: Option<Arc<crate::Progress>>,
    /// Keep only the encoded form of facts parsed or fetched in this run (the pack needs it),
    /// decoding them again when they are read: the caller reads each file's facts once, so a
    /// large tree's decoded facts are never all in memory at once.
    pub drop_decoded: bool,
}

impl FactsCacheOptions {
    /// Whether any layer is configured.
    pub fn enabled(&self) -> bool {
        #[cfg(feature = "redis")]
        let redis = self.redis.is_some();
        #[cfg(not(feature = "redis"))]
        let redis = false;
        self.dir.is_some() || self.memory.is_some() || redis
    }
}

/// What the cache did in one run; shown by `--stats`, in the JSON report and by
/// `archlint cache stats`.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct CacheReport {
    pub enabled: bool,
    pub dir: Option<String>,
    /// Files analysed.
    pub files: u64,
    /// Files parsed this run (cache misses).
    pub parsed: u64,
    /// Files whose stat matched the manifest (not even read).
    pub unchanged: u64,
    /// Files read and hashed because their stat was new or changed.
    pub hashed: u64,
    /// Files that cannot be cached (unreadable, over the size limit).
    pub uncacheable: u64,
    pub memory: LayerStats,
    pub disk: LayerStats,
    #[cfg(feature = "redis")]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub redis: Option<archlint_cache::RedisStats>,
    /// Share of cacheable files answered by a cache, in percent.
    pub hit_rate: f64,
    /// Whether the facts pack was rewritten.
    pub pack_written: bool,
    /// Whether the import graph came from the snapshot of an identical earlier run.
    pub graph_reused: bool,
    /// Whether the graph was the earlier snapshot with only the changed files re-resolved.
    #[serde(default)]
    pub graph_patched: bool,
    pub pack_bytes: u64,
    /// Time spent loading and writing the pack, in milliseconds.
    pub io_ms: f64,
    /// Per-file parse time of the files parsed this run (ms): median, 95th percentile, most.
    #[serde(default)]
    pub parse_p50_ms: f64,
    #[serde(default)]
    pub parse_p95_ms: f64,
    #[serde(default)]
    pub parse_max_ms: f64,
    /// The file that took longest to parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slowest_file: Option<String>,
    /// CPU time summed over threads (ms): parsing, and stat + read + hash + cache lookups.
    #[serde(default)]
    pub parse_cpu_ms: f64,
    #[serde(default)]
    pub stat_hash_cpu_ms: f64,
    pub warnings: Vec<String>,
}

fn rate(hits: u64, misses: u64) -> Option<f64> {
    let asked = hits + misses;
    (asked > 0).then(|| hits as f64 * 100.0 / asked as f64)
}

impl CacheReport {
    /// Hit rate of each cache layer that was asked, in percent, in lookup order: the stat check
    /// against the manifest, memory, the disk pack, Redis.
    pub fn layer_hit_rates(&self) -> Vec<(&'static str, f64)> {
        if !self.enabled {
            return Vec::new();
        }
        let mut out = Vec::new();
        let cacheable = self.files - self.uncacheable;
        if let Some(r) = rate(self.unchanged, cacheable - self.unchanged.min(cacheable)) {
            out.push(("stat", r));
        }
        if let Some(r) = rate(self.memory.hits, self.memory.misses) {
            out.push(("memory", r));
        }
        if let Some(r) = rate(self.disk.hits, self.disk.misses) {
            out.push(("disk", r));
        }
        #[cfg(feature = "redis")]
        if let Some(redis) = &self.redis
            && let Some(r) = rate(redis.hits, redis.misses)
        {
            out.push(("redis", r));
        }
        out
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Stat,
    Memory,
    Disk,
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Redis,
    Parsed,
    Uncacheable,
}

struct Outcome {
    /// `None` for a stat hit whose facts are still encoded in the pack (decoded on demand).
    facts: Option<Arc<ModuleFacts>>,
    stamp: Option<FileStamp>,
    hash: Option<CacheKey>,
    source: Source,
    /// Encoded facts not yet in the pack.
    encoded: Option<Vec<u8>>,
    /// Time spent parsing this file in this run, in microseconds (0: not parsed).
    parse_us: u32,
}

impl Outcome {
    /// Facts that cannot be cached (the file could not be read or hashed): kept for this run
    /// only.
    fn uncacheable(facts: ModuleFacts) -> Outcome {
        Outcome {
            facts: Some(Arc::new(facts)),
            stamp: None,
            hash: None,
            source: Source::Uncacheable,
            encoded: None,
            parse_us: 0,
        }
    }
}

/// Run `parse` and measure it (per-file parse times feed `--stats` and the perf log).
fn timed<T>(parse: impl FnOnce() -> T) -> (T, u32) {
    let started = Instant::now();
    let value = parse();
    (
        value,
        started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32,
    )
}

/// The key of everything that changes facts besides the file contents.
pub fn facts_fingerprint(parse: &ParseSettings) -> CacheKey {
    KeyBuilder::new(CacheKind::Facts)
        .part("facts-schema", &FACTS_SCHEMA_VERSION.to_string())
        .part("parser", &parse.fingerprint())
        .finish()
}

fn facts_key(fingerprint: &CacheKey, hash: &CacheKey) -> CacheKey {
    let mut h = blake3::Hasher::new();
    h.update(&fingerprint.0);
    h.update(&hash.0);
    CacheKey(*h.finalize().as_bytes())
}

fn relative<'p>(root: &Path, path: &'p Path) -> std::borrow::Cow<'p, str> {
    // Fast path: discovery builds paths as `root/rel`, so a byte prefix check usually suffices.
    #[cfg(unix)]
    {
        let (r, p) = (
            root.as_os_str().as_encoded_bytes(),
            path.as_os_str().as_encoded_bytes(),
        );
        if !r.is_empty()
            && r.last() != Some(&b'/')
            && p.len() > r.len() + 1
            && p.starts_with(r)
            && p[r.len()] == b'/'
            && let Ok(rest) = std::str::from_utf8(&p[r.len() + 1..])
            && !rest.starts_with('/')
            && !rest.contains("//")
            && !rest.starts_with("./")
            && !rest.contains("/./")
            && !rest.ends_with("/.")
        {
            return rest.into();
        }
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&c.as_os_str().to_string_lossy());
    }
    out.into()
}

#[cfg(test)]
#[test]
fn relative_paths_agree_with_components() {
    let slow = |root: &Path, path: &Path| {
        let rel = path.strip_prefix(root).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    };
    for (root, path) in [
        ("bench/work/src", "bench/work/src/django/db/models.py"),
        (".", "./app/x.py"),
        ("/abs/root", "/abs/root/pkg/__init__.py"),
        ("root", "root//pkg/./x.py"),
        ("root/", "root/pkg/x.py"),
        ("other", "root/pkg/x.py"),
    ] {
        let (root, path) = (Path::new(root), Path::new(path));
        assert_eq!(relative(root, path), slow(root, path), "{path:?}");
    }
}

fn stamp_of(m: FileMeta) -> FileStamp {
    FileStamp {
        size: m.size,
        mtime_secs: m.mtime_secs,
        mtime_nanos: m.mtime_nanos,
        ino: m.ino,
    }
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// The pack of one project in one cache directory.
fn pack_path(disk: &DiskCache, root: &Path, fingerprint: &CacheKey) -> std::io::Result<PathBuf> {
    project_file(disk, root, fingerprint, "pack")
}

/// A per-project file in the facts bucket: `<settings>-<project>.<ext>`.
pub fn project_file(
    disk: &DiskCache,
    root: &Path,
    fingerprint: &CacheKey,
    ext: &str,
) -> std::io::Result<PathBuf> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let project = archlint_cache::content_hash(root.to_string_lossy().as_bytes());
    disk.file_path(
        "facts",
        &format!(
            "{}-{}.{ext}",
            archlint_cache::disk::short_name(fingerprint),
            archlint_cache::disk::short_name(&project)
        ),
    )
}

/// Facts of `files` (in the same order), and what the cache did.
pub fn collect_facts(
    root: &Path,
    files: &[SourceFile],
    parse: &ParseSettings,
    options: &FactsCacheOptions,
) -> (Vec<Arc<ModuleFacts>>, CacheReport) {
    let mut scan = scan(root, files, parse, options);
    let facts = scan.facts();
    (facts, scan.finish())
}

/// The state of the cache after every file was looked at: each file's content hash is known and
/// its facts are either at hand or still encoded in the pack.
pub struct Scan<'a> {
    root: &'a Path,
    files: &'a [SourceFile],
    parse: &'a ParseSettings,
    options: &'a FactsCacheOptions,
    fingerprint: CacheKey,
    disk: Option<DiskCache>,
    pack_file: Option<PathBuf>,
    pack: Pack,
    outcomes: Vec<Outcome>,
    report: CacheReport,
    use_cache: bool,
}

/// Look at every file: stat, hash where needed, look up the layers, parse what is missing.
pub fn scan<'a>(
    root: &'a Path,
    files: &'a [SourceFile],
    parse: &'a ParseSettings,
    options: &'a FactsCacheOptions,
) -> Scan<'a> {
    let mut report = CacheReport {
        files: files.len() as u64,
        ..CacheReport::default()
    };
    let fingerprint = facts_fingerprint(parse);
    let io_started = Instant::now();
    let disk = options
        .dir
        .as_ref()
        .and_then(|dir| DiskCache::open_or_warn(dir, &mut report.warnings));
    report.dir = options.dir.as_ref().map(|d| d.display().to_string());
    let pack_file = disk
        .as_ref()
        .and_then(|d| pack_path(d, root, &fingerprint).ok());
    let pack = open_pack(pack_file.as_deref(), &fingerprint, &mut report);
    report.io_ms += ms(io_started);
    #[cfg(feature = "redis")]
    let mut shared = options
        .redis
        .clone()
        .map(|opts| archlint_cache::SharedCache::beside(opts, disk.as_ref()));
    #[cfg(feature = "redis")]
    let two_phase = shared.is_some();
    #[cfg(not(feature = "redis"))]
    let two_phase = false;
    report.enabled = disk.is_some() || two_phase || options.memory.is_some();
    let use_cache = report.enabled;
    let memory = options.memory.as_deref();
    let lookup = Lookup {
        root,
        parse,
        pack: &pack,
        memory,
        fingerprint,
        use_cache,
        two_phase,
        racy_after: pack.written_at as i64 - 1,
        // A memory layer takes the decoded facts.
        drop_decoded: options.drop_decoded && memory.is_none(),
    };

    let scan_us = std::sync::atomic::AtomicU64::new(0);
    // Phase 1: stat, hash where needed, look up memory and disk; parse right away unless Redis
    // may still answer.
    #[cfg_attr(not(feature = "redis"), allow(unused_mut))]
    let mut outcomes: Vec<Option<Outcome>> = files
        .par_iter()
        .with_max_len(8)
        .map(|file| {
            let started = Instant::now();
            let outcome = lookup.file(file);
            scan_us.fetch_add(
                started.elapsed().as_micros() as u64,
                std::sync::atomic::Ordering::Relaxed,
            );
            if outcome.is_some()
                && let Some(p) = &options.progress
            {
                p.tick();
            }
            outcome
        })
        .collect();
    let phase1_parse_us: u64 = outcomes
        .iter()
        .flatten()
        .map(|o| u64::from(o.parse_us))
        .sum();
    report.stat_hash_cpu_ms = scan_us.into_inner().saturating_sub(phase1_parse_us) as f64 / 1000.0;

    // Phase 2 (Redis): one bulk lookup for everything still missing, then parse the rest.
    #[cfg(feature = "redis")]
    if let Some(shared) = shared.as_mut() {
        lookup.through_redis(shared, files, options, &mut outcomes, &mut report);
    }
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .map(|o| o.expect("every file resolved in phase 1 or 2"))
        .collect();
    Scan {
        root,
        files,
        parse,
        options,
        fingerprint,
        disk,
        pack_file,
        pack,
        outcomes,
        report,
        use_cache,
    }
}

/// The facts pack at `path`, or an empty one (a damaged pack is removed and counted).
fn open_pack(path: Option<&Path>, fingerprint: &CacheKey, report: &mut CacheReport) -> Pack {
    let Some(path) = path else {
        return Pack::default();
    };
    match Pack::open(path, fingerprint) {
        Ok(Some(pack)) => pack,
        Ok(None) => Pack::default(),
        Err(e) => {
            report
                .warnings
                .push(format!("cannot read {} ({e}); recomputing", path.display()));
            let _ = archlint_cache::disk::remove_entry(path);
            let mut empty = Pack::default();
            empty.corrupt = 1;
            empty
        }
    }
}

/// What a file's facts are looked up in, and how.
struct Lookup<'a> {
    root: &'a Path,
    parse: &'a ParseSettings,
    pack: &'a Pack,
    memory: Option<&'a FactsMemory>,
    fingerprint: CacheKey,
    use_cache: bool,
    /// Redis may still answer what memory and disk do not: leave those files for phase 2.
    two_phase: bool,
    /// Files modified at or after this second may have changed within the pack's timestamp.
    racy_after: i64,
    /// Keep only the encoding of facts parsed here (the caller reads each file's facts once).
    drop_decoded: bool,
}

impl Lookup<'_> {
    /// Memory first; then the pack, whose objects were verified when it was read, so decoding
    /// is left for when the facts are needed (a warm run with a graph snapshot never needs
    /// them).
    fn by_hash(&self, hash: &CacheKey) -> Option<(Option<Arc<ModuleFacts>>, Source)> {
        if let Some(mem) = self.memory
            && let Some(f) = mem.get(&facts_key(&self.fingerprint, hash))
        {
            return Some((Some(f), Source::Memory));
        }
        self.pack.contains(hash).then_some((None, Source::Disk))
    }

    /// Phase 1 for one file: unchanged by its stamp, found by its content hash, or parsed;
    /// `None` when it is left for Redis.
    fn file(&self, file: &SourceFile) -> Option<Outcome> {
        let (root, parse, pack, memory) = (self.root, self.parse, self.pack, self.memory);
        let (fingerprint, use_cache) = (self.fingerprint, self.use_cache);
        let (racy_after, drop_decoded) = (self.racy_after, self.drop_decoded);
        let uncacheable = Outcome::uncacheable;
        // The walk usually read the metadata already (relative to the open directory);
        // without a cache it is not needed at all.
        let stamp = use_cache
            .then(|| {
                file.meta
                    .or_else(|| std::fs::metadata(&file.path).ok().map(FileMeta::from))
            })
            .flatten()
            .map(stamp_of);
        let stamp = match stamp {
            Some(s) if use_cache && s.size <= parse.max_file_bytes => s,
            _ => {
                let (facts, us) = timed(|| archlint_parser::parse_file(&file.path, parse));
                let mut outcome = uncacheable(facts);
                outcome.parse_us = us;
                return Some(outcome);
            }
        };
        let rel = relative(root, &file.path);
        if let Some((known, hash)) = pack.file(&rel)
            && known == stamp
            && stamp.mtime_secs < racy_after
        {
            // Unchanged: trust the manifest. The facts are decoded (and their object
            // verified) only if needed; a missing or damaged object is then re-parsed.
            let facts = memory.and_then(|m| m.get(&facts_key(&fingerprint, &hash)));
            return Some(Outcome {
                source: if facts.is_some() {
                    Source::Memory
                } else {
                    Source::Stat
                },
                facts,
                stamp: Some(stamp),
                hash: Some(hash),
                encoded: None,
                parse_us: 0,
            });
        }
        let bytes = match read_source(&file.path, parse) {
            Ok(b) => b,
            Err(facts) => return Some(uncacheable(*facts)),
        };
        let hash = archlint_cache::content_hash(&bytes);
        if let Some((facts, source)) = self.by_hash(&hash) {
            return Some(Outcome {
                facts,
                stamp: Some(stamp),
                hash: Some(hash),
                source,
                encoded: None,
                parse_us: 0,
            });
        }
        if self.two_phase {
            // Left for Redis; the stamp and hash are recomputed after.
            return None;
        }
        let (facts, parse_us) = timed(|| parse_bytes(&bytes, parse));
        let encoded = use_cache.then(|| facts.encode());
        Some(Outcome {
            facts: (encoded.is_none() || !drop_decoded).then(|| Arc::new(facts)),
            encoded,
            stamp: Some(stamp),
            hash: Some(hash),
            source: Source::Parsed,
            parse_us,
        })
    }

    /// Phase 2: one bulk Redis lookup for every file phase 1 left, then parse the rest and
    /// write them through.
    #[cfg(feature = "redis")]
    fn through_redis(
        &self,
        shared: &mut archlint_cache::SharedCache,
        files: &[SourceFile],
        options: &FactsCacheOptions,
        outcomes: &mut [Option<Outcome>],
        report: &mut CacheReport,
    ) {
        let (parse, fingerprint, drop_decoded) = (self.parse, self.fingerprint, self.drop_decoded);
        let pending: Vec<usize> = (0..files.len())
            .filter(|&i| outcomes[i].is_none())
            .collect();
        // Re-read each pending file once: the bytes give both the hash for the lookup and the
        // input for parsing.
        type Read = Result<(FileStamp, Vec<u8>, CacheKey), ModuleFacts>;
        let read: Vec<(usize, Read)> = pending
            .par_iter()
            .map(|&i| {
                let path = &files[i].path;
                let stamp = std::fs::metadata(path).map(|m| stamp_of(FileMeta::from(m)));
                let bytes = read_source(path, parse);
                let item = match (stamp, bytes) {
                    (Ok(stamp), Ok(bytes)) => {
                        let hash = archlint_cache::content_hash(&bytes);
                        Ok((stamp, bytes, hash))
                    }
                    (_, Err(facts)) => Err(*facts),
                    (Err(_), Ok(_)) => Err(archlint_parser::parse_file(path, parse)),
                };
                (i, item)
            })
            .collect();
        let keys: Vec<CacheKey> = read
            .iter()
            .filter_map(|(_, item)| item.as_ref().ok())
            .map(|(_, _, hash)| facts_key(&fingerprint, hash))
            .collect();
        let mut found = shared.get_many(CacheKind::Facts, &keys).into_iter();
        let remote: Vec<Option<Vec<u8>>> = read
            .iter()
            .map(|(_, item)| {
                if item.is_ok() {
                    found.next().flatten()
                } else {
                    None
                }
            })
            .collect();
        let resolved: Vec<(usize, Outcome)> = read
            .into_par_iter()
            .zip(remote.into_par_iter())
            .map(|((i, item), remote)| {
                if let Some(p) = &options.progress {
                    p.tick();
                }
                let (stamp, bytes, hash) = match item {
                    Ok(x) => x,
                    Err(facts) => {
                        return (i, Outcome::uncacheable(facts));
                    }
                };
                if let Some(payload) = remote
                    && let Some(facts) = ModuleFacts::decode(&payload)
                {
                    return (
                        i,
                        Outcome {
                            facts: (!drop_decoded).then(|| Arc::new(facts)),
                            stamp: Some(stamp),
                            hash: Some(hash),
                            source: Source::Redis,
                            encoded: Some(payload),
                            parse_us: 0,
                        },
                    );
                }
                let (facts, parse_us) = timed(|| parse_bytes(&bytes, parse));
                (
                    i,
                    Outcome {
                        encoded: Some(facts.encode()),
                        facts: (!drop_decoded).then(|| Arc::new(facts)),
                        stamp: Some(stamp),
                        hash: Some(hash),
                        source: Source::Parsed,
                        parse_us,
                    },
                )
            })
            .collect();
        for (i, outcome) in resolved {
            outcomes[i] = Some(outcome);
        }
        // Write-through of what was computed here.
        let new: Vec<(CacheKey, &[u8])> = outcomes
            .iter()
            .flatten()
            .filter(|o| o.source == Source::Parsed)
            .filter_map(|o| {
                Some((
                    facts_key(&fingerprint, o.hash.as_ref()?),
                    o.encoded.as_deref()?,
                ))
            })
            .collect();
        shared.put_many(CacheKind::Facts, &new);
        shared.finish();
        report.warnings.extend(shared.note());
        report.redis = Some(shared.stats.clone());
    }
}

impl Scan<'_> {
    /// Each file's content hash, in file order; `None` when some file could not be cached
    /// (unreadable or too large), so a snapshot built from hashes would not describe it.
    pub fn hashes(&self) -> Option<Vec<CacheKey>> {
        self.outcomes.iter().map(|o| o.hash).collect()
    }

    /// Each file's content hash, in file order, where it was computed (not for files read
    /// without a cache, nor unreadable or too large ones).
    pub fn file_hashes(&self) -> Vec<Option<CacheKey>> {
        self.outcomes.iter().map(|o| o.hash).collect()
    }

    /// The facts already decoded (parsed in this run, or found in memory), in file order.
    pub fn facts_at_hand(&self) -> Vec<Option<Arc<ModuleFacts>>> {
        self.outcomes.iter().map(|o| o.facts.clone()).collect()
    }

    /// The cache directory in use, if any.
    pub fn disk(&self) -> Option<&DiskCache> {
        self.disk.as_ref()
    }

    /// The fingerprint of the facts settings.
    pub fn fingerprint(&self) -> &CacheKey {
        &self.fingerprint
    }

    /// Facts of the files at `indices`, decoding what is still encoded.
    pub fn facts_of(&mut self, indices: &[usize]) -> Vec<Arc<ModuleFacts>> {
        let pack = &self.pack;
        let (files, parse) = (self.files, self.parse);
        let mut wanted = vec![false; self.outcomes.len()];
        for &i in indices {
            wanted[i] = true;
        }
        self.outcomes
            .par_iter_mut()
            .zip(files)
            .zip(wanted)
            .filter(|(_, w)| *w)
            .for_each(|((o, file), _)| ensure_facts(o, file, pack, parse));
        indices
            .iter()
            .map(|&i| Arc::clone(self.outcomes[i].facts.as_ref().expect("decoded above")))
            .collect()
    }

    /// `read(i, facts)` for every file, in parallel; results in file order. Facts not at hand
    /// are decoded for the call and let go after it.
    pub fn map_facts<T: Send>(&mut self, read: impl Fn(usize, &ModuleFacts) -> T + Sync) -> Vec<T> {
        let pack = &self.pack;
        let (files, parse) = (self.files, self.parse);
        self.outcomes
            .par_iter_mut()
            .zip(files)
            .enumerate()
            .map(|(i, (o, file))| match &o.facts {
                Some(facts) => read(i, facts),
                None => read(i, &decoded_facts(o, file, pack, parse)),
            })
            .collect()
    }

    /// Facts of every file, in file order, decoding what is still encoded.
    pub fn facts(&mut self) -> Vec<Arc<ModuleFacts>> {
        let all: Vec<usize> = (0..self.outcomes.len()).collect();
        self.facts_of(&all)
    }

    /// Write back what changed and return the counters.
    pub fn finish(self) -> CacheReport {
        self.finish_keeping_pack().0
    }

    /// [`Scan::finish`], keeping the pack read at the start (its objects stay readable after
    /// the pack file is replaced).
    pub fn finish_keeping_pack(mut self) -> (CacheReport, Pack) {
        let mut report = std::mem::take(&mut self.report);
        self.write_back(&mut report);
        (report, std::mem::take(&mut self.pack))
    }
}

/// Per-file parse times (`times[i]` for `files[i]`, 0: not parsed) into the report: CPU time,
/// nearest-rank percentiles and the slowest file.
fn parse_times(report: &mut CacheReport, root: &Path, files: &[SourceFile], times: &[u32]) {
    report.parse_cpu_ms = times.iter().map(|&t| f64::from(t)).sum::<f64>() / 1000.0;
    let mut times: Vec<(u32, usize)> = times
        .iter()
        .enumerate()
        .filter(|(_, t)| **t > 0)
        .map(|(i, &t)| (t, i))
        .collect();
    if !times.is_empty() {
        times.sort_unstable();
        let at = |q: f64| {
            let rank = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len());
            f64::from(times[rank - 1].0) / 1000.0
        };
        report.parse_p50_ms = at(0.5);
        report.parse_p95_ms = at(0.95);
        let (max, slowest) = times[times.len() - 1];
        report.parse_max_ms = f64::from(max) / 1000.0;
        report.slowest_file = Some(relative(root, &files[slowest].path).into_owned());
    }
}

/// Facts kept for a caller that asks for some files' facts after loading: those at hand, and
/// the cache to decode the others from.
pub struct OnDemand {
    /// Facts decoded in this run (parsed, or found in memory), in file order.
    pub at_hand: Vec<Option<Arc<ModuleFacts>>>,
    /// Each file's content hash, where computed: its object in the pack.
    pub hashes: Vec<Option<CacheKey>>,
    pub pack: Pack,
    /// How a file whose cached facts are missing or damaged is parsed again.
    pub parse: ParseSettings,
}

impl OnDemand {
    /// The facts of the file at `index` (`path`): at hand, decoded from the pack, or parsed.
    pub fn facts_of(&self, index: usize, path: &Path) -> Arc<ModuleFacts> {
        if let Some(Some(facts)) = self.at_hand.get(index) {
            return Arc::clone(facts);
        }
        let decoded = self
            .hashes
            .get(index)
            .copied()
            .flatten()
            .and_then(|h| self.pack.object(&h))
            .and_then(ModuleFacts::decode);
        Arc::new(decoded.unwrap_or_else(|| archlint_parser::parse_file(path, &self.parse)))
    }
}

/// Parse every file with no cache at all, handing each file's facts to `reduce` as soon as
/// they are made and keeping only what it returns (in file order). A run that reads each
/// file's facts once — a check without a cache resolves the imports and keeps the
/// diagnostics — then never holds every file's facts at the same time.
pub fn parse_each<T: Send>(
    root: &Path,
    files: &[SourceFile],
    parse: &ParseSettings,
    progress: Option<&crate::Progress>,
    reduce: impl Fn(usize, ModuleFacts) -> T + Sync,
) -> (Vec<T>, CacheReport) {
    let (kept, times): (Vec<T>, Vec<u32>) = files
        .par_iter()
        .with_max_len(1)
        .enumerate()
        .map(|(i, file)| {
            let (facts, us) = timed(|| archlint_parser::parse_file(&file.path, parse));
            if let Some(p) = progress {
                p.tick();
            }
            (reduce(i, facts), us)
        })
        .unzip();
    let mut report = CacheReport {
        files: files.len() as u64,
        uncacheable: files.len() as u64,
        ..CacheReport::default()
    };
    parse_times(&mut report, root, files, &times);
    (kept, report)
}

/// Decode an outcome's facts from the pack if they are not at hand; a missing or damaged
/// object (counted by the pack) means parsing the file again.
fn ensure_facts(o: &mut Outcome, file: &SourceFile, pack: &Pack, parse: &ParseSettings) {
    if o.facts.is_none() {
        o.facts = Some(Arc::new(decoded_facts(o, file, pack, parse)));
    }
}

/// An outcome's facts decoded from its encoding in this run or from the pack, without keeping
/// them; a missing or damaged object (counted by the pack) means parsing the file again.
fn decoded_facts(
    o: &mut Outcome,
    file: &SourceFile,
    pack: &Pack,
    parse: &ParseSettings,
) -> ModuleFacts {
    let decoded = o
        .encoded
        .as_deref()
        .or_else(|| o.hash.as_ref().and_then(|h| pack.object(h)))
        .and_then(ModuleFacts::decode);
    match decoded {
        Some(f) => f,
        None => {
            let (facts, us) = timed(|| archlint_parser::parse_file(&file.path, parse));
            o.parse_us = us;
            o.encoded = Some(facts.encode());
            o.source = Source::Parsed;
            facts
        }
    }
}

impl Scan<'_> {
    /// Count what happened, then update the memory layer and replace the pack if anything
    /// changed.
    fn write_back(&self, report: &mut CacheReport) {
        let manifest_dirty = self.count(report);
        if let Some(mem) = self.options.memory.as_deref() {
            self.write_memory(mem, report);
        }
        match self.pack_file.as_deref() {
            Some(path) if manifest_dirty => self.write_pack(path, report),
            // Mark the pack as recently used for pruning.
            Some(path) => {
                if let Ok(f) = std::fs::File::options().append(true).open(path) {
                    let _ = f.set_modified(std::time::SystemTime::now());
                    report.pack_bytes = f.metadata().map(|m| m.len()).unwrap_or(0);
                }
            }
            None => {}
        }
        // Objects verified while writing may have added to the count.
        report.disk.corrupt = u64::from(self.pack.corrupt_count());
        if let Some(d) = &self.disk
            && let Ok(path) = d.file_path("state", "last-run.json")
            && let Ok(bytes) = serde_json::to_vec(&report)
        {
            let _ = archlint_cache::disk::write_atomic(&path, &bytes);
        }
    }

    /// The counters and hit rate; whether the pack's manifest must be written again.
    fn count(&self, report: &mut CacheReport) -> bool {
        let (root, files, pack, outcomes) = (self.root, self.files, &self.pack, &self.outcomes[..]);
        let (disk, use_cache, memory) = (
            self.disk.as_ref(),
            self.use_cache,
            self.options.memory.as_deref(),
        );
        let mut manifest_dirty = pack.file_count() != outcomes.len() || pack.corrupt_count() > 0;
        report.disk.corrupt = u64::from(pack.corrupt_count());
        for o in outcomes {
            match o.source {
                Source::Stat => {
                    report.unchanged += 1;
                    report.disk.hits += 1;
                }
                Source::Memory => {
                    report.hashed += 1;
                    report.memory.hits += 1;
                }
                Source::Disk => {
                    report.hashed += 1;
                    report.disk.hits += 1;
                }
                Source::Redis | Source::Parsed => {
                    report.hashed += 1;
                    if disk.is_some() {
                        report.disk.misses += 1;
                    }
                    if memory.is_some() {
                        report.memory.misses += 1;
                    }
                    if o.source == Source::Parsed {
                        report.parsed += 1;
                    }
                }
                Source::Uncacheable => report.uncacheable += 1,
            }
            if o.source != Source::Stat {
                manifest_dirty = true;
            }
        }
        let times: Vec<u32> = outcomes.iter().map(|o| o.parse_us).collect();
        parse_times(report, root, files, &times);
        let cacheable = report.files - report.uncacheable;
        report.hit_rate = if cacheable == 0 || !use_cache {
            if use_cache { 100.0 } else { 0.0 }
        } else {
            (cacheable - report.parsed) as f64 * 100.0 / cacheable as f64
        };
        manifest_dirty
    }

    /// Facts decoded in this run into the memory layer.
    fn write_memory(&self, mem: &FactsMemory, report: &mut CacheReport) {
        let (fingerprint, outcomes) = (&self.fingerprint, &self.outcomes[..]);
        for o in outcomes {
            if let (
                Some(hash),
                Some(facts),
                Source::Parsed | Source::Redis | Source::Disk | Source::Stat,
            ) = (&o.hash, &o.facts, o.source)
            {
                let weight = o.encoded.as_ref().map_or(256, |e| e.len() + 64);
                mem.insert(
                    facts_key(fingerprint, hash),
                    Arc::clone(facts),
                    weight,
                    None,
                );
                report.memory.writes += 1;
            }
        }
    }

    /// Replace the pack: its manifest, and the objects appended to the old ones or laid out
    /// again.
    fn write_pack(&self, path: &Path, report: &mut CacheReport) {
        let (root, files, parse, options) = (self.root, self.files, self.parse, self.options);
        let (fingerprint, pack, outcomes) = (&self.fingerprint, &self.pack, &self.outcomes[..]);
        let started = Instant::now();
        let now = archlint_cache::entry::now_secs();
        let mut manifest = Vec::with_capacity(outcomes.len());
        // Where each distinct object's payload comes from. A pack object that fails its
        // checksum now (verification is lazy) is recomputed, so the new pack is complete.
        enum From<'p> {
            Outcome(usize),
            Pack(pack::StoredObject<'p>),
            Here(usize),
        }
        let mut sources: Vec<(CacheKey, From)> = Vec::with_capacity(outcomes.len());
        let mut seen = rustc_hash::FxHashSet::default();
        let mut encoded_here: Vec<Vec<u8>> = Vec::new();
        for (i, (file, o)) in files.iter().zip(outcomes).enumerate() {
            let (Some(stamp), Some(hash)) = (o.stamp, o.hash) else {
                continue;
            };
            manifest.push(ManifestEntry {
                path: relative(root, &file.path).into_owned(),
                stamp,
                hash,
            });
            if !seen.insert(hash) {
                continue;
            }
            let from = if o.encoded.is_some() {
                From::Outcome(i)
            } else if let Some(stored) = pack.raw(&hash) {
                // Copied as stored: its checksum travels with it and is checked when read.
                From::Pack(stored)
            } else {
                let encoded = match &o.facts {
                    Some(facts) => facts.encode(),
                    None => archlint_parser::parse_file(&file.path, parse).encode(),
                };
                encoded_here.push(encoded);
                From::Here(encoded_here.len() - 1)
            };
            sources.push((hash, from));
        }
        let used: rustc_hash::FxHashSet<CacheKey> = sources.iter().map(|s| s.0).collect();
        let (unused, stored) = pack.unused_bytes(&used);
        // Few objects to drop and no damage: keep the old objects section as it is and append
        // the new objects, instead of re-laying out every object.
        let append = stored > 0
            && unused * 4 <= stored
            && stored <= options.max_pack_bytes
            && pack.corrupt_count() == 0;
        let written: std::io::Result<u64> = if append {
            let new = sources.iter().filter_map(|(hash, from)| match from {
                From::Outcome(i) => Some((*hash, outcomes[*i].encoded.as_deref()?)),
                From::Here(i) => Some((*hash, encoded_here[*i].as_slice())),
                From::Pack(_) => None,
            });
            let parts = pack::encode_appending(fingerprint, now, &manifest, pack, new);
            let parts: Vec<&[u8]> = parts.iter().map(|p| p.as_ref()).collect();
            archlint_cache::disk::write_atomic_parts(path, &parts)
                .map(|()| parts.iter().map(|p| p.len() as u64).sum())
        } else {
            let mut objects: Vec<(CacheKey, u64, pack::StoredObject)> = sources
                .into_iter()
                .map(|(hash, from)| {
                    let object = match from {
                        From::Outcome(i) => pack::StoredObject::New(
                            outcomes[i].encoded.as_deref().unwrap_or_default(),
                        ),
                        From::Pack(stored) => stored,
                        From::Here(i) => pack::StoredObject::New(&encoded_here[i]),
                    };
                    (hash, now, object)
                })
                .collect();
            let used_bytes: u64 = objects.iter().map(|o| o.2.payload().len() as u64).sum();
            // Keep facts of files no longer present (another branch may bring them back), most
            // recently used first, up to the size cap and for at most 30 days.
            let mut old: Vec<(CacheKey, u64, pack::StoredObject)> = pack
                .unverified()
                .filter(|(h, t)| !used.contains(*h) && now.saturating_sub(*t) < 30 * 86_400)
                .filter_map(|(h, t)| Some((*h, t, pack.raw(h)?)))
                .collect();
            old.sort_by_key(|o| std::cmp::Reverse(o.1));
            let mut total = used_bytes;
            for item in old {
                total += item.2.payload().len() as u64;
                if total > options.max_pack_bytes {
                    break;
                }
                objects.push(item);
            }
            // Streamed to the file: the pack of a large tree is never whole in memory.
            archlint_cache::disk::write_atomic_with(path, |w| {
                pack::write(w, fingerprint, now, &manifest, objects)
            })
        };
        match written {
            Ok(bytes) => {
                report.pack_bytes = bytes;
                report.pack_written = true;
                report.disk.writes += report.parsed + report.redis_hits();
            }
            Err(e) => report.warnings.push(format!(
                "cannot write the cache ({e}); the next run will parse again"
            )),
        }
        report.io_ms += ms(started);
    }
}

impl CacheReport {
    fn redis_hits(&self) -> u64 {
        #[cfg(feature = "redis")]
        {
            self.redis.as_ref().map_or(0, |r| r.hits)
        }
        #[cfg(not(feature = "redis"))]
        {
            0
        }
    }
}
