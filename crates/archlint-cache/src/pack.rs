//! The facts pack: one file per project holding the stat manifest (path → size, mtime, inode,
//! content hash) and the facts of each content hash, so a warm run reads one file instead of
//! one per module.
//!
//! ```text
//! "ALPACK\x02\x00" | schema u32 | written_at u64 | fingerprint [32] | manifest_len u64
//! manifest: n_files u32 | n_files × (path_len u16, path, size u64, mtime_s i64, mtime_ns u32,
//!           ino u64, hash [32]) | checksum [32]   (BLAKE3 of header and manifest)
//! objects:  records to the end of the file: (hash [32], last_used u64, len u32, checksum [32], payload)
//! ```
//!
//! [`Pack::open`] reads only the header and the manifest; the objects section is read from the
//! same open file the first time an object is needed (a warm run whose graph snapshot is
//! reused never needs one). Every object carries its own checksum (over its hash and payload),
//! verified when its payload is first asked for, so one damaged object costs one re-parse. A
//! damaged manifest costs the fast path only. Structural damage (a length running past the end)
//! stops reading at that point; everything before it is kept. Rewriting a pack copies unchanged
//! objects as raw bytes (only `last_used`, which the checksum does not cover, is updated), or,
//! when few objects are unused, copies the whole old objects section and appends the new ones
//! ([`encode_appending`]).

use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::keys::{CACHE_SCHEMA, CacheKey};

const MAGIC: &[u8; 8] = b"ALPACK\x02\x00";
const HEADER: usize = 8 + 4 + 8 + 32 + 8;

/// What identifies a file's contents without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    pub mtime_secs: i64,
    pub mtime_nanos: u32,
    pub ino: u64,
}

/// One manifest row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Path relative to the project root, with `/` separators.
    pub path: String,
    pub stamp: FileStamp,
    pub hash: CacheKey,
}

/// The objects section, once read.
#[derive(Default)]
struct Objects {
    buf: Vec<u8>,
    /// Object hash → (last used, offset of its checksum, payload range).
    index: FxHashMap<CacheKey, (u64, usize, Range<usize>)>,
    /// Structural damage found while indexing.
    corrupt: u32,
}

impl Objects {
    fn parse(buf: Vec<u8>) -> Objects {
        let mut out = Objects::default();
        let mut r = Reader { buf: &buf, at: 0 };
        out.index.reserve(buf.len() / 256);
        // Records run to the end of the file.
        while r.at < buf.len() {
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
                out.corrupt += 1;
                break;
            };
            out.index.insert(hash, (last_used, checksum_at, range));
        }
        out.buf = buf;
        out
    }
}

/// What reading a pack found.
#[derive(Default)]
pub struct Pack {
    /// When the pack was written (seconds since the epoch); 0 when empty.
    pub written_at: u64,
    files: Manifest,
    /// The open pack file, positioned at the objects section, until they are read.
    rest: Mutex<Option<std::fs::File>>,
    objects: OnceLock<Objects>,
    /// Damage found while reading the header and manifest.
    pub corrupt: u32,
    /// Damaged objects found later, when their payload was asked for.
    damaged: std::sync::atomic::AtomicU32,
    /// The pack was written by another schema or with other settings.
    pub foreign: bool,
}

impl std::fmt::Debug for Pack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pack")
            .field("written_at", &self.written_at)
            .field("files", &self.files.len())
            .field("corrupt", &self.corrupt)
            .field("foreign", &self.foreign)
            .finish()
    }
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

fn object_checksum(hash: &CacheKey, payload: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(&hash.0);
    h.update(payload);
    *h.finalize().as_bytes()
}

/// Header fields: (written_at, fingerprint, manifest_len), or None when not a pack.
fn header(bytes: &[u8]) -> Option<Result<(u64, CacheKey, u64), ()>> {
    let mut r = Reader { buf: bytes, at: 0 };
    let magic = r.take(8)?;
    let schema = r.u32()?;
    let written_at = r.u64()?;
    let fp = r.key()?;
    let manifest_len = r.u64()?;
    if magic != MAGIC {
        return None;
    }
    Some(if schema == CACHE_SCHEMA {
        Ok((written_at, fp, manifest_len))
    } else {
        Err(())
    })
}

/// The manifest as read: its bytes, and an index of each row's offset by its path. One buffer
/// instead of a string per file (a warm run on a large tree reads tens of thousands of rows).
#[derive(Default)]
struct Manifest {
    bytes: Vec<u8>,
    rows: hashbrown::HashTable<u32>,
}

/// Bytes of a row after its path: size, mtime seconds, mtime nanoseconds, inode, hash.
const ROW_TAIL: usize = 8 + 8 + 4 + 8 + 32;

fn path_hash(path: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(path)
}

/// The path of the manifest row at `at` (an offset checked when the manifest was read).
fn path_in(bytes: &[u8], at: u32) -> &[u8] {
    let at = at as usize;
    let len = u16::from_le_bytes([bytes[at], bytes[at + 1]]) as usize;
    &bytes[at + 2..at + 2 + len]
}

impl Manifest {
    fn get(&self, path: &str) -> Option<(FileStamp, CacheKey)> {
        let path = path.as_bytes();
        let &at = self
            .rows
            .find(path_hash(path), |&row| path_in(&self.bytes, row) == path)?;
        let mut r = Reader {
            buf: &self.bytes,
            at: at as usize + 2 + path.len(),
        };
        let stamp = FileStamp {
            size: r.u64()?,
            mtime_secs: r.u64()? as i64,
            mtime_nanos: r.u32()?,
            ino: r.u64()?,
        };
        Some((stamp, r.key()?))
    }

    fn len(&self) -> usize {
        self.rows.len()
    }
}

fn parse_manifest(head: &[u8], manifest: Vec<u8>) -> Option<Manifest> {
    let mut r = Reader {
        buf: &manifest,
        at: 0,
    };
    let n = r.u32()? as usize;
    if u32::try_from(manifest.len()).is_err() {
        return None;
    }
    let mut starts = Vec::with_capacity(n.min(manifest.len() / (2 + ROW_TAIL)));
    for _ in 0..n {
        let at = r.at as u32;
        let len = r.u16()? as usize;
        std::str::from_utf8(r.take(len)?).ok()?;
        r.take(ROW_TAIL)?;
        starts.push(at);
    }
    let end = r.at;
    let stored = r.key()?;
    if r.at != manifest.len() {
        return None;
    }
    let mut h = blake3::Hasher::new();
    h.update(head);
    h.update(&manifest[..end]);
    if h.finalize().as_bytes() != &stored.0 {
        return None;
    }
    let mut rows = hashbrown::HashTable::with_capacity(starts.len());
    for at in starts {
        let path = path_in(&manifest, at);
        let hash = path_hash(path);
        // A path written twice: the later row wins.
        match rows.find_mut(hash, |&row| path_in(&manifest, row) == path) {
            Some(row) => *row = at,
            None => {
                rows.insert_unique(hash, at, |&row| path_hash(path_in(&manifest, row)));
            }
        }
    }
    Some(Manifest {
        bytes: manifest,
        rows,
    })
}

impl Pack {
    fn damaged_header(bytes_present: bool) -> Pack {
        Pack {
            corrupt: u32::from(bytes_present),
            ..Pack::default()
        }
    }

    /// Read a whole pack from memory. Never fails: damage is counted.
    pub fn decode(buf: Vec<u8>, fingerprint: &CacheKey) -> Pack {
        let (written_at, fp, manifest_len) = match header(&buf) {
            None => return Pack::damaged_header(!buf.is_empty()),
            Some(Err(())) => {
                return Pack {
                    foreign: true,
                    ..Pack::default()
                };
            }
            Some(Ok(h)) => h,
        };
        if fp != *fingerprint {
            return Pack {
                foreign: true,
                ..Pack::default()
            };
        }
        let mut pack = Pack::default();
        let manifest_end = usize::try_from(manifest_len)
            .ok()
            .and_then(|l| HEADER.checked_add(l))
            .filter(|&e| e <= buf.len());
        let Some(manifest_end) = manifest_end else {
            pack.corrupt = 1;
            return pack;
        };
        match parse_manifest(&buf[..HEADER], buf[HEADER..manifest_end].to_vec()) {
            Some(files) => {
                pack.files = files;
                pack.written_at = written_at;
            }
            None => pack.corrupt += 1,
        }
        let _ = pack
            .objects
            .set(Objects::parse(buf[manifest_end..].to_vec()));
        pack
    }

    /// Open a pack file, reading only its header and manifest; the objects are read on first
    /// use. `Ok(None)` when there is no pack.
    pub fn open(path: &Path, fingerprint: &CacheKey) -> std::io::Result<Option<Pack>> {
        let mut file = match crate::disk::open_regular(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut head = [0u8; HEADER];
        let got = read_up_to(&mut file, &mut head)?;
        let (written_at, fp, manifest_len) = match header(&head[..got]) {
            None => return Ok(Some(Pack::damaged_header(got > 0))),
            Some(Err(())) => {
                return Ok(Some(Pack {
                    foreign: true,
                    ..Pack::default()
                }));
            }
            Some(Ok(h)) => h,
        };
        if fp != *fingerprint {
            return Ok(Some(Pack {
                foreign: true,
                ..Pack::default()
            }));
        }
        let size = file.metadata()?.len();
        let mut pack = Pack::default();
        if manifest_len > size.saturating_sub(HEADER as u64) {
            pack.corrupt = 1;
            return Ok(Some(pack));
        }
        let mut manifest = vec![0u8; manifest_len as usize];
        file.read_exact(&mut manifest)?;
        match parse_manifest(&head, manifest) {
            Some(files) => {
                pack.files = files;
                pack.written_at = written_at;
            }
            None => pack.corrupt += 1,
        }
        pack.rest = Mutex::new(Some(file));
        Ok(Some(pack))
    }

    fn objects(&self) -> &Objects {
        self.objects.get_or_init(|| {
            let file = self.rest.lock().unwrap_or_else(|e| e.into_inner()).take();
            let mut buf = Vec::new();
            match file {
                Some(mut f) => match f.read_to_end(&mut buf) {
                    Ok(_) => Objects::parse(buf),
                    Err(_) => Objects {
                        corrupt: 1,
                        ..Objects::default()
                    },
                },
                None => Objects::default(),
            }
        })
    }

    /// The manifest row of a path.
    pub fn file(&self, path: &str) -> Option<(FileStamp, CacheKey)> {
        self.files.get(path)
    }

    fn verified(&self, hash: &CacheKey) -> Option<&[u8]> {
        let objects = self.objects();
        let (_, checksum_at, range) = objects.index.get(hash)?;
        let payload = &objects.buf[range.clone()];
        if object_checksum(hash, payload) == objects.buf[*checksum_at..*checksum_at + 32] {
            Some(payload)
        } else {
            self.damaged
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            None
        }
    }

    /// Whether an object is stored for a content hash (not yet verified). Reads the objects
    /// section if that has not happened yet.
    pub fn contains(&self, hash: &CacheKey) -> bool {
        self.objects().index.contains_key(hash)
    }

    /// The stored payload of a content hash, verified against its checksum; a damaged object
    /// reads as absent and is counted.
    pub fn object(&self, hash: &CacheKey) -> Option<&[u8]> {
        self.verified(hash)
    }

    /// An object as stored (checksum and payload), unverified, for copying into a new pack.
    pub fn raw(&self, hash: &CacheKey) -> Option<StoredObject<'_>> {
        let objects = self.objects();
        let (_, checksum_at, range) = objects.index.get(hash)?;
        Some(StoredObject::Raw {
            checksum: objects.buf[*checksum_at..*checksum_at + 32]
                .try_into()
                .expect("32 bytes"),
            payload: &objects.buf[range.clone()],
        })
    }

    /// When an object was last used.
    pub fn last_used(&self, hash: &CacheKey) -> Option<u64> {
        self.objects().index.get(hash).map(|(t, _, _)| *t)
    }

    /// Every intact object: hash, last use, payload.
    pub fn objects_verified(&self) -> impl Iterator<Item = (&CacheKey, u64, &[u8])> {
        self.objects()
            .index
            .iter()
            .filter_map(|(k, e)| Some((k, e.0, self.verified(k)?)))
    }

    /// Every object's hash and last use, without verifying it.
    pub fn unverified(&self) -> impl Iterator<Item = (&CacheKey, u64)> {
        self.objects().index.iter().map(|(k, e)| (k, e.0))
    }

    /// Damage found so far: in the header and manifest, in the objects section's structure, and
    /// objects that failed their checksum when asked for.
    pub fn corrupt_count(&self) -> u32 {
        self.corrupt
            + self.objects.get().map_or(0, |o| o.corrupt)
            + self.damaged.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Number of manifest rows.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Bytes of object payloads not in `used` (what a full rewrite would leave out), and of all.
    pub fn unused_bytes(&self, used: &rustc_hash::FxHashSet<CacheKey>) -> (u64, u64) {
        let mut unused = 0;
        let mut total = 0;
        for (hash, (_, _, range)) in &self.objects().index {
            let len = range.len() as u64;
            total += len;
            if !used.contains(hash) {
                unused += len;
            }
        }
        (unused, total)
    }

    /// Number of objects (verified or not).
    pub fn object_count(&self) -> usize {
        self.objects().index.len()
    }
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// An object to write: new (checksummed while writing) or copied as stored.
pub enum StoredObject<'a> {
    New(&'a [u8]),
    Raw {
        checksum: [u8; 32],
        payload: &'a [u8],
    },
}

impl StoredObject<'_> {
    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        match self {
            StoredObject::New(p) => p,
            StoredObject::Raw { payload, .. } => payload,
        }
    }
}

/// A whole pack in memory (the tests' form of [`write`]).
#[cfg(test)]
fn encode<'a>(
    fingerprint: &CacheKey,
    written_at: u64,
    files: &[ManifestEntry],
    objects: impl IntoIterator<Item = (CacheKey, u64, StoredObject<'a>)>,
) -> Vec<u8> {
    let mut out = head(fingerprint, written_at, files);
    for (hash, last_used, object) in objects {
        push_object(&mut out, &hash, last_used, &object);
    }
    out
}

/// Write a pack into `w`, one object at a time, so a large pack is never whole in memory.
/// Objects are given as (hash, last_used, object). Returns the bytes written.
pub fn write<'a>(
    w: &mut (impl std::io::Write + ?Sized),
    fingerprint: &CacheKey,
    written_at: u64,
    files: &[ManifestEntry],
    objects: impl IntoIterator<Item = (CacheKey, u64, StoredObject<'a>)>,
) -> std::io::Result<u64> {
    let head = head(fingerprint, written_at, files);
    w.write_all(&head)?;
    let mut written = head.len() as u64;
    let mut buf = Vec::new();
    for (hash, last_used, object) in objects {
        buf.clear();
        push_object(&mut buf, &hash, last_used, &object);
        w.write_all(&buf)?;
        written += buf.len() as u64;
    }
    Ok(written)
}

/// The header and manifest of a pack, with their checksum.
fn head(fingerprint: &CacheKey, written_at: u64, files: &[ManifestEntry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + 4 + files.len() * 96);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&CACHE_SCHEMA.to_le_bytes());
    out.extend_from_slice(&written_at.to_le_bytes());
    out.extend_from_slice(&fingerprint.0);
    out.extend_from_slice(&0u64.to_le_bytes()); // manifest length, patched below
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
    let manifest_len = (out.len() - HEADER + 32) as u64;
    out[HEADER - 8..HEADER].copy_from_slice(&manifest_len.to_le_bytes());
    let checksum = blake3::hash(&out);
    out.extend_from_slice(checksum.as_bytes());
    out
}

fn push_object(out: &mut Vec<u8>, hash: &CacheKey, last_used: u64, object: &StoredObject<'_>) {
    let payload = object.payload();
    if payload.len() > u32::MAX as usize {
        return;
    }
    out.extend_from_slice(&hash.0);
    out.extend_from_slice(&last_used.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    match object {
        StoredObject::New(p) => out.extend_from_slice(&object_checksum(hash, p)),
        StoredObject::Raw { checksum, .. } => out.extend_from_slice(checksum),
    }
    out.extend_from_slice(payload);
}

/// A pack whose objects are all of `base`'s objects, as stored, followed by `new` ones: no
/// per-object work for the old ones, and the old section is not even copied in memory. The
/// result is written as its parts, in order. For runs where few files changed.
pub fn encode_appending<'p, 'a>(
    fingerprint: &CacheKey,
    written_at: u64,
    files: &[ManifestEntry],
    base: &'p Pack,
    new: impl IntoIterator<Item = (CacheKey, &'a [u8])>,
) -> [std::borrow::Cow<'p, [u8]>; 3] {
    let head = head(fingerprint, written_at, files);
    let objects = base.objects();
    // Stop at structural damage: what follows it could not be read back anyway.
    let intact = objects
        .index
        .values()
        .map(|(_, _, range)| range.end)
        .max()
        .unwrap_or(0);
    let mut tail = Vec::new();
    for (hash, payload) in new {
        push_object(&mut tail, &hash, written_at, &StoredObject::New(payload));
    }
    [
        head.into(),
        std::borrow::Cow::Borrowed(&objects.buf[..intact]),
        tail.into(),
    ]
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

    #[test]
    fn streamed_writing_gives_the_encoded_bytes() {
        let (fp, files, objects, bytes) = encode_sample();
        let mut out = Vec::new();
        let written = write(&mut out, &fp, 77, &files, stored(&objects)).unwrap();
        assert_eq!(out, bytes);
        assert_eq!(written, bytes.len() as u64);
    }

    fn encode_sample() -> (CacheKey, Vec<ManifestEntry>, Objects, Vec<u8>) {
        let (fp, files, objects) = sample();
        let bytes = encode(&fp, 77, &files, stored(&objects));
        (fp, files, objects, bytes)
    }

    /// The sample's objects as new ones, all last used at 9.
    fn stored(objects: &Objects) -> impl Iterator<Item = (CacheKey, u64, StoredObject<'_>)> {
        objects
            .iter()
            .map(|(h, p)| (*h, 9, StoredObject::New(p.as_slice())))
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
        // Only a whole path matches.
        for other in ["pkg/mod1", "pkg/mod1.pyc", "kg/mod1.py", "", "pkg/mod20.py"] {
            assert_eq!(pack.file(other), None, "{other}");
        }
        for (h, p) in &objects {
            assert_eq!(pack.object(h), Some(p.as_slice()));
            assert_eq!(pack.last_used(h), Some(9));
        }
    }

    #[test]
    fn a_path_written_twice_reads_as_its_later_row() {
        let (fp, mut files, objects) = sample();
        let mut again = files[3].clone();
        again.stamp.size = 999;
        again.hash = files[7].hash;
        files.push(again.clone());
        let pack = Pack::decode(encode(&fp, 77, &files, stored(&objects)), &fp);
        assert_eq!(pack.corrupt, 0);
        assert_eq!(pack.file(&again.path), Some((again.stamp, again.hash)));
        assert_eq!(
            pack.file(&files[4].path),
            Some((files[4].stamp, files[4].hash))
        );
    }

    #[test]
    fn open_reads_objects_only_when_needed() {
        let (fp, files, objects, bytes) = encode_sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.pack");
        std::fs::write(&path, &bytes).unwrap();
        let pack = Pack::open(&path, &fp).unwrap().unwrap();
        assert!(pack.objects.get().is_none());
        assert_eq!(
            pack.file(&files[3].path),
            Some((files[3].stamp, files[3].hash))
        );
        assert!(pack.objects.get().is_none());
        // Replacing the file (as another process would) does not disturb the open pack.
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, b"junk").unwrap();
        assert_eq!(pack.object(&objects[5].0), Some(objects[5].1.as_slice()));
        // Raw copies round-trip without re-hashing.
        let copied = encode(
            &fp,
            100,
            &files,
            objects.iter().map(|(h, _)| (*h, 100, pack.raw(h).unwrap())),
        );
        let again = Pack::decode(copied, &fp);
        assert_eq!(again.corrupt_count(), 0);
        assert_eq!(again.objects_verified().count(), objects.len());
        assert_eq!(again.last_used(&objects[0].0), Some(100));
        assert!(Pack::open(&dir.path().join("none"), &fp).unwrap().is_none());
        // Appending: every old object as stored, plus the new one.
        let extra = content_hash(b"extra");
        let parts = encode_appending(&fp, 200, &files, &again, [(extra, &b"new facts"[..])]);
        let appended = Pack::decode(parts.concat(), &fp);
        assert_eq!(appended.object_count(), objects.len() + 1);
        assert_eq!(appended.object(&extra), Some(&b"new facts"[..]));
        assert_eq!(
            appended.object(&objects[7].0),
            Some(objects[7].1.as_slice())
        );
        assert_eq!(appended.corrupt_count(), 0);
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
        assert_eq!(pack.objects_verified().count(), objects.len() - 1);
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
            for (h, _, payload) in pack.objects_verified() {
                let original = objects.iter().find(|(k, _)| k == h);
                prop_assert!(original.is_some());
                prop_assert_eq!(payload, original.unwrap().1.as_slice());
            }
        }
    }
}
