//! Typed reading of contract options, with import-linter's validation rules and messages.

use std::collections::BTreeMap;
use std::fmt;

use archlint_graph::ModuleExpression;

pub use crate::config::AlertLevel;
use crate::config::{ContractConfig, RawValue};

/// A contract that cannot be checked: bad options, or modules that do not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub struct ContractError {
    /// The contract's name (or id).
    pub contract: String,
    /// The option at fault, when there is one.
    pub option: Option<String>,
    /// Line of the contract in its file, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "contract '{}'", self.contract)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        if let Some(option) = &self.option {
            write!(f, ", option '{option}'")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// An `importer -> imported` expression from `ignore_imports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportExpression {
    /// The text as written (normalised to `a -> b`).
    pub text: String,
    /// Importer side.
    pub importer: ModuleExpression,
    /// Imported side.
    pub imported: ModuleExpression,
}

/// Reads and validates one contract's options, collecting every error.
pub(crate) struct OptionReader<'a> {
    pub config: &'a ContractConfig,
    pub name: String,
    known: Vec<&'static str>,
    errors: BTreeMap<String, String>,
}

impl<'a> OptionReader<'a> {
    pub fn new(config: &'a ContractConfig, name: String) -> Self {
        Self {
            config,
            name,
            known: vec!["id", "name", "type"],
            errors: BTreeMap::new(),
        }
    }

    fn raw(&mut self, key: &'static str) -> Option<&'a RawValue> {
        self.known.push(key);
        self.config.options.get(key)
    }

    pub(crate) fn fail(&mut self, key: &str, message: impl Into<String>) {
        self.errors
            .entry(key.to_owned())
            .or_insert_with(|| message.into());
    }

    /// A list of strings; blank lines skipped. Required unless `optional`.
    pub fn list(&mut self, key: &'static str, required: bool) -> Vec<String> {
        match self.raw(key) {
            None => {
                if required {
                    self.fail(key, "This is a required field.");
                }
                Vec::new()
            }
            Some(RawValue::One(s)) => {
                if s.trim().is_empty() {
                    Vec::new()
                } else {
                    vec![s.clone()]
                }
            }
            Some(RawValue::Many(items)) => items
                .iter()
                .filter(|s| !s.trim().is_empty())
                .cloned()
                .collect(),
        }
    }

    pub fn string(&mut self, key: &'static str) -> Option<String> {
        match self.raw(key) {
            None => None,
            Some(RawValue::One(s)) => Some(s.clone()),
            Some(RawValue::Many(_)) => {
                self.fail(key, "Expected a single value, got multiple values.");
                None
            }
        }
    }

    pub fn text(&mut self, key: &'static str) -> Option<String> {
        match self.raw(key) {
            None => None,
            Some(RawValue::One(s)) => Some(s.clone()),
            Some(RawValue::Many(items)) => Some(items.join("\n")),
        }
    }

    pub fn boolean(&mut self, key: &'static str, default: bool) -> bool {
        match self.string(key) {
            None => default,
            Some(s) if s.eq_ignore_ascii_case("true") => true,
            Some(s) if s.eq_ignore_ascii_case("false") => false,
            Some(s) => {
                self.fail(key, format!("Could not parse a boolean from '{s}'."));
                default
            }
        }
    }

    pub fn integer(&mut self, key: &'static str, default: i64, minimum: i64) -> i64 {
        match self.string(key) {
            None => default,
            Some(s) => match s.trim().parse::<i64>() {
                Ok(v) if v >= minimum => v,
                Ok(_) => {
                    self.fail(key, format!("Must be >= {minimum}."));
                    default
                }
                Err(_) => {
                    self.fail(key, format!("'{s}' is not an integer."));
                    default
                }
            },
        }
    }

    pub fn alert_level(&mut self) -> AlertLevel {
        match self.string("unmatched_ignore_imports_alerting") {
            None => AlertLevel::Error,
            Some(s) => match s.trim() {
                "" | "error" => AlertLevel::Error,
                "warn" => AlertLevel::Warn,
                "none" => AlertLevel::None,
                other => {
                    self.fail(
                        "unmatched_ignore_imports_alerting",
                        format!("Invalid value '{other}': expected 'none', 'warn' or 'error'."),
                    );
                    AlertLevel::Error
                }
            },
        }
    }

    pub fn module_expressions(
        &mut self,
        key: &'static str,
        required: bool,
    ) -> Vec<ModuleExpression> {
        let items = self.list(key, required);
        let mut out = Vec::new();
        for item in items {
            match parse_module_expression(item.trim()) {
                Ok(e) => {
                    if !out.contains(&e) {
                        out.push(e)
                    }
                }
                Err(msg) => self.fail(key, msg),
            }
        }
        out
    }

    pub fn import_expressions(&mut self, key: &'static str) -> Vec<ImportExpression> {
        let items = self.list(key, false);
        let mut out: Vec<ImportExpression> = Vec::new();
        for item in items {
            let (importer, imported) = match item.split_once("->") {
                Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
                    (a.trim(), b.trim())
                }
                _ => {
                    self.fail(
                        key,
                        "Must be in the form \"package.importer -> package.imported\".",
                    );
                    continue;
                }
            };
            match (
                parse_module_expression(importer),
                parse_module_expression(imported),
            ) {
                (Ok(a), Ok(b)) => {
                    let text = format!("{a} -> {b}");
                    if !out.iter().any(|e| e.text == text) {
                        out.push(ImportExpression {
                            text,
                            importer: a,
                            imported: b,
                        });
                    }
                }
                (Err(m), _) | (_, Err(m)) => self.fail(key, m),
            }
        }
        out
    }

    /// Finish: unknown options are errors, like a misspelt optional field.
    pub fn finish(mut self) -> Result<(), ContractError> {
        let unknown: Vec<String> = self
            .config
            .options
            .keys()
            .filter(|k| !self.known.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in unknown {
            let mut message = "Unrecognized option.".to_owned();
            if let Some(close) = closest(&key, &self.known) {
                message.push_str(&format!(" Did you mean '{close}'?"));
            }
            self.fail(&key, message);
        }
        match self.errors.into_iter().next() {
            None => Ok(()),
            Some((option, message)) => Err(ContractError {
                contract: self.name,
                option: Some(option),
                line: self.config.line,
                message,
            }),
        }
    }

    pub fn error(&self, option: Option<&str>, message: impl Into<String>) -> ContractError {
        ContractError {
            contract: self.name.clone(),
            option: option.map(str::to_owned),
            line: self.config.line,
            message: message.into(),
        }
    }
}

/// Parse a module expression with import-linter's validation messages.
fn parse_module_expression(text: &str) -> Result<ModuleExpression, String> {
    ModuleExpression::parse(text).map_err(|e| {
        if e.wildcard {
            format!("{}.", e.reason)
        } else {
            format!("'{text}' is not a valid module expression: {}.", e.reason)
        }
    })
}

/// The known option closest to `key` (similar to difflib's cutoff of 0.6).
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (similarity(key, k), *k))
        .filter(|(s, _)| *s >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn similarity(a: &str, b: &str) -> f64 {
    // 2 * matches / total, with matches from the longest common subsequence.
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut dp = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in 0..a.len() {
        for j in 0..b.len() {
            dp[i + 1][j + 1] = if a[i] == b[j] {
                dp[i][j] + 1
            } else {
                dp[i][j + 1].max(dp[i + 1][j])
            };
        }
    }
    2.0 * dp[a.len()][b.len()] as f64 / (a.len() + b.len()).max(1) as f64
}
