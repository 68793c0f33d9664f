//! L2: the cache directory.
//!
//! ```text
//! <dir>/CACHEDIR.TAG, .gitignore
//! <dir>/v1/                     versioned bucket (other versions are foreign; `prune` removes them)
//!     facts/<fingerprint>-<project>.pack      facts packs (see `pack`)
//!     <kind>/<ab>/<rest of key>               one entry per file (see `entry`)
//!     last-run.json, redis-breaker-*.json     counters and breaker state (per server)
//! ```
//!
//! Directories are created 0700 and files 0600. Every write goes to a temporary file in the same
//! directory and is renamed into place, so readers see an old entry or a new one, never half of
//! one, even with many processes sharing the directory or a process killed mid-write.
//!
//! archlint only ever creates, chmods, clears or prunes a directory it owns: one it created (or
//! found empty), marked with its own `CACHEDIR.TAG`. Any other existing directory — a project
//! root passed as `--cache-dir .`, a home directory — is refused before anything is written to
//! it ([`check_owned`]). Inside an owned directory, `clear` and `prune` remove only archlint's own
//! layout (`v<N>` buckets and its temporary files), and never follow a symbolic link.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::entry::{self, Rejection, SigningKey};
use crate::keys::{CACHE_SCHEMA, CacheKey, CacheKind, hex};

const TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by archlint.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// The result of reading one entry.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Hit(Vec<u8>),
    Miss,
    /// Older than the kind's TTL; removed.
    Expired,
    /// Damaged, truncated, foreign or unreadable; removed.
    Rejected(Rejection),
}

/// An open cache directory.
#[derive(Debug, Clone)]
pub struct DiskCache {
    root: PathBuf,
    bucket: PathBuf,
}

/// Size of one part of the cache directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BucketSize {
    pub name: String,
    pub entries: u64,
    pub bytes: u64,
}

/// Whether `dir` may be used as archlint's cache directory: anything but an existing directory
/// that is neither empty nor marked with the `CACHEDIR.TAG` archlint writes. A missing directory
/// is created; a path that cannot be a directory (a file, a dangling link, no permission) only
/// makes the cache unusable, which [`DiskCache::open_or_warn`] reports. A refusal names the
/// directory and says why.
pub fn check_owned(dir: &Path) -> Result<(), String> {
    let Ok(meta) = fs::metadata(dir) else {
        return Ok(());
    };
    if !meta.is_dir() || owned(dir) {
        return Ok(());
    }
    match fs::read_dir(dir).map(|mut items| items.next().is_none()) {
        Ok(false) => Err(format!(
            "{}: not an archlint cache directory (it is not empty and has no archlint \
             CACHEDIR.TAG); archlint only writes to, clears or prunes a cache directory it \
             created — choose a new or empty directory",
            dir.display()
        )),
        _ => Ok(()),
    }
}

/// Whether `dir` carries archlint's `CACHEDIR.TAG` (a regular file, not a link).
fn owned(dir: &Path) -> bool {
    let tag = dir.join("CACHEDIR.TAG");
    fs::symlink_metadata(&tag).is_ok_and(|m| m.is_file())
        && fs::read_to_string(&tag).is_ok_and(|t| t.starts_with(TAG))
}

/// Whether a name in the cache root is part of archlint's own layout there: a versioned bucket
/// (`v1`, `v2`, …) or one of its temporary files.
fn own_entry(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with(".tmp-")
        || name
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::metadata(path)?;
        if meta.permissions().mode() & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Open a cache file for reading: a regular file only — never a link followed, never a block
/// on a FIFO or device someone put in its place (it is opened non-blocking, then checked).
pub fn open_regular(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// Read a whole cache file with [`open_regular`].
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Remove whatever sits where a cache file should be: the file, a link (not its target), or a
/// directory made in its place.
pub fn remove_entry(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) => Err(e),
    }
}

/// Write `bytes` to `path` atomically with mode 0600.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_parts(path, &[bytes])
}

/// Write the concatenation of `parts` to `path` atomically with mode 0600.
pub fn write_atomic_parts(path: &Path, parts: &[&[u8]]) -> io::Result<()> {
    replace_with(path, |tmp| {
        parts.iter().try_for_each(|part| tmp.write_all(part))
    })
}

/// [`write_atomic`] of what `write` writes (through a buffer), for contents too large to
/// build in memory first. Returns what `write` returned.
pub fn write_atomic_with<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> io::Result<T> {
    replace_with(path, |tmp| {
        let mut out = io::BufWriter::with_capacity(1 << 20, tmp);
        let value = write(&mut out)?;
        out.flush()?;
        Ok(value)
    })
}

/// Fill a new private temporary file beside `path` (tempfile creates it with mode 0600 on
/// Unix), then rename it over `path`.
fn replace_with<T>(
    path: &Path,
    fill: impl FnOnce(&mut tempfile::NamedTempFile) -> io::Result<T>,
) -> io::Result<T> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    let value = fill(&mut tmp)?;
    // A directory where the file should be would make every write fail: repair it.
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        let _ = fs::remove_dir_all(path);
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(value)
}

impl DiskCache {
    /// Open (creating if needed) a cache directory. Fails when it cannot be created or written,
    /// and when it is an existing directory archlint does not own (see [`check_owned`]).
    pub fn open(root: &Path) -> io::Result<DiskCache> {
        check_owned(root).map_err(io::Error::other)?;
        create_private_dir(root)?;
        let tag = root.join("CACHEDIR.TAG");
        if !tag.exists() {
            write_atomic(&tag, TAG.as_bytes())?;
        }
        let ignore = root.join(".gitignore");
        if !ignore.exists() {
            write_atomic(&ignore, b"# Created by archlint.\n*\n")?;
        }
        let bucket = root.join(format!("v{CACHE_SCHEMA}"));
        create_private_dir(&bucket)?;
        Ok(DiskCache {
            root: root.to_path_buf(),
            bucket,
        })
    }

    /// Open a cache directory, or explain in `warnings` why the run goes on without it.
    pub fn open_or_warn(dir: &Path, warnings: &mut Vec<String>) -> Option<DiskCache> {
        match DiskCache::open(dir) {
            Ok(d) => Some(d),
            Err(e) => {
                warnings.push(format!(
                    "cache directory {} is not usable ({e}); running without the disk cache",
                    dir.display()
                ));
                None
            }
        }
    }

    /// The cache directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of this cache schema.
    pub fn bucket(&self) -> &Path {
        &self.bucket
    }

    fn entry_path(&self, kind: CacheKind, key: &CacheKey) -> PathBuf {
        let hex = key.to_hex();
        self.bucket
            .join(kind.name())
            .join(&hex[..2])
            .join(&hex[2..])
    }

    /// The path of a named file in the bucket (packs, counters). Names are built by archlint
    /// from hex digests and fixed words; anything else is refused.
    pub fn file_path(&self, dir: &str, name: &str) -> io::Result<PathBuf> {
        let ok = |s: &str| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        };
        if !ok(dir) || !ok(name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid cache file name '{dir}/{name}'"),
            ));
        }
        let d = self.bucket.join(dir);
        create_private_dir(&d)?;
        Ok(d.join(name))
    }

    /// Read one entry of `kind`, checking its envelope and TTL. Bad and expired entries are
    /// removed so they are recomputed once, not rejected on every run.
    pub fn get(&self, kind: CacheKind, key: &CacheKey, ttl: Option<Duration>) -> Lookup {
        let path = self.entry_path(kind, key);
        let bytes = match read_regular(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Lookup::Miss,
            Err(_) => {
                let _ = remove_entry(&path);
                return Lookup::Rejected(Rejection::Corrupt);
            }
        };
        match entry::open(kind, key, &bytes, None) {
            Ok(opened) => {
                if let Some(ttl) = ttl
                    && entry::now_secs().saturating_sub(opened.created) >= ttl.as_secs()
                {
                    let _ = fs::remove_file(&path);
                    return Lookup::Expired;
                }
                let payload = opened.payload.to_vec();
                // Mark as recently used for pruning.
                if let Ok(f) = fs::File::options().append(true).open(&path) {
                    let _ = f.set_modified(SystemTime::now());
                }
                Lookup::Hit(payload)
            }
            Err(rejection) => {
                let _ = fs::remove_file(&path);
                Lookup::Rejected(rejection)
            }
        }
    }

    /// Store one entry of `kind`.
    pub fn put(&self, kind: CacheKind, key: &CacheKey, payload: &[u8]) -> io::Result<()> {
        let path = self.entry_path(kind, key);
        create_private_dir(path.parent().expect("entry paths have a parent"))?;
        write_atomic(&path, &entry::seal(kind, key, payload, None::<&SigningKey>))
    }

    /// Remove archlint's entries: every versioned bucket and temporary file in the cache
    /// directory (its tag, its .gitignore and anything archlint did not put there stay).
    pub fn clear(&self) -> io::Result<u64> {
        let mut removed = 0;
        for item in fs::read_dir(&self.root)? {
            let item = item?;
            if !own_entry(&item.file_name()) {
                continue;
            }
            let path = item.path();
            removed += count_files(&path);
            if item.file_type()?.is_dir() {
                fs::remove_dir_all(&path)?;
            } else {
                fs::remove_file(&path)?;
            }
        }
        create_private_dir(&self.bucket)?;
        Ok(removed)
    }

    /// Entries and bytes per part: each kind, the facts packs, and foreign versions.
    pub fn sizes(&self) -> Vec<BucketSize> {
        let mut out = Vec::new();
        if let Ok(items) = fs::read_dir(&self.root) {
            let mut foreign = BucketSize {
                name: "other versions".into(),
                ..BucketSize::default()
            };
            for item in items.flatten() {
                let path = item.path();
                let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
                if path == self.bucket || !is_dir || !own_entry(&item.file_name()) {
                    continue;
                }
                let (entries, bytes) = walk_size(&path);
                foreign.entries += entries;
                foreign.bytes += bytes;
            }
            if let Ok(parts) = fs::read_dir(&self.bucket) {
                let mut parts: Vec<_> = parts
                    .flatten()
                    .filter(|p| p.file_type().is_ok_and(|t| t.is_dir()))
                    .collect();
                parts.sort_by_key(|p| p.file_name());
                for part in parts {
                    let (entries, bytes) = walk_size(&part.path());
                    out.push(BucketSize {
                        name: part.file_name().to_string_lossy().into_owned(),
                        entries,
                        bytes,
                    });
                }
            }
            if foreign.entries > 0 {
                out.push(foreign);
            }
        }
        out
    }

    /// Remove foreign versions, expired entries, leftover temporary files, and then the least
    /// recently used files until the cache holds at most `max_bytes`. Returns (files, bytes)
    /// removed.
    pub fn prune(&self, max_bytes: u64, ttls: &crate::keys::Ttls) -> io::Result<(u64, u64)> {
        let mut removed = (0u64, 0u64);
        for item in fs::read_dir(&self.root)?.flatten() {
            let path = item.path();
            let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
            if path != self.bucket && is_dir && own_entry(&item.file_name()) {
                let (n, b) = walk_size(&path);
                fs::remove_dir_all(&path)?;
                removed.0 += n;
                removed.1 += b;
            }
        }
        let now = SystemTime::now();
        let mut files: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        let mut stack = vec![self.bucket.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(items) = fs::read_dir(&dir) else {
                continue;
            };
            for item in items.flatten() {
                let path = item.path();
                // Links are never followed (nor removed: archlint does not make them).
                if item.file_type().is_ok_and(|t| t.is_symlink()) {
                    continue;
                }
                let Ok(meta) = item.metadata() else { continue };
                if meta.is_dir() {
                    // The advisory database is imported by hand; size pressure never drops it.
                    if path != self.bucket.join("advisories") {
                        stack.push(path);
                    }
                    continue;
                }
                let modified = meta.modified().unwrap_or(now);
                let name = item.file_name();
                let stale_tmp = name.to_string_lossy().starts_with(".tmp-")
                    && now.duration_since(modified).unwrap_or_default() > Duration::from_secs(3600);
                let expired = self.expired_entry(&path, ttls);
                if stale_tmp || expired {
                    if fs::remove_file(&path).is_ok() {
                        removed.0 += 1;
                        removed.1 += meta.len();
                    }
                    continue;
                }
                files.push((modified, meta.len(), path));
            }
        }
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        files.sort_by_key(|f| f.0);
        for (_, len, path) in files {
            if total <= max_bytes {
                break;
            }
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("redis-breaker"))
            {
                continue;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
                removed.0 += 1;
                removed.1 += len;
            }
        }
        Ok(removed)
    }

    fn expired_entry(&self, path: &Path, ttls: &crate::keys::Ttls) -> bool {
        let Ok(rel) = path.strip_prefix(&self.bucket) else {
            return false;
        };
        let mut parts = rel.components();
        let Some(kind) = parts
            .next()
            .and_then(|c| CacheKind::from_name(&c.as_os_str().to_string_lossy()))
        else {
            return false;
        };
        let Some(ttl) = ttls.get(kind) else {
            return false;
        };
        let Some(key) = CacheKey::from_hex(&format!(
            "{}{}",
            parts
                .next()
                .map(|c| c.as_os_str().to_string_lossy())
                .unwrap_or_default(),
            parts
                .next()
                .map(|c| c.as_os_str().to_string_lossy())
                .unwrap_or_default()
        )) else {
            return false;
        };
        match read_regular(path) {
            Ok(bytes) => match entry::open(kind, &key, &bytes, None) {
                Ok(o) => entry::now_secs().saturating_sub(o.created) >= ttl.as_secs(),
                Err(_) => true,
            },
            Err(_) => false,
        }
    }
}

fn walk_size(path: &Path) -> (u64, u64) {
    let mut entries = 0;
    let mut bytes = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(items) = fs::read_dir(&dir) else {
            continue;
        };
        for item in items.flatten() {
            if item.file_type().is_ok_and(|t| t.is_symlink()) {
                continue;
            }
            match item.metadata() {
                Ok(m) if m.is_dir() => stack.push(item.path()),
                Ok(m) => {
                    entries += 1;
                    bytes += m.len();
                }
                Err(_) => {}
            }
        }
    }
    (entries, bytes)
}

fn count_files(path: &Path) -> u64 {
    if path.is_dir() { walk_size(path).0 } else { 1 }
}

/// Short hex name for a key (file names of packs).
pub fn short_name(key: &CacheKey) -> String {
    hex(&key.0[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyBuilder, Ttls};

    fn key(s: &str) -> CacheKey {
        KeyBuilder::new(CacheKind::License).part("p", s).finish()
    }

    #[test]
    fn cache_files_are_read_only_when_regular_and_repaired_when_not() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        let key = KeyBuilder::new(CacheKind::License).part("p", "x").finish();
        cache.put(CacheKind::License, &key, b"MIT").unwrap();
        let path = cache.entry_path(CacheKind::License, &key);
        // A FIFO in its place: a miss at once, not a read that waits for a writer.
        fs::remove_file(&path).unwrap();
        let fifo = std::process::Command::new("mkfifo").arg(&path).status();
        if fifo.is_ok_and(|s| s.success()) {
            assert!(read_regular(&path).is_err());
            assert!(matches!(
                cache.get(CacheKind::License, &key, None),
                Lookup::Rejected(_)
            ));
            assert!(fs::symlink_metadata(&path).is_err(), "removed");
        }
        // A directory in its place: replaced by the next write.
        fs::create_dir_all(path.join("sub")).unwrap();
        assert!(read_regular(&path).is_err());
        cache.put(CacheKind::License, &key, b"MIT").unwrap();
        assert!(matches!(
            cache.get(CacheKind::License, &key, None),
            Lookup::Hit(_)
        ));
        // A link is never followed.
        let outside = dir.path().join("outside");
        fs::write(&outside, b"secret").unwrap();
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(&outside, &path).unwrap();
        assert!(read_regular(&path).is_err());
        assert!(!matches!(
            cache.get(CacheKind::License, &key, None),
            Lookup::Hit(_)
        ));
        assert_eq!(fs::read(&outside).unwrap(), b"secret");
    }

    #[test]
    fn layout_and_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cache");
        let cache = DiskCache::open(&root).unwrap();
        assert!(
            fs::read_to_string(root.join("CACHEDIR.TAG"))
                .unwrap()
                .starts_with("Signature: 8a477f597d28d172789f06886806bc55")
        );
        assert_eq!(
            fs::read_to_string(root.join(".gitignore"))
                .unwrap()
                .trim_end(),
            "# Created by archlint.\n*"
        );
        cache.put(CacheKind::License, &key("a"), b"MIT").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&root), 0o700);
            assert_eq!(mode(cache.bucket()), 0o700);
            let path = cache.entry_path(CacheKind::License, &key("a"));
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[test]
    fn get_put_and_rejections() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        let k = key("django");
        assert_eq!(cache.get(CacheKind::License, &k, None), Lookup::Miss);
        cache.put(CacheKind::License, &k, b"BSD-3-Clause").unwrap();
        assert_eq!(
            cache.get(CacheKind::License, &k, None),
            Lookup::Hit(b"BSD-3-Clause".to_vec())
        );
        // Truncated entry: rejected and removed.
        let path = cache.entry_path(CacheKind::License, &k);
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert_eq!(
            cache.get(CacheKind::License, &k, None),
            Lookup::Rejected(Rejection::Corrupt)
        );
        assert!(!path.exists());
        // Foreign schema.
        let mut foreign = bytes.clone();
        foreign[4] = 99;
        fs::write(&path, &foreign).unwrap();
        assert_eq!(
            cache.get(CacheKind::License, &k, None),
            Lookup::Rejected(Rejection::Foreign)
        );
        assert_eq!(cache.get(CacheKind::License, &k, None), Lookup::Miss);
    }

    #[test]
    fn ttl_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        let k = key("old");
        let path = cache.entry_path(CacheKind::Vulnerability, &k);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let two_hours_ago = entry::now_secs() - 7200;
        fs::write(
            &path,
            entry::seal_at(CacheKind::Vulnerability, &k, b"[]", None, two_hours_ago),
        )
        .unwrap();
        let ttls = Ttls::default();
        assert_eq!(
            cache.get(
                CacheKind::Vulnerability,
                &k,
                ttls.get(CacheKind::Vulnerability)
            ),
            Lookup::Expired
        );
        // Within a 7-day TTL the same age is fine.
        fs::write(
            &path,
            entry::seal_at(CacheKind::Vulnerability, &k, b"[]", None, two_hours_ago),
        )
        .unwrap();
        assert_eq!(
            cache.get(
                CacheKind::Vulnerability,
                &k,
                Some(Duration::from_secs(7 * 86_400))
            ),
            Lookup::Hit(b"[]".to_vec())
        );
    }

    #[test]
    fn prune_removes_least_recently_used_first_and_foreign_versions() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        fs::create_dir_all(dir.path().join("v0/facts")).unwrap();
        fs::write(dir.path().join("v0/facts/old.pack"), b"x").unwrap();
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            cache
                .put(CacheKind::License, &key(name), &[0u8; 1000])
                .unwrap();
            let path = cache.entry_path(CacheKind::License, &key(name));
            let when = SystemTime::now() - Duration::from_secs(1000 - i as u64 * 100);
            fs::File::options()
                .append(true)
                .open(&path)
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
        // Reading "a" makes it the most recently used.
        assert!(matches!(
            cache.get(CacheKind::License, &key("a"), None),
            Lookup::Hit(_)
        ));
        let entry_len = fs::metadata(cache.entry_path(CacheKind::License, &key("a")))
            .unwrap()
            .len();
        let (files, _) = cache.prune(entry_len * 2, &Ttls::default()).unwrap();
        assert_eq!(files, 3); // v0 pack + b + c
        assert!(!dir.path().join("v0").exists());
        let present = |n: &str| cache.entry_path(CacheKind::License, &key(n)).exists();
        assert!(present("a") && present("d") && !present("b") && !present("c"));
    }

    #[test]
    fn clear_keeps_the_tag() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        cache.put(CacheKind::License, &key("a"), b"x").unwrap();
        assert_eq!(cache.clear().unwrap(), 1);
        assert!(dir.path().join("CACHEDIR.TAG").exists());
        assert_eq!(cache.get(CacheKind::License, &key("a"), None), Lookup::Miss);
    }

    #[test]
    fn file_names_cannot_escape_the_bucket() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskCache::open(dir.path()).unwrap();
        assert!(cache.file_path("facts", "../../etc").is_err());
        assert!(cache.file_path("..", "x").is_err());
        assert!(cache.file_path("facts", "a/b").is_err());
        assert!(cache.file_path("facts", "abc-def.pack").is_ok());
    }

    #[test]
    fn a_directory_archlint_does_not_own_is_refused_untouched() {
        // A project root given as the cache directory: not empty, no archlint tag.
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        fs::create_dir_all(project.join(".git")).unwrap();
        fs::write(project.join("app.py"), "x = 1\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&project, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let err = check_owned(&project).unwrap_err();
        assert_eq!(DiskCache::open(&project).unwrap_err().to_string(), err);
        assert!(err.contains("not an archlint cache directory"), "{err}");
        assert!(err.contains(&project.display().to_string()), "{err}");
        assert!(!project.join("CACHEDIR.TAG").exists());
        assert!(!project.join(".gitignore").exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&project).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o755, "the directory's mode is left alone");
        }
        // Someone else's CACHEDIR.TAG is not archlint's.
        let other = dir.path().join("other");
        fs::create_dir(&other).unwrap();
        fs::write(
            other.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# by another tool\n",
        )
        .unwrap();
        assert!(check_owned(&other).is_err());
        // A file where the directory should be: unusable (a warning when opened), not refused.
        fs::write(dir.path().join("file"), "").unwrap();
        assert!(check_owned(&dir.path().join("file")).is_ok());
        assert!(DiskCache::open(&dir.path().join("file")).is_err());
        // An empty directory is adopted, a missing one created.
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).unwrap();
        assert!(DiskCache::open(&empty).is_ok());
        assert!(check_owned(&dir.path().join("missing")).is_ok());
        assert!(check_owned(&empty).is_ok(), "owned once tagged");
    }

    #[test]
    fn clear_and_prune_remove_only_archlints_own_entries_and_follow_no_link() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cache");
        let cache = DiskCache::open(&root).unwrap();
        cache.put(CacheKind::License, &key("a"), b"MIT").unwrap();
        // Something of the user's inside, and a link from the bucket to a directory outside.
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("precious.txt"), vec![b'x'; 4096]).unwrap();
        fs::create_dir(root.join("notes")).unwrap();
        fs::write(root.join("notes").join("keep.txt"), "mine").unwrap();
        fs::write(root.join("README"), "mine").unwrap();
        fs::create_dir(root.join("v0")).unwrap();
        fs::write(root.join("v0").join("old"), "old").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, cache.bucket().join("linked")).unwrap();
        // Prune to nothing: the old bucket and the entry go; the user's files and what the link
        // points to stay.
        cache.prune(0, &Ttls::default()).unwrap();
        assert!(!root.join("v0").exists());
        assert!(root.join("notes").join("keep.txt").exists());
        assert!(root.join("README").exists());
        assert!(outside.join("precious.txt").exists());
        cache.put(CacheKind::License, &key("b"), b"MIT").unwrap();
        cache.clear().unwrap();
        assert!(root.join("notes").join("keep.txt").exists());
        assert!(root.join("README").exists());
        assert!(outside.join("precious.txt").exists());
        assert!(root.join("CACHEDIR.TAG").exists());
        assert_eq!(cache.get(CacheKind::License, &key("b"), None), Lookup::Miss);
    }
}
