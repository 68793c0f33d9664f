//! Performance tracking as a feature: every run can append one JSON line (its phases in
//! milliseconds, counts, cache hit rate, peak memory) to a log; [`summarize`] gives count /
//! total / mean / min / max / p95 per phase, and [`compare`] flags the phases whose median over
//! the last runs is slower than a baseline's median by more than a threshold — a median, so
//! one noisy run does not trip it.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Seconds since the epoch.
    pub timestamp: u64,
    pub version: String,
    /// Phase name → milliseconds.
    pub phases: BTreeMap<String, f64>,
    /// Counters: files, parsed, modules, imports, distributions...
    #[serde(default)]
    pub counts: BTreeMap<String, f64>,
    #[serde(default)]
    pub peak_rss_mb: Option<f64>,
}

/// Append a run to a log (one JSON object per line).
pub fn append(path: &Path, record: &RunRecord) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    // One write per line: concurrent runs appending to the same log do not interleave lines.
    f.write_all(line.as_bytes())
}

/// Read a log; lines that are not run records are counted, not fatal.
pub fn read(path: &Path) -> std::io::Result<(Vec<RunRecord>, usize)> {
    let file = std::fs::File::open(path)?;
    let mut runs = Vec::new();
    let mut bad = 0;
    for line in std::io::BufReader::new(file).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<RunRecord>(&line) {
            Ok(r) => runs.push(r),
            Err(_) => bad += 1,
        }
    }
    Ok((runs, bad))
}

/// Statistics of one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseStats {
    pub phase: String,
    pub count: usize,
    pub total_ms: f64,
    pub mean_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
}

/// The `q`-quantile (0..=1) of sorted values, nearest-rank.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn by_phase(runs: &[RunRecord]) -> BTreeMap<&str, Vec<f64>> {
    let mut out: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in runs {
        for (phase, ms) in &r.phases {
            if ms.is_finite() {
                out.entry(phase.as_str()).or_default().push(*ms);
            }
        }
    }
    out
}

/// Per-phase statistics over every run.
pub fn summarize(runs: &[RunRecord]) -> Vec<PhaseStats> {
    by_phase(runs)
        .into_iter()
        .map(|(phase, mut v)| {
            v.sort_by(f64::total_cmp);
            let total: f64 = v.iter().sum();
            PhaseStats {
                phase: phase.to_owned(),
                count: v.len(),
                total_ms: total,
                mean_ms: total / v.len() as f64,
                min_ms: v[0],
                max_ms: v[v.len() - 1],
                p50_ms: quantile(&v, 0.5),
                p95_ms: quantile(&v, 0.95),
            }
        })
        .collect()
}

/// One phase compared with the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseChange {
    pub phase: String,
    pub baseline_ms: f64,
    pub current_ms: f64,
    /// `current / baseline - 1`.
    pub change: f64,
    pub regressed: bool,
}

/// Compare the median of the last `last` runs with the baseline runs' median, per phase.
/// Phases under `floor_ms` in the baseline are never flagged (timer noise dominates them).
pub fn compare(
    baseline: &[RunRecord],
    current: &[RunRecord],
    last: usize,
    threshold: f64,
    floor_ms: f64,
) -> Vec<PhaseChange> {
    let recent = &current[current.len().saturating_sub(last.max(1))..];
    let base = by_phase(baseline);
    let now = by_phase(recent);
    base.into_iter()
        .filter_map(|(phase, values)| {
            let b = median(&values);
            let c = median(now.get(phase)?);
            let change = if b > 0.0 { c / b - 1.0 } else { 0.0 };
            Some(PhaseChange {
                phase: phase.to_owned(),
                baseline_ms: b,
                current_ms: c,
                change,
                regressed: b >= floor_ms && change > threshold,
            })
        })
        .collect()
}

/// `20%`, `0.2` or `20` (percent) as a fraction.
pub fn parse_threshold(text: &str) -> Option<f64> {
    let t = text.trim();
    let (num, percent) = match t.strip_suffix('%') {
        Some(n) => (n, true),
        None => (t, false),
    };
    let v: f64 = num.trim().parse().ok()?;
    let fraction = if percent || v > 1.0 { v / 100.0 } else { v };
    (fraction.is_finite() && fraction >= 0.0).then_some(fraction)
}

/// The per-phase statistics of `runs` runs as a table.
pub fn stats_text(w: &mut impl Write, runs: usize, stats: &[PhaseStats]) -> std::io::Result<()> {
    writeln!(w, "{runs} runs")?;
    writeln!(
        w,
        "{:14} {:>6} {:>11} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "phase", "count", "total ms", "mean", "min", "max", "p50", "p95"
    )?;
    for s in stats {
        writeln!(
            w,
            "{:14} {:>6} {:>11.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            s.phase, s.count, s.total_ms, s.mean_ms, s.min_ms, s.max_ms, s.p50_ms, s.p95_ms
        )?;
    }
    Ok(())
}

/// Each phase's change against the baseline, then which regressed beyond `threshold` (the
/// median of the `last` runs).
pub fn compare_text(
    w: &mut impl Write,
    changes: &[PhaseChange],
    threshold: f64,
    last: usize,
) -> std::io::Result<()> {
    let regressed: Vec<&PhaseChange> = changes.iter().filter(|c| c.regressed).collect();
    for c in changes {
        writeln!(
            w,
            "{:14} {:>9.2} ms -> {:>9.2} ms  {:>+7.1}%{}",
            c.phase,
            c.baseline_ms,
            c.current_ms,
            c.change * 100.0,
            if c.regressed { "  REGRESSED" } else { "" }
        )?;
    }
    if regressed.is_empty() {
        writeln!(
            w,
            "No phase is more than {:.0}% slower (median of the last {} runs).",
            threshold * 100.0,
            last
        )?;
    } else {
        writeln!(
            w,
            "Regressed beyond {:.0}%: {}",
            threshold * 100.0,
            regressed
                .iter()
                .map(|c| c.phase.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    Ok(())
}

/// Peak resident memory of this process in MB (Linux; `None` elsewhere).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(parse: f64, graph: f64) -> RunRecord {
        RunRecord {
            timestamp: 0,
            version: "0".into(),
            phases: [("parse".to_owned(), parse), ("graph".to_owned(), graph)]
                .into_iter()
                .collect(),
            counts: BTreeMap::new(),
            peak_rss_mb: None,
        }
    }

    fn regressed(changes: &[PhaseChange]) -> Vec<&str> {
        changes
            .iter()
            .filter(|c| c.regressed)
            .map(|c| c.phase.as_str())
            .collect()
    }

    #[test]
    fn a_25_percent_slower_phase_is_flagged_10_percent_is_not() {
        let baseline: Vec<RunRecord> = (0..5).map(|i| run(100.0 + i as f64, 50.0)).collect();
        let slower: Vec<RunRecord> = (0..5).map(|i| run(127.0 + i as f64, 55.0)).collect();
        let changes = compare(&baseline, &slower, 5, 0.20, 1.0);
        assert_eq!(regressed(&changes), ["parse"]);
        let graph = changes.iter().find(|c| c.phase == "graph").unwrap();
        assert!((graph.change - 0.10).abs() < 1e-9);
    }

    #[test]
    fn one_outlier_run_is_not_flagged() {
        let baseline: Vec<RunRecord> = (0..5).map(|_| run(100.0, 50.0)).collect();
        let mut current: Vec<RunRecord> = (0..5).map(|_| run(101.0, 50.0)).collect();
        current[2] = run(400.0, 200.0);
        assert!(regressed(&compare(&baseline, &current, 5, 0.20, 1.0)).is_empty());
        // ...but a lasting slowdown is.
        let current: Vec<RunRecord> = (0..5)
            .map(|i| run(if i < 2 { 100.0 } else { 130.0 }, 50.0))
            .collect();
        assert_eq!(
            regressed(&compare(&baseline, &current, 5, 0.20, 1.0)),
            ["parse"]
        );
        // Only the last N runs count.
        let mut old_then_fast: Vec<RunRecord> = (0..10).map(|_| run(300.0, 50.0)).collect();
        old_then_fast.extend((0..5).map(|_| run(100.0, 50.0)));
        assert!(regressed(&compare(&baseline, &old_then_fast, 5, 0.20, 1.0)).is_empty());
    }

    #[test]
    fn tiny_phases_are_below_the_noise_floor() {
        let baseline = vec![run(0.2, 50.0)];
        let current = vec![run(0.4, 50.0)];
        assert!(regressed(&compare(&baseline, &current, 5, 0.20, 1.0)).is_empty());
    }

    #[test]
    fn statistics_and_log_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("perf/log.jsonl");
        for ms in 1..=20 {
            append(&log, &run(ms as f64, 1.0)).unwrap();
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .unwrap()
            .write_all(b"not json\n")
            .unwrap();
        let (runs, bad) = read(&log).unwrap();
        assert_eq!((runs.len(), bad), (20, 1));
        let stats = summarize(&runs);
        let parse = stats.iter().find(|s| s.phase == "parse").unwrap();
        assert_eq!(parse.count, 20);
        assert_eq!(parse.total_ms, 210.0);
        assert_eq!(parse.mean_ms, 10.5);
        assert_eq!((parse.min_ms, parse.max_ms), (1.0, 20.0));
        assert_eq!(parse.p95_ms, 19.0);
        assert_eq!(parse.p50_ms, 10.0);
    }

    #[test]
    fn thresholds() {
        assert_eq!(parse_threshold("20%"), Some(0.2));
        assert_eq!(parse_threshold("0.2"), Some(0.2));
        assert_eq!(parse_threshold("20"), Some(0.2));
        assert_eq!(parse_threshold("fast"), None);
    }
}
