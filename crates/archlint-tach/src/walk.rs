//! The files tach checks and the modules that exist, found as tach finds them: its walk
//! (hidden entries skipped, `.gitignore` per `respect_gitignore`, `exclude` as gitignore-style
//! overrides from the project root) over each source root, and plain existence for resolving
//! imports and checking configured module paths.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::overrides::{Override, OverrideBuilder};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::{ConfigError, RespectGitignore, TachConfig};

/// One Python file to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TachFile {
    /// Absolute (or as joined onto the given root) path.
    pub path: PathBuf,
    /// Relative to the project root, `/`-separated: how tach names it in reports.
    pub relative: String,
    /// Its module path (`a.b` for `a/b.py` and `a/b/__init__.py`) in the most specific source
    /// root holding it.
    pub module: String,
    pub is_package: bool,
    /// Index into [`Layout::source_roots`]: the root whose walk found it (a file under two
    /// nested roots is listed once for each).
    pub source_root: usize,
}

/// What the project holds, as tach sees it.
#[derive(Debug, Default)]
pub struct Layout {
    pub root: PathBuf,
    /// Absolute source roots, in configuration order.
    pub source_roots: Vec<PathBuf>,
    /// For each source root, the package (distribution) it belongs to: the nearest directory
    /// up to the project root holding `pyproject.toml`, `setup.py` or `requirements.txt`.
    pub packages: Vec<PathBuf>,
    /// For each source root, the index of its package among the distinct `packages` (first
    /// occurrence), so that two roots compare by number.
    pub package_ids: Vec<usize>,
    /// Files to check, sorted by relative path.
    pub files: Vec<TachFile>,
    /// Per source root: module paths of the walked `.py`/`.pyi` files (packages by their
    /// `__init__`), and the walked directories' dotted paths. A path not among them may still
    /// exist (ignored, hidden or excluded): [`Layout::probe`] asks the file system.
    walked_set: Vec<FxHashSet<String>>,
    walked_dirs: Vec<FxHashSet<String>>,
    /// Per source root: relative `/`-paths of walked module entries (non-`__init__` files with
    /// their extension, package directories without), for expanding module globs.
    pub walked_modules: Vec<Vec<String>>,
    /// `exclude`, for files found by probing.
    overrides: Option<Override>,
    /// Probed module paths: per source root and module, tach's pick of file, if any, and
    /// whether `exclude` matches it.
    probed: std::sync::Mutex<Vec<FxHashMap<String, Option<bool>>>>,
    /// Per source root: the names in its directory (every entry, and `.py`/`.pyi` files'
    /// stems), for answering "not there" without probing (`None`: the root could not be
    /// listed, so every module is probed).
    top_names: Vec<Option<FxHashSet<String>>>,
    /// `tach.domain.toml` files found by the walk, with their source root, sorted.
    pub domain_files: Vec<(PathBuf, usize)>,
}

/// A file's module path from its path relative to a source root, and whether it is a
/// package's `__init__`.
pub(crate) fn module_of(relative: &Path) -> Option<(String, bool)> {
    let text = relative.to_str()?;
    let clean = std::path::MAIN_SEPARATOR == '/'
        && !text.is_empty()
        && text != "."
        && !text.starts_with('/')
        && !text.starts_with("./")
        && !text.ends_with('/')
        && !text.contains("//")
        && !text.contains("/./");
    if !clean {
        return module_of_components(relative);
    }
    // The common case without splitting the path into components: `a/b/c.py` → `a.b.c`.
    let (dirs, name) = text.rsplit_once('/').unwrap_or(("", text));
    let is_package = name == "__init__.py" || name == "__init__.pyi";
    let mut module = dirs.replace('/', ".");
    if !is_package {
        let stem = Path::new(name).file_stem()?.to_str()?;
        if !dirs.is_empty() {
            module.push('.');
        }
        module.push_str(stem);
    }
    if module.is_empty() {
        module.push('.');
    }
    Some((module, is_package))
}

pub(crate) fn module_of_components(relative: &Path) -> Option<(String, bool)> {
    let mut parts: Vec<String> = Vec::new();
    let comps: Vec<_> = relative.components().collect();
    let (last, dirs) = comps.split_last()?;
    for c in dirs {
        parts.push(c.as_os_str().to_str()?.to_owned());
    }
    let name = last.as_os_str().to_str()?;
    let is_package = name == "__init__.py" || name == "__init__.pyi";
    if !is_package {
        let stem = Path::new(name).file_stem()?.to_str()?;
        parts.push(stem.to_owned());
    }
    let module = parts.join(".");
    Some((
        if module.is_empty() {
            ".".to_owned()
        } else {
            module
        },
        is_package,
    ))
}

/// What one walked entry contributes.
enum Entry {
    Skip,
    /// A directory: its dotted path, and its `/`-path when it is a package.
    Dir {
        dotted: String,
        package: Option<String>,
    },
    /// A `tach.domain.toml`.
    Domain,
    /// A `.py`/`.pyi` file: its module path in this root, its `/`-path for module globs (not
    /// for an `__init__`), and — for a `.py` file — what it is checked as (module path, path
    /// from the project root, whether a package).
    Module {
        module: String,
        walked: Option<String>,
        file: Option<(String, String, bool)>,
    },
}

/// `path` relative to `base`, as [`Path::strip_prefix`] gives it, but compared as bytes first:
/// the walk's paths are clean names joined onto the same absolute root, so the bytes decide
/// without splitting either path into components (which, once per walked entry, showed in
/// profiles). Anything the bytes do not settle goes to `strip_prefix`.
pub(crate) fn below<'a>(path: &'a Path, base: &Path) -> Option<&'a Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let p = path.as_os_str().as_bytes();
        let b = base.as_os_str().as_bytes();
        if let Some(rest) = p.strip_prefix(b) {
            let rest = match rest {
                [] => Some(rest),
                [b'/', tail @ ..] if !b.is_empty() => Some(tail),
                _ if b.ends_with(b"/") => Some(rest),
                _ => None,
            };
            if let Some(rest) = rest
                && !rest.starts_with(b"/")
                && !rest.starts_with(b"./")
                && rest != b"."
                && memchr::memmem::find(rest, b"//").is_none()
                && memchr::memmem::find(rest, b"/./").is_none()
                && !rest.ends_with(b"/.")
                && !rest.ends_with(b"/")
            {
                return Some(Path::new(std::ffi::OsStr::from_bytes(rest)));
            }
        }
    }
    path.strip_prefix(base).ok()
}

/// `rel` as a `/`-separated string: the path itself on Unix.
fn slashed(rel: &Path) -> String {
    match rel.to_str() {
        Some(text) if std::path::MAIN_SEPARATOR == '/' => text.to_owned(),
        _ => slash(rel),
    }
}

/// One walked entry, relative to its source root. `found` is the whole (byte-sorted) walk, to
/// tell a package directory by its `__init__` without asking the file system again.
fn entry(
    path: &Path,
    is_dir: bool,
    is_file: bool,
    source_root: &Path,
    root: &Path,
    found: &[(PathBuf, bool, bool)],
    nested: Option<&Vec<PathBuf>>,
) -> Entry {
    let Some(rel) = below(path, source_root) else {
        return Entry::Skip;
    };
    if rel.as_os_str().is_empty() {
        return Entry::Skip;
    }
    if is_dir {
        let listed = |name: &str| {
            let init = path.join(name);
            let key = init.as_os_str().as_encoded_bytes();
            found
                .binary_search_by(|(p, _, _)| p.as_os_str().as_encoded_bytes().cmp(key))
                .is_ok()
                || init.exists()
        };
        let rel = slashed(rel);
        let package = (listed("__init__.py") || listed("__init__.pyi")).then(|| rel.clone());
        return Entry::Dir {
            dotted: rel.replace('/', "."),
            package,
        };
    }
    if path.file_name().and_then(|n| n.to_str()) == Some("tach.domain.toml") {
        return Entry::Domain;
    }
    let ext = path.extension().and_then(|e| e.to_str());
    if !matches!(ext, Some("py" | "pyi")) {
        return Entry::Skip;
    }
    let Some((module, is_package)) = module_of(rel) else {
        return Entry::Skip;
    };
    let walked = (!is_package).then(|| slashed(rel));
    let file = (ext == Some("py") && is_file).then(|| {
        let checked_as = match nested {
            Some(roots) => most_specific_module(roots, path).unwrap_or_else(|| module.clone()),
            None => module.clone(),
        };
        let relative = below(path, root)
            .map(slashed)
            .unwrap_or_else(|| slashed(path));
        (checked_as, relative, is_package)
    });
    Entry::Module {
        module,
        walked,
        file,
    }
}

/// A file's module path in the most specific source root holding it.
fn most_specific_module(roots: &[PathBuf], path: &Path) -> Option<String> {
    let root = roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.components().count())?;
    module_of(path.strip_prefix(root).ok()?).map(|(module, _)| module)
}

fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn package_root(project: &Path, source_root: &Path) -> PathBuf {
    let mut dir = source_root.to_path_buf();
    loop {
        if ["pyproject.toml", "setup.py", "requirements.txt"]
            .iter()
            .any(|f| dir.join(f).exists())
        {
            return dir;
        }
        if dir == project {
            return dir;
        }
        match dir.parent() {
            Some(parent) if parent.starts_with(project) => dir = parent.to_path_buf(),
            _ => return project.to_path_buf(),
        }
    }
}

fn overrides(root: &Path, config: &TachConfig) -> Result<Override, ConfigError> {
    let mut builder = OverrideBuilder::new(root);
    for pattern in &config.exclude {
        builder
            .add(&format!("!{pattern}"))
            .map_err(|e| ConfigError {
                file: config.file.clone(),
                line: None,
                message: format!("invalid `exclude` pattern '{pattern}': {e}"),
            })?;
    }
    builder.build().map_err(|e| ConfigError {
        file: config.file.clone(),
        line: None,
        message: format!("invalid `exclude` patterns: {e}"),
    })
}

/// Resolve `source_roots` (globs allowed, matched against directories) to absolute paths.
fn source_roots(root: &Path, config: &TachConfig) -> Result<Vec<PathBuf>, ConfigError> {
    let mut out = Vec::new();
    for entry in &config.source_roots {
        let has_glob = entry.contains(['*', '?', '[', '{']);
        if !has_glob {
            let path = if entry == "." {
                root.to_path_buf()
            } else {
                root.join(entry)
            };
            let path = std::path::absolute(&path).unwrap_or(path);
            if !path.starts_with(root) {
                return Err(ConfigError {
                    file: config.file.clone(),
                    line: None,
                    message: format!("source root '{entry}' lies outside the project"),
                });
            }
            out.push(normalise(&path));
            continue;
        }
        let glob = globset::GlobBuilder::new(&format!("{}/{entry}", root.display()))
            .literal_separator(true)
            .build()
            .map_err(|e| ConfigError {
                file: config.file.clone(),
                line: None,
                message: format!("invalid source root pattern '{entry}': {e}"),
            })?
            .compile_matcher();
        let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(root)
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_dir()) && glob.is_match(e.path()))
            .map(|e| e.into_path())
            .collect();
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// The names a source root's directory holds: each entry's, and each `.py`/`.pyi` file's stem.
fn top_names(source_root: &Path) -> Option<FxHashSet<String>> {
    let mut names = FxHashSet::default();
    for entry in std::fs::read_dir(source_root).ok()? {
        let name = entry.ok()?.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        for suffix in [".py", ".pyi"] {
            if let Some(stem) = name.strip_suffix(suffix) {
                names.insert(stem.to_owned());
            }
        }
        names.insert(name.to_owned());
    }
    Some(names)
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Walk the project as tach does.
pub fn walk(root: &Path, config: &TachConfig) -> Result<Layout, ConfigError> {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let overrides = overrides(&root, config)?;
    let roots = source_roots(&root, config)?;
    let mut layout = Layout {
        root: root.clone(),
        packages: roots.iter().map(|r| package_root(&root, r)).collect(),
        ..Layout::default()
    };
    layout.package_ids = (0..layout.packages.len())
        .map(|i| {
            let first = layout
                .packages
                .iter()
                .position(|p| *p == layout.packages[i]);
            first.unwrap_or(i)
        })
        .collect();
    // A file under two source roots (one inside the other) is checked once per root that
    // walks it, as tach checks it: in that root's package, with the module path the most
    // specific root gives it.
    let nested = roots.iter().enumerate().any(|(i, a)| {
        roots
            .iter()
            .enumerate()
            .any(|(j, b)| i != j && a.starts_with(b))
    });
    for (index, source_root) in roots.iter().enumerate() {
        // The walk tach checks files from (in parallel; sorted after).
        let mut builder = ignore::WalkBuilder::new(&root);
        match config.respect_gitignore {
            RespectGitignore::False => {
                builder.ignore(false).git_ignore(false).git_global(false);
            }
            RespectGitignore::True => {
                builder.require_git(false);
            }
            RespectGitignore::IfGitRepo => {
                builder.require_git(true);
            }
        }
        builder.overrides(overrides.clone());
        let owned_root = source_root.clone();
        let filter_overrides = overrides.clone();
        builder.filter_entry(move |e| {
            let path = e.path();
            if below(path, &owned_root).is_some() {
                !filter_overrides
                    .matched(path, e.file_type().is_some_and(|t| t.is_dir()))
                    .is_ignore()
            } else {
                owned_root.starts_with(path)
            }
        });
        let found: std::sync::Mutex<Vec<(PathBuf, bool, bool)>> = std::sync::Mutex::new(Vec::new());
        builder.build_parallel().run(|| {
            let found = &found;
            Box::new(move |entry| {
                if let Ok(entry) = entry {
                    let kind = entry.file_type();
                    let item = (
                        entry.into_path(),
                        kind.is_some_and(|t| t.is_dir()),
                        kind.is_some_and(|t| t.is_file()),
                    );
                    if let Ok(mut list) = found.lock() {
                        list.push(item);
                    }
                }
                ignore::WalkState::Continue
            })
        });
        let mut found = found.into_inner().unwrap_or_default();
        // Byte order: deterministic, and far cheaper than comparing paths component-wise.
        found.sort_unstable_by(|a, b| {
            a.0.as_os_str()
                .as_encoded_bytes()
                .cmp(b.0.as_os_str().as_encoded_bytes())
        });
        // Each entry on its own (in parallel; order kept), then gathered.
        let entries: Vec<Entry> = found
            .par_iter()
            .map(|(path, is_dir, is_file)| {
                entry(
                    path,
                    *is_dir,
                    *is_file,
                    source_root,
                    &root,
                    &found,
                    nested.then_some(&roots),
                )
            })
            .collect();
        let mut walked = Vec::new();
        let mut modules = FxHashSet::default();
        let mut dirs = FxHashSet::default();
        for (item, (path, _, _)) in entries.into_iter().zip(found) {
            match item {
                Entry::Skip => {}
                Entry::Dir { dotted, package } => {
                    dirs.insert(dotted);
                    walked.extend(package);
                }
                Entry::Domain => {
                    if !layout.domain_files.iter().any(|(p, _)| *p == path) {
                        layout.domain_files.push((path, index));
                    }
                }
                Entry::Module {
                    module,
                    walked: listed,
                    file,
                } => {
                    walked.extend(listed);
                    modules.insert(module);
                    if let Some((module, relative, is_package)) = file {
                        layout.files.push(TachFile {
                            path,
                            relative,
                            module,
                            is_package,
                            source_root: index,
                        });
                    }
                }
            }
        }
        walked.sort();
        layout.walked_modules.push(walked);
        layout.walked_set.push(modules);
        layout.walked_dirs.push(dirs);
        layout.top_names.push(top_names(source_root));
    }
    layout.overrides = Some(overrides);
    layout.source_roots = roots;
    layout
        .files
        .sort_by(|a, b| (&a.relative, a.source_root).cmp(&(&b.relative, b.source_root)));
    layout.domain_files.sort();
    Ok(layout)
}

/// Add the modules and interfaces of every `tach.domain.toml` the walk found (after the
/// project's own, as tach adds them; in path order, where tach's order is its threads').
pub fn add_domains(config: &mut TachConfig, layout: &Layout) -> Result<(), ConfigError> {
    for (path, root) in &layout.domain_files {
        let dir = path.parent().unwrap_or(path);
        let relative = dir
            .strip_prefix(&layout.source_roots[*root])
            .unwrap_or(Path::new(""));
        if relative.as_os_str().is_empty() {
            return Err(ConfigError {
                file: path.clone(),
                line: None,
                message: "a tach.domain.toml cannot be in a source root itself (its directory is \
                          its module)"
                    .into(),
            });
        }
        let mod_path = slash(relative).replace('/', ".");
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.clone(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        let (modules, interfaces) = crate::config::parse_domain(path, &text, &mod_path)?;
        config.modules.extend(modules);
        config.interfaces.extend(interfaces);
    }
    Ok(())
}

/// Whether a dotted path could name a module: non-empty parts of word characters (and `*`).
/// One pass over the bytes for ASCII paths (this runs once per import).
pub(crate) fn plausible_module_path(path: &str) -> bool {
    if !path.is_ascii() {
        return !path.is_empty()
            && path.split('.').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '*')
            });
    }
    let mut part_empty = true;
    for b in path.bytes() {
        if b == b'.' {
            if part_empty {
                return false;
            }
            part_empty = true;
        } else if b.is_ascii_alphanumeric() || b == b'_' || b == b'*' {
            part_empty = false;
        } else {
            return false;
        }
    }
    !part_empty
}

/// Where an import path resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// A module (or a member of one) in this source root.
    Found(usize),
    /// A file that matches `exclude`.
    Excluded,
    NotFound,
}

impl Layout {
    /// tach's `module_to_file_path(check_members = true)`: the module itself, else its parent
    /// holding the last part as a member; the first source root that has it.
    pub fn resolve(&self, module_path: &str) -> Resolution {
        let plausible = plausible_module_path(module_path);
        if !plausible {
            return Resolution::NotFound;
        }
        for index in 0..self.source_roots.len() {
            let hit = self.module_in(index, module_path).or_else(|| {
                module_path
                    .rsplit_once('.')
                    .and_then(|(parent, _)| self.module_in(index, parent))
            });
            if let Some(excluded) = hit {
                return if excluded {
                    Resolution::Excluded
                } else {
                    Resolution::Found(index)
                };
            }
        }
        Resolution::NotFound
    }

    /// Whether `module` is a file in this source root — `Some(excluded)` — as tach looks for
    /// it: `__init__.pyi`, `__init__.py`, `.pyi`, `.py`, the first that exists.
    fn module_in(&self, index: usize, module: &str) -> Option<bool> {
        if self.walked_set[index].contains(module) {
            return Some(false);
        }
        // Every candidate file lies under the first part's entry in the root: no such entry,
        // no module (this answers the standard library's and other distributions' imports).
        let first = module.split('.').next().unwrap_or(module);
        if let Some(Some(names)) = self.top_names.get(index)
            && !names.contains(first)
        {
            return None;
        }
        let known = self
            .probed
            .lock()
            .ok()
            .and_then(|p| p.get(index).and_then(|m| m.get(module)).copied());
        if let Some(known) = known {
            return known;
        }
        let answer = self.probe(index, module);
        if let Ok(mut probed) = self.probed.lock() {
            if probed.len() <= index {
                probed.resize_with(index + 1, FxHashMap::default);
            }
            probed[index].insert(module.to_owned(), answer);
        }
        answer
    }

    /// Ask the file system (for modules the walk does not list: ignored, hidden, excluded).
    fn probe(&self, index: usize, module: &str) -> Option<bool> {
        let base = self.source_roots[index].join(module.replace('.', "/"));
        for candidate in [
            base.join("__init__.pyi"),
            base.join("__init__.py"),
            base.with_extension("pyi"),
            base.with_extension("py"),
        ] {
            if candidate.exists() {
                return Some(
                    self.overrides
                        .as_ref()
                        .is_some_and(|o| o.matched(&candidate, false).is_ignore()),
                );
            }
        }
        None
    }

    /// tach's `module_to_pyfile_or_dir_path`: a directory, `.pyi` or `.py` of that path in any
    /// source root.
    pub fn module_exists(&self, module_path: &str) -> bool {
        if module_path.is_empty() {
            return false;
        }
        if self.walked_dirs.iter().any(|d| d.contains(module_path))
            || self.walked_set.iter().any(|m| m.contains(module_path))
        {
            return true;
        }
        let rel = module_path.replace('.', "/");
        self.source_roots.iter().any(|root| {
            let base = root.join(&rel);
            base.is_dir()
                || base.with_extension("pyi").exists()
                || base.with_extension("py").exists()
        })
    }

    /// Index of the package each source root belongs to, for comparing two roots.
    pub fn same_package(&self, a: usize, b: usize) -> bool {
        self.package_ids[a] == self.package_ids[b]
    }

    /// Module paths matched by a module glob (`libs.*`, `libs.**`), as tach expands them.
    pub fn expand_glob(&self, pattern: &str) -> Result<Vec<String>, String> {
        let matcher = module_glob_matcher(pattern)?;
        let mut out = Vec::new();
        let mut seen: HashMap<String, ()> = HashMap::new();
        for walked in &self.walked_modules {
            for rel in walked {
                if matcher.is_match(rel) {
                    let module = rel
                        .strip_suffix(".pyi")
                        .or_else(|| rel.strip_suffix(".py"))
                        .unwrap_or(rel)
                        .replace('/', ".");
                    if seen.insert(module.clone(), ()).is_none() {
                        out.push(module);
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Whether a module path is written as a glob (tach's `has_glob_syntax`).
pub fn has_glob_syntax(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    pattern.char_indices().any(|(i, c)| {
        matches!(c, '*' | '?' | '[' | ']' | '{' | '}') && (i == 0 || bytes[i - 1] != b'\\')
    })
}

/// tach's `ModuleGlob::into_matcher`: dots to slashes, a trailing `**` also matching the
/// package itself, any of no extension, `.py` or `.pyi`.
pub fn module_glob_matcher(pattern: &str) -> Result<globset::GlobMatcher, String> {
    let mut glob = pattern.split('.').collect::<Vec<_>>().join("/");
    if let Some(stripped) = glob.strip_suffix("/**") {
        glob = format!("{stripped}{{,/**}}");
    }
    glob.push_str("{,.py,.pyi}");
    build_matcher(&glob)
}

/// tach's `build_matcher`: `*` does not cross `/`, empty alternatives allowed.
pub fn build_matcher(pattern: &str) -> Result<globset::GlobMatcher, String> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .empty_alternates(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.to_string())
}
