//! `archlint check --watch`: check, then re-check on every change, printing what changed.
//!
//! Re-checks go through the cache, so only the edited files are parsed again. After the first
//! full report, each re-check prints the findings that appeared (`+`) and disappeared (`-`) and
//! a one-line status ([`archlint_watch::Delta`]).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use archlint_watch::{Changes, State, changed_summary};

use crate::CheckArgs;
use crate::analysis::{check, check_options};

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
    let report = check(check_options(args), args.project.quiet)?;
    {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        archlint_report::text::write(&mut out, crate::terminal::stdout_color(), &report);
        writeln!(
            out,
            "archlint: watching {} for changes (Ctrl-C to stop)",
            root.display()
        )?;
        out.flush()?;
    }
    let mut previous = State::new(&report);
    loop {
        let changed = changed_summary(&changes.next()?);
        let mut out = std::io::stdout().lock();
        match check(check_options(args), args.project.quiet) {
            Err(e) => writeln!(out, "archlint: {changed} changed; cannot check: {e:#}")?,
            Ok(report) => {
                let now = State::new(&report);
                let ms = report.ms;
                writeln!(out, "archlint: {changed} changed; checked in {ms:.0} ms")?;
                out.write_all(previous.delta(&now).text().as_bytes())?;
                previous = now;
            }
        }
        out.flush()?;
    }
}
