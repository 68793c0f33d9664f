//! Lock files: `uv.lock` (`[[package]]` tables) and PEP 751 `pylock.toml` (`[[packages]]`).

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::{DeclarationError, Declarations, LockedPackage, Origin, line_at, normalize};

fn parse_root<'a>(
    path: &Path,
    text: &'a str,
    out: &mut Declarations,
) -> Option<Spanned<DeTable<'a>>> {
    match DeTable::parse(text) {
        Ok(root) => Some(root),
        Err(e) => {
            out.errors.push(DeclarationError {
                origin: Origin {
                    file: path.to_owned(),
                    line: line_at(text, e.span().map(|s| s.start).unwrap_or(0)),
                },
                message: format!("invalid TOML: {}", e.message()),
            });
            None
        }
    }
}

fn str_of<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    table.get(key).and_then(|v| v.get_ref().as_str())
}

/// `uv.lock`: every `[[package]]` with its version, source kind and dependencies.
pub fn parse_uv_lock(path: &Path, text: &str) -> Declarations {
    packages(path, text, "package", |table| {
        let source = table
            .get("source")
            .and_then(|s| s.get_ref().as_table())
            .and_then(|s| s.iter().next().map(|(k, _)| k.get_ref().to_string()))
            .unwrap_or_else(|| "registry".into());
        let dependencies = table
            .get("dependencies")
            .and_then(|d| d.get_ref().as_array())
            .map(|deps| {
                deps.iter()
                    .filter_map(|d| {
                        d.get_ref()
                            .as_table()
                            .and_then(|t| str_of(t, "name"))
                            .map(normalize)
                    })
                    .collect()
            })
            .unwrap_or_default();
        (source, dependencies)
    })
}

/// PEP 751 `pylock.toml`: every `[[packages]]` entry.
pub fn parse_pylock(path: &Path, text: &str) -> Declarations {
    packages(path, text, "packages", |table| {
        let source = ["vcs", "directory", "archive", "sdist", "wheels"]
            .into_iter()
            .find(|k| table.get(*k).is_some())
            .map(|k| match k {
                "sdist" | "wheels" => "registry",
                other => other,
            })
            .unwrap_or("registry")
            .to_owned();
        (source, Vec::new())
    })
}

fn packages(
    path: &Path,
    text: &str,
    key: &str,
    details: impl Fn(&DeTable<'_>) -> (String, Vec<String>),
) -> Declarations {
    let mut out = Declarations {
        files: vec![path.to_owned()],
        ..Declarations::default()
    };
    let Some(root) = parse_root(path, text, &mut out) else {
        return out;
    };
    let origin = |offset: usize| Origin {
        file: path.to_owned(),
        line: line_at(text, offset),
    };
    let Some(list) = root.get_ref().get(key) else {
        out.errors.push(DeclarationError {
            origin: origin(0),
            message: format!("no [[{key}]] entries"),
        });
        return out;
    };
    let Some(items) = list.get_ref().as_array() else {
        out.errors.push(DeclarationError {
            origin: origin(list.span().start),
            message: format!("{key} must be an array of tables"),
        });
        return out;
    };
    for item in items {
        let DeValue::Table(table) = item.get_ref() else {
            out.errors.push(DeclarationError {
                origin: origin(item.span().start),
                message: format!("each {key} entry must be a table"),
            });
            continue;
        };
        let Some(name) = str_of(table, "name") else {
            out.errors.push(DeclarationError {
                origin: origin(item.span().start),
                message: format!("{key} entry without a name"),
            });
            continue;
        };
        if !crate::valid_name(name) {
            out.errors.push(DeclarationError {
                origin: origin(item.span().start),
                message: format!("{name:?} is not a valid package name"),
            });
            continue;
        }
        let (source, dependencies) = details(table);
        out.locked.push(LockedPackage {
            name: normalize(name),
            version: str_of(table, "version").map(str::to_owned),
            source,
            dependencies,
            origin: origin(item.span().start),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uv_lock_packages() {
        let text = r#"version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "requests" }]

[[package]]
name = "Requests"
version = "2.32.3"
source = { registry = "https://index.invalid/simple" }
dependencies = [{ name = "urllib3" }, { name = "idna" }]
"#;
        let d = parse_uv_lock(Path::new("uv.lock"), text);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.locked.len(), 2);
        assert_eq!(d.locked[0].source, "editable");
        assert_eq!(d.locked[1].name, "requests");
        assert_eq!(d.locked[1].dependencies, ["urllib3", "idna"]);
        assert_eq!(d.locked[1].origin.line, 10);
    }

    #[test]
    fn pylock_packages() {
        let text = r#"lock-version = "1.0"
created-by = "tool"

[[packages]]
name = "attrs"
version = "25.1.0"
[[packages.wheels]]
url = "https://index.invalid/attrs-25.1.0-py3-none-any.whl"

[[packages]]
name = "local"
directory = { path = "./local" }
"#;
        let d = parse_pylock(Path::new("pylock.toml"), text);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let got: Vec<(&str, &str)> = d
            .locked
            .iter()
            .map(|p| (p.name.as_str(), p.source.as_str()))
            .collect();
        assert_eq!(got, [("attrs", "registry"), ("local", "directory")]);
        let bad = parse_pylock(Path::new("pylock.toml"), "[[packages]]\nversion = \"1\"\n");
        assert_eq!(bad.errors[0].origin.line, 1);
    }
}
