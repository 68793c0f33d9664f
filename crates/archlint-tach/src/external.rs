//! `tach check-external`: each file's imports of code outside its own package — third-party
//! distributions, and first-party code of another package — against the distributions its
//! package declares (`[project] dependencies` in `pyproject.toml`, else Poetry's, or
//! `requirements.txt`), against its module's `depends_on_external` / `cannot_depend_on_external`,
//! and each package's declared distributions that nothing imports; as tach 0.35 does it.
//!
//! Which distribution provides an import name is the caller's [`Environment`] (archlint reads
//! the installed metadata; tach asks `importlib.metadata.packages_distributions()` of the
//! interpreter running it).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use archlint_facts::ModuleFacts;
use rayon::prelude::*;
use toml::Value;

use crate::check::{Outcome, Tree, normalised_imports, read_problem, skipped};
use crate::config::{ConfigError, TachConfig};
use crate::diagnostic::{CodeDiagnostic, Diagnostic, DiagnosticDetails, Severity};
use crate::ignore::Directives;
use crate::walk::{Layout, Resolution, TachFile};

/// Names tach counts as the standard library besides `sys.stdlib_module_names` and
/// `sys.builtin_module_names`.
pub const STDLIB_SPECIAL_CASES: &[&str] = &["__future__", "typing_extensions"];

/// What the Python environment says about import names.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// Top-level import name → the distributions providing it, spelled as their metadata
    /// spells them (`yaml` → `PyYAML`).
    pub distributions: HashMap<String, Vec<String>>,
    /// Top-level modules of the standard library.
    pub stdlib: HashSet<String>,
}

/// A package (distribution) of the project: the nearest directory above a source root holding
/// `pyproject.toml` or `requirements.txt`, else the project root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Absolute, as tach names a package without a name.
    pub root: PathBuf,
    /// `[project] name`, as written.
    pub name: Option<String>,
    /// Declared distributions, normalised as tach normalises them.
    pub dependencies: BTreeSet<String>,
}

impl Package {
    /// How tach names it in a report: its name, else its directory.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| self.root.display().to_string())
    }
}

/// The outcome of `tach check-external`, with notes tach prints on its standard error.
#[derive(Debug, Clone, Default)]
pub struct ExternalOutcome {
    pub outcome: Outcome,
    pub notes: Vec<String>,
}

/// tach's distribution-name normalisation: lower case, runs of `-`, `_` and white space made
/// one `_` (dots are kept: `zope.interface`).
pub fn normalize_package_name(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The name part of a requirement as tach cuts it: up to the first space, `=`, `<`, `>`, `~`,
/// `;` or `[` (so `x!=1` is `x!` — tach's own reading, kept).
fn requirement_name(requirement: &str) -> &str {
    requirement
        .split([' ', '=', '<', '>', '~', ';', '['])
        .next()
        .unwrap_or(requirement)
}

/// Distributions never counted as dependencies (compared after normalisation, so
/// `poetry-core`, which normalises to `poetry_core`, is counted — as tach counts it).
const NOT_DEPENDENCIES: [&str; 3] = ["python", "poetry", "poetry-core"];

fn add_dependency(out: &mut BTreeSet<String>, requirement: &str) {
    let name = normalize_package_name(requirement_name(requirement));
    if !NOT_DEPENDENCIES.contains(&name.as_str()) {
        out.insert(name);
    }
}

fn add_dependencies(out: &mut BTreeSet<String>, value: &Value) {
    match value {
        Value::Array(items) => {
            for item in items.iter().filter_map(Value::as_str) {
                add_dependency(out, item);
            }
        }
        Value::Table(table) => {
            for key in table.keys() {
                add_dependency(out, key);
            }
        }
        _ => {}
    }
}

fn toml_error(file: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let line = e
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() as u32 + 1);
    ConfigError {
        file: file.to_path_buf(),
        line,
        message: format!("invalid TOML: {}", e.message()),
    }
}

/// Package metadata larger than this is refused (a `requirements.txt` is a few kilobytes).
const MAX_METADATA_BYTES: u64 = 16 * 1024 * 1024;

/// Read a package's metadata file, which must lie inside the project (canonical `project`):
/// a checkout may be hostile, and a `pyproject.toml` linked to a file elsewhere would have
/// that file's content read and named in the report.
fn read_text(file: &Path, project: &Path) -> Result<String, ConfigError> {
    let refuse = |message: String| ConfigError {
        file: file.to_path_buf(),
        line: None,
        message,
    };
    let real = std::fs::canonicalize(file)
        .map_err(|e| refuse(format!("cannot read the package's dependencies: {e}")))?;
    if !real.starts_with(project) {
        return Err(refuse(
            "resolves to a file outside the project; not read (package metadata must be part \
             of the checkout)"
                .into(),
        ));
    }
    let size = std::fs::metadata(&real).map(|m| m.len()).unwrap_or(0);
    if size > MAX_METADATA_BYTES {
        return Err(refuse(format!(
            "is {size} bytes, over the {MAX_METADATA_BYTES} byte limit for package metadata; \
             not read"
        )));
    }
    std::fs::read_to_string(&real)
        .map_err(|e| refuse(format!("cannot read the package's dependencies: {e}")))
}

/// Read the package at `dir` (`absolute` is how it is named): `pyproject.toml` first, then
/// `setup.py` (which tach refuses: reading it would mean running it), then
/// `requirements.txt`, else a package that declares nothing.
/// `project` is the project root, canonical: metadata files must resolve inside it.
pub fn read_package(
    dir: &Path,
    absolute: PathBuf,
    project: &Path,
) -> Result<(Package, Vec<String>), ConfigError> {
    let mut package = Package {
        root: absolute,
        name: None,
        dependencies: BTreeSet::new(),
    };
    let mut notes = Vec::new();
    let pyproject = dir.join("pyproject.toml");
    if pyproject.exists() {
        let text = read_text(&pyproject, project)?;
        let value: toml::Table =
            toml::from_str(&text).map_err(|e| toml_error(&pyproject, &text, &e))?;
        let project = value.get("project");
        package.name = project
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let project_deps = project.and_then(|p| p.get("dependencies"));
        let poetry_deps = value
            .get("tool")
            .and_then(|t| t.get("poetry"))
            .and_then(|p| p.get("dependencies"));
        match (project_deps, poetry_deps) {
            (Some(deps), Some(_)) => {
                add_dependencies(&mut package.dependencies, deps);
                notes.push(format!(
                    "{}: both [project] dependencies and Poetry dependencies; the [project] ones \
                     are used (as tach does)",
                    pyproject.display()
                ));
            }
            (Some(deps), None) | (None, Some(deps)) => {
                add_dependencies(&mut package.dependencies, deps)
            }
            (None, None) => {}
        }
        return Ok((package, notes));
    }
    let setup = dir.join("setup.py");
    if setup.exists() {
        return Err(ConfigError {
            file: setup,
            line: None,
            message: "packages defined with setup.py are not supported by `check-external` \
                      (their dependencies are known only by running it; tach refuses them too)"
                .to_owned(),
        });
    }
    let requirements = dir.join("requirements.txt");
    if requirements.exists() {
        for line in read_text(&requirements, project)?.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
                continue;
            }
            add_dependency(&mut package.dependencies, line);
        }
    }
    Ok((package, notes))
}

/// The packages of a project.
struct Packages {
    list: Vec<Package>,
    /// For each source root, the index of its package.
    of_root: Vec<usize>,
    /// What reading them had to say.
    notes: Vec<String>,
}

/// The packages of the project, and for each source root the index of its package.
fn packages(layout: &Layout) -> Result<Packages, ConfigError> {
    let root = std::fs::canonicalize(&layout.root).unwrap_or_else(|_| layout.root.clone());
    // Each distinct package once (the first source root naming it), and each root's index
    // among them.
    let firsts: Vec<usize> = (0..layout.packages.len())
        .filter(|&i| layout.package_ids[i] == i)
        .collect();
    let of_root = layout
        .package_ids
        .iter()
        .map(|id| firsts.iter().position(|f| f == id).unwrap_or(0))
        .collect();
    let mut packages = Vec::new();
    let mut notes = Vec::new();
    for &first in &firsts {
        let dir = &layout.packages[first];
        let absolute = match dir.strip_prefix(&layout.root) {
            Ok(rel) if rel.as_os_str().is_empty() => root.clone(),
            Ok(rel) => root.join(rel),
            Err(_) => dir.clone(),
        };
        let (package, more) = read_package(dir, absolute, &root)?;
        packages.push(package);
        notes.extend(more);
    }
    Ok(Packages {
        list: packages,
        of_root,
        notes,
    })
}

/// What one file contributes: its findings, its package, the distributions its imports name.
struct FileResult {
    diagnostics: Vec<Diagnostic>,
    package: usize,
    seen: Option<HashSet<String>>,
}

struct Checker<'a> {
    config: &'a TachConfig,
    layout: &'a Layout,
    tree: Tree,
    packages: Vec<Package>,
    package_of_root: Vec<usize>,
    distributions: HashMap<&'a str, Vec<String>>,
    stdlib: &'a HashSet<String>,
    exclude: HashSet<&'a str>,
}

impl Checker<'_> {
    /// The distributions an import names: the environment's (or `rename`'s) for its top-level
    /// name, else the package it resolves to in the project, else the name itself.
    fn distributions_of(&self, top: &str, resolved: Option<usize>) -> Vec<String> {
        if let Some(names) = self.distributions.get(top) {
            return names.clone();
        }
        let name = resolved
            .and_then(|root| self.packages[self.package_of_root[root]].name.as_deref())
            .map(normalize_package_name);
        vec![name.unwrap_or_else(|| top.to_owned())]
    }

    fn check_file(&self, file: &TachFile, facts: &ModuleFacts) -> FileResult {
        let package = self.package_of_root[file.source_root];
        if let Some(problem) = read_problem(facts) {
            return FileResult {
                diagnostics: vec![skipped(self.layout, file, problem)],
                package,
                seen: None,
            };
        }
        let own = self.tree.nearest(&file.module);
        let declared = &self.packages[package];
        let mut directives = Directives::read(&facts.tach_ignores);
        let mut found = Vec::new();
        let mut seen = HashSet::new();
        for import in normalised_imports(file, facts, self.config.ignore_type_checking_imports) {
            let resolved = match self.layout.resolve(&import.path) {
                Resolution::Found(root)
                    if self.package_of_root[root] != self.package_of_root[file.source_root] =>
                {
                    Some(root)
                }
                Resolution::NotFound => None,
                // Code of its own package, or excluded: not external, and a directive on it
                // is not counted either way.
                Resolution::Found(_) | Resolution::Excluded => {
                    directives.forget_line(import.statement_line);
                    directives.forget_line(import.line);
                    continue;
                }
            };
            let top = import.path.split('.').next().unwrap_or(&import.path);
            let names = self.distributions_of(top, resolved);
            seen.extend(names.iter().cloned());
            if names.iter().any(|n| self.exclude.contains(n.as_str())) || self.stdlib.contains(top)
            {
                continue;
            }
            let code = if !names.iter().any(|n| declared.dependencies.contains(n)) {
                CodeDiagnostic::UndeclaredExternalDependency {
                    dependency: top.to_owned(),
                    package_name: declared.display_name(),
                }
            } else if own
                .cannot_depend_on_external
                .as_ref()
                .is_some_and(|forbidden| forbidden.iter().any(|f| f == top))
            {
                CodeDiagnostic::ModuleForbiddenExternalDependency {
                    dependency: top.to_owned(),
                    usage_module: own.path.clone(),
                }
            } else if own
                .depends_on_external
                .as_ref()
                .is_some_and(|allowed| !allowed.iter().any(|a| a == top))
            {
                CodeDiagnostic::ModuleUndeclaredExternalDependency {
                    dependency: top.to_owned(),
                    usage_module: own.path.clone(),
                }
            } else {
                continue;
            };
            let severity = if import.global {
                Some(Severity::Error)
            } else {
                self.config.rules.local_imports.severity()
            };
            if let Some(severity) = severity {
                found.push(Diagnostic::Located {
                    file_path: file.relative.clone(),
                    line_number: import.line,
                    original_line_number: Some(import.statement_line),
                    severity,
                    details: DiagnosticDetails::Code(code),
                });
            }
        }
        directives.apply(&self.config.rules, &file.relative, &mut found);
        FileResult {
            diagnostics: found,
            package,
            seen: Some(seen),
        }
    }
}

/// Run `tach check-external` over the files and their facts (in the order of `layout.files`).
pub fn check_external(
    config: &TachConfig,
    layout: &Layout,
    facts: &[&ModuleFacts],
    environment: &Environment,
) -> Result<ExternalOutcome, ConfigError> {
    let mut diagnostics = Vec::new();
    let tree = match Tree::build(config, layout, &mut diagnostics)? {
        Ok(tree) => tree,
        Err(stop) => {
            return Ok(ExternalOutcome {
                outcome: Outcome::stopped(stop),
                notes: Vec::new(),
            });
        }
    };
    let Packages {
        list: packages,
        of_root: package_of_root,
        notes,
    } = packages(layout)?;
    let mut distributions: HashMap<&str, Vec<String>> = environment
        .distributions
        .iter()
        .map(|(module, names)| {
            let names = names.iter().map(|n| normalize_package_name(n)).collect();
            (module.as_str(), names)
        })
        .collect();
    for (module, name) in &config.external.rename {
        distributions.insert(module, vec![normalize_package_name(name)]);
    }
    let checker = Checker {
        config,
        layout,
        tree,
        packages,
        package_of_root,
        distributions,
        stdlib: &environment.stdlib,
        // Compared with normalised names as written (tach does not normalise them).
        exclude: config.external.exclude.iter().map(String::as_str).collect(),
    };
    let per_file: Vec<FileResult> = layout
        .files
        .par_iter()
        .zip(facts.par_iter())
        .map(|(file, facts)| checker.check_file(file, facts))
        .collect();
    // Per package, every distribution its files' imports name; a package none of whose files
    // imports anything outside it is not checked for unused dependencies (as tach).
    let mut seen: Vec<Option<HashSet<String>>> = vec![None; checker.packages.len()];
    for result in per_file {
        diagnostics.extend(result.diagnostics);
        if let Some(names) = result.seen.filter(|n| !n.is_empty()) {
            seen[result.package]
                .get_or_insert_with(HashSet::new)
                .extend(names);
        }
    }
    if let Some(severity) = config.rules.unused_external_dependencies.severity() {
        for (package, seen) in checker.packages.iter().zip(&seen) {
            let Some(seen) = seen else { continue };
            for dependency in &package.dependencies {
                if seen.contains(dependency) || checker.exclude.contains(dependency.as_str()) {
                    continue;
                }
                diagnostics.push(Diagnostic::Global {
                    severity,
                    details: DiagnosticDetails::Code(CodeDiagnostic::UnusedExternalDependency {
                        package_module_name: dependency.clone(),
                        package_name: package.display_name(),
                    }),
                });
            }
        }
    }
    Ok(ExternalOutcome {
        outcome: Outcome {
            diagnostics,
            stop: None,
        },
        notes,
    })
}
