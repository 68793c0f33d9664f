//! The dependency and license policy: `[tool.archlint.dependencies]` and
//! `[tool.archlint.licenses]` (or `[dependencies]` / `[licenses]` in archlint.toml).
//!
//! ```toml
//! [tool.archlint.dependencies]
//! approved = ["django>=4.2", "requests"]   # PEP 508 names with optional specifiers
//! forbidden = ["pycrypto", "urllib3<1.26"]
//! unapproved = "error"                     # or "warn" (default), "ignore"
//! transitive = true                        # the policy also covers what the declared pull in
//! requirements = ["requirements.txt"]      # default: pyproject.toml, requirements*.txt, locks
//! ignore = ["pip", "setuptools"]           # never checked
//! missing = "error"                        # imported but not declared: error (default) | warn | ignore
//! unused = "warn"                          # declared but never imported
//! exceptions = [
//!   { package = "leftpad", reason = "removal planned in Q1", expires = "2027-03-31" },
//! ]
//!
//! [tool.archlint.licenses]
//! allow = ["MIT", "BSD-3-Clause", "Apache-2.0"]
//! deny = ["AGPL-3.0-only"]
//! review = ["MPL-2.0"]
//! unknown = "warn"                         # unknown license: error | warn (default) | ignore
//! ambiguous = "warn"
//! ```

use crate::table::{PolicyError, parse_date};
use crate::vulns::VulnPolicy;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use archlint_licenses::LicensePolicy;
use pep440_rs::VersionSpecifiers;
use serde::Serialize;

/// How seriously a kind of finding is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ignore,
    Warn,
    Error,
}

impl Level {
    fn parse(key: &str, value: &toml::Value) -> Result<Level, String> {
        match value.as_str() {
            Some("error") => Ok(Level::Error),
            Some("warn") | Some("warning") => Ok(Level::Warn),
            Some("ignore") | Some("off") => Ok(Level::Ignore),
            _ => Err(format!("'{key}' must be \"error\", \"warn\" or \"ignore\"")),
        }
    }
}

/// A package name with optional version specifiers (`django>=4.2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRule {
    /// PEP 503-normalized.
    pub name: String,
    pub specifiers: Option<VersionSpecifiers>,
    pub text: String,
}

impl PackageRule {
    /// Parse `name[specifiers]`; names are validated.
    pub fn parse(text: &str) -> Result<PackageRule, String> {
        let req = archlint_inventory::parse_requirement(text)
            .map_err(|e| format!("{text:?} is not a package name with optional versions: {e}"))?;
        let specifiers = match req.version_or_url {
            None => None,
            Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) => {
                Some(VersionSpecifiers::from_str(&s.to_string()).map_err(|e| e.to_string())?)
            }
            Some(pep508_rs::VersionOrUrl::Url(_)) => {
                return Err(format!("{text:?}: a URL is not a version rule"));
            }
        };
        Ok(PackageRule {
            name: archlint_inventory::normalize_name(req.name.as_ref()),
            specifiers,
            text: text.trim().to_owned(),
        })
    }

    /// Whether an installed version satisfies the rule's specifiers (no specifiers: any).
    pub fn matches_version(&self, version: Option<&pep440_rs::Version>) -> bool {
        match (&self.specifiers, version) {
            (None, _) => true,
            (Some(s), Some(v)) => s.contains(v),
            (Some(_), None) => false,
        }
    }
}

/// A reasoned exception for one package, optionally limited to some finding codes and dated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exception {
    pub package: String,
    pub reason: String,
    /// `YYYY-MM-DD`; after it the exception no longer applies.
    pub expires: Option<String>,
    /// Finding codes it covers; empty means all.
    pub rules: Vec<String>,
}

/// Everything the dependency checks are configured with.
#[derive(Debug, Clone)]
pub struct DependencyPolicy {
    pub approved: Vec<PackageRule>,
    pub forbidden: Vec<PackageRule>,
    pub unapproved: Level,
    pub transitive: bool,
    pub requirements: Vec<PathBuf>,
    pub ignore: Vec<String>,
    pub missing: Level,
    pub unused: Level,
    pub exceptions: Vec<Exception>,
    pub licenses: LicensePolicy,
    pub unknown_license: Level,
    pub ambiguous_license: Level,
    /// `[tool.archlint.vulnerabilities]`.
    pub vulnerabilities: VulnPolicy,
    /// The file the policy came from, for messages.
    pub source: Option<PathBuf>,
}

impl Default for DependencyPolicy {
    fn default() -> Self {
        DependencyPolicy {
            approved: Vec::new(),
            forbidden: Vec::new(),
            unapproved: Level::Warn,
            transitive: true,
            requirements: Vec::new(),
            ignore: Vec::new(),
            missing: Level::Error,
            unused: Level::Warn,
            exceptions: Vec::new(),
            licenses: LicensePolicy::default(),
            unknown_license: Level::Warn,
            ambiguous_license: Level::Warn,
            vulnerabilities: VulnPolicy::default(),
            source: None,
        }
    }
}

fn strings(table: &str, key: &str, value: &toml::Value) -> Result<Vec<String>, String> {
    let err = || format!("[{table}] '{key}' must be a list of strings");
    value
        .as_array()
        .ok_or_else(err)?
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(err))
        .collect()
}

impl DependencyPolicy {
    /// Read the policy from the two tables (either may be absent). `file` names them in errors.
    pub fn from_tables(
        dependencies: Option<&toml::Table>,
        licenses: Option<&toml::Table>,
        file: Option<&Path>,
    ) -> Result<DependencyPolicy, PolicyError> {
        Self::from_all_tables(dependencies, licenses, None, file)
    }

    /// Read the policy from all three tables (any may be absent).
    pub fn from_all_tables(
        dependencies: Option<&toml::Table>,
        licenses: Option<&toml::Table>,
        vulnerabilities: Option<&toml::Table>,
        file: Option<&Path>,
    ) -> Result<DependencyPolicy, PolicyError> {
        let fail = |message: String| PolicyError {
            file: file.map(Path::to_owned),
            message,
        };
        let mut policy = DependencyPolicy {
            source: file.map(Path::to_owned),
            ..DependencyPolicy::default()
        };
        let mut unapproved_set = false;
        const T: &str = "tool.archlint.dependencies";
        for (key, value) in dependencies.into_iter().flatten() {
            match key.as_str() {
                "approved" | "forbidden" => {
                    let rules = strings(T, key, value)
                        .map_err(fail)?
                        .iter()
                        .map(|s| {
                            PackageRule::parse(s).map_err(|e| fail(format!("[{T}] '{key}': {e}")))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    if key == "approved" {
                        policy.approved = rules;
                    } else {
                        policy.forbidden = rules;
                    }
                }
                "unapproved" => {
                    policy.unapproved =
                        Level::parse(key, value).map_err(|e| fail(format!("[{T}] {e}")))?;
                    unapproved_set = true;
                }
                "missing" => {
                    policy.missing =
                        Level::parse(key, value).map_err(|e| fail(format!("[{T}] {e}")))?
                }
                "unused" => {
                    policy.unused =
                        Level::parse(key, value).map_err(|e| fail(format!("[{T}] {e}")))?
                }
                "transitive" => {
                    policy.transitive = value
                        .as_bool()
                        .ok_or_else(|| fail(format!("[{T}] 'transitive' must be true or false")))?;
                }
                "requirements" => {
                    policy.requirements = strings(T, key, value)
                        .map_err(fail)?
                        .into_iter()
                        .map(PathBuf::from)
                        .collect();
                    if let Some(bad) = policy.requirements.iter().find(|p| {
                        p.is_absolute()
                            || p.components().any(|c| c == std::path::Component::ParentDir)
                    }) {
                        return Err(fail(format!(
                            "[{T}] 'requirements': {} must be a path inside the project",
                            bad.display()
                        )));
                    }
                }
                "ignore" => {
                    policy.ignore = strings(T, key, value)
                        .map_err(fail)?
                        .iter()
                        .map(|n| {
                            if archlint_inventory::is_valid_name(n) {
                                Ok(archlint_inventory::normalize_name(n))
                            } else {
                                Err(fail(format!(
                                    "[{T}] 'ignore': {n:?} is not a valid package name"
                                )))
                            }
                        })
                        .collect::<Result<_, _>>()?;
                }
                "exceptions" => {
                    let items = value.as_array().ok_or_else(|| {
                        fail(format!("[{T}] 'exceptions' must be a list of tables"))
                    })?;
                    for (i, item) in items.iter().enumerate() {
                        let n = i + 1;
                        let t = item
                            .as_table()
                            .ok_or_else(|| fail(format!("[{T}] exception #{n} must be a table")))?;
                        let mut exception = Exception {
                            package: String::new(),
                            reason: String::new(),
                            expires: None,
                            rules: Vec::new(),
                        };
                        for (k, v) in t {
                            match k.as_str() {
                                "package" => {
                                    let name = v.as_str().filter(|s| archlint_inventory::is_valid_name(s)).ok_or_else(|| {
                                        fail(format!("[{T}] exception #{n}: 'package' must be a valid package name"))
                                    })?;
                                    exception.package = archlint_inventory::normalize_name(name);
                                }
                                "reason" => {
                                    exception.reason = v.as_str().unwrap_or("").trim().to_owned();
                                }
                                "expires" => {
                                    let text = match v {
                                        toml::Value::String(s) => s.clone(),
                                        toml::Value::Datetime(d) => d.to_string(),
                                        _ => String::new(),
                                    };
                                    if parse_date(&text).is_none() {
                                        return Err(fail(format!(
                                            "[{T}] exception #{n}: 'expires' must be a date (YYYY-MM-DD)"
                                        )));
                                    }
                                    exception.expires = Some(text);
                                }
                                "rules" => {
                                    exception.rules = strings(T, "rules", v).map_err(fail)?
                                }
                                other => {
                                    return Err(fail(format!(
                                        "[{T}] exception #{n}: unknown option '{other}' (package, reason, expires, rules)"
                                    )));
                                }
                            }
                        }
                        if exception.package.is_empty() {
                            return Err(fail(format!("[{T}] exception #{n} needs a 'package'")));
                        }
                        if exception.reason.is_empty() {
                            return Err(fail(format!(
                                "[{T}] exception #{n} ({}) needs a 'reason'",
                                exception.package
                            )));
                        }
                        policy.exceptions.push(exception);
                    }
                }
                other => {
                    return Err(fail(format!(
                        "[{T}] unknown option '{other}' (approved, forbidden, unapproved, transitive, requirements, ignore, missing, unused, exceptions)"
                    )));
                }
            }
        }
        if !unapproved_set && policy.approved.is_empty() {
            policy.unapproved = Level::Ignore;
        }
        const L: &str = "tool.archlint.licenses";
        for (key, value) in licenses.into_iter().flatten() {
            match key.as_str() {
                "allow" => policy.licenses.allow = strings(L, key, value).map_err(fail)?,
                "deny" => policy.licenses.deny = strings(L, key, value).map_err(fail)?,
                "review" => policy.licenses.review = strings(L, key, value).map_err(fail)?,
                "unknown" => {
                    policy.unknown_license =
                        Level::parse(key, value).map_err(|e| fail(format!("[{L}] {e}")))?
                }
                "ambiguous" => {
                    policy.ambiguous_license =
                        Level::parse(key, value).map_err(|e| fail(format!("[{L}] {e}")))?
                }
                other => {
                    return Err(fail(format!(
                        "[{L}] unknown option '{other}' (allow, deny, review, unknown, ambiguous)"
                    )));
                }
            }
        }
        policy.vulnerabilities = VulnPolicy::from_table(vulnerabilities, file)?;
        let unknown = policy.licenses.unknown_ids();
        if !unknown.is_empty() {
            return Err(fail(format!(
                "[{L}] not SPDX license ids: {} (use ids from the SPDX list, or LicenseRef-...)",
                unknown.join(", ")
            )));
        }
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn full_policy() {
        let deps = table(
            r#"approved = ["Django>=4.2", "requests"]
forbidden = ["pycrypto"]
unapproved = "error"
transitive = false
ignore = ["pip"]
exceptions = [{ package = "LeftPad", reason = "legacy", expires = 2027-03-31, rules = ["unapproved-package"] }]
"#,
        );
        let lic = table("allow = [\"MIT\"]\ndeny = [\"GPL-3.0-only\"]\nunknown = \"error\"\n");
        let p = DependencyPolicy::from_tables(Some(&deps), Some(&lic), None).unwrap();
        assert_eq!(p.approved[0].name, "django");
        assert!(p.approved[0].specifiers.is_some());
        assert_eq!(p.unapproved, Level::Error);
        assert!(!p.transitive);
        assert_eq!(p.exceptions[0].package, "leftpad");
        assert_eq!(p.exceptions[0].expires.as_deref(), Some("2027-03-31"));
        assert_eq!(p.unknown_license, Level::Error);
    }

    #[test]
    fn errors_name_the_option_and_file() {
        let file = Path::new("pyproject.toml");
        let cases = [
            ("approvd = []", "unknown option 'approvd'"),
            ("approved = [\"not a name!\"]", "'approved'"),
            ("unapproved = \"sometimes\"", "'unapproved' must be"),
            ("exceptions = [{ package = \"x\" }]", "needs a 'reason'"),
            (
                "exceptions = [{ package = \"x\", reason = \"r\", expires = \"soon\" }]",
                "'expires' must be a date",
            ),
            ("ignore = [\"../etc\"]", "not a valid package name"),
            ("requirements = [\"../outside.txt\"]", "inside the project"),
        ];
        for (text, expected) in cases {
            let err =
                DependencyPolicy::from_tables(Some(&table(text)), None, Some(file)).unwrap_err();
            assert!(err.to_string().starts_with("pyproject.toml: "), "{err}");
            assert!(err.to_string().contains(expected), "{text}: {err}");
        }
        let err = DependencyPolicy::from_tables(
            None,
            Some(&table("allow = [\"MIT\", \"Bogus-9\"]")),
            Some(file),
        )
        .unwrap_err();
        assert!(err.to_string().contains("Bogus-9"), "{err}");
    }

    #[test]
    fn unapproved_is_ignored_without_an_approved_list() {
        let p = DependencyPolicy::from_tables(None, None, None).unwrap();
        assert_eq!(p.unapproved, Level::Ignore);
    }
}
