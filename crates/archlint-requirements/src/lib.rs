//! What a project declares it depends on: requirements files (with `-r`/`-c` includes, markers,
//! hashes, editables and URLs), `pyproject.toml` (`[project]` dependencies, optional
//! dependencies, PEP 735 dependency groups), and the lock files `uv.lock` and PEP 751
//! `pylock.toml`. Every entry and every error carries its file and line.

mod lock;
mod pyproject;
mod txt;

use std::path::{Path, PathBuf};

use pep508_rs::MarkerTree;
use serde::Serialize;

pub use lock::{parse_pylock, parse_uv_lock};
pub use pyproject::parse_pyproject;
pub use txt::{parse_requirements_file, parse_requirements_file_within};

/// Where something was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Origin {
    pub file: PathBuf,
    pub line: u32,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Which part of the project a requirement belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "name")]
pub enum Group {
    /// `[project] dependencies`.
    Main,
    /// `[project.optional-dependencies] <extra>`.
    Extra(String),
    /// `[dependency-groups] <group>` (PEP 735).
    DependencyGroup(String),
    /// A requirements file (named by its file name).
    RequirementsFile(String),
}

impl Group {
    /// Development-only: test, lint, docs, typing or dev groups and files (by name).
    pub fn is_dev(&self) -> bool {
        match self {
            Group::Main => false,
            Group::Extra(name) | Group::DependencyGroup(name) | Group::RequirementsFile(name) => {
                is_dev_name(name)
            }
        }
    }
}

/// Whether a group, extra or requirements-file name says "development only".
pub fn is_dev_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "dev",
        "develop",
        "development",
        "test",
        "tests",
        "testing",
        "lint",
        "linting",
        "docs",
        "doc",
        "typing",
        "types",
        "mypy",
        "ci",
        "qa",
        "check",
        "checks",
        "bench",
        "benchmark",
        "benchmarks",
        "style",
        "format",
        "coverage",
    ];
    let stem = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .trim_end_matches(".txt")
        .trim_end_matches(".in")
        .to_ascii_lowercase();
    stem.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| WORDS.contains(&word))
}

/// One declared requirement.
#[derive(Debug, Clone, Serialize)]
pub struct DeclaredRequirement {
    /// PEP 503-normalized name; `None` for an unnamed URL or path.
    pub name: Option<String>,
    /// The requirement as written (one logical line, options removed).
    pub text: String,
    /// Version specifiers as written (`>=2,<3`), empty when none.
    pub specifier: String,
    pub extras: Vec<String>,
    #[serde(skip)]
    pub marker: MarkerTree,
    pub url: Option<String>,
    pub editable: bool,
    /// From a constraints file (`-c`): limits versions, declares nothing.
    pub constraint: bool,
    pub group: Group,
    pub origin: Origin,
}

/// One package pinned by a lock file.
#[derive(Debug, Clone, Serialize)]
pub struct LockedPackage {
    /// PEP 503-normalized name.
    pub name: String,
    pub version: Option<String>,
    /// `registry`, `editable`, `virtual`, `git`, `path`, `directory`, `url`.
    pub source: String,
    /// Normalized names of its dependencies (uv.lock only).
    pub dependencies: Vec<String>,
    pub origin: Origin,
}

/// A problem in a declaration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclarationError {
    pub origin: Origin,
    pub message: String,
}

impl std::fmt::Display for DeclarationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

/// Everything a project declares.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Declarations {
    pub requirements: Vec<DeclaredRequirement>,
    pub locked: Vec<LockedPackage>,
    /// Files that were read, in order.
    pub files: Vec<PathBuf>,
    pub errors: Vec<DeclarationError>,
    /// The project's own name (from `[project] name`), never a dependency of itself.
    pub project_name: Option<String>,
}

impl Declarations {
    fn extend(&mut self, other: Declarations) {
        self.requirements.extend(other.requirements);
        self.locked.extend(other.locked);
        for f in other.files {
            if !self.files.contains(&f) {
                self.files.push(f);
            }
        }
        self.errors.extend(other.errors);
        if self.project_name.is_none() {
            self.project_name = other.project_name;
        }
    }

    /// Declared (not constraint-only) requirements with this normalized name.
    pub fn declared(&self, name: &str) -> impl Iterator<Item = &DeclaredRequirement> {
        self.requirements
            .iter()
            .filter(move |r| !r.constraint && r.name.as_deref() == Some(name))
    }
}

/// Read `files` (explicit), or the usual places under `root`: `pyproject.toml`,
/// `requirements*.txt`, `requirements/*.txt`, `uv.lock` and `pylock.toml` / `pylock.*.toml`.
/// Nothing outside `root` is read — neither a file named (or linked) outside it nor an include
/// leading out of it: each is an error naming the file.
pub fn read_declarations(root: &Path, files: &[PathBuf]) -> Declarations {
    let files: Vec<PathBuf> = if files.is_empty() {
        default_files(root)
    } else {
        files.iter().map(|f| root.join(f)).collect()
    };
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
    let mut out = Declarations::default();
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !txt::within(&file, &real_root) && txt::real_path(&file).is_some() {
            out.errors.push(DeclarationError {
                origin: Origin {
                    file: file.clone(),
                    line: 0,
                },
                message: format!(
                    "{} is outside the project; requirements files are only read inside it",
                    file.display()
                ),
            });
            continue;
        }
        let part = if name == "pyproject.toml" {
            read_with(&file, parse_pyproject)
        } else if name == "uv.lock" {
            read_with(&file, parse_uv_lock)
        } else if name.starts_with("pylock.") && name.ends_with(".toml") {
            read_with(&file, parse_pylock)
        } else {
            parse_requirements_file_within(&file, &real_root)
        };
        out.extend(part);
    }
    out
}

fn read_with(file: &Path, parse: fn(&Path, &str) -> Declarations) -> Declarations {
    match std::fs::read_to_string(file) {
        Ok(text) => parse(file, &text),
        Err(e) => Declarations {
            errors: vec![DeclarationError {
                origin: Origin {
                    file: file.to_owned(),
                    line: 0,
                },
                message: format!("cannot read: {e}"),
            }],
            ..Declarations::default()
        },
    }
}

fn default_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let pyproject = root.join("pyproject.toml");
    if pyproject.is_file() {
        out.push(pyproject);
    }
    let mut txt: Vec<PathBuf> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("requirements") && n.ends_with(".txt"))
                && p.is_file()
        })
        .collect();
    txt.extend(
        std::fs::read_dir(root.join("requirements"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt") && p.is_file()),
    );
    txt.sort();
    out.extend(txt);
    for lock in ["uv.lock", "pylock.toml"] {
        let p = root.join(lock);
        if p.is_file() {
            out.push(p);
        }
    }
    out
}

/// A short, quoted excerpt of a line for an error message: at most 60 characters, control
/// characters escaped, so a report never carries a whole line of a file (or its secrets).
pub(crate) fn excerpt(text: &str) -> String {
    format!("{:?}", shortened(text, 60))
}

/// A parser's message (which may echo the line), cut at 160 characters, control characters
/// escaped.
pub(crate) fn short_message(text: &str) -> String {
    shortened(text, 160)
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn shortened(text: &str, max: usize) -> String {
    let mut short: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        short.push('…');
    }
    short
}

/// 1-based line of a byte offset.
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u32
}

/// PEP 503 normalization (shared with the inventory).
pub(crate) fn normalize(name: &str) -> String {
    archlint_inventory::normalize_name(name)
}

/// Parse one PEP 508 string into a declared requirement.
pub(crate) fn from_pep508(
    text: &str,
    group: Group,
    origin: Origin,
) -> Result<DeclaredRequirement, String> {
    let req = archlint_inventory::parse_requirement(text)?;
    let (specifier, url) = match &req.version_or_url {
        None => (String::new(), None),
        Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) => (s.to_string(), None),
        Some(pep508_rs::VersionOrUrl::Url(u)) => (String::new(), Some(u.to_string())),
    };
    Ok(DeclaredRequirement {
        name: Some(normalize(req.name.as_ref())),
        text: text.trim().to_owned(),
        specifier,
        extras: req.extras.iter().map(|e| e.to_string()).collect(),
        marker: req.marker,
        url,
        editable: false,
        constraint: false,
        group,
        origin,
    })
}

/// A valid PEP 508 project name (shared with the inventory).
pub(crate) fn valid_name(name: &str) -> bool {
    archlint_inventory::is_valid_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_names() {
        assert!(is_dev_name("requirements-dev.txt"));
        assert!(is_dev_name("test"));
        assert!(is_dev_name("requirements/tests.txt"));
        assert!(is_dev_name("lint"));
        assert!(!is_dev_name("requirements.txt"));
        assert!(!is_dev_name("prod"));
        assert!(!is_dev_name("postgres"));
        assert!(!is_dev_name("devices"));
    }

    /// A requirements file found at the project root (or named in the configuration) that is a
    /// link to, or a path to, a file outside the project is not read.
    #[test]
    fn files_outside_the_project_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("project");
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(dir.path().join("outside.txt"), "SECRET=1\nrequests==1.0\n").unwrap();
        std::fs::write(project.join("requirements.txt"), "flask==3.0\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            dir.path().join("outside.txt"),
            project.join("requirements-dev.txt"),
        )
        .unwrap();
        let d = read_declarations(&project, &[]);
        let names: Vec<_> = d
            .requirements
            .iter()
            .filter_map(|r| r.name.clone())
            .collect();
        assert_eq!(names, ["flask"]);
        if cfg!(unix) {
            assert!(
                d.errors
                    .iter()
                    .any(|e| e.message.contains("outside the project"))
            );
        }
        let d = read_declarations(&project, &[PathBuf::from("../outside.txt")]);
        assert!(d.requirements.is_empty());
        assert!(d.errors[0].message.contains("outside the project"));
        assert!(d.errors.iter().all(|e| !e.to_string().contains("SECRET")));
    }
}
