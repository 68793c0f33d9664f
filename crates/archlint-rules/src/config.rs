//! `[tool.archlint.rules]`: which rules run, their thresholds and where they are ignored.
//!
//! ```toml
//! [tool.archlint.rules]
//! ignore = ["magic-number"]                 # or select = [...] to run only some
//! per-file-ignores = { "tests/**" = ["assertion-density", "magic-number"] }
//!
//! [tool.archlint.rules.complex-function]
//! max-complexity = 12
//!
//! [tool.archlint.rules.main-sequence-distance]
//! enabled = true
//! ```

use globset::{Glob, GlobMatcher};
use std::collections::BTreeSet;

use crate::catalog::{self, RULES};

/// A problem in the rules table.
#[derive(Debug, thiserror::Error)]
#[error("[tool.archlint.rules]: {0}")]
pub struct ConfigError(pub String);

fn err<T>(message: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError(message.into()))
}

/// The rules' settings.
#[derive(Debug, Clone)]
pub struct RulesConfig {
    /// Ordered, so the settings' `Debug` form is a stable fingerprint.
    enabled: BTreeSet<&'static str>,
    per_file_ignores: Vec<(String, GlobMatcher, Vec<String>)>,
    pub god_max_methods: u32,
    pub god_max_lines: u32,
    pub god_max_attributes: u32,
    pub max_function_lines: u32,
    pub max_parameters: u32,
    pub max_positional: u32,
    pub max_depth: u32,
    pub max_complexity: u32,
    pub allowed_numbers: Vec<f64>,
    pub max_string_repeats: u32,
    pub ignored_strings: Vec<String>,
    pub assertion_modules: Vec<archlint_graph::ModuleExpression>,
    pub min_assertions: f64,
    pub duplicate_min_tokens: u32,
    pub duplicate_min_lines: u32,
    pub cycle_depth: usize,
    pub distance_depth: usize,
    pub distance_min_modules: usize,
    pub max_distance: f64,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            enabled: RULES
                .iter()
                .map(|r| r.code)
                .filter(|c| *c != catalog::MainSequenceDistance::CODE)
                .collect(),
            per_file_ignores: Vec::new(),
            god_max_methods: 20,
            god_max_lines: 500,
            god_max_attributes: 15,
            max_function_lines: 60,
            max_parameters: 6,
            max_positional: 4,
            max_depth: 4,
            max_complexity: 10,
            allowed_numbers: vec![-1.0, 0.0, 1.0, 2.0],
            max_string_repeats: 2,
            ignored_strings: vec![String::new(), "__main__".into()],
            assertion_modules: Vec::new(),
            min_assertions: 2.0,
            duplicate_min_tokens: 60,
            duplicate_min_lines: 6,
            cycle_depth: 2,
            distance_depth: 2,
            distance_min_modules: 3,
            max_distance: 0.7,
        }
    }
}

fn known(code: &str) -> Result<&'static str, ConfigError> {
    match catalog::rule(code) {
        Some(r) => Ok(r.code),
        None => err(format!(
            "unknown rule '{code}' (rules: {})",
            RULES.iter().map(|r| r.code).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn strings(key: &str, value: &toml::Value) -> Result<Vec<String>, ConfigError> {
    match value.as_array() {
        Some(items) => items
            .iter()
            .map(|v| match v.as_str() {
                Some(s) => Ok(s.to_owned()),
                None => err(format!("'{key}' must be a list of strings")),
            })
            .collect(),
        None => err(format!("'{key}' must be a list of strings")),
    }
}

fn count(rule: &str, key: &str, value: &toml::Value) -> Result<u32, ConfigError> {
    match value.as_integer() {
        Some(n) if (0..=u32::MAX as i64).contains(&n) => Ok(n as u32),
        _ => err(format!(
            "{rule}: '{key}' must be a whole number ≥ 0, not {value}"
        )),
    }
}

fn number(rule: &str, key: &str, value: &toml::Value) -> Result<f64, ConfigError> {
    match value {
        toml::Value::Integer(n) => Ok(*n as f64),
        toml::Value::Float(f) if f.is_finite() => Ok(*f),
        _ => err(format!("{rule}: '{key}' must be a number, not {value}")),
    }
}

impl RulesConfig {
    /// Read the table; unknown keys and rules are errors, so typos never pass silently.
    pub fn from_table(table: &toml::Table) -> Result<Self, ConfigError> {
        let mut config = RulesConfig::default();
        if let Some(select) = table.get("select") {
            let mut enabled = BTreeSet::new();
            for code in strings("select", select)? {
                enabled.insert(known(&code)?);
            }
            config.enabled = enabled;
        }
        for (key, value) in table {
            match key.as_str() {
                "select" => {}
                "ignore" => {
                    for code in strings("ignore", value)? {
                        config.enabled.remove(known(&code)?);
                    }
                }
                "per-file-ignores" => {
                    let Some(map) = value.as_table() else {
                        return err("'per-file-ignores' must be a table of glob = [codes]");
                    };
                    for (pattern, codes) in map {
                        let glob = Glob::new(pattern).map_err(|e| {
                            ConfigError(format!("per-file-ignores: bad glob '{pattern}': {e}"))
                        })?;
                        let codes = strings(&format!("per-file-ignores.\"{pattern}\""), codes)?;
                        for code in &codes {
                            if code != "*" {
                                known(code)?;
                            }
                        }
                        config.per_file_ignores.push((
                            pattern.clone(),
                            glob.compile_matcher(),
                            codes,
                        ));
                    }
                }
                code => {
                    let code = known(code)?;
                    let Some(options) = value.as_table() else {
                        return err(format!("'{code}' must be a table of options"));
                    };
                    config.rule_options(code, options)?;
                }
            }
        }
        Ok(config)
    }

    fn rule_options(
        &mut self,
        code: &'static str,
        options: &toml::Table,
    ) -> Result<(), ConfigError> {
        for (key, value) in options {
            if key == "enabled" {
                match value.as_bool() {
                    Some(true) => {
                        self.enabled.insert(code);
                    }
                    Some(false) => {
                        self.enabled.remove(code);
                    }
                    None => return err(format!("{code}: 'enabled' must be true or false")),
                }
                continue;
            }
            match (code, key.as_str()) {
                ("god-object", "max-methods") => self.god_max_methods = count(code, key, value)?,
                ("god-object", "max-lines") => self.god_max_lines = count(code, key, value)?,
                ("god-object", "max-attributes") => {
                    self.god_max_attributes = count(code, key, value)?
                }
                ("long-function", "max-lines") => {
                    self.max_function_lines = count(code, key, value)?
                }
                ("too-many-parameters", "max-parameters") => {
                    self.max_parameters = count(code, key, value)?
                }
                ("too-many-positional", "max-positional") => {
                    self.max_positional = count(code, key, value)?
                }
                ("deep-nesting", "max-depth") => self.max_depth = count(code, key, value)?,
                ("complex-function", "max-complexity") => {
                    self.max_complexity = count(code, key, value)?
                }
                ("magic-number", "allowed") => {
                    let Some(items) = value.as_array() else {
                        return err(format!("{code}: 'allowed' must be a list of numbers"));
                    };
                    self.allowed_numbers = items
                        .iter()
                        .map(|v| number(code, key, v))
                        .collect::<Result<_, _>>()?;
                }
                ("repeated-string", "max-repeats") => {
                    self.max_string_repeats = count(code, key, value)?
                }
                ("repeated-string", "ignore") => {
                    self.ignored_strings = strings(&format!("{code}.ignore"), value)?
                }
                ("assertion-density", "modules") => {
                    self.assertion_modules = strings(&format!("{code}.modules"), value)?
                        .iter()
                        .map(|m| archlint_graph::ModuleExpression::parse(m))
                        .collect::<Result<_, _>>()
                        .map_err(|e| ConfigError(format!("{code}.modules: {e}")))?
                }
                ("assertion-density", "min-per-function") => {
                    self.min_assertions = number(code, key, value)?
                }
                ("duplicate-code", "min-tokens") => {
                    let n = count(code, key, value)?;
                    let floor = archlint_facts::MIN_BLOCK_TOKENS;
                    if n < floor {
                        return err(format!("{code}: 'min-tokens' must be at least {floor}"));
                    }
                    self.duplicate_min_tokens = n;
                }
                ("duplicate-code", "min-lines") => {
                    self.duplicate_min_lines = count(code, key, value)?
                }
                ("package-cycle", "depth") => {
                    self.cycle_depth = count(code, key, value)?.max(1) as usize
                }
                ("main-sequence-distance", "depth") => {
                    self.distance_depth = count(code, key, value)?.max(1) as usize
                }
                ("main-sequence-distance", "min-modules") => {
                    self.distance_min_modules = count(code, key, value)? as usize
                }
                ("main-sequence-distance", "max-distance") => {
                    self.max_distance = number(code, key, value)?
                }
                _ => return err(format!("{code}: unknown option '{key}'")),
            }
        }
        Ok(())
    }

    /// Whether the rule runs at all.
    pub fn is_enabled(&self, code: &str) -> bool {
        self.enabled.contains(code)
    }

    /// The per-file-ignores entry that silences `code` in the file at `path` (relative,
    /// `/`-separated), if any.
    pub fn ignored_in(&self, code: &str, path: &str) -> Option<&str> {
        self.per_file_ignores
            .iter()
            .find(|(_, glob, codes)| {
                codes.iter().any(|c| c == "*" || c == code) && glob.is_match(path)
            })
            .map(|(pattern, _, _)| pattern.as_str())
    }

    /// A fingerprint of every setting, for caching results: the `Debug` form, stable because
    /// every collection in it is ordered.
    pub fn fingerprint(&self) -> String {
        format!("{self:?}")
    }
}
