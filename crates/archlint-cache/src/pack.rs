//! The facts pack: one file per project holding the stat manifest (path → size, mtime, inode,
//! content hash) and the facts of each content hash, so a warm run loads everything with one
//! read instead of one file per module.
//!
//! ```text
//! "ALPACK\x01\x00" | schema u32 | written_at u64 | fingerprint [32]
//! n_files u32 | n_files × (path_len u16, path, size u64, mtime_s i64, mtime_ns u32, ino u64, hash [32])
//! files_checksum [32]                       (BLAKE3 of everything above)
//! n_objects u32 | n_objects × (hash [32], last_used u64, len u32, checksum [32], payload)
//! ```
//!
//! Every object carries its own checksum (over hash, last_used and payload), so one damaged
//! object costs only that object. Objects are verified when their payload is first asked for,
//! not when the pack is read, so a run that needs only the manifest does not hash every object. A damaged manifest costs the fast path only: files are then
//! hashed, and their facts still come from the objects. Structural damage (a length running past
//! the end) stops reading at that point; everything verified before it is kept.

use std::ops::Range;

use rustc_hash::FxHashMap;

use crate::keys::{CACHE_SCHEMA, CacheKey};

const MAGIC: &[u8; 8] = b"ALPACK\x01\x00";

/// What identifies a file's contents without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_secs: i64,
    pub mtime_nanos: u32,
    pub ino: u64,
}

impl FileStamp {
    /// The stamp of a file from its metadata.
    pub fn from_metadata(meta: &std::fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileStamp {
                size: meta.len(),
                mtime_secs: meta.mtime(),
                mtime_nanos: meta.mtime_nsec().clamp(0, 999_999_999) as u32,
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let since = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            FileStamp {
                size: meta.len(),
                mtime_secs: since.as_secs() as i64,
                mtime_nanos: since.subsec_nanos(),
                ino: 0,
            }
        }
    }
}

/// One manifest row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    pub stamp: FileStamp,
    pub hash: CacheKey,
}

/// What reading a pack found.
#[derive(Debug, Default)]
pub struct Pack {
    buf: Vec<u8>,
    /// When the pack was written (seconds since the epoch); 0 when empty.
    pub written_at: u64,
    files: FxHashMap<String, (FileStamp, CacheKey)>,
    /// Object hash → (last used, checksum offset, payload range).
    objects: FxHashMap<CacheKey, (u64, usize, Range<usize>)>,
    /// Damaged parts found while reading (the manifest counts once, each object once).
    pub corrupt: u32,
    /// Damaged objects found later, when their payload was asked for.
    damaged: std::sync::atomic::AtomicU32,
    /// The pack was written by another schema or with other settings.
    pub foreign: bool,
}

struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.buf.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn key(&mut self) -> Option<CacheKey> {
        Some(CacheKey(self.take(32)?.try_into().ok()?))
    }
}

fn object_checksum(hash: &CacheKey, last_used: u64, payload: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(&hash.0);
    h.update(&last_used.to_le_bytes());
    h.update(payload);
    *h.finalize().as_bytes()
}

impl Pack {
    /// Read a pack written for `fingerprint`. Never fails: damage is counted in `corrupt`.
    pub fn decode(buf: Vec<u8>, fingerprint: &CacheKey) -> Pack {
        let mut pack = Pack::default();
        let mut r = Reader { buf: &buf, at: 0 };
        let header = (|| {
            let magic = r.take(8)?;
            let schema = r.u32()?;
            let written_at = r.u64()?;
            let fp = r.key()?;
            Some((magic, schema, written_at, fp))
        })();
        let Some((magic, schema, written_at, fp)) = header else {
            pack.corrupt = u32::from(!buf.is_empty());
            return pack;
        };
        if magic != MAGIC {
            pack.corrupt = 1;
            return pack;
        }
        if schema != CACHE_SCHEMA || fp != *fingerprint {
            pack.foreign = true;
            return pack;
        }
        // Manifest.
        let mut files = FxHashMap::default();
        let manifest_ok = (|| {
            let n = r.u32()? as usize;
            files.reserve(n.min(1 << 20));
            for _ in 0..n {
                let len = r.u16()? as usize;
                let path = std::str::from_utf8(r.take(len)?).ok()?.to_owned();
                let stamp = FileStamp {
                    size: r.u64()?,
                    mtime_secs: r.u64()? as i64,
                    mtime_nanos: r.u32()?,
                    ino: r.u64()?,
                };
                let hash = r.key()?;
                files.insert(path, (stamp, hash));
            }
            let end = r.at;
            let stored = r.key()?;
            (blake3::hash(&buf[..end]).as_bytes() == &stored.0).then_some(())
        })();
        if manifest_ok.is_some() {
            pack.files = files;
            pack.written_at = written_at;
        } else {
            pack.corrupt += 1;
            // Without a trustworthy manifest we cannot know where the objects start.
            pack.buf = buf;
            return pack;
        }
        // Objects.
        let count = r.u32();
        let mut objects = FxHashMap::default();
        if let Some(n) = count {
            objects.reserve((n as usize).min(1 << 20));
            for _ in 0..n {
                let parsed = (|| {
                    let hash = r.key()?;
                    let last_used = r.u64()?;
                    let len = r.u32()? as usize;
                    let checksum_at = r.at;
                    r.take(32)?;
                    let start = r.at;
                    r.take(len)?;
                    Some((hash, last_used, checksum_at, start..start + len))
                })();
                let Some((hash, last_used, checksum_at, range)) = parsed else {
                    pack.corrupt += 1;
                    break;
                };
                objects.insert(hash, (last_used, checksum_at, range));
            }
        } else {
            pack.corrupt += 1;
        }
        pack.objects = objects;
        pack.buf = buf;
        pack
    }

    /// The manifest row of a path.
    pub fn file(&self, path: &str) -> Option<(FileStamp, CacheKey)> {
        self.files.get(path).copied()
    }

    fn verified(&self, hash: &CacheKey, entry: &(u64, usize, Range<usize>)) -> Option<&[u8]> {
        let (last_used, checksum_at, range) = entry;
        let payload = &self.buf[range.clone()];
        if object_checksum(hash, *last_used, payload) == self.buf[*checksum_at..*checksum_at + 32] {
            Some(payload)
        } else {
            self.damaged
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            None
        }
    }

    /// Whether an object is stored for a content hash (not yet verified).
    pub fn contains(&self, hash: &CacheKey) -> bool {
        self.objects.contains_key(hash)
    }

    /// The stored payload of a content hash, verified against its checksum; a damaged object
    /// reads as absent and is counted.
    pub fn object(&self, hash: &CacheKey) -> Option<&[u8]> {
        self.verified(hash, self.objects.get(hash)?)
    }

    /// When an object was last used.
    pub fn last_used(&self, hash: &CacheKey) -> Option<u64> {
        self.objects.get(hash).map(|(t, _, _)| *t)
    }

    /// Every intact object: hash, last use, payload.
    pub fn objects(&self) -> impl Iterator<Item = (&CacheKey, u64, &[u8])> {
        self.objects
            .iter()
            .filter_map(|(k, e)| Some((k, e.0, self.verified(k, e)?)))
    }

    /// Every object's hash and last use, without verifying it.
    pub fn unverified(&self) -> impl Iterator<Item = (&CacheKey, u64)> {
        self.objects.iter().map(|(k, e)| (k, e.0))
    }

    /// Damage found so far: structural damage while reading plus objects that failed their
    /// checksum when asked for.
    pub fn corrupt_count(&self) -> u32 {
        self.corrupt + self.damaged.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Number of manifest rows.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Number of verified objects.
    pub fn object_count(&self) -> usize {
        self.objects.len()
    }
}

/// Write a pack. Objects are given as (hash, last_used, payload).
pub fn encode<'a>(
    fingerprint: &CacheKey,
    written_at: u64,
    files: &[ManifestEntry],
    objects: impl IntoIterator<Item = (CacheKey, u64, &'a [u8])>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + files.len() * 96);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&CACHE_SCHEMA.to_le_bytes());
    out.extend_from_slice(&written_at.to_le_bytes());
    out.extend_from_slice(&fingerprint.0);
    let files: Vec<&ManifestEntry> = files
        .iter()
        .filter(|f| f.path.len() <= u16::MAX as usize)
        .collect();
    out.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for f in files {
        out.extend_from_slice(&(f.path.len() as u16).to_le_bytes());
        out.extend_from_slice(f.path.as_bytes());
        out.extend_from_slice(&f.stamp.size.to_le_bytes());
        out.extend_from_slice(&f.stamp.mtime_secs.to_le_bytes());
        out.extend_from_slice(&f.stamp.mtime_nanos.to_le_bytes());
        out.extend_from_slice(&f.stamp.ino.to_le_bytes());
        out.extend_from_slice(&f.hash.0);
    }
    let checksum = blake3::hash(&out);
    out.extend_from_slice(checksum.as_bytes());
    let count_at = out.len();
    out.extend_from_slice(&0u32.to_le_bytes());
    let mut count = 0u32;
    for (hash, last_used, payload) in objects {
        if payload.len() > u32::MAX as usize {
            continue;
        }
        out.extend_from_slice(&hash.0);
        out.extend_from_slice(&last_used.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(&object_checksum(&hash, last_used, payload));
        out.extend_from_slice(payload);
        count += 1;
    }
    out[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::content_hash;
    use proptest::prelude::*;

    type Objects = Vec<(CacheKey, Vec<u8>)>;

    fn sample() -> (CacheKey, Vec<ManifestEntry>, Objects) {
        let fp = content_hash(b"settings");
        let objects: Vec<(CacheKey, Vec<u8>)> = (0..20u8)
            .map(|i| (content_hash(&[i]), vec![i; 10 + i as usize * 3]))
            .collect();
        let files = objects
            .iter()
            .enumerate()
            .map(|(i, (hash, _))| ManifestEntry {
                path: format!("pkg/mod{i}.py"),
                stamp: FileStamp {
                    size: i as u64,
                    mtime_secs: 1_700_000_000 + i as i64,
                    mtime_nanos: 5,
                    ino: 100 + i as u64,
                },
                hash: *hash,
            })
            .collect();
        (fp, files, objects)
    }

    fn encode_sample() -> (CacheKey, Vec<ManifestEntry>, Objects, Vec<u8>) {
        let (fp, files, objects) = sample();
        let bytes = encode(
            &fp,
            77,
            &files,
            objects.iter().map(|(h, p)| (*h, 9, p.as_slice())),
        );
        (fp, files, objects, bytes)
    }

    #[test]
    fn round_trip() {
        let (fp, files, objects, bytes) = encode_sample();
        let pack = Pack::decode(bytes, &fp);
        assert_eq!(pack.corrupt, 0);
        assert_eq!(pack.written_at, 77);
        for f in &files {
            assert_eq!(pack.file(&f.path), Some((f.stamp, f.hash)));
        }
        for (h, p) in &objects {
            assert_eq!(pack.object(h), Some(p.as_slice()));
            assert_eq!(pack.last_used(h), Some(9));
        }
    }

    #[test]
    fn other_settings_are_foreign() {
        let (_, _, _, bytes) = encode_sample();
        let pack = Pack::decode(bytes, &content_hash(b"other settings"));
        assert!(pack.foreign);
        assert_eq!(pack.object_count(), 0);
        assert_eq!(pack.file_count(), 0);
    }

    #[test]
    fn damaged_object_costs_only_itself() {
        let (fp, _, objects, mut bytes) = encode_sample();
        // Flip the last byte: the payload of the last object.
        *bytes.last_mut().unwrap() ^= 0xff;
        let pack = Pack::decode(bytes, &fp);
        assert_eq!(pack.corrupt_count(), 0); // not looked at yet
        assert_eq!(pack.objects().count(), objects.len() - 1);
        assert_eq!(pack.corrupt_count(), 1);
        assert!(pack.object(&objects.last().unwrap().0).is_none());
        assert!(pack.object(&objects[0].0).is_some());
        assert_eq!(pack.file_count(), objects.len());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Whatever happens to the bytes, every path and object read back is exactly one that
        /// was written.
        #[test]
        fn damage_never_yields_wrong_data(
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
            truncate in prop::option::of(any::<prop::sample::Index>()),
        ) {
            let (fp, files, objects, mut bytes) = encode_sample();
            for (at, value, op) in edits {
                let i = at.index(bytes.len());
                match op {
                    0 => bytes[i] ^= value | 1,
                    1 => bytes[i] = value,
                    _ => { bytes.insert(i, value); }
                }
            }
            if let Some(cut) = truncate {
                let len = cut.index(bytes.len() + 1);
                bytes.truncate(len);
            }
            let pack = Pack::decode(bytes, &fp);
            for f in &files {
                if let Some(found) = pack.file(&f.path) {
                    prop_assert_eq!(found, (f.stamp, f.hash));
                }
            }
            prop_assert!(pack.file_count() <= files.len());
            for (h, _) in &objects {
                if let Some(payload) = pack.object(h) {
                    let original = objects.iter().find(|(k, _)| k == h).unwrap();
                    prop_assert_eq!(payload, original.1.as_slice());
                }
            }
            for (h, _, payload) in pack.objects() {
                let original = objects.iter().find(|(k, _)| k == h);
                prop_assert!(original.is_some());
                prop_assert_eq!(payload, original.unwrap().1.as_slice());
            }
        }
    }
}
