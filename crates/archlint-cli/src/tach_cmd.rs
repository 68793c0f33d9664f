//! `archlint check` on a project configured for tach: tach's reports (or archlint's CI formats
//! of the same findings), tach's exit status.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use archlint_check::CheckOptions;
use archlint_tach::TachConfig;

use crate::{CheckArgs, CheckExternalArgs, CheckFormat};

/// tach's warning about `<root>` named while `root_module = "ignore"`.
fn warn_ignored_root(config: &TachConfig) {
    if config.ignored_root_is_named() {
        eprintln!(
            "archlint: warning: {}: `root_module` is \"ignore\" (tach's default), but '<root>' \
             appears in the configuration; set it to \"allow\" or \"forbid\", or remove '<root>'",
            config.file.display()
        );
    }
}

pub fn run(args: &CheckArgs, options: &CheckOptions, config: TachConfig) -> Result<ExitCode> {
    let started = Instant::now();
    let format = args.format.first().copied().unwrap_or(CheckFormat::Text);
    let unsupported = if args.format.len() > 1 || format == CheckFormat::Html {
        Some("--format html, or several formats")
    } else if !args.outputs.is_empty() || args.output_dir.is_some() {
        Some("--output / --output-dir")
    } else if args.baseline.is_some() || args.update_baseline {
        Some("baselines")
    } else {
        None
    };
    if let Some(what) = unsupported {
        bail!(
            "{}: {what} are not available for a tach configuration yet (use --format \
             text|json|sarif|junit|github on standard output)",
            config.file.display()
        );
    }
    if !args.project.quiet {
        warn_ignored_root(&config);
        for key in &config.without_effect {
            eprintln!(
                "archlint: note: {}: `{key}` does not change what `tach check` finds; not used",
                config.file.display()
            );
        }
    }
    let run = archlint_check::tach::run(options, config)?;
    print_file_problems(archlint_check::tach::file_problems(&run.layout, &run.facts));
    let findings =
        || archlint_tach::findings::report(&run.outcome, started.elapsed().as_secs_f64());
    let text = match format {
        CheckFormat::Json => archlint_tach::report::json(&run.outcome) + "\n",
        CheckFormat::Sarif => {
            serde_json::to_string_pretty(&archlint_findings::sarif::sarif(&findings()))? + "\n"
        }
        CheckFormat::Junit => archlint_findings::junit::junit(&findings()),
        CheckFormat::Github => archlint_findings::github::annotations(&findings()),
        _ => {
            // tach reports `exact`'s unused dependencies in its text report only.
            let unused = if run.outcome.stop.is_some() {
                Vec::new()
            } else {
                run.unused_dependencies()?
            };
            let text = archlint_tach::report::text(&run.outcome, &unused);
            print!("{text}");
            let failed = run.outcome.failed() || !unused.is_empty();
            leave(run);
            return Ok(ExitCode::from(u8::from(failed)));
        }
    };
    print!("{text}");
    let failed = run.outcome.failed();
    leave(run);
    Ok(ExitCode::from(u8::from(failed)))
}

/// What could not be read or parsed, with file and line, on standard error (tach's report
/// names the file only).
fn print_file_problems(problems: Vec<String>) {
    for line in problems {
        eprintln!("{line}");
    }
}

/// The process ends next: what a run holds (every file's facts) is left to the operating
/// system rather than freed piece by piece, which on a large tree is tens of milliseconds on
/// one thread.
fn leave<T>(run: T) {
    std::mem::forget(run);
}

/// `archlint check-external`: tach's `check-external` on the project's tach configuration.
pub fn run_external(args: &CheckExternalArgs) -> Result<ExitCode> {
    let started = Instant::now();
    if args.format == CheckFormat::Html {
        bail!(
            "--format html is not available for check-external (use text, json, sarif, junit or github)"
        );
    }
    let options = CheckOptions {
        env: archlint_check::deps::EnvOptions {
            python: args.python.clone(),
            venv: args.venv.clone(),
            ..Default::default()
        },
        ..crate::args::check_options(
            &args.project,
            &crate::args::EnvArgs::default(),
            archlint_check::Run::Never,
            archlint_check::Run::Never,
        )
    };
    let config = match archlint_check::tach::select_for_external(&options)? {
        Some(config) => config,
        None => bail!(
            "no tach configuration found (tach.toml, or [tool.tach] in pyproject.toml); \
             check-external runs tach's check on one"
        ),
    };
    if !args.project.quiet {
        warn_ignored_root(&config);
    }
    let run = archlint_check::tach::run_external(&options, config)?;
    if !args.project.quiet {
        for note in &run.outcome.notes {
            eprintln!("archlint: note: {note}");
        }
        if run.environment.is_none() {
            eprintln!(
                "archlint: note: no Python environment found (--python, --venv, VIRTUAL_ENV, \
                 .venv, python3): each import's top-level name is taken as its distribution's"
            );
        }
    }
    print_file_problems(archlint_check::tach::file_problems(&run.layout, &run.facts));
    let outcome = &run.outcome.outcome;
    let findings =
        || archlint_tach::findings::external_report(outcome, started.elapsed().as_secs_f64());
    let text = match args.format {
        CheckFormat::Json => archlint_tach::report::json(outcome) + "\n",
        CheckFormat::Sarif => {
            serde_json::to_string_pretty(&archlint_findings::sarif::sarif(&findings()))? + "\n"
        }
        CheckFormat::Junit => archlint_findings::junit::junit(&findings()),
        CheckFormat::Github => archlint_findings::github::annotations(&findings()),
        _ => archlint_tach::report::external_text(outcome),
    };
    print!("{text}");
    Ok(ExitCode::from(u8::from(outcome.failed())))
}
