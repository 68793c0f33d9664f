//! One findings model that every check produces and every renderer consumes.
//!
//! A [`Finding`] has a stable rule code, a severity, a location, a message, an optional help
//! line and, for import contracts, the chain of imports behind it. Its `identity` names *what*
//! is wrong without line numbers (contract + importer → imported, package + version + rule), so
//! baselines survive unrelated edits. Renderers ([`sarif`], [`junit`], [`github`]) know nothing
//! of the checks.

pub mod github;
pub mod junit;
pub mod sarif;

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// A place in a file (paths relative to the project root, `/`-separated).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    pub path: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// One import of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainStep {
    pub importer: String,
    pub imported: String,
    pub location: Option<Location>,
}

/// Another place a finding concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// Which check a finding comes from; each check is one test case in JUnit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Check {
    /// An architecture contract.
    Contract {
        id: Option<String>,
        name: String,
        contract_type: String,
    },
    /// A dependency policy area: `policy`, `licenses`, `vulnerabilities`, `declarations`,
    /// `metadata`.
    Dependencies { area: String },
    /// A code-structure rule (`god-object`, `duplicate-code`, …).
    Rule { code: String },
    /// Problems reading source files.
    Sources,
}

impl Check {
    /// A short, stable name.
    pub fn name(&self) -> String {
        match self {
            Check::Contract { name, .. } => name.clone(),
            Check::Dependencies { area } => format!("dependencies: {area}"),
            Check::Rule { code } => format!("rule: {code}"),
            Check::Sources => "source files".into(),
        }
    }
}

/// One thing wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule code, e.g. `layers`, `forbidden-package`, `syntax-error`.
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub location: Option<Location>,
    /// For contracts: the imports, first to last.
    pub chain: Vec<ChainStep>,
    /// Other places the finding concerns (the other copies of duplicated code, the steps of
    /// a cycle), each with what it is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    pub check: Check,
    /// What is wrong, independent of line numbers (for baselines and fingerprints).
    pub identity: String,
    /// Silenced by an exception or a baseline; the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

impl Finding {
    /// A short hash of the identity, for SARIF fingerprints.
    pub fn fingerprint(&self) -> String {
        let h = blake3::hash(self.identity.as_bytes());
        h.to_hex()[..16].to_owned()
    }
}

/// A check and whether it passed, for renderers that list every check (JUnit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    pub check: Check,
    pub passed: bool,
}

/// Everything one run found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tool_version: String,
    pub checks: Vec<CheckOutcome>,
    pub findings: Vec<Finding>,
    /// Wall time of the run in seconds.
    pub seconds: f64,
    /// Each finding code's one-line summary, from the catalog of the check that owns it.
    #[serde(skip)]
    pub descriptions: std::collections::BTreeMap<String, String>,
}

impl Report {
    /// Findings that count (not suppressed).
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    pub fn findings_of<'a>(&'a self, check: &'a Check) -> impl Iterator<Item = &'a Finding> {
        self.findings.iter().filter(move |f| &f.check == check)
    }
}

/// A finding code's one-line summary, for SARIF's rule list: from the catalog of the check
/// that reported it ([`Report::descriptions`]).
pub fn rule_description<'a>(report: &'a Report, code: &str) -> &'a str {
    report
        .descriptions
        .get(code)
        .map_or("archlint finding", String::as_str)
}

/// Escape text for XML (JUnit) and inline SVG: the five entities; control characters XML 1.0
/// cannot hold are dropped.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
