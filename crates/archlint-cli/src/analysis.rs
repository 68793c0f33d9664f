//! `archlint check`: the command line turned into the check library's options, and the
//! results into reports.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use archlint_check::{CheckOptions, Report, Run};
use archlint_engine::{Project, ProjectOptions};

use crate::args::{ProjectArgs, cache_flags};
use archlint_report::Format;

use crate::CheckArgs;

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Load the project named by the command-line arguments.
pub fn load_project(args: &ProjectArgs, require_config: bool) -> Result<Project> {
    archlint_engine::load_project(&ProjectOptions {
        path: args.path.clone(),
        config: args.config.clone(),
        require_config,
        cache: cache_flags(args),
        ..Default::default()
    })
}

/// `archlint check`.
pub fn run_check(args: &CheckArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let options = check_options(args);
    if let Some(tach) = archlint_check::tach::select(&options)? {
        return crate::tach_cmd::run(args, &options, tach);
    }
    let outputs = Outputs::new(args)?;
    let report = check(options, args.project.quiet)?;
    if let Some(baseline) = &report.baseline {
        for note in baseline.notes(args.project.quiet) {
            eprintln!("{note}");
        }
    }
    if args.stats {
        crate::terminal::cache_stats(&report.analysis.project.cache);
    }
    let reporting = Instant::now();
    outputs.write(&report)?;
    let report_ms = ms(reporting);
    let perf_log = args.perf_log.clone().or_else(|| {
        std::env::var_os("ARCHLINT_PERF_LOG")
            .filter(|v| !v.is_empty())
            .map(Into::into)
    });
    if let Some(log) = perf_log {
        let record = archlint_check::perf::record(&report.analysis, report_ms, ms(started));
        if let Err(e) = archlint_perf::append(&log, &record) {
            eprintln!("archlint: warning: cannot append to {}: {e}", log.display());
        }
    }
    let exit = ExitCode::from(report.status(args.strict_baseline).code());
    // The process ends right after: the operating system takes the project's memory back at
    // once, where dropping it would free its hundreds of thousands of allocations one by one
    // (a tenth of a warm run on a 50k-module tree).
    std::mem::forget(report);
    Ok(exit)
}

/// Where each report goes: files (`--output`, `--output-dir`) and standard output.
struct Outputs {
    files: Vec<(Format, std::path::PathBuf)>,
    stdout: Format,
    html_template: Option<String>,
}

impl Outputs {
    /// The report options, checked before any work is done.
    fn new(args: &CheckArgs) -> Result<Outputs> {
        let mut files: Vec<(Format, std::path::PathBuf)> = args
            .outputs
            .iter()
            .map(|o| archlint_report::parse_output(o))
            .collect::<Result<_>>()?;
        let mut formats: Vec<Format> = Vec::new();
        for &f in &args.format {
            if !formats.contains(&f.into()) {
                formats.push(f.into());
            }
        }
        if formats.len() > 1 && args.output_dir.is_none() {
            let names: Vec<&str> = formats.iter().map(|f| f.name()).collect();
            bail!(
                "--format {}: several formats need --output-dir DIR (or --output FORMAT=PATH for each)",
                names.join(",")
            );
        }
        let html_template = match &args.html_template {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("--html-template {}: {e}", path.display()))?,
            ),
            None => None,
        };
        if let Some(dir) = &args.output_dir {
            for &f in &formats {
                files.push((f, dir.join(f.file_name())));
            }
        }
        let stdout = if args.output_dir.is_some() {
            Format::Text
        } else {
            formats[0]
        };
        Ok(Outputs {
            files,
            stdout,
            html_template,
        })
    }

    /// Write every report: the files, the diagnostics (stderr), the report on standard output,
    /// then the contracts' warnings and errors (stderr).
    fn write(&self, report: &Report) -> Result<()> {
        let input = archlint_report::Input {
            report,
            html_template: self.html_template.as_deref(),
        };
        for (format, path) in &self.files {
            archlint_report::write_file(path, &archlint_report::render(*format, &input)?)?;
        }
        let analysis = &report.analysis;
        crate::terminal::print_diagnostics(&analysis.project);
        {
            let stdout = std::io::stdout();
            // One write per buffer, not per line (stdout is line-buffered).
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
            if self.stdout == Format::Text {
                let color = crate::terminal::stdout_color();
                archlint_report::text::write(&mut out, color, report);
            } else {
                let text = archlint_report::render(self.stdout, &input)?;
                std::io::Write::write_all(&mut out, text.as_bytes())?;
            }
            std::io::Write::flush(&mut out)?;
        }
        crate::terminal::print_errors(&analysis.project, &analysis.results, &analysis.errors);
        Ok(())
    }
}

/// What `archlint check` analyses: its flags, no facts kept, something to check required.
pub fn check_options(args: &CheckArgs) -> CheckOptions {
    CheckOptions {
        contracts: args.contracts.clone(),
        require_checks: true,
        baseline: Some(archlint_check::BaselineOptions {
            file: args.baseline.clone(),
            update: args.update_baseline,
        }),
        plugins: archlint_check::plugins::PluginOptions {
            allow: crate::args::plugins_allowed(args.allow_plugins),
            python: args.env.python.clone(),
            venv: args.env.venv.clone(),
            timeout: None,
        },
        ..crate::args::check_options(
            &args.project,
            &args.env,
            Run::from_flags(args.deps, args.no_deps),
            Run::from_flags(args.rules, args.no_rules),
        )
    }
}

/// Run the check, with a progress display on the terminal while files are read (unless
/// `quiet`).
pub fn check(mut options: CheckOptions, quiet: bool) -> Result<Report> {
    let counter = std::sync::Arc::new(archlint_engine::Progress::default());
    let display = crate::progress::Display::start(&counter, crate::progress::wanted(quiet));
    options.progress = Some(counter);
    let report = archlint_check::check(&options);
    display.finish();
    report
}
