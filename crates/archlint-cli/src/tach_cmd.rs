//! `archlint check` on a project configured for tach: tach's reports, tach's exit status.

use std::process::ExitCode;

use anyhow::{Result, bail};
use archlint_check::CheckOptions;
use archlint_tach::TachConfig;

use crate::{CheckArgs, CheckFormat};

pub fn run(args: &CheckArgs, options: &CheckOptions, config: TachConfig) -> Result<ExitCode> {
    let format = args.format.first().copied().unwrap_or(CheckFormat::Text);
    if args.format.len() > 1 || !matches!(format, CheckFormat::Text | CheckFormat::Json) {
        bail!(
            "{}: a tach configuration is reported as text or json (--format text|json); \
             other formats come later",
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
    crate::terminal::print_diagnostics(&run.project);
    let text = match format {
        CheckFormat::Json => archlint_tach::report::json(&run.outcome) + "\n",
        _ => archlint_tach::report::text(&run.outcome),
    };
    print!("{text}");
    Ok(ExitCode::from(u8::from(run.outcome.failed())))
}
