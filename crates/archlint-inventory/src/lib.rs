//! The installed Python environment, read straight from `*.dist-info` and `*.egg-info`
//! metadata in one parallel pass: no `pip` subprocess, no Python start-up when the layout says
//! enough.
//!
//! [`locate`] finds the environment and its package directories; [`read_inventory`] reads every
//! distribution in them into a [`DistInventory`]. Malformed metadata becomes a
//! [`MetadataProblem`] on that distribution, never an error for the whole run.

pub mod locate;
pub mod metadata;
mod names;
mod read;

use std::path::PathBuf;

use pep508_rs::{ExtraName, MarkerEnvironment, MarkerTree};
use serde::Serialize;

pub use locate::{Environment, EnvironmentSpec, locate};
pub use names::{
    import_names_from_record, is_valid_name, normalize_name, parse_marker, parse_requirement,
};
pub use read::{read_distribution, read_inventory};

/// Why an environment could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("{message}")]
    Environment { message: String },
}

/// Which metadata format a distribution was installed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetadataFormat {
    DistInfo,
    EggInfo,
}

/// How a distribution was installed, from `direct_url.json` (PEP 610).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum DirectUrl {
    /// `pip install -e`: the project directory is used in place.
    Editable { url: String },
    /// From a version-control URL.
    Vcs {
        url: String,
        vcs: String,
        commit: Option<String>,
    },
    /// From a local directory (not editable).
    Local { url: String },
    /// From an archive URL or file.
    Archive { url: String },
}

/// Where the import names of a distribution came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportNamesSource {
    TopLevel,
    Record,
    /// Neither file: the distribution's own name is assumed.
    Guessed,
}

/// Something wrong with one distribution's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetadataProblem {
    pub file: PathBuf,
    pub line: Option<u32>,
    pub message: String,
}

/// One `Requires-Dist` entry.
#[derive(Debug, Clone)]
pub struct DistRequirement {
    /// PEP 503-normalized name.
    pub name: String,
    /// Extras requested of the required distribution.
    pub extras: Vec<String>,
    pub marker: MarkerTree,
    pub raw: String,
}

impl DistRequirement {
    /// Whether the requirement applies in `env` when the distribution was installed with
    /// `extras`.
    pub fn is_active(&self, env: &MarkerEnvironment, extras: &[ExtraName]) -> bool {
        self.marker.evaluate(env, extras)
    }
}

/// One installed distribution.
#[derive(Debug, Clone, Serialize)]
pub struct Distribution {
    /// The name as its metadata spells it.
    pub name: String,
    /// PEP 503-normalized name (`Foo_Bar.baz` → `foo-bar-baz`).
    pub normalized: String,
    /// The version as written; `parsed_version` is `None` when it is not PEP 440.
    pub version: String,
    #[serde(skip)]
    pub parsed_version: Option<pep440_rs::Version>,
    pub metadata_version: Option<String>,
    pub summary: Option<String>,
    pub requires_python: Option<String>,
    #[serde(skip)]
    pub requires_dist: Vec<DistRequirement>,
    /// PEP 639 `License-Expression`.
    pub license_expression: Option<String>,
    /// The free-text `License` field, as `importlib.metadata` returns it.
    pub license: Option<String>,
    /// Trove classifiers under `License ::`.
    pub license_classifiers: Vec<String>,
    pub installer: Option<String>,
    pub direct_url: Option<DirectUrl>,
    /// Top-level import names this distribution provides.
    pub import_names: Vec<String>,
    pub import_names_from: ImportNamesSource,
    /// The `.dist-info` / `.egg-info` directory (or egg-info file).
    pub path: PathBuf,
    pub format: MetadataFormat,
    pub problems: Vec<MetadataProblem>,
}

impl Distribution {
    /// Whether it was installed in editable (develop) mode.
    pub fn is_editable(&self) -> bool {
        matches!(self.direct_url, Some(DirectUrl::Editable { .. }))
    }
}

/// Every distribution of an environment, first on the path wins (as for `pip list`).
#[derive(Debug, Clone)]
pub struct DistInventory {
    pub environment: Environment,
    /// Sorted by normalized name.
    pub distributions: Vec<Distribution>,
    /// Metadata directories that could not be read as a distribution at all (no name).
    pub unreadable: Vec<MetadataProblem>,
    pub elapsed_ms: f64,
}

impl DistInventory {
    /// The distribution with this (any-spelling) name.
    pub fn get(&self, name: &str) -> Option<&Distribution> {
        let normalized = normalize_name(name);
        self.distributions
            .binary_search_by(|d| d.normalized.as_str().cmp(&normalized))
            .ok()
            .map(|i| &self.distributions[i])
    }
}

#[cfg(test)]
mod tests;
