//! pip's requirements file format, read the way pip reads it: `\` continuations, `#` comments,
//! `${VAR}` expansion, `-r`/`-c` includes (relative to the including file), `-e` editables,
//! per-requirement options such as `--hash`, global options, PEP 508 lines and bare URLs/paths.

use std::path::{Path, PathBuf};

use crate::{
    DeclarationError, Declarations, DeclaredRequirement, Group, Origin, from_pep508, normalize,
};

/// Options that take a value and only matter to pip.
const GLOBAL_WITH_VALUE: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--use-feature",
    "--progress-bar",
];
/// Flags that only matter to pip.
const GLOBAL_FLAGS: &[&str] = &["--no-index", "--pre", "--prefer-binary", "--require-hashes"];
/// Options allowed after a requirement on the same line.
const PER_REQUIREMENT: &[&str] = &[
    "--hash",
    "--config-settings",
    "--global-option",
    "--install-option",
];

/// How deep `-r`/`-c` includes may nest (each level is a frame of the reader's own stack: a
/// committed chain of thousands must not overflow it).
const MAX_INCLUDE_DEPTH: usize = 64;

/// Read a requirements file and everything it includes, anywhere.
pub fn parse_requirements_file(path: &Path) -> Declarations {
    let mut out = Declarations::default();
    let mut stack = Vec::new();
    read_file(path, false, &mut out, &mut stack, None, None);
    out
}

/// Read a requirements file and everything it includes, but never a file outside `root` (the
/// project): a committed `-r /proc/self/environ` or `-r ../../etc/passwd` — or a file linked to
/// one — is reported by the line that names it and not read, so no other file's content can
/// reach a report.
pub fn parse_requirements_file_within(path: &Path, root: &Path) -> Declarations {
    let mut out = Declarations::default();
    let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let mut stack = Vec::new();
    read_file(path, false, &mut out, &mut stack, None, Some(&root));
    out
}

/// Where `path` really is (links resolved), when it can be told.
pub(crate) fn real_path(path: &Path) -> Option<PathBuf> {
    path.canonicalize().ok().or_else(|| {
        let parent = path.parent()?.canonicalize().ok()?;
        Some(parent.join(path.file_name()?))
    })
}

/// Whether `path` lies inside `root` (both as they really are).
pub(crate) fn within(path: &Path, root: &Path) -> bool {
    real_path(path).is_some_and(|p| p.starts_with(root))
}

fn read_file(
    path: &Path,
    constraint: bool,
    out: &mut Declarations,
    stack: &mut Vec<PathBuf>,
    included_from: Option<&Origin>,
    root: Option<&Path>,
) {
    // Said by the line that names the file (the file itself for a top-level one), unread.
    let refuse = |out: &mut Declarations, why: String| {
        out.errors.push(DeclarationError {
            origin: included_from.cloned().unwrap_or(Origin {
                file: path.to_owned(),
                line: 0,
            }),
            message: format!("{}{why}", path.display()),
        });
    };
    if stack.len() >= MAX_INCLUDE_DEPTH {
        refuse(
            out,
            format!(": includes nested more than {MAX_INCLUDE_DEPTH} deep; not read"),
        );
        return;
    }
    if let Some(root) = root
        && let Some(real) = real_path(path)
        && !real.starts_with(root)
    {
        refuse(
            out,
            " is outside the project; requirements files are only read inside it".into(),
        );
        return;
    }
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    if stack.contains(&canonical) {
        if let Some(from) = included_from {
            out.errors.push(DeclarationError {
                origin: from.clone(),
                message: format!(
                    "{} includes itself (a cycle of -r/-c); not read again",
                    path.display()
                ),
            });
        }
        return;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            out.errors.push(DeclarationError {
                origin: included_from.cloned().unwrap_or(Origin {
                    file: path.to_owned(),
                    line: 0,
                }),
                message: format!("cannot read {}: {e}", path.display()),
            });
            return;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = crate::line_at(&String::from_utf8_lossy(&e.as_bytes()[..valid]), valid);
            out.errors.push(DeclarationError {
                origin: Origin {
                    file: path.to_owned(),
                    line,
                },
                message: "not valid UTF-8".into(),
            });
            return;
        }
    };
    if !out.files.contains(&path.to_owned()) {
        out.files.push(path.to_owned());
    }
    stack.push(canonical);
    let group = Group::RequirementsFile(
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("requirements.txt")
            .to_owned(),
    );
    for (line_no, line) in logical_lines(&text) {
        let origin = Origin {
            file: path.to_owned(),
            line: line_no,
        };
        let line = expand_env(&line);
        let (args, options) = break_args_options(&line);
        if args.is_empty() {
            handle_options(
                path, &options, constraint, &group, &origin, out, stack, root,
            );
            continue;
        }
        // Only per-requirement options may follow a requirement.
        let mut tokens = options.split_whitespace().peekable();
        while let Some(tok) = tokens.next() {
            let (opt, has_value) = match tok.split_once('=') {
                Some((o, _)) => (o, true),
                None => (tok, false),
            };
            if !PER_REQUIREMENT.contains(&opt) {
                out.errors.push(DeclarationError {
                    origin: origin.clone(),
                    message: format!("option {opt} is not allowed after a requirement"),
                });
                break;
            }
            if !has_value {
                tokens.next();
            }
        }
        match requirement(&args, group.clone(), origin.clone()) {
            Ok(mut r) => {
                r.constraint = constraint;
                out.requirements.push(r);
            }
            Err(message) => out.errors.push(DeclarationError { origin, message }),
        }
    }
    stack.pop();
}

#[allow(clippy::too_many_arguments)] // the include walk's state, passed down one level
fn handle_options(
    path: &Path,
    options: &str,
    constraint: bool,
    group: &Group,
    origin: &Origin,
    out: &mut Declarations,
    stack: &mut Vec<PathBuf>,
    root: Option<&Path>,
) {
    let mut tokens = options.split_whitespace();
    let Some(first) = tokens.next() else { return };
    let (opt, inline) = match first.split_once('=') {
        Some((o, v)) if first.starts_with("--") => (o, Some(v.to_owned())),
        _ => match first {
            // `-rfile.txt`, `-efoo`: short options glued to their value.
            f if f.len() > 2
                && !f.starts_with("--")
                && (f.starts_with("-r") || f.starts_with("-c") || f.starts_with("-e")) =>
            {
                (&f[..2], Some(f[2..].to_owned()))
            }
            f => (f, None),
        },
    };
    let mut value = || -> Option<String> {
        inline.clone().or_else(|| {
            let rest: Vec<&str> = tokens.by_ref().collect();
            (!rest.is_empty()).then(|| rest.join(" "))
        })
    };
    match opt {
        "-r" | "--requirement" | "-c" | "--constraint" => {
            let Some(target) = value() else {
                out.errors.push(DeclarationError {
                    origin: origin.clone(),
                    message: format!("{opt} needs a file name"),
                });
                return;
            };
            if target.contains("://") {
                out.errors.push(DeclarationError {
                    origin: origin.clone(),
                    message: format!("{opt} {target}: remote requirement files are not fetched"),
                });
                return;
            }
            let base = path.parent().unwrap_or(Path::new("."));
            let included = base.join(&target);
            let is_constraint = constraint || matches!(opt, "-c" | "--constraint");
            read_file(&included, is_constraint, out, stack, Some(origin), root);
        }
        "-e" | "--editable" => {
            let Some(target) = value() else {
                out.errors.push(DeclarationError {
                    origin: origin.clone(),
                    message: "-e needs a path or URL".into(),
                });
                return;
            };
            match requirement(&target, group.clone(), origin.clone()) {
                Ok(mut r) => {
                    r.editable = true;
                    r.constraint = constraint;
                    out.requirements.push(r);
                }
                Err(message) => out.errors.push(DeclarationError {
                    origin: origin.clone(),
                    message,
                }),
            }
        }
        o if GLOBAL_WITH_VALUE.contains(&o) => {
            if value().is_none() {
                out.errors.push(DeclarationError {
                    origin: origin.clone(),
                    message: format!("{o} needs a value"),
                });
            }
        }
        o if GLOBAL_FLAGS.contains(&o) => {}
        o => out.errors.push(DeclarationError {
            origin: origin.clone(),
            message: format!("unknown option {o}"),
        }),
    }
}

/// A requirement line: PEP 508, or a URL / path with the name in `#egg=` or a wheel file name.
fn requirement(text: &str, group: Group, origin: Origin) -> Result<DeclaredRequirement, String> {
    let looks_like_location = text.contains("://")
        || text.starts_with('.')
        || text.starts_with('/')
        || text.starts_with("file:")
        || text.ends_with(".whl")
        || text.ends_with(".tar.gz")
        || text.ends_with(".zip");
    let pep508_error = match from_pep508(text, group.clone(), origin.clone()) {
        Ok(r)
            if !looks_like_location
                || text.contains(" @ ")
                || text.contains('@') && !text.contains("://") =>
        {
            return Ok(r);
        }
        Ok(_) => None,
        Err(e) => Some(e),
    };
    if !looks_like_location {
        return Err(format!(
            "{} is not a valid requirement: {}",
            crate::excerpt(text),
            crate::short_message(&pep508_error.unwrap_or_default())
        ));
    }
    let (location, marker) = match text.split_once("; ") {
        Some((l, m)) => (l.trim(), Some(m.trim())),
        None => (text.trim(), None),
    };
    let name = egg_name(location).or_else(|| wheel_name(location));
    let marker = match marker {
        Some(m) => archlint_inventory::parse_marker(m).map_err(|e| {
            format!(
                "bad marker {}: {}",
                crate::excerpt(m),
                crate::short_message(&e)
            )
        })?,
        None => pep508_rs::MarkerTree::TRUE,
    };
    Ok(DeclaredRequirement {
        name,
        text: text.to_owned(),
        specifier: String::new(),
        extras: Vec::new(),
        marker,
        url: Some(location.to_owned()),
        editable: false,
        constraint: false,
        group,
        origin,
    })
}

/// `...#egg=name` (possibly with `[extras]` or other fragment parts).
fn egg_name(location: &str) -> Option<String> {
    let fragment = location.split_once('#')?.1;
    fragment.split('&').find_map(|part| {
        let egg = part.strip_prefix("egg=")?;
        let name = egg.split('[').next()?;
        crate::valid_name(name).then(|| normalize(name))
    })
}

/// `.../name-1.0-py3-none-any.whl` → `name`.
fn wheel_name(location: &str) -> Option<String> {
    let file = location.rsplit('/').next()?;
    let stem = file.strip_suffix(".whl")?;
    let name = stem.split('-').next()?;
    crate::valid_name(name).then(|| normalize(name))
}

/// pip's `break_args_options`: the requirement ends at the first token that starts with `-`.
fn break_args_options(line: &str) -> (String, String) {
    let tokens: Vec<&str> = line.split(' ').collect();
    let split = tokens
        .iter()
        .position(|t| t.starts_with('-'))
        .unwrap_or(tokens.len());
    (
        tokens[..split].join(" ").trim().to_owned(),
        tokens[split..].join(" ").trim().to_owned(),
    )
}

/// `${NAME}` from the environment (upper-case letters, digits and `_`, as pip does).
fn expand_env(line: &str) -> String {
    if !line.contains("${") {
        return line.to_owned();
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end)
                if !after[..end].is_empty()
                    && after[..end]
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
            {
                match std::env::var(&after[..end]) {
                    Ok(v) => out.push_str(&v),
                    Err(_) => out.push_str(&rest[start..start + 3 + end]),
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `line` is, or ends in, a comment: `#` at the start or after white space.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))
}

/// Logical lines with the number of their first physical line: continuations joined, comments
/// and blank lines dropped.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let is_comment = comment_start(line).is_some_and(|c| line[..c].trim().is_empty());
        if line.ends_with('\\') && !is_comment {
            let part = line.trim_end_matches('\\');
            match &mut pending {
                Some((_, acc)) => acc.push_str(part),
                None => pending = Some((n, part.to_owned())),
            }
            continue;
        }
        let (first, mut joined) = match pending.take() {
            Some((first, mut acc)) => {
                if is_comment {
                    acc.push(' ');
                }
                acc.push_str(line);
                (first, acc)
            }
            None => (n, line.to_owned()),
        };
        if let Some(c) = comment_start(&joined) {
            joined.truncate(c);
        }
        let joined = joined.trim();
        if !joined.is_empty() {
            out.push((first, joined.to_owned()));
        }
    }
    if let Some((first, acc)) = pending {
        let acc = acc.trim();
        if !acc.is_empty() {
            out.push((first, acc.to_owned()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn every_line_form() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "reqs/base.txt", "Django>=4.2,<5  # web\n");
        write(dir.path(), "constraints.txt", "urllib3<2\n");
        let main = write(
            dir.path(),
            "requirements.txt",
            "# top comment\n\
             -r reqs/base.txt\n\
             -c constraints.txt\n\
             --index-url https://index.invalid/simple\n\
             requests[socks]==2.31.0 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\n\
             PyYAML ; python_version >= \"3.8\"\n\
             -e ./libs/shared#egg=shared-lib\n\
             mypkg @ https://index.invalid/mypkg-1.0.tar.gz\n\
             https://index.invalid/files/tool-2.0-py3-none-any.whl\n\
             git+https://example.invalid/repo.git#egg=vcs_dep\n\
             \n",
        );
        let d = parse_requirements_file(&main);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let got: Vec<(Option<&str>, u32, bool, bool)> = d
            .requirements
            .iter()
            .map(|r| (r.name.as_deref(), r.origin.line, r.constraint, r.editable))
            .collect();
        assert_eq!(
            got,
            [
                (Some("django"), 1, false, false),
                (Some("urllib3"), 1, true, false),
                (Some("requests"), 5, false, false),
                (Some("pyyaml"), 8, false, false),
                (Some("shared-lib"), 9, false, true),
                (Some("mypkg"), 10, false, false),
                (Some("tool"), 11, false, false),
                (Some("vcs-dep"), 12, false, false),
            ]
        );
        assert_eq!(d.requirements[0].specifier, ">=4.2, <5");
        assert!(d.requirements[0].origin.file.ends_with("reqs/base.txt"));
        assert_eq!(d.requirements[2].extras, ["socks"]);
        assert_eq!(d.files.len(), 3);
    }

    #[test]
    fn errors_carry_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let main = write(
            dir.path(),
            "requirements.txt",
            "good==1\nbad===\n--frobnicate\n-r missing.txt\nok>=1 --bogus\n",
        );
        let d = parse_requirements_file(&main);
        let lines: Vec<u32> = d.errors.iter().map(|e| e.origin.line).collect();
        assert_eq!(lines, [2, 3, 4, 5], "{:?}", d.errors);
        assert!(d.errors[1].message.contains("--frobnicate"));
        assert!(d.errors[2].message.contains("missing.txt"));
        assert_eq!(d.requirements.len(), 2);
    }

    #[test]
    fn include_cycles_stop() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "b.txt", "-r a.txt\nb\n");
        let a = write(dir.path(), "a.txt", "-r b.txt\na\n");
        let d = parse_requirements_file(&a);
        assert_eq!(d.requirements.len(), 2);
        assert_eq!(d.errors.len(), 1);
        assert!(d.errors[0].message.contains("cycle"));
    }

    #[test]
    fn env_vars_and_comments() {
        // SAFETY: single-threaded test setting a variable nobody else reads.
        unsafe { std::env::set_var("ARCHLINT_TEST_VER", "1.2") };
        assert_eq!(expand_env("pkg==${ARCHLINT_TEST_VER}"), "pkg==1.2");
        assert_eq!(expand_env("pkg==${lower}"), "pkg==${lower}");
        let lines = logical_lines("a # c\n#x\\\nb\\\n#c\nc\n");
        assert_eq!(lines, [(1, "a".into()), (3, "b".into()), (5, "c".into())]);
    }

    /// A committed requirements file that includes files outside the project (the CI runner's
    /// environment, /etc/passwd, a sibling checkout's secrets) — directly, through `../`, or
    /// through a link inside the project — never gets their content into a declaration or an
    /// error: each include is reported by the line that names it, unread.
    #[test]
    fn includes_never_leave_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        let secret = "TOKEN=ghp_not_for_reports";
        write(
            dir.path(),
            "outside.txt",
            &format!("{secret}\nrequests==1.0\n"),
        );
        write(&project, "inside.txt", "flask==3.0\n");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("outside.txt"), project.join("linked.txt"))
            .unwrap();
        let main = write(
            &project,
            "requirements.txt",
            "-r /proc/self/environ\n-r ../outside.txt\n-c ../outside.txt\n-r linked.txt\n\
             -r inside.txt\n-r missing.txt\n",
        );
        let d = parse_requirements_file_within(&main, &project);
        let names: Vec<_> = d
            .requirements
            .iter()
            .filter_map(|r| r.name.clone())
            .collect();
        assert_eq!(
            names,
            ["flask"],
            "only the include inside the project is read"
        );
        let errors: Vec<String> = d.errors.iter().map(|e| e.to_string()).collect();
        for e in &errors {
            assert!(
                !e.contains("ghp_not_for_reports") && !e.contains("PATH="),
                "{e}"
            );
        }
        let outside: Vec<u32> = d
            .errors
            .iter()
            .filter(|e| e.message.contains("outside the project"))
            .map(|e| e.origin.line)
            .collect();
        let mut expected = vec![1, 2, 3];
        if cfg!(unix) {
            expected.push(4);
        }
        assert_eq!(outside, expected, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.contains(":6:") && e.contains("cannot read"))
        );
        // The same file, read as before without a boundary, does read them: the test sees the
        // attack.
        let unbounded = parse_requirements_file(&main);
        assert!(
            unbounded
                .requirements
                .iter()
                .any(|r| r.name.as_deref() == Some("requests"))
        );
    }

    /// A line that fails to parse is named by file and line with a short excerpt, never whole.
    #[test]
    fn a_bad_line_is_quoted_short() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("not valid {}\n", "x".repeat(10_000));
        let main = write(dir.path(), "requirements.txt", &long);
        let d = parse_requirements_file_within(&main, dir.path());
        assert_eq!(d.errors.len(), 1);
        let message = d.errors[0].to_string();
        assert!(message.contains("requirements.txt:1:"), "{message}");
        assert!(message.len() < 400, "{} bytes: {message}", message.len());
        assert!(message.contains("not valid x") && message.contains('…'));
    }

    /// A chain of 2,000 `-r` includes once overflowed the stack (exit 134); past 64 levels the
    /// rest is reported, not read.
    #[test]
    fn a_long_chain_of_includes_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..2000 {
            write(
                dir.path(),
                &format!("r{i}.txt"),
                &format!("pkg{i}==1.0\n-r r{}.txt\n", i + 1),
            );
        }
        write(dir.path(), "r2000.txt", "last==1.0\n");
        let main = dir.path().join("r0.txt");
        let d = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || parse_requirements_file(&main))
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert_eq!(d.requirements.len(), MAX_INCLUDE_DEPTH);
        assert!(
            d.errors
                .iter()
                .any(|e| e.message.contains("nested more than 64 deep"))
        );
    }
}
