//! `pyproject.toml`: `[project] dependencies`, `[project.optional-dependencies]` and PEP 735
//! `[dependency-groups]` (with `{include-group = "..."}`), each entry with its line.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::{DeclarationError, Declarations, Group, Origin, from_pep508, line_at, normalize};

/// Parse a `pyproject.toml`'s declarations.
pub fn parse_pyproject(path: &Path, text: &str) -> Declarations {
    let mut out = Declarations {
        files: vec![path.to_owned()],
        ..Declarations::default()
    };
    let origin = |offset: usize| Origin {
        file: path.to_owned(),
        line: line_at(text, offset),
    };
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            out.errors.push(DeclarationError {
                origin: origin(offset),
                message: format!("invalid TOML: {}", e.message()),
            });
            return out;
        }
    };
    let root = root.get_ref();
    if let Some(project) = root.get("project").map(Spanned::get_ref) {
        if let Some(name) = project.get("name").and_then(|n| n.get_ref().as_str()) {
            out.project_name = Some(normalize(name));
        }
        if let Some(deps) = project.get("dependencies") {
            strings(deps, "project.dependencies", Group::Main, &origin, &mut out);
        }
        if let Some(optional) = project.get("optional-dependencies") {
            match optional.get_ref().as_table() {
                Some(table) => {
                    for (extra, deps) in table {
                        strings(
                            deps,
                            &format!("project.optional-dependencies.{}", extra.get_ref()),
                            Group::Extra(extra.get_ref().to_string()),
                            &origin,
                            &mut out,
                        );
                    }
                }
                None => out.errors.push(DeclarationError {
                    origin: origin(optional.span().start),
                    message: "project.optional-dependencies must be a table".into(),
                }),
            }
        }
    }
    if let Some(groups) = root.get("dependency-groups") {
        match groups.get_ref().as_table() {
            Some(table) => {
                for (name, _) in table {
                    let mut seen = Vec::new();
                    group(
                        table,
                        name.get_ref(),
                        name.get_ref(),
                        &origin,
                        &mut out,
                        &mut seen,
                    );
                }
            }
            None => out.errors.push(DeclarationError {
                origin: origin(groups.span().start),
                message: "dependency-groups must be a table".into(),
            }),
        }
    }
    out
}

/// An array of PEP 508 strings.
fn strings(
    value: &Spanned<DeValue<'_>>,
    what: &str,
    group: Group,
    origin: &dyn Fn(usize) -> Origin,
    out: &mut Declarations,
) {
    let Some(items) = value.get_ref().as_array() else {
        out.errors.push(DeclarationError {
            origin: origin(value.span().start),
            message: format!("{what} must be an array of strings"),
        });
        return;
    };
    for item in items {
        match item.get_ref().as_str() {
            Some(s) => match from_pep508(s, group.clone(), origin(item.span().start)) {
                Ok(r) => out.requirements.push(r),
                Err(e) => out.errors.push(DeclarationError {
                    origin: origin(item.span().start),
                    message: format!(
                        "{what}: {} is not a valid requirement: {}",
                        crate::excerpt(s),
                        crate::short_message(&e.to_string())
                    ),
                }),
            },
            None => out.errors.push(DeclarationError {
                origin: origin(item.span().start),
                message: format!("{what} must contain only strings"),
            }),
        }
    }
}

/// One dependency group, following `include-group` (PEP 735 names compare normalized).
fn group(
    table: &DeTable<'_>,
    name: &str,
    owner: &str,
    origin: &dyn Fn(usize) -> Origin,
    out: &mut Declarations,
    seen: &mut Vec<String>,
) {
    let wanted = normalize(name);
    if seen.contains(&wanted) {
        return;
    }
    seen.push(wanted.clone());
    let Some((_, items)) = table.iter().find(|(k, _)| normalize(k.get_ref()) == wanted) else {
        return;
    };
    let what = format!("dependency-groups.{owner}");
    let Some(array) = items.get_ref().as_array() else {
        out.errors.push(DeclarationError {
            origin: origin(items.span().start),
            message: format!("{what} must be an array"),
        });
        return;
    };
    for item in array {
        match item.get_ref() {
            DeValue::String(s) => {
                match from_pep508(
                    s,
                    Group::DependencyGroup(owner.to_owned()),
                    origin(item.span().start),
                ) {
                    Ok(r) => out.requirements.push(r),
                    Err(e) => out.errors.push(DeclarationError {
                        origin: origin(item.span().start),
                        message: format!(
                            "{what}: {} is not a valid requirement: {}",
                            crate::excerpt(s),
                            crate::short_message(&e.to_string())
                        ),
                    }),
                }
            }
            DeValue::Table(t) => match t.get("include-group").and_then(|g| g.get_ref().as_str()) {
                Some(included) => {
                    let exists = table
                        .iter()
                        .any(|(k, _)| normalize(k.get_ref()) == normalize(included));
                    if !exists {
                        out.errors.push(DeclarationError {
                            origin: origin(item.span().start),
                            message: format!("{what} includes unknown group {included:?}"),
                        });
                    } else if seen.contains(&normalize(included)) {
                        out.errors.push(DeclarationError {
                            origin: origin(item.span().start),
                            message: format!("{what}: include-group {included:?} makes a cycle"),
                        });
                    } else {
                        group(table, included, owner, origin, out, seen);
                    }
                }
                None => out.errors.push(DeclarationError {
                    origin: origin(item.span().start),
                    message: format!("{what}: a table entry must be {{include-group = \"...\"}}"),
                }),
            },
            _ => out.errors.push(DeclarationError {
                origin: origin(item.span().start),
                message: format!("{what} must contain strings or include-group tables"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_extras_and_groups() {
        let text = r#"
[project]
name = "My_App"
dependencies = [
  "requests>=2",
  "attrs",
]

[project.optional-dependencies]
postgres = ["psycopg[binary]>=3"]
test = ["pytest"]

[dependency-groups]
lint = ["ruff"]
dev = [{include-group = "lint"}, "mypy==1.*"]
"#;
        let d = parse_pyproject(Path::new("pyproject.toml"), text);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.project_name.as_deref(), Some("my-app"));
        let got: Vec<(&str, u32, bool)> = d
            .requirements
            .iter()
            .map(|r| (r.name.as_deref().unwrap(), r.origin.line, r.group.is_dev()))
            .collect();
        assert_eq!(
            got,
            [
                ("requests", 5, false),
                ("attrs", 6, false),
                ("psycopg", 10, false),
                ("pytest", 11, true),
                // Groups in name order: dev (which includes lint), then lint itself.
                ("ruff", 14, true),
                ("mypy", 15, true),
                ("ruff", 14, true),
            ]
        );
        assert_eq!(
            d.requirements[4].group,
            Group::DependencyGroup("dev".into())
        );
        assert_eq!(
            d.requirements[6].group,
            Group::DependencyGroup("lint".into())
        );
    }

    #[test]
    fn errors_with_lines() {
        let text = "[project]\nname = \"x\"\ndependencies = [\n  \"ok\",\n  \"not valid ===\",\n  3,\n]\n[dependency-groups]\ndev = [{include-group = \"nope\"}]\n";
        let d = parse_pyproject(Path::new("pyproject.toml"), text);
        let lines: Vec<u32> = d.errors.iter().map(|e| e.origin.line).collect();
        assert_eq!(lines, [5, 6, 9], "{:?}", d.errors);
        let bad = parse_pyproject(Path::new("pyproject.toml"), "[project\nname=1\n");
        assert_eq!(bad.errors.len(), 1);
        assert_eq!(bad.errors[0].origin.line, 1);
        assert!(bad.errors[0].message.starts_with("invalid TOML"));
    }
}
