//! License metadata normalized to SPDX: `License-Expression` (PEP 639) first, then a short
//! `License` field, then Trove classifiers, through our own alias table and the `spdx` crate's
//! lax parser. A bare `BSD` (or `GPL`, `Apache`, ...) is reported as ambiguous, never guessed.
//! [`LicensePolicy`] then judges the expression: `OR` passes when any side is allowed, `AND`
//! when all are.

mod aliases;

use serde::Serialize;

pub use aliases::{Alias, classifier as classifier_alias, name as name_alias};

/// Which metadata field the license came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseSource {
    LicenseExpression,
    LicenseField,
    Classifiers,
}

/// How sure we are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseStatus {
    /// A valid SPDX expression.
    Known,
    /// Names a family of licenses without saying which (`BSD`, `GPL`).
    Ambiguous,
    /// Nothing usable found.
    Unknown,
}

/// A distribution's license, as far as its metadata tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedLicense {
    pub status: LicenseStatus,
    /// Canonical SPDX expression, when known.
    pub expression: Option<String>,
    pub source: Option<LicenseSource>,
    /// What was read, shortened to its first line.
    pub raw: Option<String>,
    /// Why it is ambiguous or unknown, and where we looked.
    pub note: Option<String>,
}

/// The license fields of one distribution's metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct LicenseFields<'a> {
    pub license_expression: Option<&'a str>,
    pub license: Option<&'a str>,
    pub classifiers: &'a [String],
}

/// Words that name a license family, not a license; `spdx` would silently pick one.
const FAMILY_WORDS: &[&str] = &[
    "bsd", "gpl", "lgpl", "agpl", "apache", "mpl", "artistic", "afl",
];

/// Parse an SPDX expression strictly, or leniently (`/` for OR, `GPLv3+`, lower-case operators),
/// refusing family words. Returns the canonical form.
pub fn canonical_expression(text: &str) -> Result<String, String> {
    let text = text.trim();
    if spdx::Expression::parse(text).is_ok() {
        return Ok(text.to_owned());
    }
    let has_family_word = text
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '/' | ','))
        .any(|w| FAMILY_WORDS.contains(&w.to_ascii_lowercase().trim_end_matches('+')));
    if has_family_word {
        return Err(format!("{text:?} names a license family, not a license"));
    }
    match spdx::Expression::canonicalize(text) {
        Ok(Some(canonical)) => spdx::Expression::parse(&canonical)
            .map(|_| canonical)
            .map_err(|e| e.to_string()),
        Ok(None) => spdx::Expression::parse(text)
            .map(|_| text.to_owned())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(80).collect::<String>())
    } else {
        line.to_owned()
    }
}

fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t.eq_ignore_ascii_case("unknown")
        || t.eq_ignore_ascii_case("none")
        || t.eq_ignore_ascii_case("n/a")
}

/// A full license text pasted into the `License` field: recognise only unmistakable ones.
fn license_text(text: &str) -> Option<&'static str> {
    let squashed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if squashed.contains("Permission is hereby granted, free of charge") {
        Some("MIT")
    } else if squashed.contains("Apache License") && squashed.contains("Version 2.0") {
        Some("Apache-2.0")
    } else {
        None
    }
}

/// Resolve a distribution's license from its fields.
pub fn resolve(fields: LicenseFields<'_>) -> ResolvedLicense {
    let mut looked: Vec<String> = Vec::new();
    let mut ambiguous: Option<ResolvedLicense> = None;

    match fields.license_expression.filter(|e| !is_placeholder(e)) {
        Some(expr) => match canonical_expression(expr) {
            Ok(canonical) => {
                return ResolvedLicense {
                    status: LicenseStatus::Known,
                    expression: Some(canonical),
                    source: Some(LicenseSource::LicenseExpression),
                    raw: Some(first_line(expr)),
                    note: None,
                };
            }
            Err(e) => looked.push(format!(
                "License-Expression {expr:?} is not valid SPDX ({e})"
            )),
        },
        None => looked.push("no License-Expression".into()),
    }

    match fields.license.filter(|l| !is_placeholder(l)) {
        Some(text) => {
            let single_line = !text.trim().contains('\n') && text.trim().len() <= 100;
            let alias = if single_line {
                aliases::name(text)
            } else {
                None
            };
            let from_text = if single_line {
                None
            } else {
                license_text(text).or_else(|| match aliases::name(&first_line(text)) {
                    Some(Alias::Spdx(id)) => Some(id),
                    _ => None,
                })
            };
            let known = match alias {
                Some(Alias::Spdx(id)) => Some(id.to_owned()),
                Some(Alias::Ambiguous(why)) => {
                    ambiguous.get_or_insert(ResolvedLicense {
                        status: LicenseStatus::Ambiguous,
                        expression: None,
                        source: Some(LicenseSource::LicenseField),
                        raw: Some(first_line(text)),
                        note: Some(format!("License field: {why}")),
                    });
                    None
                }
                Some(Alias::Unknown) => None,
                None if single_line => match canonical_expression(text) {
                    Ok(c) => Some(c),
                    Err(e) if e.contains("license family") => {
                        ambiguous.get_or_insert(ResolvedLicense {
                            status: LicenseStatus::Ambiguous,
                            expression: None,
                            source: Some(LicenseSource::LicenseField),
                            raw: Some(first_line(text)),
                            note: Some(format!("License field: {e}")),
                        });
                        None
                    }
                    Err(_) => None,
                },
                None => from_text.map(str::to_owned),
            };
            if let Some(expression) = known {
                return ResolvedLicense {
                    status: LicenseStatus::Known,
                    expression: Some(expression),
                    source: Some(LicenseSource::LicenseField),
                    raw: Some(first_line(text)),
                    note: None,
                };
            }
            looked.push(format!("License {:?} not recognised", first_line(text)));
        }
        None => looked.push(match fields.license {
            Some(l) if !l.trim().is_empty() => format!("License is {:?}", l.trim()),
            _ => "no License field".into(),
        }),
    }

    let mut ids: Vec<&str> = Vec::new();
    let mut vague: Vec<&str> = Vec::new();
    for c in fields.classifiers {
        match aliases::classifier(c) {
            Some(Alias::Spdx(id)) => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Some(Alias::Ambiguous(why)) => vague.push(why),
            Some(Alias::Unknown) | None => {}
        }
    }
    if !ids.is_empty() {
        // Several license classifiers offer a choice.
        let expression = if ids.len() == 1 {
            ids[0].to_owned()
        } else {
            ids.iter()
                .map(|id| {
                    if id.contains(' ') {
                        format!("({id})")
                    } else {
                        (*id).to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        return ResolvedLicense {
            status: LicenseStatus::Known,
            expression: Some(expression),
            source: Some(LicenseSource::Classifiers),
            raw: Some(
                fields
                    .classifiers
                    .iter()
                    .filter(|c| c.starts_with("License ::"))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            note: None,
        };
    }
    if let Some(a) = ambiguous {
        return a;
    }
    if let Some(why) = vague.first() {
        return ResolvedLicense {
            status: LicenseStatus::Ambiguous,
            expression: None,
            source: Some(LicenseSource::Classifiers),
            raw: Some(
                fields
                    .classifiers
                    .iter()
                    .filter(|c| c.starts_with("License ::"))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            note: Some(format!("classifier: {why}")),
        };
    }
    looked.push(if fields.classifiers.is_empty() {
        "no license classifiers".into()
    } else {
        "no recognised license classifier".into()
    });
    ResolvedLicense {
        status: LicenseStatus::Unknown,
        expression: None,
        source: None,
        raw: None,
        note: Some(format!("looked at: {}", looked.join("; "))),
    }
}

/// Allow / deny / review lists of SPDX ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicensePolicy {
    /// When non-empty, only these pass; anything else is "not allowed".
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    /// Pass, but need a human look.
    pub review: Vec<String>,
}

/// The policy's judgement of one license.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict", content = "licenses")]
pub enum LicenseVerdict {
    Allowed,
    /// Passes only with licenses on the review list.
    Review(Vec<String>),
    /// Fails because of licenses on the deny list.
    Denied(Vec<String>),
    /// Fails because of licenses on neither list (when an allow list is given).
    NotAllowed(Vec<String>),
    /// Ambiguous or unknown: the policy cannot judge it.
    Unjudged,
}

impl LicenseVerdict {
    /// The verdict's name, as serialized: `allowed`, `review`, `denied`, `not-allowed`,
    /// `unjudged`.
    pub fn name(&self) -> &'static str {
        match self {
            LicenseVerdict::Allowed => "allowed",
            LicenseVerdict::Review(_) => "review",
            LicenseVerdict::Denied(_) => "denied",
            LicenseVerdict::NotAllowed(_) => "not-allowed",
            LicenseVerdict::Unjudged => "unjudged",
        }
    }
}

impl LicensePolicy {
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty() && self.review.is_empty()
    }

    /// Ids in the policy that are not SPDX license ids (typos, deprecated spellings).
    pub fn unknown_ids(&self) -> Vec<String> {
        self.allow
            .iter()
            .chain(&self.deny)
            .chain(&self.review)
            .filter(|id| {
                let id = id.trim_end_matches('+');
                spdx::license_id(id).is_none() && !id.starts_with("LicenseRef-")
            })
            .cloned()
            .collect()
    }

    fn listed(list: &[String], req: &spdx::LicenseReq) -> bool {
        let full = req.to_string();
        let base = match &req.license {
            spdx::LicenseItem::Spdx { id, .. } => id.name.to_owned(),
            other => other.to_string(),
        };
        list.iter()
            .any(|l| l.eq_ignore_ascii_case(&full) || l.eq_ignore_ascii_case(&base))
    }

    /// Judge a resolved license.
    pub fn judge(&self, license: &ResolvedLicense) -> LicenseVerdict {
        let Some(text) = license
            .expression
            .as_deref()
            .filter(|_| license.status == LicenseStatus::Known)
        else {
            return LicenseVerdict::Unjudged;
        };
        let Ok(expr) = spdx::Expression::parse_mode(text, spdx::ParseMode::LAX) else {
            return LicenseVerdict::Unjudged;
        };
        if self.is_empty() {
            return LicenseVerdict::Allowed;
        }
        let plain_ok = |r: &spdx::LicenseReq| {
            if Self::listed(&self.deny, r) || Self::listed(&self.review, r) {
                return false;
            }
            self.allow.is_empty() || Self::listed(&self.allow, r)
        };
        if expr.evaluate(plain_ok) {
            return LicenseVerdict::Allowed;
        }
        let leaves: Vec<&spdx::LicenseReq> = expr.requirements().map(|r| &r.req).collect();
        let names = |pred: &dyn Fn(&spdx::LicenseReq) -> bool| -> Vec<String> {
            let mut v: Vec<String> = leaves
                .iter()
                .filter(|r| pred(r))
                .map(|r| r.to_string())
                .collect();
            v.dedup();
            v
        };
        if expr.evaluate(|r| plain_ok(r) || Self::listed(&self.review, r)) {
            return LicenseVerdict::Review(names(&|r| Self::listed(&self.review, r)));
        }
        let denied = names(&|r| Self::listed(&self.deny, r));
        if !denied.is_empty() {
            return LicenseVerdict::Denied(denied);
        }
        LicenseVerdict::NotAllowed(names(&|r| !plain_ok(r) && !Self::listed(&self.review, r)))
    }
}

#[cfg(test)]
mod tests;
