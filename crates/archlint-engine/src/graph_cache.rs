//! A snapshot of the import graph (and the files' diagnostics), reused when nothing that shapes
//! the graph changed: the same files with the same content hashes, the same root and namespace
//! packages, the same graph options and facts settings. A warm run with no change then skips
//! decoding facts and resolving imports altogether.
//!
//! ```text
//! "ALGRAPH\x01" | key [32] | checksum [32] (BLAKE3 of the payload) | payload (postcard)
//! ```

use std::path::Path;

use archlint_cache::{CacheKey, CacheKind, DiskCache, KeyBuilder};
use archlint_discovery::SourceFile;
use archlint_facts::SourceDiagnostic;
use archlint_graph::{GraphOptions, GraphSnapshot, ImportGraph};

const MAGIC: &[u8; 8] = b"ALGRAPH\x01";

/// The key of a graph: everything it is built from.
pub fn key(
    fingerprint: &CacheKey,
    options: &GraphOptions,
    root_packages: &[String],
    namespace_packages: &[String],
    files: &[SourceFile],
    hashes: &[CacheKey],
) -> CacheKey {
    let mut k = KeyBuilder::new(CacheKind::Facts);
    k.part("facts", &fingerprint.to_hex())
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
    for (f, h) in files.iter().zip(hashes) {
        files_hash.update(f.module.as_bytes());
        files_hash.update(&[0, f.is_package as u8]);
        files_hash.update(&h.0);
    }
    k.part("files", &files_hash.finalize().to_hex());
    k.finish()
}

type Payload = (GraphSnapshot, Vec<(u32, Vec<SourceDiagnostic>)>);

/// Read the snapshot for `key`; `None` when absent, for another key, or damaged.
pub fn load(
    disk: &DiskCache,
    root: &Path,
    fingerprint: &CacheKey,
    key: &CacheKey,
    files: usize,
) -> Option<(ImportGraph, Vec<Vec<SourceDiagnostic>>)> {
    let path = crate::facts::project_file(disk, root, fingerprint, "graph").ok()?;
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() < 72 || &bytes[..8] != MAGIC || bytes[8..40] != key.0 {
        return None;
    }
    let payload = &bytes[72..];
    if blake3::hash(payload).as_bytes() != &bytes[40..72] {
        return None;
    }
    let (snapshot, sparse): Payload = postcard::from_bytes(payload).ok()?;
    let graph = ImportGraph::from_snapshot(snapshot)?;
    let mut diagnostics = vec![Vec::new(); files];
    for (i, d) in sparse {
        *diagnostics.get_mut(i as usize)? = d;
    }
    Some((graph, diagnostics))
}

/// Store the snapshot for `key` (best effort).
pub fn store(
    disk: &DiskCache,
    root: &Path,
    fingerprint: &CacheKey,
    key: &CacheKey,
    graph: &ImportGraph,
    diagnostics: &[Vec<SourceDiagnostic>],
) {
    let sparse: Vec<(u32, Vec<SourceDiagnostic>)> = diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.is_empty())
        .map(|(i, d)| (i as u32, d.clone()))
        .collect();
    let Ok(payload) = postcard::to_stdvec(&(graph.snapshot(), sparse)) else {
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
