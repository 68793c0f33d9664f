//! A snapshot of the import graph (and the files' diagnostics) with the content hash of every
//! file it was built from. It is keyed by the project's structure: the same modules (names and
//! package flags), root and namespace packages, graph options and facts settings. When the
//! structure matches and no hash changed, a warm run takes the graph as is, without decoding
//! facts or resolving imports; when a few files changed, only those are resolved again and the
//! graph is reassembled from the old one.
//!
//! ```text
//! "ALGRAPH\x03" | structure key [32] | checksum [32] (BLAKE3 of the payload) | payload
//! payload: files (u32) | content hashes [files × 32] | graph (archlint_graph's snapshot form)
//!          | diagnostics (postcard: the files that have any, by index)
//! ```

use std::path::Path;

use archlint_cache::{CacheKey, CacheKind, DiskCache, KeyBuilder};
use archlint_discovery::SourceFile;
use archlint_facts::SourceDiagnostic;
use archlint_graph::{GraphOptions, ImportGraph};

const MAGIC: &[u8; 8] = b"ALGRAPH\x03";

/// The key of a project's structure: everything a graph is built from except file contents.
pub fn structure_key(
    fingerprint: &CacheKey,
    options: &GraphOptions,
    root_packages: &[String],
    namespace_packages: &[String],
    files: &[SourceFile],
) -> CacheKey {
    let mut k = KeyBuilder::new(CacheKind::Facts);
    k.part("facts", &fingerprint.to_hex())
        .part(
            "resolution",
            &archlint_graph::RESOLUTION_VERSION.to_string(),
        )
        .part(
            "options",
            &format!(
                "{}{}{}",
                options.include_external_packages as u8,
                options.exclude_type_checking_imports as u8,
                options.include_dynamic_imports as u8
            ),
        )
        .part("roots", &root_packages.join(","))
        .part("namespaces", &namespace_packages.join(","));
    // One buffer hashed at once (see results_cache::Slots::new).
    let mut buf = Vec::with_capacity(files.len() * 40);
    for f in files {
        buf.extend_from_slice(f.module.as_bytes());
        buf.extend_from_slice(&[0, f.is_package as u8]);
    }
    k.part("files", &blake3::hash(&buf).to_hex());
    k.finish()
}

type Sparse = Vec<(u32, Vec<SourceDiagnostic>)>;

/// A stored graph and what it was built from.
pub struct Stored {
    /// Content hash of each file, in file order.
    pub hashes: Vec<CacheKey>,
    pub graph: ImportGraph,
    pub diagnostics: Vec<Vec<SourceDiagnostic>>,
}

/// A snapshot read ahead — while discovery runs — before the structure it must match is known.
pub struct Prefetched {
    key: [u8; 32],
    stored: Stored,
}

impl Prefetched {
    /// The stored graph when it was built for `key` from `files` files.
    pub fn matching(self, key: &CacheKey, files: usize) -> Option<Stored> {
        (self.key == key.0 && self.stored.hashes.len() == files).then_some(self.stored)
    }
}

/// Read and decode the snapshot in the cache directory `dir` for the project at `root`; `None`
/// when there is none or it is damaged. Called beside discovery, so it opens the cache
/// directory itself.
pub fn prefetch(dir: &Path, root: &Path, fingerprint: &CacheKey) -> Option<Prefetched> {
    let disk = DiskCache::open(dir).ok()?;
    let path = crate::facts::project_file(&disk, root, fingerprint, "graph").ok()?;
    let bytes = archlint_cache::disk::read_regular(&path).ok()?;
    if bytes.len() < 72 || &bytes[..8] != MAGIC {
        return None;
    }
    let payload = &bytes[72..];
    if blake3::hash(payload).as_bytes() != &bytes[40..72] {
        return None;
    }
    let (count, rest) = payload.split_first_chunk::<4>()?;
    let files = u32::from_le_bytes(*count) as usize;
    let (hashes, rest) = rest.split_at_checked(files.checked_mul(32)?)?;
    let hashes: Vec<CacheKey> = hashes
        .chunks_exact(32)
        .map(|h| CacheKey(h.try_into().expect("32-byte chunks")))
        .collect();
    let (graph, rest) = ImportGraph::decode_snapshot(rest)?;
    let sparse: Sparse = postcard::from_bytes(rest).ok()?;
    let mut diagnostics = vec![Vec::new(); files];
    for (i, d) in sparse {
        *diagnostics.get_mut(i as usize)? = d;
    }
    Some(Prefetched {
        key: bytes[8..40].try_into().expect("32 bytes"),
        stored: Stored {
            hashes,
            graph,
            diagnostics,
        },
    })
}

/// Store the snapshot for `key` (best effort).
pub fn store(
    disk: &DiskCache,
    root: &Path,
    fingerprint: &CacheKey,
    key: &CacheKey,
    hashes: &[CacheKey],
    graph: &ImportGraph,
    diagnostics: &[Vec<SourceDiagnostic>],
) {
    let sparse: Sparse = diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.is_empty())
        .map(|(i, d)| (i as u32, d.clone()))
        .collect();
    let Ok(sparse) = postcard::to_stdvec(&sparse) else {
        return;
    };
    let mut out = Vec::with_capacity(76 + hashes.len() * 32 + sparse.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.0);
    out.extend_from_slice(&[0; 32]); // the checksum, once the payload is written
    out.extend_from_slice(&(hashes.len() as u32).to_le_bytes());
    for h in hashes {
        out.extend_from_slice(&h.0);
    }
    graph.encode_snapshot(&mut out);
    out.extend_from_slice(&sparse);
    let checksum = blake3::hash(&out[72..]);
    out[40..72].copy_from_slice(checksum.as_bytes());
    if let Ok(path) = crate::facts::project_file(disk, root, fingerprint, "graph") {
        let _ = archlint_cache::disk::write_atomic(&path, &out);
    }
}
