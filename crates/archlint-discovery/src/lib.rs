//! Finding the Python modules of a project.
//!
//! Given a project root and the names of its root packages (or nothing, to detect them), this
//! walks the package directories — honouring `.gitignore` and include/exclude globs — and maps
//! every `.py` file to its dotted module name. The rules follow import-linter's module finder so
//! that both tools see the same modules: directories that are not identifiers are skipped, a
//! directory without `__init__.py` inside a regular package is not descended into, and
//! directories without `__init__.py` that hold Python files are namespace packages.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

mod walk;

/// What to discover.
#[derive(Debug, Clone, Default)]
pub struct DiscoveryOptions {
    /// Project root; relative paths and globs are taken from here.
    pub root: PathBuf,
    /// Root packages to analyse (dotted names). Empty: detect them in the source dirs.
    pub root_packages: Vec<String>,
    /// Directories in which root packages are looked for, relative to `root`.
    /// Empty means the root itself and `src/`.
    pub source_dirs: Vec<PathBuf>,
    /// Only files matching one of these globs (relative to the root) are kept, when given.
    pub include: Vec<String>,
    /// Files matching any of these globs (relative to the root) are skipped.
    pub exclude: Vec<String>,
    /// Honour `.gitignore`, `.ignore` and git's exclude files.
    pub respect_gitignore: bool,
    /// Read each file's metadata during the walk (for the cache's stat check).
    pub stat_files: bool,
}

/// What identifies a file's contents without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileMeta {
    pub size: u64,
    pub mtime_secs: i64,
    pub mtime_nanos: u32,
    pub ino: u64,
}

impl From<std::fs::Metadata> for FileMeta {
    fn from(meta: std::fs::Metadata) -> FileMeta {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileMeta {
                size: meta.len(),
                mtime_secs: meta.mtime(),
                mtime_nanos: meta.mtime_nsec().clamp(0, 999_999_999) as u32,
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let since = meta
                .modified()
                .ok()
                .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            FileMeta {
                size: meta.len(),
                mtime_secs: since.as_secs() as i64,
                mtime_nanos: since.subsec_nanos(),
                ino: 0,
            }
        }
    }
}

/// One Python module found on disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceFile {
    /// Dotted module name, e.g. `app.domain.models`.
    pub module: String,
    /// Path to the file.
    pub path: PathBuf,
    /// The file is a package's `__init__.py`.
    pub is_package: bool,
    /// Its metadata, read during the walk when `stat_files` is set.
    pub meta: Option<FileMeta>,
}

/// The result of discovery.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    /// Root package names, as given or detected, sorted.
    pub root_packages: Vec<String>,
    /// Every module file, sorted by module name.
    pub files: Vec<SourceFile>,
    /// Directories without `__init__.py` that contain modules (namespace packages).
    pub namespace_packages: Vec<String>,
    /// Things skipped along the way, with the reason.
    pub warnings: Vec<String>,
}

/// Why discovery could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// A configured root package is not in any source directory.
    #[error("could not find root package '{name}' (looked in {searched})")]
    PackageNotFound {
        /// The package name.
        name: String,
        /// The directories searched, comma-separated.
        searched: String,
    },
    /// A configured root package is a single module file.
    #[error("'{name}' is a module, not a package: root packages must be directories ({path})")]
    NotAPackage {
        /// The package name.
        name: String,
        /// The file found.
        path: String,
    },
    /// A root package name is not a dotted identifier.
    #[error("'{0}' is not a valid package name")]
    InvalidName(String),
    /// An include or exclude glob does not compile.
    #[error("invalid glob '{glob}': {message}")]
    InvalidGlob {
        /// The glob as written.
        glob: String,
        /// What is wrong with it.
        message: String,
    },
    /// No package was configured and none could be detected.
    #[error("no Python package found under {0} (a package is a directory with __init__.py)")]
    NothingFound(String),
}

/// Whether `name` is a valid dotted Python module name.
pub fn is_dotted_identifier(name: &str) -> bool {
    !name.is_empty() && name.split('.').all(is_identifier)
}

/// Whether `s` is a Python identifier (ASCII letters, digits, `_`, or any non-ASCII letter).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn build_globs(patterns: &[String]) -> Result<Option<GlobSet>, DiscoveryError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| DiscoveryError::InvalidGlob {
            glob: pattern.clone(),
            message: e.kind().to_string(),
        })?;
        builder.add(glob);
        // `dir` should also exclude everything below it, as users expect.
        if !pattern.contains('*')
            && let Ok(g) = Glob::new(&format!("{pattern}/**"))
        {
            builder.add(g);
        }
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| DiscoveryError::InvalidGlob {
            glob: patterns.join(", "),
            message: e.to_string(),
        })
}

impl DiscoveryOptions {
    fn search_dirs(&self) -> Vec<PathBuf> {
        if self.source_dirs.is_empty() {
            vec![self.root.clone(), self.root.join("src")]
        } else {
            self.source_dirs.iter().map(|d| self.root.join(d)).collect()
        }
    }
}

/// Find the root packages and every module in them.
pub fn discover(options: &DiscoveryOptions) -> Result<Discovered, DiscoveryError> {
    let include = build_globs(&options.include)?;
    let exclude = build_globs(&options.exclude)?;
    let search_dirs = options.search_dirs();

    let mut roots: Vec<(String, PathBuf)> = Vec::new();
    let mut root_packages: Vec<String> = options.root_packages.clone();
    if root_packages.is_empty() {
        root_packages = detect_root_packages(&search_dirs);
        if root_packages.is_empty() {
            return Err(DiscoveryError::NothingFound(
                options.root.display().to_string(),
            ));
        }
    }
    root_packages.sort();
    root_packages.dedup();
    for name in &root_packages {
        if !is_dotted_identifier(name) {
            return Err(DiscoveryError::InvalidName(name.clone()));
        }
        let rel: PathBuf = name.split('.').collect();
        let mut found = false;
        for dir in &search_dirs {
            let candidate = dir.join(&rel);
            if candidate.is_dir() {
                roots.push((name.clone(), candidate));
                found = true;
            } else if candidate.with_extension("py").is_file() && !found {
                return Err(DiscoveryError::NotAPackage {
                    name: name.clone(),
                    path: candidate.with_extension("py").display().to_string(),
                });
            }
        }
        if !found {
            return Err(DiscoveryError::PackageNotFound {
                name: name.clone(),
                searched: search_dirs
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }

    let mut out = Discovered {
        root_packages,
        ..Discovered::default()
    };
    let mut namespace_candidates: BTreeSet<String> = BTreeSet::new();
    for (name, dir) in &roots {
        walk_package(
            name,
            dir,
            options,
            include.as_ref(),
            exclude.as_ref(),
            &mut out,
            &mut namespace_candidates,
        );
    }
    out.files.par_sort_unstable();
    // `pkg/a.py` next to `pkg/a/__init__.py`: Python imports the package, and so does archlint
    // (its `__init__.py` sorts first); import-linter (grimp) reads `a.py`. Said, never silent.
    let mut shadowed = Vec::new();
    out.files.dedup_by(|later, kept| {
        let same = later.module == kept.module;
        if same {
            shadowed.push(format!(
                "{} and {} are both module {}: Python imports the package, so archlint reads {} \
                 (import-linter reads {})",
                kept.path.display(),
                later.path.display(),
                kept.module,
                kept.path.display(),
                later.path.display(),
            ));
        }
        same
    });
    out.warnings.extend(shadowed);
    let modules: BTreeSet<&str> = out.files.iter().map(|f| f.module.as_str()).collect();
    out.namespace_packages = namespace_candidates
        .into_iter()
        .filter(|ns| !modules.contains(ns.as_str()) && has_descendant(&modules, ns))
        .collect();
    Ok(out)
}

/// Whether any module in the sorted set lies below `package`.
fn has_descendant(modules: &BTreeSet<&str>, package: &str) -> bool {
    let prefix = format!("{package}.");
    modules
        .range(prefix.as_str()..)
        .next()
        .is_some_and(|m| m.starts_with(&prefix))
}

fn detect_root_packages(search_dirs: &[PathBuf]) -> Vec<String> {
    let mut found = Vec::new();
    for dir in search_dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if is_identifier(name) && path.is_dir() && path.join("__init__.py").is_file() {
                found.push(name.to_owned());
            }
        }
    }
    found
}

fn walk_package(
    package: &str,
    dir: &Path,
    options: &DiscoveryOptions,
    include: Option<&GlobSet>,
    exclude: Option<&GlobSet>,
    out: &mut Discovered,
    namespace_candidates: &mut BTreeSet<String>,
) {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let rules = if options.respect_gitignore {
        walk::rules_above(&absolute)
    } else {
        walk::Rules::default()
    };
    let boundary = std::fs::canonicalize(&options.root).unwrap_or_else(|_| {
        std::path::absolute(&options.root).unwrap_or_else(|_| options.root.clone())
    });
    let found = walk::walk(
        &absolute,
        &rules,
        options.respect_gitignore,
        options.stat_files,
        &boundary,
    );
    // Back to the form the caller gave (often relative to the working directory).
    let back = |p: PathBuf| match strip_base(&p, &absolute) {
        Some(rel) if rel.as_os_str().is_empty() => dir.to_path_buf(),
        Some(rel) => dir.join(rel),
        None => p,
    };
    let mut relative: Vec<(PathBuf, bool, bool, Option<FileMeta>)> =
        Vec::with_capacity(found.len());
    for item in found {
        match item {
            walk::Found::Dir { path, has_init } => relative.push((path, true, has_init, None)),
            walk::Found::File { path, meta } => relative.push((path, false, false, meta)),
            walk::Found::Warning(w) => out.warnings.push(w),
        }
    }
    let mut entries: Vec<(PathBuf, bool, bool, Option<FileMeta>)> =
        Vec::with_capacity(relative.len());
    relative
        .into_par_iter()
        .map(|(path, is_dir, has_init, meta)| (back(path), is_dir, has_init, meta))
        .collect_into_vec(&mut entries);
    // Byte order is enough for a deterministic result, much cheaper than comparing paths
    // component by component, and leaves the files nearly in module order for the final sort.
    entries.par_sort_unstable_by(|a, b| {
        a.0.as_os_str()
            .as_encoded_bytes()
            .cmp(b.0.as_os_str().as_encoded_bytes())
    });
    // Each entry on its own (in parallel: a large tree has tens of thousands), then gathered in
    // order.
    let items: Vec<Item> = entries
        .into_par_iter()
        .map(|entry| classify(package, dir, options, include, exclude, entry))
        .collect();
    for item in items {
        match item {
            Item::Namespace(name) => {
                namespace_candidates.insert(name);
            }
            Item::File(file) => out.files.push(file),
            Item::Warning(w) => out.warnings.push(w),
            Item::Skip => {}
        }
    }
}

/// `path` below `base`, when `path` was made by joining onto `base` (as the walk makes every
/// path): a byte comparison instead of `Path::strip_prefix`'s component by component walk,
/// which was a tenth of a warm run's discovery. Anything unusual goes to `strip_prefix`.
#[cfg(unix)]
fn strip_base<'p>(path: &'p Path, base: &Path) -> Option<&'p Path> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let prefix = base.as_os_str().as_bytes();
    if !prefix.is_empty()
        && !prefix.ends_with(b"/")
        && let Some(rest) = bytes.strip_prefix(prefix)
    {
        if rest.is_empty() {
            return Some(Path::new(""));
        }
        if let Some(rest) = rest.strip_prefix(b"/")
            && rest
                .split(|&b| b == b'/')
                .all(|part| !part.is_empty() && part != b"." && part != b"..")
        {
            return Some(Path::new(std::ffi::OsStr::from_bytes(rest)));
        }
    }
    path.strip_prefix(base).ok()
}

#[cfg(not(unix))]
fn strip_base<'p>(path: &'p Path, base: &Path) -> Option<&'p Path> {
    path.strip_prefix(base).ok()
}

/// What one walked entry becomes.
enum Item {
    Namespace(String),
    File(SourceFile),
    Warning(String),
    Skip,
}

fn classify(
    package: &str,
    dir: &Path,
    options: &DiscoveryOptions,
    include: Option<&GlobSet>,
    exclude: Option<&GlobSet>,
    (path, is_dir, has_init, meta): (PathBuf, bool, bool, Option<FileMeta>),
) -> Item {
    let rel_to_pkg = strip_base(&path, dir).unwrap_or(&path);
    if is_dir {
        if !has_init {
            return Item::Namespace(module_name(package, rel_to_pkg, false));
        }
        return Item::Skip;
    }
    let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
        return Item::Warning(format!(
            "skipped {}: file name is not UTF-8",
            path.display()
        ));
    };
    if file_name.starts_with('.') || !file_name.ends_with(".py") {
        return Item::Skip;
    }
    // A newline (or any control character) in a module name would forge lines of every
    // report that prints it; no such file can be imported anyway.
    if file_name.chars().any(char::is_control) {
        return Item::Warning(format!(
            "skipped {:?}: a control character in the file name",
            path.display().to_string()
        ));
    }
    if file_name.matches('.').count() > 1 {
        return Item::Warning(format!(
            "skipped {}: too many dots in the name to be a module",
            path.display()
        ));
    }
    let rel_to_root = strip_base(&path, &options.root).unwrap_or(&path);
    if let Some(exclude) = exclude
        && exclude.is_match(rel_to_root)
    {
        return Item::Skip;
    }
    if let Some(include) = include
        && !include.is_match(rel_to_root)
    {
        return Item::Skip;
    }
    let is_package = file_name == "__init__.py";
    let module = module_name(package, rel_to_pkg, true);
    Item::File(SourceFile {
        module,
        path,
        is_package,
        meta,
    })
}

/// Dotted module name of a path relative to its root package directory.
fn module_name(package: &str, rel: &Path, is_file: bool) -> String {
    let mut name = String::with_capacity(package.len() + rel.as_os_str().len() + 1);
    name.push_str(package);
    let mut components = rel.components().peekable();
    while let Some(component) = components.next() {
        let part = component.as_os_str().to_string_lossy();
        let part: &str = if is_file && components.peek().is_none() {
            let stem = part.strip_suffix(".py").unwrap_or(&part);
            if stem == "__init__" {
                break;
            }
            stem
        } else {
            &part
        };
        name.push('.');
        name.push_str(part);
    }
    name
}

#[cfg(test)]
mod tests;
