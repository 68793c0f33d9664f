//! What an online service answers about one package, whichever service asked it (the index's
//! JSON API or an OSV service).

use archlint_advisories::Vulnerability;
use serde::{Deserialize, Serialize};

/// License fields the index reports for a release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexLicense {
    pub license_expression: Option<String>,
    pub license: Option<String>,
    pub classifiers: Vec<String>,
}

/// What asking about one package gave.
pub(crate) enum Answer {
    /// Vulnerabilities, license fields, and the release's metadata (`info`, description removed).
    Vulns(
        Vec<Vulnerability>,
        Option<IndexLicense>,
        Option<serde_json::Value>,
    ),
    NotFound,
    Failed(String),
}
