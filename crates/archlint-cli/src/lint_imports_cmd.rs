//! `archlint lint-imports`: import-linter's command line (the report is
//! [`archlint_report::lint_imports`]). Exit codes are import-linter's: 0 when every contract is
//! kept, 1 otherwise (broken contracts and configuration errors alike), 2 for a command-line
//! error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use archlint_report::lint_imports::{Options, console_width};

/// `lint-imports`' options.
#[derive(Debug, clap::Args)]
pub struct LintImportsArgs {
    /// Configuration file (default: setup.cfg, .importlinter or pyproject.toml in the current
    /// directory).
    #[arg(value_name = "CONFIG_FILES")]
    config_files: Vec<PathBuf>,
    /// The configuration file (import-linter's older spelling of CONFIG_FILES; given twice, the
    /// last one counts).
    #[arg(long, action = clap::ArgAction::Append)]
    config: Vec<PathBuf>,
    /// Limit the check to the contract with this id (repeatable).
    #[arg(long)]
    contract: Vec<String>,
    /// The directory to use for caching.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Disable caching.
    #[arg(long)]
    no_cache: bool,
    /// Accepted for compatibility (import-linter shows Python tracebacks).
    #[arg(long)]
    debug: bool,
    /// Show times taken to build the graph and to check each contract.
    #[arg(long)]
    show_timings: bool,
    /// Hide the logo at startup.
    #[arg(long)]
    no_logo: bool,
    /// Noisily output progress as we go along.
    #[arg(long)]
    verbose: bool,
    /// Run custom contract types (`contract_types`): Python classes from the checked project,
    /// run by its interpreter (also ARCHLINT_ALLOW_PLUGINS=1).
    #[arg(long)]
    allow_plugins: bool,
}

pub fn run(args: &LintImportsArgs) -> Result<ExitCode> {
    // `--config` is the first file (the last one given wins, as with import-linter), then the
    // arguments.
    let mut config_files: Vec<PathBuf> = args.config.last().into_iter().cloned().collect();
    config_files.extend(args.config_files.iter().cloned());
    let (text, kept) = archlint_report::lint_imports::run(&Options {
        config_files,
        contracts: args.contract.clone(),
        cache_dir: args.cache_dir.clone(),
        no_cache: args.no_cache,
        show_timings: args.show_timings,
        no_logo: args.no_logo,
        verbose: args.verbose,
        width: console_width(std::io::stdout().is_terminal()),
        plugins: archlint_check::plugins::PluginOptions {
            allow: crate::args::plugins_allowed(args.allow_plugins),
            ..Default::default()
        },
    });
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    Ok(if kept {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
