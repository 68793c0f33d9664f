//! The cache counters of a run as text (`--stats`, `archlint cache stats`).

use archlint_engine::CacheReport;

/// The cache counters of one run as text.
pub fn cache_report_text(report: &CacheReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let parse_line = |out: &mut String| {
        if let Some(slowest) = &report.slowest_file {
            let _ = writeln!(
                out,
                "  parse per file: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({slowest})",
                report.parse_p50_ms, report.parse_p95_ms, report.parse_max_ms
            );
        }
    };
    if !report.enabled {
        out.push_str("cache: disabled\n");
        parse_line(&mut out);
        return out;
    }
    let _ = writeln!(
        out,
        "cache: {} files, {} parsed, {} unchanged (stat), {} hashed, hit rate {:.1}%",
        report.files, report.parsed, report.unchanged, report.hashed, report.hit_rate
    );
    if let Some(dir) = &report.dir {
        let _ = writeln!(
            out,
            "  disk   {dir}: {} hits, {} misses, {} writes, {} corrupt; pack {} bytes{}",
            report.disk.hits,
            report.disk.misses,
            report.disk.writes,
            report.disk.corrupt,
            report.pack_bytes,
            if report.pack_written {
                " (rewritten)"
            } else {
                ""
            }
        );
    }
    parse_line(&mut out);
    let rates = report.layer_hit_rates();
    if !rates.is_empty() {
        let _ = writeln!(
            out,
            "  hit rate by layer: {}",
            rates
                .iter()
                .map(|(layer, r)| format!("{layer} {r:.1}%"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if report.memory.hits + report.memory.misses > 0 {
        let _ = writeln!(
            out,
            "  memory: {} hits, {} misses",
            report.memory.hits, report.memory.misses
        );
    }
    #[cfg(feature = "redis")]
    if let Some(r) = &report.redis {
        let _ = writeln!(
            out,
            "  redis: {} hits, {} misses, {} writes, {} errors, rejected {} corrupt / {} unsigned / {} bad signature; breaker {}; {:.1} ms",
            r.hits,
            r.misses,
            r.writes,
            r.errors,
            r.rejected_corrupt,
            r.rejected_unsigned,
            r.rejected_signature,
            r.breaker,
            r.time_ms
        );
        if let Some(e) = &r.last_error {
            let _ = writeln!(out, "  redis error: {e}");
        }
    }
    out
}

/// A cache directory: files and bytes per bucket, then the last run's counters.
pub fn directory_text(
    dir: &std::path::Path,
    sizes: &[archlint_cache::disk::BucketSize],
    last: Option<&CacheReport>,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "cache directory: {}", dir.display());
    let (mut entries, mut bytes) = (0, 0);
    for b in sizes {
        let _ = writeln!(
            out,
            "  {:<20} {:>8} files {:>12} bytes",
            b.name, b.entries, b.bytes
        );
        entries += b.entries;
        bytes += b.bytes;
    }
    let _ = writeln!(
        out,
        "  {:<20} {:>8} files {:>12} bytes",
        "total", entries, bytes
    );
    match last {
        Some(report) => {
            out.push_str("last run:\n");
            out.push_str(&cache_report_text(report));
        }
        None => out.push_str("last run: none recorded\n"),
    }
    out
}
