//! Code-structure rules evaluated on cached [`ModuleFacts`]: god objects, long and complex
//! functions, connascence of position and meaning, a NASA Power-of-Ten subset, duplicated code
//! and package coupling.
//!
//! Nothing here sees a syntax tree: the parser records what the rules need, the cache keeps
//! it, and a warm run evaluates every rule from those facts. See [`catalog`] for the rules and
//! their documentation, [`config`] for `[tool.archlint.rules]`.

pub mod catalog;
pub mod config;
mod coupling;
mod duplication;
mod module_rules;
mod recursion;

use std::ops::RangeInclusive;

use archlint_facts::ModuleFacts;
use archlint_graph::ImportGraph;
use serde::{Deserialize, Deserializer, Serialize};

/// Version of the rules' logic and of [`Outcome`]'s stored form: part of the key of cached
/// findings, so a changed rule never serves findings computed by the old one.
pub const RESULTS_VERSION: u32 = 2;

/// A rule's code: one of the catalog's strings. (An alias, so serde does not try to borrow
/// it from the input when reading stored findings back.)
pub type RuleCode = &'static str;

/// A rule code read back as the catalog's own `&'static str`.
fn static_code<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let code = String::deserialize(d)?;
    rule(&code)
        .map(|r| r.code)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown rule {code}")))
}

fn static_codes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
    let codes = Vec::<String>::deserialize(d)?;
    codes
        .iter()
        .map(|code| {
            rule(code)
                .map(|r| r.code)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown rule {code}")))
        })
        .collect()
}

pub use catalog::{RULES, RuleInfo, rule};
pub use config::{ConfigError, RulesConfig};
pub use coupling::{PackageCycle, PackageMetrics, package_cycles, package_metrics};

/// One module handed to the rules.
#[derive(Debug, Clone, Copy)]
pub struct ModuleInput<'a> {
    /// Dotted module name.
    pub module: &'a str,
    /// Path relative to the project root, `/`-separated.
    pub path: &'a str,
    /// The module is a package's `__init__.py`.
    pub is_package: bool,
    pub facts: &'a ModuleFacts,
}

/// Another place a finding concerns (the other copies of duplicated code, the other steps
/// of a cycle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub path: String,
    pub line: u32,
    pub end_line: Option<u32>,
    pub message: String,
}

/// One rule violation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleFinding {
    /// The rule's stable code, e.g. `god-object`.
    #[serde(deserialize_with = "static_code")]
    pub code: RuleCode,
    pub path: String,
    pub module: String,
    pub line: u32,
    pub column: Option<u32>,
    pub end_line: Option<u32>,
    pub message: String,
    pub help: Option<String>,
    /// What the finding is about without line numbers (a qualified name, a literal, a
    /// content hash), so baselines survive unrelated edits.
    pub symbol: String,
    pub related: Vec<Related>,
}

impl RuleFinding {
    /// `code:module:symbol`.
    pub fn identity(&self) -> String {
        format!("{}:{}:{}", self.code, self.module, self.symbol)
    }
}

/// What the rules found.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// Findings, sorted by path, line and code.
    pub findings: Vec<RuleFinding>,
    /// Findings silenced by `# archlint: ignore[...]` comments or per-file-ignores.
    pub suppressed: usize,
    /// Rules that ran.
    #[serde(deserialize_with = "static_codes")]
    pub rules_run: Vec<RuleCode>,
    /// Milliseconds per stage: `modules` (the per-module rules), `recursion`, `duplication`,
    /// `coupling`. Not stored: findings read back took no time.
    #[serde(skip)]
    pub timings_ms: Vec<(RuleCode, f64)>,
}

impl Outcome {
    /// The stored form (postcard, like the facts).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Read the stored form back; `None` for anything that is not a complete outcome.
    pub fn from_bytes(bytes: &[u8]) -> Option<Outcome> {
        match postcard::take_from_bytes::<Outcome>(bytes) {
            Ok((outcome, [])) => Some(outcome),
            _ => None,
        }
    }
}

/// Shared state of one evaluation.
pub(crate) struct Ctx<'a> {
    pub modules: &'a [ModuleInput<'a>],
    pub config: &'a RulesConfig,
    /// Module name → index into `modules`.
    pub by_name: rustc_hash::FxHashMap<&'a str, usize>,
}

impl Ctx<'_> {
    /// Whether a finding of `code` in module `m` whose lines are `lines` is silenced.
    pub fn suppressed(&self, m: usize, code: &str, lines: RangeInclusive<u32>) -> bool {
        let input = &self.modules[m];
        let facts = &input.facts.code;
        let covers = |codes: &Vec<String>| codes.is_empty() || codes.iter().any(|c| c == code);
        facts.file_suppressions.iter().any(covers)
            || facts
                .suppressions
                .iter()
                .any(|(line, codes)| lines.contains(line) && covers(codes))
            || self.config.ignored_in(code, input.path).is_some()
    }
}

/// A finding under construction, with the lines a suppression comment may sit on.
pub(crate) struct Raw {
    pub module: usize,
    pub finding: RuleFinding,
    pub anchor: RangeInclusive<u32>,
}

/// Run every enabled rule.
pub fn check(modules: &[ModuleInput], graph: &ImportGraph, config: &RulesConfig) -> Outcome {
    let ctx = Ctx {
        modules,
        config,
        by_name: modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.module, i))
            .collect(),
    };
    let mut raw: Vec<Raw> = Vec::new();
    let mut timings_ms = Vec::new();
    let mut stage = |name: &'static str, started: std::time::Instant| {
        timings_ms.push((name, started.elapsed().as_secs_f64() * 1000.0));
    };
    let started = std::time::Instant::now();
    for (m, _) in modules.iter().enumerate() {
        module_rules::check_module(&ctx, m, &mut raw);
    }
    stage("modules", started);
    let started = std::time::Instant::now();
    if config.is_enabled(catalog::Recursion::CODE) {
        recursion::check(&ctx, &mut raw);
    }
    stage("recursion", started);
    let started = std::time::Instant::now();
    let mut suppressed = 0;
    if config.is_enabled(catalog::DuplicateCode::CODE) {
        suppressed += duplication::check(&ctx, &mut raw);
    }
    stage("duplication", started);
    let started = std::time::Instant::now();
    if config.is_enabled(catalog::PackageCycle::CODE) {
        coupling::check_cycles(&ctx, graph, &mut raw);
    }
    if config.is_enabled(catalog::MainSequenceDistance::CODE) {
        coupling::check_distance(&ctx, graph, &mut raw);
    }
    stage("coupling", started);
    let mut findings = Vec::with_capacity(raw.len());
    for r in raw {
        if ctx.suppressed(r.module, r.finding.code, r.anchor.clone()) {
            suppressed += 1;
        } else {
            findings.push(r.finding);
        }
    }
    findings.sort_by(|a, b| {
        (a.path.as_str(), a.line, a.code, a.column).cmp(&(
            b.path.as_str(),
            b.line,
            b.code,
            b.column,
        ))
    });
    Outcome {
        findings,
        suppressed,
        rules_run: RULES
            .iter()
            .map(|r| r.code)
            .filter(|c| config.is_enabled(c))
            .collect(),
        timings_ms,
    }
}

#[cfg(test)]
mod tests;
