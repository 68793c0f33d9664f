//! Watching a project: the file changes that call for checking again ([`Changes`]), and what
//! changed between two checks ([`State`], [`Delta`]) — the findings that appeared and
//! disappeared, and the contracts that could or could no longer be checked.
//!
//! `archlint check --watch` prints each [`Delta`]; `archlint serve` refreshes its page on each
//! change.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use archlint_check::Report;
use archlint_findings::Finding;

/// How long to wait for more events after one arrives, so a save that touches several files
/// (or writes one in several steps) is checked once.
const SETTLE: Duration = Duration::from_millis(150);

/// Whether a path lies in a directory no check reads (the cache, git, bytecode).
fn ignored(path: &Path) -> bool {
    path.components().any(|c| {
        let c = c.as_os_str();
        c == ".archlint_cache" || c == ".git" || c == "__pycache__"
    })
}

/// Files whose change means checking again: Python sources and configuration.
pub fn is_relevant(path: &Path) -> bool {
    if ignored(path) {
        return false;
    }
    match path.file_name().and_then(|n| n.to_str()) {
        Some(".importlinter" | "setup.cfg" | "pyproject.toml" | "archlint.toml") => true,
        Some(name) => name.ends_with(".py") || name.ends_with(".pyi"),
        None => false,
    }
}

/// A watcher on `root` and the channel its relevant changes arrive on.
pub struct Changes {
    _watcher: notify::RecommendedWatcher,
    events: mpsc::Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
}

impl Changes {
    pub fn watch(root: &Path) -> Result<Changes> {
        let (tx, events) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })
        .context("cannot watch for file changes")?;
        notify::Watcher::watch(&mut watcher, root, notify::RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", root.display()))?;
        Ok(Changes {
            _watcher: watcher,
            events,
            root: root.to_path_buf(),
        })
    }

    /// Block until relevant files changed; return them (relative to the root, sorted).
    pub fn next(&self) -> Result<Vec<String>> {
        let mut changed = std::collections::BTreeSet::new();
        loop {
            let event = self.events.recv().context("the file watcher stopped")?;
            self.collect(event, &mut changed);
            if changed.is_empty() {
                continue;
            }
            // Settle: take whatever else arrives shortly after.
            let deadline = Instant::now() + SETTLE;
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                match self.events.recv_timeout(left) {
                    Ok(event) => self.collect(event, &mut changed),
                    Err(mpsc::RecvTimeoutError::Timeout) => break,
                    Err(mpsc::RecvTimeoutError::Disconnected) => bail!("the file watcher stopped"),
                }
            }
            return Ok(changed.into_iter().collect());
        }
    }

    fn collect(
        &self,
        event: notify::Result<notify::Event>,
        changed: &mut std::collections::BTreeSet<String>,
    ) {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        // A directory created, removed or renamed adds or takes away a package and every file
        // in it, and the watcher reports only the directory (its name has no `.py`).
        let structural = matches!(
            event.kind,
            notify::EventKind::Create(_)
                | notify::EventKind::Remove(_)
                | notify::EventKind::Modify(notify::event::ModifyKind::Name(_))
        );
        for path in event.paths {
            let directory = structural
                && !ignored(&path)
                && (path.is_dir()
                    || matches!(
                        event.kind,
                        notify::EventKind::Create(notify::event::CreateKind::Folder)
                            | notify::EventKind::Remove(notify::event::RemoveKind::Folder)
                    )
                    || path.extension().is_none());
            if is_relevant(&path) || directory {
                changed.insert(archlint_engine::display_path(&self.root, &path));
            }
        }
    }
}

/// What one check found, as the next one is compared with it.
#[derive(Debug, Default)]
pub struct State {
    /// Active findings by identity (several findings may share one: numbered apart).
    findings: BTreeMap<String, Finding>,
    /// Contracts that could not be checked (a package deleted under a layer, a bad option),
    /// each as the line that says why: part of what changed, not dropped from the count.
    errors: BTreeSet<String>,
    /// `N findings; B of C contracts broken`.
    status: String,
}

impl State {
    /// The state of one check's report.
    pub fn new(report: &Report) -> State {
        let analysis = &report.analysis;
        let report = report.findings();
        let mut findings = BTreeMap::new();
        for f in report.active() {
            let mut key = f.identity.clone();
            let mut n = 1;
            while findings.contains_key(&key) {
                n += 1;
                key = format!("{}#{n}", f.identity);
            }
            findings.insert(key, f.clone());
        }
        let config = analysis
            .project
            .config
            .as_ref()
            .map(|c| format!("{}: ", c.path.display()))
            .unwrap_or_default();
        let errors = analysis
            .errors
            .iter()
            .map(|e| format!("{config}error: {e}"))
            .collect();
        let broken = analysis.results.iter().filter(|r| !r.kept).count();
        let could_not = match analysis.errors.len() {
            0 => String::new(),
            1 => ", 1 could not be checked".to_owned(),
            n => format!(", {n} could not be checked"),
        };
        let status = format!(
            "{} findings; {} of {} contracts broken{could_not}",
            report.active().count(),
            broken,
            analysis.results.len() + analysis.errors.len()
        );
        State {
            findings,
            errors,
            status,
        }
    }

    /// What changed from `self` to `now`.
    pub fn delta<'a>(&'a self, now: &'a State) -> Delta<'a> {
        Delta {
            added: now
                .findings
                .iter()
                .filter(|(k, _)| !self.findings.contains_key(*k))
                .map(|(_, f)| f)
                .collect(),
            gone: self
                .findings
                .iter()
                .filter(|(k, _)| !now.findings.contains_key(*k))
                .map(|(_, f)| f)
                .collect(),
            new_errors: now.errors.difference(&self.errors).collect(),
            fixed_errors: self.errors.difference(&now.errors).collect(),
            status: &now.status,
        }
    }
}

/// The difference between two checks.
#[derive(Debug)]
pub struct Delta<'a> {
    pub added: Vec<&'a Finding>,
    pub gone: Vec<&'a Finding>,
    pub new_errors: Vec<&'a String>,
    pub fixed_errors: Vec<&'a String>,
    /// The later check's status line.
    pub status: &'a str,
}

impl Delta<'_> {
    /// Nothing appeared or disappeared.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.gone.is_empty()
            && self.new_errors.is_empty()
            && self.fixed_errors.is_empty()
    }

    /// `+`/`-` lines for what appeared and disappeared, then the status.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for f in &self.added {
            let _ = writeln!(out, "  + {}", describe(f));
        }
        for f in &self.gone {
            let _ = writeln!(out, "  - {}", describe(f));
        }
        for e in &self.new_errors {
            let _ = writeln!(out, "  + {e}");
        }
        for e in &self.fixed_errors {
            let _ = writeln!(out, "  - {e}");
        }
        if self.is_empty() {
            let _ = writeln!(out, "  no change: {}", self.status);
        } else {
            let _ = writeln!(
                out,
                "  = {} (+{}, -{})",
                self.status,
                self.added.len() + self.new_errors.len(),
                self.gone.len() + self.fixed_errors.len()
            );
        }
        out
    }
}

/// `path:line: CODE: message`.
fn describe(f: &Finding) -> String {
    let at = match &f.location {
        Some(l) => match l.line {
            Some(line) => format!("{}:{line}: ", l.path),
            None => format!("{}: ", l.path),
        },
        None => String::new(),
    };
    format!("{at}{}: {}", f.code, f.message)
}

/// `a.py, b.py, c.py and 4 more`.
pub fn changed_summary(changed: &[String]) -> String {
    let shown: Vec<&str> = changed.iter().take(3).map(String::as_str).collect();
    let more = if changed.len() > 3 {
        format!(" and {} more", changed.len() - 3)
    } else {
        String::new()
    };
    shown.join(", ") + &more
}

#[cfg(test)]
mod tests {
    use super::*;
    use archlint_findings::{Check, Location, Severity};

    fn finding(identity: &str, line: u32) -> Finding {
        Finding {
            code: "forbidden".into(),
            severity: Severity::Error,
            message: format!("{identity} is not allowed"),
            help: None,
            location: Some(Location {
                path: "shop/api.py".into(),
                line: Some(line),
                column: None,
            }),
            chain: Vec::new(),
            related: Vec::new(),
            check: Check::Rule {
                code: "forbidden".into(),
            },
            identity: identity.into(),
            suppressed: None,
        }
    }

    fn state(findings: &[Finding], errors: &[&str]) -> State {
        State {
            findings: findings
                .iter()
                .enumerate()
                .map(|(i, f)| (format!("{}#{i}", f.identity), f.clone()))
                .collect(),
            errors: errors.iter().map(|e| (*e).to_owned()).collect(),
            status: format!("{} findings", findings.len()),
        }
    }

    #[test]
    fn only_sources_and_configuration_are_relevant() {
        for yes in [
            "shop/api.py",
            "stubs/x.pyi",
            "pyproject.toml",
            ".importlinter",
            "setup.cfg",
            "archlint.toml",
        ] {
            assert!(is_relevant(Path::new(yes)), "{yes}");
        }
        for no in [
            "README.md",
            ".archlint_cache/pack",
            ".git/HEAD.py",
            "shop/__pycache__/api.py",
            "shop/data.json",
        ] {
            assert!(!is_relevant(Path::new(no)), "{no}");
        }
    }

    #[test]
    fn a_delta_lists_what_appeared_and_disappeared() {
        let before = state(&[finding("a", 1), finding("b", 2)], &["cfg: error: x"]);
        let after = state(&[finding("a", 1), finding("c", 3)], &[]);
        let d = before.delta(&after);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.gone.len(), 1);
        assert_eq!(d.fixed_errors, vec!["cfg: error: x"]);
        assert_eq!(
            d.text(),
            "  + shop/api.py:3: forbidden: c is not allowed\n  - shop/api.py:2: forbidden: b is not allowed\n  - cfg: error: x\n  = 2 findings (+1, -2)\n"
        );
        let same = after.delta(&after);
        assert!(same.is_empty());
        assert_eq!(same.text(), "  no change: 2 findings\n");
    }

    #[test]
    fn changed_files_are_summarised_after_three() {
        let files: Vec<String> = (1..=5).map(|i| format!("m{i}.py")).collect();
        assert_eq!(changed_summary(&files[..2]), "m1.py, m2.py");
        assert_eq!(changed_summary(&files), "m1.py, m2.py, m3.py and 2 more");
    }
}
