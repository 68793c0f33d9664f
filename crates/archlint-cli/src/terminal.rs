//! What belongs to the terminal: colour, and the reports' companions on standard error.

use std::io::IsTerminal;

use archlint_contracts::{ContractError, ContractResult};
use archlint_engine::{CacheReport, Project};

/// Whether text on standard output should be coloured: only on a terminal, never with
/// `NO_COLOR` set (to anything non-empty, as no-color.org asks).
pub fn stdout_color() -> bool {
    std::io::stdout().is_terminal() && !no_color()
}

/// The same for standard error.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && !no_color()
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Warnings and unreadable-file diagnostics, with snippets, on standard error.
pub fn print_diagnostics(project: &Project) {
    eprint!(
        "{}",
        archlint_report::text::diagnostics(project, stderr_color())
    );
}

/// Contract warnings and configuration errors, on standard error.
pub fn print_errors(project: &Project, results: &[ContractResult], errors: &[ContractError]) {
    eprint!(
        "{}",
        archlint_report::text::contract_problems(project, results, errors)
    );
}

/// `--stats`: what the cache did, on stderr.
pub fn cache_stats(report: &CacheReport) {
    eprint!("{}", archlint_report::cache_text::cache_report_text(report));
    if let Some(mb) = archlint_perf::peak_rss_mb() {
        eprintln!("peak memory: {mb:.1} MB");
    }
}
