//! A parallel directory walk tailored to Python packages.
//!
//! Each directory is listed once (`getdents`, no `stat` per entry): the listing itself says
//! whether the directory has an `__init__.py` and whether it holds a `.gitignore` or `.ignore`.
//! Subdirectories are walked in parallel on rayon's pool. On Linux every directory is opened
//! relative to its parent's open descriptor and file metadata is read relative to the open
//! directory (`openat`, `statx`), which is much cheaper than a lookup by full path; elsewhere the
//! standard library's calls by path are used.
//!
//! Ignore rules follow git and the `ignore` crate: `.ignore` over `.gitignore` over
//! `.git/info/exclude` over the global excludes file, deeper directories over shallower ones,
//! and the ignore files of the directories above the package count too.

use std::ffi::OsString;
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

/// What a directory entry is, without following a link.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    Symlink,
    Other,
}

/// Directory access by open descriptor: every lookup is one path component from an open
/// directory, and the listing is read straight into a buffer.
#[cfg(target_os = "linux")]
mod sys {
    use std::ffi::{OsStr, OsString};
    use std::io;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir, StatxFlags};

    use super::Kind;
    use crate::FileMeta;

    pub type Handle = OwnedFd;

    const DIR_FLAGS: OFlags = OFlags::RDONLY
        .union(OFlags::DIRECTORY)
        .union(OFlags::CLOEXEC)
        .union(OFlags::NOFOLLOW);

    pub fn open(path: &Path) -> io::Result<Handle> {
        Ok(rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?)
    }

    pub fn open_in(parent: &Handle, _parent_path: &Path, name: &OsStr) -> io::Result<Handle> {
        Ok(rustix::fs::openat(parent, name, DIR_FLAGS, Mode::empty())?)
    }

    fn kind_of(t: FileType) -> Option<Kind> {
        match t {
            FileType::Directory => Some(Kind::Dir),
            FileType::RegularFile => Some(Kind::File),
            FileType::Symlink => Some(Kind::Symlink),
            FileType::Unknown => None,
            _ => Some(Kind::Other),
        }
    }

    pub fn list(dir: &Handle, _path: &Path) -> io::Result<Vec<(OsString, Kind)>> {
        // 32 KiB holds every entry of a typical directory in one `getdents64` call; a longer
        // listing takes several (an entry is at most ~280 bytes, so one always fits).
        let mut buf = Vec::with_capacity(32 * 1024);
        let mut iter = RawDir::new(dir, buf.spare_capacity_mut());
        let mut out = Vec::new();
        while let Some(entry) = iter.next() {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let name = OsStr::from_bytes(name);
            // Some file systems do not say the type in the listing: ask for it.
            let kind = kind_of(entry.file_type()).unwrap_or_else(|| {
                rustix::fs::statx(dir, name, AtFlags::SYMLINK_NOFOLLOW, StatxFlags::TYPE)
                    .ok()
                    .and_then(|s| kind_of(FileType::from_raw_mode(s.stx_mode.into())))
                    .unwrap_or(Kind::Other)
            });
            out.push((name.to_owned(), kind));
        }
        Ok(out)
    }

    /// The metadata of the file `name` in `dir`, not following a link.
    pub fn stat(dir: &Handle, _dir_path: &Path, name: &OsStr) -> Option<FileMeta> {
        let s = rustix::fs::statx(
            dir,
            name,
            AtFlags::SYMLINK_NOFOLLOW,
            StatxFlags::SIZE | StatxFlags::MTIME | StatxFlags::INO,
        )
        .ok()?;
        Some(FileMeta {
            size: s.stx_size,
            mtime_secs: s.stx_mtime.tv_sec,
            mtime_nanos: s.stx_mtime.tv_nsec.min(999_999_999),
            ino: s.stx_ino,
        })
    }
}

/// Directory access by path, through the standard library.
#[cfg(not(target_os = "linux"))]
mod sys {
    use std::ffi::{OsStr, OsString};
    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};

    use super::Kind;
    use crate::FileMeta;

    pub type Handle = PathBuf;

    pub fn open(path: &Path) -> io::Result<Handle> {
        Ok(path.to_path_buf())
    }

    pub fn open_in(_parent: &Handle, parent_path: &Path, name: &OsStr) -> io::Result<Handle> {
        Ok(parent_path.join(name))
    }

    pub fn list(_dir: &Handle, path: &Path) -> io::Result<Vec<(OsString, Kind)>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(path)? {
            let entry = entry?;
            let kind = match entry.file_type() {
                Ok(t) if t.is_dir() => Kind::Dir,
                Ok(t) if t.is_file() => Kind::File,
                Ok(t) if t.is_symlink() => Kind::Symlink,
                _ => Kind::Other,
            };
            out.push((entry.file_name(), kind));
        }
        Ok(out)
    }

    pub fn stat(_dir: &Handle, dir_path: &Path, name: &OsStr) -> Option<FileMeta> {
        fs::symlink_metadata(dir_path.join(name))
            .ok()
            .map(FileMeta::from)
    }
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
    match sys::open(dir) {
        Ok(handle) => walk_dir(
            dir,
            &handle,
            rules,
            respect_ignore,
            stat,
            None,
            boundary,
            &mut out,
        ),
        Err(e) => out.push(Found::Warning(format!("skipped {}: {e}", dir.display()))),
    }
    out
}

/// Whether a directory entry that is not a plain directory may be read as a source file: a
/// regular file, or a link to one inside the project. What is skipped is said (for `.py`
/// names), without reading it.
fn readable_file(path: &Path, kind: Kind, boundary: &Path, out: &mut Vec<Found>) -> bool {
    let py = path.extension().is_some_and(|e| e == "py");
    if kind == Kind::File {
        return true;
    }
    if kind == Kind::Symlink {
        let target = fs::canonicalize(path);
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

/// List `dir` (open as `handle`), keep what belongs to the package, and walk its
/// subdirectories in parallel.
#[allow(clippy::too_many_arguments)]
fn walk_dir(
    dir: &Path,
    handle: &sys::Handle,
    rules: &Rules,
    respect_ignore: bool,
    stat: bool,
    parent_is_regular: Option<bool>,
    boundary: &Path,
    out: &mut Vec<Found>,
) {
    let listing = match sys::list(handle, dir) {
        Ok(l) => l,
        Err(e) => {
            out.push(Found::Warning(format!("skipped {}: {e}", dir.display())));
            return;
        }
    };
    let mut files: Vec<(OsString, Kind)> = Vec::new();
    let mut dirs: Vec<OsString> = Vec::new();
    let mut has_init = false;
    let mut ignore_files: Vec<&str> = Vec::new();
    for (name, kind) in listing {
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
        if kind == Kind::Dir {
            dirs.push(name);
        } else {
            files.push((name, kind));
        }
    }
    let files: Vec<(PathBuf, OsString, Kind)> = files
        .into_iter()
        .map(|(name, kind)| (dir.join(&name), name, kind))
        .filter(|(path, _, kind)| readable_file(path, *kind, boundary, out))
        .collect();
    if files
        .iter()
        .any(|(_, name, _)| name.as_encoded_bytes() == b"__init__.py")
    {
        has_init = true;
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
    for (path, name, kind) in files {
        if respect_ignore && rules.ignored(&path, false) {
            continue;
        }
        // Only a `.py` file can be a module: nothing else is stat'ed (data files, compiled
        // extensions and stubs beside the sources cost a system call each otherwise).
        let meta = if stat && path.extension().is_some_and(|e| e == "py") {
            if kind == Kind::Symlink {
                fs::metadata(&path).ok().map(crate::FileMeta::from)
            } else {
                sys::stat(handle, dir, &name)
            }
        } else {
            None
        };
        out.push(Found::File { path, meta });
    }
    let dirs: Vec<(PathBuf, OsString)> = dirs
        .into_iter()
        .filter(|name| name.to_str().is_some_and(is_identifier))
        .map(|name| (dir.join(&name), name))
        .filter(|(path, _)| !(respect_ignore && rules.ignored(path, true)))
        .collect();
    let below: Vec<Vec<Found>> = dirs
        .par_iter()
        .map(|(path, name)| {
            let mut sub = Vec::new();
            match sys::open_in(handle, dir, name) {
                Ok(child) => walk_dir(
                    path,
                    &child,
                    &rules,
                    respect_ignore,
                    stat,
                    Some(has_init),
                    boundary,
                    &mut sub,
                ),
                Err(e) => sub.push(Found::Warning(format!("skipped {}: {e}", path.display()))),
            }
            sub
        })
        .collect();
    out.extend(below.into_iter().flatten());
}
