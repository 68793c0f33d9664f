//! `archlint check --watch`: check, then re-check on every change, printing what changed.
//!
//! Re-checks go through the cache, so only the edited files are parsed again. After the first
//! full report, each re-check prints the findings that appeared (`+`) and disappeared (`-`) and
//! a one-line status ([`archlint_watch::Delta`]).

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use archlint_findings::Report;
use archlint_watch::{Changes, State, changed_summary};

use crate::CheckArgs;
use crate::analysis::{Analysis, analyze, check_options};

/// One analysis with the baseline applied, and its findings model.
fn check_once(args: &CheckArgs) -> Result<(Analysis, Report, f64)> {
    let started = Instant::now();
    let mut a = analyze(check_options(args), args.project.quiet)?;
    archlint_check::baseline::apply_to(&mut a, args.baseline.as_deref(), false)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let report = a.findings(ms / 1000.0);
    Ok((a, report, ms))
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
    let mut previous = State::new(&a, &report);
    loop {
        let changed = changed_summary(&changes.next()?);
        let mut out = std::io::stdout().lock();
        match check_once(args) {
            Err(e) => writeln!(out, "archlint: {changed} changed; cannot check: {e:#}")?,
            Ok((a, report, ms)) => {
                let now = State::new(&a, &report);
                writeln!(out, "archlint: {changed} changed; checked in {ms:.0} ms")?;
                out.write_all(previous.delta(&now).text().as_bytes())?;
                previous = now;
            }
        }
        out.flush()?;
    }
}
