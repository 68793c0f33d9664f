//! `archlint check` on a project configured for tach: tach's reports (or archlint's CI formats
//! of the same findings), tach's exit status.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use archlint_check::CheckOptions;
use archlint_tach::TachConfig;

use crate::{CheckArgs, CheckFormat};

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
        for key in &config.without_effect {
            eprintln!(
                "archlint: note: {}: `{key}` does not change what `tach check` finds; not used",
                config.file.display()
            );
        }
    }
    let run = archlint_check::tach::run(options, config)?;
    // What could not be read or parsed, with file and line (tach's report names the file only).
    for (file, facts) in run.layout.files.iter().zip(&run.facts) {
        for d in &facts.diagnostics {
            let line = d.line.map(|l| format!(":{l}")).unwrap_or_default();
            let severity = format!("{:?}", d.severity).to_lowercase();
            eprintln!(
                "{}{line}: {severity}[{}]: {}",
                file.relative, d.code, d.message
            );
        }
    }
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
            return Ok(ExitCode::from(u8::from(
                run.outcome.failed() || !unused.is_empty(),
            )));
        }
    };
    print!("{text}");
    Ok(ExitCode::from(u8::from(run.outcome.failed())))
}
