//! The graph's stored form: only what cannot be derived, in fixed-width little-endian arrays
//! that read back with a copy per array instead of a decode per field. Everything else is
//! rebuilt, and every invariant checked, when it is read back.
//!
//! ```text
//! counts: modules, edges, details, name bytes (u32 each)
//! name ends [modules × u32] | names [name bytes] | present [modules] | squashed [modules]
//! import offsets [(modules + 1) × u32] | import targets [edges × u32]
//! detail offsets [(edges + 1) × u32] | lines [details × u32] | columns [details × u32]
//! flags [details]: kind (bits 0-1), inside TYPE_CHECKING (bit 2), inside a function (bit 3)
//! ```

use archlint_facts::ImportKind;

use crate::{ImportDetail, ImportGraph, ModuleId};

/// The parts [`ImportGraph::from_snapshot`] rebuilds a graph from.
pub(crate) struct GraphSnapshot {
    pub names: Vec<String>,
    pub present: Vec<bool>,
    pub squashed: Vec<bool>,
    pub import_offsets: Vec<u32>,
    pub import_targets: Vec<ModuleId>,
    pub detail_offsets: Vec<u32>,
    pub details: Vec<ImportDetail>,
}

fn kind_bits(kind: ImportKind) -> u8 {
    match kind {
        ImportKind::Import => 0,
        ImportKind::From => 1,
        ImportKind::Star => 2,
        ImportKind::Dynamic => 3,
    }
}

fn put_u32s(out: &mut Vec<u8>, values: impl IntoIterator<Item = u32>) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Reads the arrays back in order; every read checks the length left.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < len {
            return None;
        }
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Some(head)
    }

    fn u32s(&mut self, count: usize) -> Option<Vec<u32>> {
        let bytes = self.take(count.checked_mul(4)?)?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }

    fn u32(&mut self) -> Option<usize> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn bools(&mut self, count: usize) -> Option<Vec<bool>> {
        // Checked first, then mapped: a fallible collect cannot size its vector up front.
        let bytes = self.take(count)?;
        bytes
            .iter()
            .all(|&b| b <= 1)
            .then(|| bytes.iter().map(|&b| b == 1).collect())
    }
}

impl ImportGraph {
    /// Append the graph's stored form to `out`.
    pub fn encode_snapshot(&self, out: &mut Vec<u8>) {
        let name_bytes: usize = self.names.iter().map(String::len).sum();
        let n = self.names.len();
        out.reserve(
            16 + n * 6 + name_bytes + (self.import_targets.len() * 8 + 8) + self.details.len() * 9,
        );
        put_u32s(
            out,
            [
                n as u32,
                self.import_targets.len() as u32,
                self.details.len() as u32,
                name_bytes as u32,
            ],
        );
        let mut end = 0u32;
        put_u32s(
            out,
            self.names.iter().map(|name| {
                end += name.len() as u32;
                end
            }),
        );
        for name in &self.names {
            out.extend_from_slice(name.as_bytes());
        }
        out.extend(self.present.iter().map(|&b| b as u8));
        out.extend(self.squashed.iter().map(|&b| b as u8));
        put_u32s(out, self.import_offsets.iter().copied());
        put_u32s(out, self.import_targets.iter().copied());
        put_u32s(out, self.detail_offsets.iter().copied());
        put_u32s(out, self.details.iter().map(|d| d.line));
        put_u32s(out, self.details.iter().map(|d| d.column));
        out.extend(self.details.iter().map(|d| {
            kind_bits(d.kind) | (d.type_checking as u8) << 2 | (d.in_function as u8) << 3
        }));
    }

    /// The graph stored by [`ImportGraph::encode_snapshot`] and the bytes after it; `None` when
    /// the bytes are short, malformed or describe an inconsistent graph.
    pub fn decode_snapshot(bytes: &[u8]) -> Option<(ImportGraph, &[u8])> {
        let mut r = Reader { bytes };
        let n = r.u32()?;
        let edges = r.u32()?;
        let details = r.u32()?;
        let name_bytes = r.u32()?;
        // Every count is bounded by the bytes that must follow it, so a damaged count fails
        // here instead of asking for a huge allocation.
        if n.checked_mul(6)? + edges.checked_mul(8)? + details.checked_mul(9)? + name_bytes
            > r.bytes.len()
        {
            return None;
        }
        let ends = r.u32s(n)?;
        let blob = std::str::from_utf8(r.take(name_bytes)?).ok()?;
        let mut start = 0usize;
        let mut names = Vec::with_capacity(n);
        for end in ends {
            let end = end as usize;
            names.push(blob.get(start..end)?.to_owned());
            start = end;
        }
        if start != name_bytes {
            return None;
        }
        let present = r.bools(n)?;
        let squashed = r.bools(n)?;
        let import_offsets = r.u32s(n + 1)?;
        let import_targets = r.u32s(edges)?;
        let detail_offsets = r.u32s(edges + 1)?;
        let lines = r.u32s(details)?;
        let columns = r.u32s(details)?;
        let flags = r.take(details)?;
        if flags.iter().any(|&f| f >> 4 != 0) {
            return None;
        }
        let details: Vec<ImportDetail> = lines
            .into_iter()
            .zip(columns)
            .zip(flags)
            .map(|((line, column), &f)| {
                let kind = match f & 3 {
                    0 => ImportKind::Import,
                    1 => ImportKind::From,
                    2 => ImportKind::Star,
                    _ => ImportKind::Dynamic,
                };
                ImportDetail {
                    line,
                    column,
                    kind,
                    type_checking: f & 4 != 0,
                    in_function: f & 8 != 0,
                }
            })
            .collect();
        let graph = ImportGraph::from_snapshot(GraphSnapshot {
            names,
            present,
            squashed,
            import_offsets,
            import_targets,
            detail_offsets,
            details,
        })?;
        Some((graph, r.bytes))
    }
}
