//! archlint's reports: what a check found, written for people and for machines.
//!
//! The pipeline's last stage before the adapters: it takes an [`archlint_check::Analysis`] (and
//! the findings model built from it) and writes
//! - the text report ([`text`]): import-linter's shape with `file:line` for every import and a
//!   source snippet under the first ones ([`snippets`]), then the dependency and rules sections;
//! - the JSON report ([`json`]), written straight from the results so a report with thousands of
//!   routes is never copied into a JSON tree;
//! - SARIF, JUnit, GitHub annotations and the HTML page ([`formats`], [`html_page`]);
//! - import-linter's own `lint-imports` report, line for line ([`lint_imports`]);
//! - the cache counters ([`cache_text`]).
//!
//! Nothing here knows the command line or the terminal: colour, the console width and where the
//! text goes are the caller's.

pub mod cache_text;
pub mod deps_section;
pub mod deps_tables;
pub mod formats;
pub mod graph_formats;
pub mod html_page;
pub mod json;
pub mod lint_imports;
pub mod merge;
pub mod metrics;
pub mod rules_section;
pub mod snippets;
pub mod text;

pub use formats::{Format, Input, parse_output, render, write_file};
