//! tach's reports: its JSON (`tach check --output json`) and its text, grouped and ordered as
//! tach prints them (without colours).

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Group, Severity};

/// The JSON `tach check --output json` prints for this outcome.
pub fn json(outcome: &Outcome) -> String {
    let value = match &outcome.stop {
        Some(stop) => stop.to_json(),
        None => serde_json::to_value(&outcome.diagnostics).unwrap_or_default(),
    };
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn footer(group: Group) -> Option<&'static str> {
    match group {
        Group::General | Group::Configuration => None,
        Group::Interface => Some(
            "If you intended to change an interface, edit the '[[interfaces]]' section of tach.toml.\n\
             Otherwise, remove any disallowed imports and consider refactoring.",
        ),
        Group::InternalDependency => Some(
            "If you intended to add a new dependency, run 'tach sync' to update your module configuration.\n\
             Otherwise, remove any disallowed imports and consider refactoring.",
        ),
        Group::ExternalDependency => Some(
            "Consider updating the corresponding pyproject.toml file,\n\
             or add the dependencies to the 'external.exclude' list in tach.toml.",
        ),
    }
}

fn line(d: &Diagnostic) -> String {
    let icon = match d.severity() {
        Severity::Error => "[FAIL]",
        Severity::Warning => "[WARN]",
    };
    let location = match (d.file_path(), d.line_number()) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        _ => format!("{:?}", d.severity()),
    };
    format!("{icon} {location}: {}", d.message())
}

/// The text report: groups in tach's order, warnings first in each, then by file; with
/// `exact`, the unused declared dependencies after them (which fail the check).
pub fn text(outcome: &Outcome, unused: &[(String, Vec<String>)]) -> String {
    if let Some(stop) = &outcome.stop {
        return stop.text();
    }
    let mut out = grouped(&outcome.diagnostics);
    if !unused.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("Unused Dependencies\n");
        for (path, deps) in unused {
            let list: Vec<String> = deps.iter().map(|d| format!("'{d}'")).collect();
            out.push_str(&format!(
                "[FAIL] '{path}' does not depend on: [{}]\n",
                list.join(", ")
            ));
        }
        out.push_str(
            "\nRemove the unused dependencies from tach.toml, or consider running 'tach sync' to \
             update module configuration and remove all unused dependencies.\n",
        );
        return out;
    }
    if !outcome.failed() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("All modules validated!");
    }
    out.push('\n');
    out
}

/// The text report of `tach check-external`: tach's one-line message for a stop, else the
/// grouped diagnostics.
pub fn external_text(outcome: &Outcome) -> String {
    if let Some(stop) = &outcome.stop {
        return stop.external_message() + "\n";
    }
    let mut out = grouped(&outcome.diagnostics);
    if !outcome.failed() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("All external dependencies validated!");
    }
    out.push('\n');
    out
}

/// Diagnostics grouped in tach's order of sections, warnings first in each, then by file
/// (the order within a file kept), each section with its footer.
fn grouped(diagnostics: &[Diagnostic]) -> String {
    let mut groups: Vec<(Group, Vec<&Diagnostic>)> = Vec::new();
    for d in diagnostics {
        match groups.iter_mut().find(|(g, _)| *g == d.group()) {
            Some((_, list)) => list.push(d),
            None => groups.push((d.group(), vec![d])),
        }
    }
    groups.sort_by_key(|(g, _)| *g);
    let mut parts = Vec::new();
    for (group, mut list) in groups {
        list.sort_by(|a, b| {
            b.severity()
                .cmp(&a.severity())
                .then_with(|| a.file_path().cmp(&b.file_path()))
        });
        let body = list.iter().map(|d| line(d)).collect::<Vec<_>>().join("\n");
        parts.push(match footer(group) {
            Some(f) => format!("{}\n{body}\n\n{f}", group.title()),
            None => format!("{}\n{body}", group.title()),
        });
    }
    parts.join("\n\n")
}
