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

/// Parse a PEP 508 requirement. Unlike `pep508_rs`'s parser alone, never panics: that parser
/// aborts on a name or extra ending in `.`, `-` or `_` (`django. ==1`, `x[a-]`) and on
/// non-ASCII text in places (`; sys_platform == 'win32'é`), all of which a committed
/// requirements file or an installed distribution's metadata can hold. Such input is an error
/// here, as it is to pip; anything else the parser might still trip over is caught.
pub fn parse_requirement(
    text: &str,
) -> Result<pep508_rs::Requirement<pep508_rs::VerbatimUrl>, String> {
    use std::str::FromStr;
    precheck(text)?;
    guarded(|| pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(text))?
        .map_err(|e| e.message.to_string())
}

/// Parse a PEP 508 environment marker, with [`parse_requirement`]'s guards.
pub fn parse_marker(text: &str) -> Result<pep508_rs::MarkerTree, String> {
    if !text.is_ascii() {
        return Err("a marker must be ASCII".to_owned());
    }
    guarded(|| pep508_rs::MarkerTree::parse_str::<pep508_rs::VerbatimUrl>(text))?
        .map_err(|e| e.message.to_string())
}

/// Run a `pep508_rs` parser, turning a panic into an error (the panic hook of the binary keeps
/// that parser's panics quiet).
fn guarded<T>(parse: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, String> {
    std::panic::catch_unwind(parse).map_err(|_| "cannot be parsed".to_owned())
}

/// What `pep508_rs` would abort on, said as pip would say it.
fn precheck(text: &str) -> Result<(), String> {
    if !text.is_ascii() {
        return Err("a requirement must be ASCII (non-ASCII text found)".to_owned());
    }
    let trimmed = text.trim_start();
    let ident = |s: &str| {
        s.bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            .count()
    };
    let bad_end = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphanumeric()) && s.ends_with(['.', '-', '_'])
    };
    let name_len = ident(trimmed);
    let name = &trimmed[..name_len];
    if bad_end(name) && name_len < trimmed.len() {
        return Err(format!(
            "Package name must end with an alphanumeric character, not '{}'",
            &name[name_len - 1..]
        ));
    }
    let rest = trimmed[name_len..].trim_start();
    if let Some(extras) = rest.strip_prefix('[') {
        let inside = extras.split(']').next().unwrap_or("");
        for extra in inside.split(',') {
            let extra = extra.trim();
            if bad_end(&extra[..ident(extra)]) {
                return Err(format!(
                    "Extra name must end with an alphanumeric character: '{extra}'"
                ));
            }
        }
    }
    Ok(())
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

    /// `pep508_rs` alone aborted the whole run on these (found by the requirements fuzz test).
    #[test]
    fn requirements_that_crashed_the_parser_are_errors() {
        for text in [
            "django. ==1",
            "5.2.\0",
            "a- ; python_version<'3'",
            "x_[y]",
            "x[a-]",
            "x[b, c.]",
        ] {
            let err = parse_requirement(text).unwrap_err();
            assert!(
                err.contains("must end with an alphanumeric"),
                "{text:?}: {err}"
            );
        }
        for text in ["foo.\u{e9}", "x; sys_platform == 'win32'pkg.whl\u{e9}"] {
            let err = parse_requirement(text).unwrap_err();
            assert!(err.contains("ASCII"), "{text:?}: {err}");
        }
        assert!(parse_marker("python_version < '3.12'").is_ok());
        assert!(parse_marker("os_name == '\u{e9}'").is_err());
        let ok = parse_requirement("Django[argon2]>=5.2; python_version >= '3.10'").unwrap();
        assert_eq!(ok.name.as_ref(), "django");
        assert!(parse_requirement("requests").is_ok());
        assert!(parse_requirement("  requests  ").is_ok());
        assert!(parse_requirement("").is_err());
        assert!(parse_requirement("-e .").is_err());
    }

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
