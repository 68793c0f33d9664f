//! A snapshot of one result derived from the whole project (the rules' findings), keyed by the
//! project's structure, every file's path and content hash, and the caller's own settings. A
//! warm run over an unchanged tree reads it back instead of decoding every file's facts.
//!
//! ```text
//! "ALRESULT" | key [32] | checksum [32] (BLAKE3 of the payload) | payload (caller's bytes)
//! ```

use std::path::{Path, PathBuf};

use archlint_cache::{CacheKey, CacheKind, DiskCache, KeyBuilder};
use archlint_discovery::SourceFile;

const MAGIC: &[u8; 8] = b"ALRESULT";

/// Where a derived result is stored, and under which key; handed to the caller, who computes
/// the result and stores it with [`ResultSlot::store`].
#[derive(Debug, Clone)]
pub struct ResultSlot {
    path: PathBuf,
    key: CacheKey,
}

impl ResultSlot {
    /// Store the result (best effort: a full disk costs the next run some time, nothing else).
    pub fn store(&self, payload: &[u8]) {
        let mut out = Vec::with_capacity(72 + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.key.0);
        out.extend_from_slice(blake3::hash(payload).as_bytes());
        out.extend_from_slice(payload);
        let _ = archlint_cache::disk::write_atomic(&self.path, &out);
    }

    /// The stored result for this key; `None` when absent, for another state, or damaged.
    pub fn load(&self) -> Option<Vec<u8>> {
        let bytes = archlint_cache::disk::read_regular(&self.path).ok()?;
        if bytes.len() < 72 || &bytes[..8] != MAGIC || bytes[8..40] != self.key.0 {
            return None;
        }
        let payload = &bytes[72..];
        (blake3::hash(payload).as_bytes() == &bytes[40..72]).then(|| payload.to_vec())
    }
}

/// Where results derived from one project state are kept: a slot per tag (the rules' findings,
/// the contracts' outcomes), each keyed by the project's structure, every file's path and
/// content hash, and the tag (the caller's settings).
#[derive(Debug, Clone)]
pub struct Slots {
    disk: DiskCache,
    root: PathBuf,
    fingerprint: CacheKey,
    structure: CacheKey,
    state: String,
}

impl Slots {
    /// The slots of this project state.
    pub fn new(
        disk: &DiskCache,
        root: &Path,
        fingerprint: &CacheKey,
        structure: &CacheKey,
        files: &[SourceFile],
        hashes: &[CacheKey],
    ) -> Slots {
        // One buffer hashed at once: BLAKE3 hashes a long input many chunks at a time, and
        // 100,000 small updates cost several times more.
        let mut buf = Vec::with_capacity(files.len() * 80);
        for (f, h) in files.iter().zip(hashes) {
            buf.extend_from_slice(f.path.as_os_str().as_encoded_bytes());
            buf.push(0);
            buf.extend_from_slice(&h.0);
        }
        let state = blake3::hash(&buf);
        Slots {
            disk: disk.clone(),
            root: root.to_path_buf(),
            fingerprint: *fingerprint,
            structure: *structure,
            state: state.to_hex().to_string(),
        }
    }

    /// The slot of result `tag`.
    pub fn slot(&self, tag: &str) -> Option<ResultSlot> {
        let mut k = KeyBuilder::new(CacheKind::Facts);
        k.part("structure", &self.structure.to_hex())
            .part("tag", tag)
            .part("state", &self.state);
        let tag_name = archlint_cache::content_hash(tag.as_bytes());
        let ext = format!("result-{}", archlint_cache::disk::short_name(&tag_name));
        let path =
            crate::facts::project_file(&self.disk, &self.root, &self.fingerprint, &ext).ok()?;
        Some(ResultSlot {
            path,
            key: k.finish(),
        })
    }
}
