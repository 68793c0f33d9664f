//! OSV range semantics for PEP 440 versions.

use std::str::FromStr;

use pep440_rs::Version;
use serde::{Deserialize, Serialize};

use crate::{Event, PackageAdvisory};

/// A known vulnerability of an installed version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vulnerability {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    /// The smallest fixed version above the installed one, when the advisory names one.
    pub fixed: Option<String>,
}

fn parse(v: &str) -> Option<Version> {
    Version::from_str(v).ok()
}

/// The version an event is about; `introduced: "0"` is below every version.
fn event_version(e: &Event) -> Option<Version> {
    match e {
        Event::Introduced(v) if v == "0" => Some(Version::new([0])),
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) => parse(v),
    }
}

/// Whether `advisory` affects `version` (`raw` is the version as installed, for the explicit
/// list). Per the OSV schema: the explicit `versions` list, or any range whose events, sorted
/// by version, leave the version affected.
pub fn affects(advisory: &PackageAdvisory, version: &Version, raw: &str) -> bool {
    if advisory
        .versions
        .iter()
        .any(|v| v == raw || parse(v).is_some_and(|p| &p == version))
    {
        return true;
    }
    advisory.ranges.iter().any(|events| {
        let mut sorted: Vec<(Version, &Event)> = events
            .iter()
            .filter_map(|e| event_version(e).map(|v| (v, e)))
            .collect();
        // Stable: at one version, file order decides (introduced before fixed).
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut affected = false;
        for (at, event) in &sorted {
            match event {
                Event::Introduced(_) if version >= at => affected = true,
                Event::Fixed(_) if version >= at => affected = false,
                Event::LastAffected(_) if version > at => affected = false,
                _ => {}
            }
        }
        affected
    })
}

/// The smallest `fixed` version above `version`, across the advisory's ranges.
pub fn smallest_fix_above(advisory: &PackageAdvisory, version: &Version) -> Option<String> {
    advisory
        .ranges
        .iter()
        .flatten()
        .filter_map(|e| match e {
            Event::Fixed(v) => parse(v).filter(|p| p > version).map(|p| (p, v.clone())),
            _ => None,
        })
        .min_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, raw)| raw)
}
