//! A snapshot of the import graph (and the files' diagnostics) with the content hash of every
//! file it was built from. It is keyed by the project's structure: the same modules (names and
//! package flags), root and namespace packages, graph options and facts settings. When the
//! structure matches and no hash changed, a warm run takes the graph as is, without decoding
//! facts or resolving imports; when a few files changed, only those are resolved again and the
//! graph is reassembled from the old one.
//!
//! ```text
//! "ALGRAPH\x02" | structure key [32] | checksum [32] (BLAKE3 of the payload) | payload (postcard)
//! ```

use std::path::Path;

use archlint_cache::{CacheKey, CacheKind, DiskCache, KeyBuilder};
use archlint_discovery::SourceFile;
use archlint_facts::SourceDiagnostic;
use archlint_graph::{GraphOptions, GraphSnapshot, ImportGraph};

const MAGIC: &[u8; 8] = b"ALGRAPH\x02";

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
    let mut files_hash = blake3::Hasher::new();
    for f in files {
        files_hash.update(f.module.as_bytes());
        files_hash.update(&[0, f.is_package as u8]);
    }
    k.part("files", &files_hash.finalize().to_hex());
    k.finish()
}

type Payload = (
    Vec<[u8; 32]>,
    GraphSnapshot,
    Vec<(u32, Vec<SourceDiagnostic>)>,
);

/// A stored graph and what it was built from.
pub struct Stored {
    /// Content hash of each file, in file order.
    pub hashes: Vec<CacheKey>,
    pub graph: ImportGraph,
    pub diagnostics: Vec<Vec<SourceDiagnostic>>,
}

/// Read the snapshot for `key`; `None` when absent, for another structure, or damaged.
pub fn load(
    disk: &DiskCache,
    root: &Path,
    fingerprint: &CacheKey,
    key: &CacheKey,
    files: usize,
) -> Option<Stored> {
    let path = crate::facts::project_file(disk, root, fingerprint, "graph").ok()?;
    let bytes = archlint_cache::disk::read_regular(&path).ok()?;
    if bytes.len() < 72 || &bytes[..8] != MAGIC || bytes[8..40] != key.0 {
        return None;
    }
    let payload = &bytes[72..];
    if blake3::hash(payload).as_bytes() != &bytes[40..72] {
        return None;
    }
    let (hashes, snapshot, sparse): Payload = postcard::from_bytes(payload).ok()?;
    if hashes.len() != files {
        return None;
    }
    let graph = ImportGraph::from_snapshot(snapshot)?;
    let mut diagnostics = vec![Vec::new(); files];
    for (i, d) in sparse {
        *diagnostics.get_mut(i as usize)? = d;
    }
    Some(Stored {
        hashes: hashes.into_iter().map(CacheKey).collect(),
        graph,
        diagnostics,
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
    let sparse: Vec<(u32, Vec<SourceDiagnostic>)> = diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.is_empty())
        .map(|(i, d)| (i as u32, d.clone()))
        .collect();
    let hashes: Vec<[u8; 32]> = hashes.iter().map(|h| h.0).collect();
    let Ok(payload) = postcard::to_stdvec(&(hashes, graph.snapshot(), sparse)) else {
        return;
    };
    let mut out = Vec::with_capacity(72 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.0);
    out.extend_from_slice(blake3::hash(&payload).as_bytes());
    out.extend_from_slice(&payload);
    if let Ok(path) = crate::facts::project_file(disk, root, fingerprint, "graph") {
        let _ = archlint_cache::disk::write_atomic(&path, &out);
    }
}
