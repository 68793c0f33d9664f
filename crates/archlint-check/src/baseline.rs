//! Baselines: adopt archlint on a large codebase today and ratchet down. `--update-baseline`
//! records the current findings by stable identity (never by line number); later runs fail only
//! on findings not in it, and report entries that no longer occur (`--strict-baseline` fails
//! on those too, so the file only ever shrinks).

use crate::identity::{contract_identity, dependency_identity, rule_identity, undeclared_identity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use archlint_contracts::ContractResult;
use serde::{Deserialize, Serialize};

use crate::{Analysis, DepsRun, RulesRun};

pub const DEFAULT_FILE: &str = "archlint-baseline.json";
const FORMAT: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub identity: String,
    pub code: String,
    /// What it was, for people reading the file.
    pub message: String,
    /// Why it is accepted (optional, for dependency entries especially).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `YYYY-MM-DD`; after it the entry no longer applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    pub format: u32,
    pub entries: Vec<Entry>,
}

fn contract_key(r: &ContractResult) -> String {
    r.id.clone().unwrap_or_else(|| r.name.clone())
}

/// Every current finding as a baseline entry.
pub fn entries(
    results: &[ContractResult],
    deps: Option<&DepsRun>,
    rules: Option<&RulesRun>,
) -> Vec<Entry> {
    let mut out = Vec::new();
    for r in results {
        let key = contract_key(r);
        for v in &r.violations {
            for route in &v.routes {
                let (Some(first), Some(last)) = (route.chain.first(), route.chain.last()) else {
                    continue;
                };
                out.push(Entry {
                    identity: contract_identity(&key, &first.importer, &last.imported),
                    code: r.kind.clone(),
                    message: format!("{}: {} -> {}", r.name, first.importer, last.imported),
                    reason: None,
                    expires: None,
                });
            }
        }
        for m in &r.undeclared_modules {
            out.push(Entry {
                identity: undeclared_identity(&key, m),
                code: archlint_contracts::codes::ExhaustiveLayers::CODE.into(),
                message: format!("{}: {m} is not a layer", r.name),
                reason: None,
                expires: None,
            });
        }
    }
    if let Some(d) = deps {
        for f in d.report.findings.iter().filter(|f| f.excepted.is_none()) {
            out.push(Entry {
                identity: dependency_identity(f.code, f.package.as_deref(), &f.message),
                code: f.code.to_owned(),
                message: f.message.clone(),
                reason: None,
                expires: None,
            });
        }
    }
    if let Some(r) = rules {
        for f in &r.outcome.findings {
            out.push(Entry {
                identity: rule_identity(f),
                code: f.code.to_owned(),
                message: format!("{}:{}: {}", f.path, f.line, f.message),
                reason: None,
                expires: None,
            });
        }
    }
    out.sort_by(|a, b| a.identity.cmp(&b.identity));
    out.dedup_by(|a, b| a.identity == b.identity);
    out
}

/// Write the baseline, keeping the reasons and expiry dates of entries that stay.
pub fn write(path: &Path, mut new: Vec<Entry>) -> Result<usize> {
    if let Ok(old) = load(path) {
        let kept: BTreeMap<String, Entry> = old
            .entries
            .into_iter()
            .map(|e| (e.identity.clone(), e))
            .collect();
        for e in &mut new {
            if let Some(o) = kept.get(&e.identity) {
                e.reason = o.reason.clone();
                e.expires = o.expires.clone();
            }
        }
    }
    let n = new.len();
    let text = serde_json::to_string_pretty(&Baseline {
        format: FORMAT,
        entries: new,
    })? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(n)
}

/// The largest baseline file read (a baseline of a million findings is ~200 MB of JSON).
const MAX_BASELINE_BYTES: u64 = 512 * 1024 * 1024;

pub fn load(path: &Path) -> Result<Baseline> {
    // A regular file of a sane size: `--baseline /dev/zero` must not read until memory runs out.
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        return Err(anyhow!("{}: not a regular file", path.display()));
    }
    if meta.len() > MAX_BASELINE_BYTES {
        return Err(anyhow!(
            "{}: {} bytes is larger than a baseline can be ({MAX_BASELINE_BYTES})",
            path.display(),
            meta.len()
        ));
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let b: Baseline = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}:{}: not a baseline file ({e})", path.display(), e.line()))?;
    if b.format != FORMAT {
        return Err(anyhow!(
            "{}: baseline format {} is not supported (expected {FORMAT}); run with --update-baseline",
            path.display(),
            b.format
        ));
    }
    for e in &b.entries {
        if let Some(x) = &e.expires
            && archlint_deps::parse_date(x).is_none()
        {
            return Err(anyhow!(
                "{}: entry {:?}: 'expires' must be YYYY-MM-DD",
                path.display(),
                e.identity
            ));
        }
    }
    Ok(b)
}

/// What a check's baseline did.
#[derive(Debug)]
pub struct Outcome {
    pub file: PathBuf,
    /// Entries written (with `update`).
    pub written: Option<usize>,
    /// What applying it did, when there is a baseline.
    pub applied: Option<Applied>,
}

/// The baseline of `analysis`: `file` (default: [`DEFAULT_FILE`] at the project root),
/// written from the findings first when `update`, then applied when it exists or was named.
pub fn apply_to(analysis: &mut Analysis, file: Option<&Path>, update: bool) -> Result<Outcome> {
    let path = file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| analysis.project.root.join(DEFAULT_FILE));
    let written = if update {
        Some(write(
            &path,
            entries(
                &analysis.results,
                analysis.deps.as_ref(),
                analysis.rules.as_ref(),
            ),
        )?)
    } else {
        None
    };
    let applied = if update || file.is_some() || path.is_file() {
        let baseline = load(&path)?;
        Some(apply(
            &baseline,
            &mut analysis.results,
            analysis.deps.as_mut(),
            analysis.rules.as_mut(),
            archlint_deps::today(),
        ))
    } else {
        None
    };
    Ok(Outcome {
        file: path,
        written,
        applied,
    })
}

impl Outcome {
    /// What to tell the user: the entries written, the findings accepted (unless `quiet`),
    /// and the entries that no longer occur (always; the first 20 listed).
    pub fn notes(&self, quiet: bool) -> Vec<String> {
        let mut out = Vec::new();
        let file = self.file.display();
        if let Some(n) = self.written {
            out.push(format!("archlint: wrote {n} findings to {file}"));
        }
        if let Some(a) = &self.applied
            && ((a.suppressed > 0 && !quiet) || !a.stale.is_empty())
        {
            out.push(format!(
                "archlint: baseline {file}: {} findings accepted; {} entries no longer occur{}",
                a.suppressed,
                a.stale.len(),
                if a.stale.is_empty() {
                    ""
                } else {
                    " (remove them with --update-baseline)"
                }
            ));
            out.extend(a.stale.iter().take(20).map(|s| format!("  gone: {s}")));
        }
        out
    }

    /// Baseline entries that no longer occur.
    pub fn has_stale(&self) -> bool {
        self.applied.as_ref().is_some_and(|a| !a.stale.is_empty())
    }
}

/// What applying a baseline did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Applied {
    /// Findings hidden because the baseline has them.
    pub suppressed: usize,
    /// Baseline entries that no longer occur.
    pub stale: Vec<String>,
}

/// The baseline's entries in force, and which of them this run's findings matched.
struct Matcher<'b> {
    active: BTreeMap<&'b str, &'b Entry>,
    used: std::collections::BTreeSet<String>,
    suppressed: usize,
}

impl<'b> Matcher<'b> {
    /// The baseline's entry for the finding with identity `id`, if any: the finding is then
    /// accepted (counted, and the entry marked as still in use).
    fn take(&mut self, id: String) -> Option<&'b Entry> {
        let entry = *self.active.get(id.as_str())?;
        self.suppressed += 1;
        self.used.insert(id);
        Some(entry)
    }
}

/// Remove baseline findings from the results (contracts broken only by them become kept) and
/// mark dependency findings as excepted.
pub fn apply(
    baseline: &Baseline,
    results: &mut [ContractResult],
    deps: Option<&mut DepsRun>,
    rules: Option<&mut RulesRun>,
    today: (i32, u32, u32),
) -> Applied {
    let active: BTreeMap<&str, &Entry> = baseline
        .entries
        .iter()
        .filter(|e| {
            e.expires
                .as_deref()
                .and_then(archlint_deps::parse_date)
                .is_none_or(|d| d >= today)
        })
        .map(|e| (e.identity.as_str(), e))
        .collect();
    let mut m = Matcher {
        active,
        used: Default::default(),
        suppressed: 0,
    };
    for r in results.iter_mut() {
        let key = contract_key(r);
        for v in &mut r.violations {
            v.routes.retain(|route| {
                let (Some(first), Some(last)) = (route.chain.first(), route.chain.last()) else {
                    return true;
                };
                m.take(contract_identity(&key, &first.importer, &last.imported))
                    .is_none()
            });
        }
        r.violations.retain(|v| !v.routes.is_empty());
        r.undeclared_modules
            .retain(|module| m.take(undeclared_identity(&key, module)).is_none());
        r.kept = r.violations.is_empty() && r.undeclared_modules.is_empty();
    }
    if let Some(d) = deps {
        for f in d
            .report
            .findings
            .iter_mut()
            .filter(|f| f.excepted.is_none())
        {
            if let Some(e) = m.take(dependency_identity(
                f.code,
                f.package.as_deref(),
                &f.message,
            )) {
                f.excepted = Some(e.reason.clone().unwrap_or_else(|| "in the baseline".into()));
            }
        }
        let count = |level: archlint_deps::Level| {
            d.report
                .findings
                .iter()
                .filter(|f| f.level == level && f.excepted.is_none())
                .count()
        };
        d.report.errors = count(archlint_deps::Level::Error);
        d.report.warnings = count(archlint_deps::Level::Warn);
        d.report.excepted = d
            .report
            .findings
            .iter()
            .filter(|f| f.excepted.is_some())
            .count();
    }
    if let Some(r) = rules {
        let before = r.outcome.findings.len();
        r.outcome
            .findings
            .retain(|f| m.take(rule_identity(f)).is_none());
        r.baselined = before - r.outcome.findings.len();
    }
    let mut applied = Applied {
        suppressed: m.suppressed,
        ..Applied::default()
    };
    let used = m.used;
    applied.stale = baseline
        .entries
        .iter()
        .filter(|e| !used.contains(&e.identity))
        .map(|e| e.identity.clone())
        .collect();
    applied
}
