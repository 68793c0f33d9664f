//! `archlint check --watch`: check, then re-check on every change, printing what changed.
//!
//! Re-checks go through the cache, so only the edited files are parsed again. After the first
//! full report, each re-check prints the findings that appeared (`+`) and disappeared (`-`) and
//! a one-line status.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use archlint_findings::{Finding, Report};

use crate::CheckArgs;
use crate::analysis::{Analysis, analyze, check_options};

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

/// One analysis with the baseline applied, and its findings model.
fn check_once(args: &CheckArgs) -> Result<(Analysis, Report, f64)> {
    let started = Instant::now();
    let mut a = analyze(check_options(args), args.project.quiet)?;
    let baseline_file = args
        .baseline
        .clone()
        .unwrap_or_else(|| a.project.root.join(archlint_check::baseline::DEFAULT_FILE));
    if args.baseline.is_some() || baseline_file.is_file() {
        let baseline = archlint_check::baseline::load(&baseline_file)?;
        archlint_check::baseline::apply(
            &baseline,
            &mut a.results,
            a.deps.as_mut(),
            a.rules.as_mut(),
            archlint_deps::today(),
        );
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let report = a.findings(ms / 1000.0);
    Ok((a, report, ms))
}

/// Active findings by identity (several findings may share one: numbered apart).
fn by_identity(report: &Report) -> BTreeMap<String, Finding> {
    let mut out = BTreeMap::new();
    for f in report.active() {
        let mut key = f.identity.clone();
        let mut n = 1;
        while out.contains_key(&key) {
            n += 1;
            key = format!("{}#{n}", f.identity);
        }
        out.insert(key, f.clone());
    }
    out
}

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

fn status(report: &Report, a: &Analysis) -> String {
    let broken = a.results.iter().filter(|r| !r.kept).count();
    let errors = match a.errors.len() {
        0 => String::new(),
        1 => ", 1 could not be checked".to_owned(),
        n => format!(", {n} could not be checked"),
    };
    format!(
        "{} findings; {} of {} contracts broken{errors}",
        report.active().count(),
        broken,
        a.results.len() + a.errors.len()
    )
}

/// Contracts that could not be checked (a package deleted under a layer, a bad option), each
/// as the line that says why: they are part of what changed, not dropped from the count.
fn contract_errors(a: &Analysis) -> std::collections::BTreeSet<String> {
    let config = a
        .project
        .config
        .as_ref()
        .map(|c| format!("{}: ", c.path.display()))
        .unwrap_or_default();
    a.errors
        .iter()
        .map(|e| format!("{config}error: {e}"))
        .collect()
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    if args.format.iter().any(|f| *f != crate::CheckFormat::Text)
        || args.output_dir.is_some()
        || !args.outputs.is_empty()
    {
        bail!(
            "--watch prints text to the terminal; it cannot be combined with --format, --output-dir or --output"
        );
    }
    if args.update_baseline {
        bail!("--watch cannot be combined with --update-baseline");
    }
    let root = match &args.project.path {
        Some(p) => p.clone(),
        None => std::env::current_dir()?,
    };
    let root = root.canonicalize().unwrap_or(root);
    // Watch first, so nothing saved during the first check is missed.
    let changes = Changes::watch(&root)?;
    let (a, report, ms) = check_once(args)?;
    {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        archlint_report::text::write(&mut out, crate::terminal::stdout_color(), &a, ms);
        writeln!(
            out,
            "archlint: watching {} for changes (Ctrl-C to stop)",
            root.display()
        )?;
        out.flush()?;
    }
    let mut previous = by_identity(&report);
    let mut previous_errors = contract_errors(&a);
    loop {
        let changed = changes.next()?;
        let shown: Vec<&str> = changed.iter().take(3).map(String::as_str).collect();
        let more = if changed.len() > 3 {
            format!(" and {} more", changed.len() - 3)
        } else {
            String::new()
        };
        let mut out = std::io::stdout().lock();
        match check_once(args) {
            Err(e) => {
                writeln!(
                    out,
                    "archlint: {} changed; cannot check: {e:#}",
                    shown.join(", ") + &more
                )?;
            }
            Ok((a, report, ms)) => {
                let now = by_identity(&report);
                let now_errors = contract_errors(&a);
                let new_errors: Vec<&String> = now_errors.difference(&previous_errors).collect();
                let fixed_errors: Vec<&String> = previous_errors.difference(&now_errors).collect();
                let added: Vec<&Finding> = now
                    .iter()
                    .filter(|(k, _)| !previous.contains_key(*k))
                    .map(|(_, f)| f)
                    .collect();
                let gone: Vec<&Finding> = previous
                    .iter()
                    .filter(|(k, _)| !now.contains_key(*k))
                    .map(|(_, f)| f)
                    .collect();
                writeln!(
                    out,
                    "archlint: {} changed; checked in {ms:.0} ms",
                    shown.join(", ") + &more
                )?;
                for f in &added {
                    writeln!(out, "  + {}", describe(f))?;
                }
                for f in &gone {
                    writeln!(out, "  - {}", describe(f))?;
                }
                for e in &new_errors {
                    writeln!(out, "  + {e}")?;
                }
                for e in &fixed_errors {
                    writeln!(out, "  - {e}")?;
                }
                if added.is_empty()
                    && gone.is_empty()
                    && new_errors.is_empty()
                    && fixed_errors.is_empty()
                {
                    writeln!(out, "  no change: {}", status(&report, &a))?;
                } else {
                    writeln!(
                        out,
                        "  = {} (+{}, -{})",
                        status(&report, &a),
                        added.len() + new_errors.len(),
                        gone.len() + fixed_errors.len()
                    )?;
                }
                previous = now;
                previous_errors = now_errors;
            }
        }
        out.flush()?;
    }
}
