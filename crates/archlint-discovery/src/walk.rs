//! A parallel directory walk tailored to Python packages.
//!
//! Each directory is listed once (`getdents`, no `stat` per entry): the listing itself says
//! whether the directory has an `__init__.py` and whether it holds a `.gitignore` or `.ignore`.
//! Subdirectories are walked in parallel on rayon's pool. File metadata, when asked for, is read
//! relative to the open directory (`fstatat`), which is much cheaper than a lookup by full path.
//!
//! Ignore rules follow git and the `ignore` crate: `.ignore` over `.gitignore` over
//! `.git/info/exclude` over the global excludes file, deeper directories over shallower ones,
//! and the ignore files of the directories above the package count too.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rayon::prelude::*;

use crate::{FileMeta, is_identifier};

/// One entry the walk keeps.
pub(crate) enum Found {
    /// A directory that was descended into, and whether it has an `__init__.py`.
    Dir { path: PathBuf, has_init: bool },
    /// A file (or a symlink to one), with its metadata when asked for.
    File {
        path: PathBuf,
        meta: Option<FileMeta>,
    },
    /// Something could not be read.
    Warning(String),
}

/// Ignore matchers in force for a directory, most specific last.
#[derive(Clone, Default)]
pub(crate) struct Rules {
    layers: Vec<Arc<Gitignore>>,
}

impl Rules {
    fn ignored(&self, path: &Path, is_dir: bool) -> bool {
        for layer in self.layers.iter().rev() {
            match layer.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }

    fn with(&self, extra: Vec<Arc<Gitignore>>) -> Rules {
        if extra.is_empty() {
            return self.clone();
        }
        let mut layers = self.layers.clone();
        layers.extend(extra);
        Rules { layers }
    }
}

fn load(dir: &Path, name: &str) -> Option<Arc<Gitignore>> {
    let mut builder = GitignoreBuilder::new(dir);
    builder.add(dir.join(name));
    builder.build().ok().filter(|g| !g.is_empty()).map(Arc::new)
}

/// The rules that apply at `dir` (an absolute path) from outside it: the global excludes file,
/// the repository's `.git/info/exclude`, and the ignore files of every parent directory.
pub(crate) fn rules_above(dir: &Path) -> Rules {
    let mut layers = Vec::new();
    let (global, _) = Gitignore::global();
    if !global.is_empty() {
        layers.push(Arc::new(global));
    }
    let ancestors: Vec<&Path> = dir.ancestors().skip(1).collect();
    // The repository's own exclude file, from the nearest directory holding `.git`.
    if let Some(repo) = std::iter::once(dir)
        .chain(ancestors.iter().copied())
        .find(|a| a.join(".git").exists())
    {
        let mut builder = GitignoreBuilder::new(repo);
        builder.add(repo.join(".git/info/exclude"));
        if let Ok(g) = builder.build()
            && !g.is_empty()
        {
            layers.push(Arc::new(g));
        }
    }
    for ancestor in ancestors.iter().rev() {
        for name in [".gitignore", ".ignore"] {
            if ancestor.join(name).is_file()
                && let Some(g) = load(ancestor, name)
            {
                layers.push(g);
            }
        }
    }
    Rules { layers }
}

/// Walk `dir` (a package directory) and everything below it that belongs to the package.
/// Only regular files are returned; a link to a file outside `boundary` (the project, as it
/// really is) is skipped with a warning, so nothing outside the project is ever read.
pub(crate) fn walk(
    dir: &Path,
    rules: &Rules,
    respect_ignore: bool,
    stat: bool,
    boundary: &Path,
) -> Vec<Found> {
    let mut out = Vec::new();
    walk_dir(dir, rules, respect_ignore, stat, None, boundary, &mut out);
    out
}

/// Whether a directory entry that is not a plain directory may be read as a source file: a
/// regular file, or a link to one inside the project. What is skipped is said (for `.py`
/// names), without reading it.
fn readable_file(
    entry: &fs::DirEntry,
    kind: fs::FileType,
    boundary: &Path,
    out: &mut Vec<Found>,
) -> bool {
    let path = entry.path();
    let py = path.extension().is_some_and(|e| e == "py");
    if kind.is_file() {
        return true;
    }
    if kind.is_symlink() {
        let target = fs::canonicalize(&path);
        match target {
            Ok(t) if t.is_file() && t.starts_with(boundary) => return true,
            Ok(t) if t.is_file() => {
                if py {
                    out.push(Found::Warning(format!(
                        "skipped {}: a link to a file outside the project",
                        path.display()
                    )));
                }
                return false;
            }
            _ => {}
        }
    }
    if py {
        out.push(Found::Warning(format!(
            "skipped {}: not a regular file",
            path.display()
        )));
    }
    false
}

fn walk_dir(
    dir: &Path,
    rules: &Rules,
    respect_ignore: bool,
    stat: bool,
    parent_is_regular: Option<bool>,
    boundary: &Path,
    out: &mut Vec<Found>,
) {
    let listing = match fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) => {
            out.push(Found::Warning(format!("skipped {}: {e}", dir.display())));
            return;
        }
    };
    let mut files: Vec<fs::DirEntry> = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut has_init = false;
    let mut ignore_files: Vec<&str> = Vec::new();
    for entry in listing {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.push(Found::Warning(format!("skipped in {}: {e}", dir.display())));
                continue;
            }
        };
        let name = entry.file_name();
        let bytes = name.as_encoded_bytes();
        if bytes == b".gitignore" {
            ignore_files.push(".gitignore");
            continue;
        }
        if bytes == b".ignore" {
            ignore_files.push(".ignore");
            continue;
        }
        if bytes.first() == Some(&b'.') {
            continue; // hidden
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            dirs.push(entry.path());
        } else if readable_file(&entry, kind, boundary, out) {
            if bytes == b"__init__.py" {
                has_init = true;
            }
            files.push(entry);
        }
    }
    // A directory without `__init__.py` inside a regular package is not importable as a
    // subpackage of it: import-linter does not descend into it, and neither do we.
    if parent_is_regular == Some(true) && !has_init {
        return;
    }
    let rules = if respect_ignore {
        rules.with(
            ignore_files
                .iter()
                .rev() // `.ignore` wins over `.gitignore`: push it last.
                .filter_map(|name| load(dir, name))
                .collect(),
        )
    } else {
        rules.clone()
    };
    out.push(Found::Dir {
        path: dir.to_path_buf(),
        has_init,
    });
    for entry in files {
        let path = entry.path();
        if respect_ignore && rules.ignored(&path, false) {
            continue;
        }
        // Only a `.py` file can be a module: nothing else is stat'ed (data files, compiled
        // extensions and stubs beside the sources cost a system call each otherwise).
        let meta = if stat && path.extension().is_some_and(|e| e == "py") {
            match entry.metadata() {
                Ok(m) if m.file_type().is_symlink() => fs::metadata(&path).ok().map(FileMeta::from),
                Ok(m) => Some(FileMeta::from(m)),
                Err(_) => None,
            }
        } else {
            None
        };
        out.push(Found::File { path, meta });
    }
    dirs.retain(|d| {
        d.file_name()
            .and_then(OsStr::to_str)
            .is_some_and(is_identifier)
            && !(respect_ignore && rules.ignored(d, true))
    });
    let below: Vec<Vec<Found>> = dirs
        .par_iter()
        .map(|d| {
            let mut sub = Vec::new();
            walk_dir(
                d,
                &rules,
                respect_ignore,
                stat,
                Some(has_init),
                boundary,
                &mut sub,
            );
            sub
        })
        .collect();
    out.extend(below.into_iter().flatten());
}
