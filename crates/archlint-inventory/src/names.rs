//! Distribution names (PEP 503 / PEP 508) and the import names a distribution provides.

/// PEP 503 normalization: lowercase, runs of `-`, `_` and `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// A valid PEP 508 project name: ASCII letters and digits, with `.`, `_` and `-` inside.
/// Anything else (path separators, `..`, spaces) is refused before it reaches a path or key.
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 200
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Top-level import names from a `RECORD` file: `pkg/__init__.py` → `pkg`, `mod.py` → `mod`,
/// `_ext.cpython-311-x86_64-linux-gnu.so` → `_ext`. Metadata directories, scripts (`../`),
/// `.data` directories, `.pth` files and caches are not importable names.
pub fn import_names_from_record(record: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(record.as_bytes());
    for row in reader.records().flatten() {
        let Some(path) = row.get(0) else { continue };
        if let Some(name) = import_name_of_path(path)
            && !out.iter().any(|n| n == name)
        {
            out.push(name.to_owned());
        }
    }
    out.sort();
    out
}

fn import_name_of_path(path: &str) -> Option<&str> {
    let path = path.strip_prefix("./").unwrap_or(path);
    if path.starts_with("..") || path.starts_with('/') {
        return None;
    }
    let (first, rest) = match path.split_once('/') {
        Some((first, rest)) => (first, Some(rest)),
        None => (path, None),
    };
    if first.ends_with(".dist-info")
        || first.ends_with(".egg-info")
        || first.ends_with(".data")
        || first == "__pycache__"
        || first.is_empty()
    {
        return None;
    }
    let name = match rest {
        // A directory: a package (regular or namespace) if it holds Python code.
        Some(rest) => {
            let is_code = rest.ends_with(".py")
                || rest.ends_with(".so")
                || rest.ends_with(".pyd")
                || rest.ends_with(".pyi");
            if !is_code {
                return None;
            }
            first
        }
        None => first
            .strip_suffix(".py")
            .or_else(|| first.strip_suffix(".pyi"))
            .or_else(|| {
                (first.ends_with(".so") || first.ends_with(".pyd"))
                    .then(|| first.split('.').next().unwrap_or(first))
            })?,
    };
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_alphanumeric());
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503() {
        assert_eq!(normalize_name("Foo_Bar.baz"), "foo-bar-baz");
        assert_eq!(normalize_name("zope.interface"), "zope-interface");
        assert_eq!(normalize_name("A--__b"), "a-b");
        assert_eq!(normalize_name("PyYAML"), "pyyaml");
    }

    #[test]
    fn name_validation_refuses_paths() {
        assert!(is_valid_name("requests"));
        assert!(is_valid_name("zope.interface"));
        assert!(!is_valid_name("../etc/passwd"));
        assert!(!is_valid_name("a/b"));
        assert!(!is_valid_name("-x"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a b"));
    }

    #[test]
    fn record_import_names() {
        let record = "yaml/__init__.py,sha256=x,10\n\
            yaml/_yaml.cpython-311-x86_64-linux-gnu.so,,\n\
            _yaml/__init__.py,,\n\
            PyYAML-6.0.dist-info/METADATA,,\n\
            ../../../bin/tool,,\n\
            six.py,,\n\
            distutils-precedence.pth,,\n\
            \"weird,name/__init__.py\",,\n\
            __pycache__/six.cpython-311.pyc,,\n\
            _cffi_backend.cpython-311-x86_64-linux-gnu.so,,\n\
            foo-1.0.data/scripts/x,,\n\
            docs/readme.txt,,\n";
        assert_eq!(
            import_names_from_record(record),
            ["_cffi_backend", "_yaml", "six", "yaml"]
        );
    }
}
