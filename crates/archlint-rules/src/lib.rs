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
use serde::Serialize;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub path: String,
    pub line: u32,
    pub end_line: Option<u32>,
    pub message: String,
}

/// One rule violation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleFinding {
    /// The rule's stable code, e.g. `god-object`.
    pub code: &'static str,
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
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    /// Findings, sorted by path, line and code.
    pub findings: Vec<RuleFinding>,
    /// Findings silenced by `# archlint: ignore[...]` comments or per-file-ignores.
    pub suppressed: usize,
    /// Rules that ran.
    pub rules_run: Vec<&'static str>,
}

/// Shared state of one evaluation.
pub(crate) struct Ctx<'a> {
    pub modules: &'a [ModuleInput<'a>],
    pub config: &'a RulesConfig,
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
    let ctx = Ctx { modules, config };
    let mut raw: Vec<Raw> = Vec::new();
    for (m, _) in modules.iter().enumerate() {
        module_rules::check_module(&ctx, m, &mut raw);
    }
    if config.is_enabled(catalog::Recursion::CODE) {
        recursion::check(&ctx, &mut raw);
    }
    let mut suppressed = 0;
    if config.is_enabled(catalog::DuplicateCode::CODE) {
        suppressed += duplication::check(&ctx, &mut raw);
    }
    if config.is_enabled(catalog::PackageCycle::CODE) {
        coupling::check_cycles(&ctx, graph, &mut raw);
    }
    if config.is_enabled(catalog::MainSequenceDistance::CODE) {
        coupling::check_distance(&ctx, graph, &mut raw);
    }
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
    }
}

#[cfg(test)]
mod tests;
