//! The performance record of one check (`--perf-log`): its phases, counts and peak memory.

use std::collections::BTreeMap;

use archlint_perf::RunRecord;

use crate::Analysis;

/// The record of one `archlint check` run.
pub fn record(analysis: &Analysis, report_ms: f64, total_ms: f64) -> RunRecord {
    let Analysis {
        project,
        deps,
        rules,
        ..
    } = analysis;
    let t = &project.timings;
    let mut phases: BTreeMap<String, f64> = [
        ("discover", t.discover_ms),
        ("parse", t.parse_ms),
        ("graph", t.graph_ms),
        ("contracts", t.contracts_ms),
        ("report", report_ms),
        ("total", total_ms),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let mut counts: BTreeMap<String, f64> = [
        ("files", project.files.len() as f64),
        ("parsed", project.cache.parsed as f64),
        ("modules", project.graph.module_count() as f64),
        ("imports", project.graph.edge_count() as f64),
        ("cache_hit_rate", project.cache.hit_rate),
        ("parse_p50_ms", project.cache.parse_p50_ms),
        ("parse_p95_ms", project.cache.parse_p95_ms),
        ("parse_max_ms", project.cache.parse_max_ms),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    counts.insert("parse_cpu_ms".into(), project.cache.parse_cpu_ms);
    counts.insert("stat_hash_cpu_ms".into(), project.cache.stat_hash_cpu_ms);
    for (layer, rate) in project.cache.layer_hit_rates() {
        counts.insert(format!("hit_rate_{layer}"), rate);
    }
    if let Some(r) = rules {
        phases.insert("rules".into(), r.ms);
        counts.insert("rule_findings".into(), r.outcome.findings.len() as f64);
    }
    if let Some(d) = deps {
        phases.insert("dependencies".into(), d.total_ms);
        counts.insert("distributions".into(), d.distributions as f64);
    }
    RunRecord {
        timestamp: archlint_advisories::audit::now_secs(),
        version: env!("CARGO_PKG_VERSION").into(),
        phases,
        counts,
        peak_rss_mb: archlint_perf::peak_rss_mb(),
    }
}
