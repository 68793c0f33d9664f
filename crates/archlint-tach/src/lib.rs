//! tach's configuration and `tach check`, on archlint's facts.
//!
//! [`config`] reads `tach.toml` / `[tool.tach]` unchanged; [`walk`] finds the files and modules
//! exactly as tach does; [`check`] runs tach's rules on each file's parsed imports and returns
//! tach's own diagnostics ([`diagnostic`]), so a report can be compared with `tach check
//! --output json` line for line. Parsing (and caching) is the caller's: this crate reads
//! `ModuleFacts` only. [`external`] is `tach check-external` on the same facts.

pub mod check;
pub mod config;
pub mod diagnostic;
pub mod external;
pub mod findings;
pub mod ignore;
pub mod report;
pub mod walk;

pub use check::{Checks, Outcome, Stop, check};
pub use config::{ConfigError, TachConfig, discover, load};
pub use diagnostic::{Diagnostic, Severity};
pub use external::{Environment, ExternalOutcome, check_external};
pub use walk::{Layout, TachFile, add_domains, walk};

#[cfg(test)]
mod tests;
