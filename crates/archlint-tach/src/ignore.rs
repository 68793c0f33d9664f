//! `# tach-ignore` directives, as tach reads and applies them: a directive on an import's line
//! (or alone on the line above it) silences that line's findings — all of them, or those whose
//! imported path ends with one of the names listed after it — and a directive that silences
//! nothing is itself reported (`rules.unused_ignore_directives`), as is one without a reason
//! when reasons are required.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;

use crate::config::{RuleSetting, Rules};
use crate::diagnostic::{CodeDiagnostic, Diagnostic, DiagnosticDetails, Severity};

/// One directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Names after it (empty: everything on the line).
    pub modules: Vec<String>,
    /// The text in `tach-ignore(…)`.
    pub reason: String,
    /// Where it is written.
    pub line: u32,
    /// The line it applies to: its own, or the next when the comment stands alone.
    pub applies_to: u32,
}

/// A file's directives: one per line applied to, the others redundant.
#[derive(Debug, Clone, Default)]
pub struct Directives {
    by_line: BTreeMap<u32, Directive>,
    redundant: Vec<Directive>,
}

fn pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"# *tach-ignore(?:\(([^)]*)\))?((?:\s+[\w.]+)*)\s*$").expect("valid pattern")
    })
}

impl Directives {
    /// Read the directives from the lines holding `tach-ignore` (line number, text).
    pub fn read(lines: &[(u32, String)]) -> Directives {
        let mut out = Directives::default();
        for (line, text) in lines {
            let Some(captures) = pattern().captures(text) else {
                continue;
            };
            let reason = captures.get(1).map_or("", |m| m.as_str()).to_owned();
            let modules = captures
                .get(2)
                .map_or("", |m| m.as_str())
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            let applies_to = if text.trim_start().starts_with('#') {
                line + 1
            } else {
                *line
            };
            let directive = Directive {
                modules,
                reason,
                line: *line,
                applies_to,
            };
            if let std::collections::btree_map::Entry::Vacant(slot) = out.by_line.entry(applies_to)
            {
                slot.insert(directive);
            } else {
                out.redundant.push(directive);
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.by_line.is_empty() && self.redundant.is_empty()
    }

    /// Forget the directives on the line of an import that is not checked (a third-party or
    /// unresolved one): tach does not report those as unused.
    pub fn forget_line(&mut self, line: u32) {
        self.by_line.remove(&line);
        self.redundant.retain(|d| d.line != line);
    }

    /// Silence the findings the directives match and add the findings about the directives
    /// (tach's post-processing of one file's diagnostics).
    pub fn apply(&self, rules: &Rules, file: &str, diagnostics: &mut Vec<Diagnostic>) {
        let severity = RuleSetting::severity;
        let about =
            |directive: &Directive, severity: Severity, code: CodeDiagnostic| Diagnostic::Located {
                file_path: file.to_owned(),
                line_number: directive.line,
                original_line_number: None,
                severity,
                details: DiagnosticDetails::Code(code),
            };
        let mut matched: HashSet<usize> = HashSet::new();
        for directive in self.by_line.values() {
            if let Some(s) = severity(rules.require_ignore_directive_reasons)
                && directive.reason.is_empty()
            {
                diagnostics.push(about(
                    directive,
                    s,
                    CodeDiagnostic::MissingIgnoreDirectiveReason(),
                ));
            }
            // As tach: with unused directives not reported, nothing is matched (and so nothing
            // is silenced).
            let Some(s) = severity(rules.unused_ignore_directives) else {
                continue;
            };
            let mut found = false;
            for (index, d) in diagnostics.iter().enumerate() {
                if directive.matches(d) && !matched.contains(&index) {
                    matched.insert(index);
                    found = true;
                }
            }
            if !found {
                diagnostics.push(about(directive, s, CodeDiagnostic::UnusedIgnoreDirective()));
            }
        }
        let mut index = 0;
        diagnostics.retain(|_| {
            let keep = !matched.contains(&index);
            index += 1;
            keep
        });
        if let Some(s) = severity(rules.unused_ignore_directives) {
            for directive in &self.redundant {
                diagnostics.push(about(directive, s, CodeDiagnostic::UnusedIgnoreDirective()));
            }
        }
    }
}

impl Directive {
    fn matches(&self, diagnostic: &Diagnostic) -> bool {
        let Diagnostic::Located {
            line_number,
            original_line_number,
            details,
            ..
        } = diagnostic
        else {
            return false;
        };
        if self.applies_to != *line_number && Some(self.applies_to) != *original_line_number {
            return false;
        }
        if matches!(
            details,
            DiagnosticDetails::Code(
                CodeDiagnostic::UnusedIgnoreDirective()
                    | CodeDiagnostic::MissingIgnoreDirectiveReason()
            )
        ) {
            return false;
        }
        if self.modules.is_empty() {
            return true;
        }
        diagnostic
            .dependency()
            .is_none_or(|path| self.modules.iter().any(|m| path.ends_with(m.as_str())))
    }
}
