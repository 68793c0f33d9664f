//! `tach check`: each file's first-party imports against the module tree — layers,
//! `cannot_depend_on`, `depends_on` (deprecated edges warn), utilities, interfaces — plus the
//! configuration-wide checks tach runs before it (duplicates, visibility, circular
//! dependencies, the root module's treatment).

use std::collections::{BTreeSet, HashMap};

use archlint_facts::{ImportKind, ModuleFacts};
use rayon::prelude::*;
use regex::Regex;
use rustc_hash::FxHashMap;

use crate::config::{
    ConfigError, DependencyConfig, ModuleConfig, ROOT_MODULE, RootModule, RuleSetting, TachConfig,
};
use crate::diagnostic::{
    CodeDiagnostic, ConfigurationDiagnostic, Diagnostic, DiagnosticDetails, Severity,
};
use crate::ignore::Directives;
use crate::walk::{
    Layout, Resolution, TachFile, build_matcher, has_glob_syntax, module_glob_matcher,
};

/// Why tach stops before checking files: its configuration contradicts itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// Modules defined more than once.
    DuplicateModules(Vec<String>),
    /// `(dependent, dependency, visibility)`: a declared dependency the dependency's
    /// `visibility` does not allow.
    Visibility(Vec<(String, String, Vec<String>)>),
    /// Modules in a cycle of declared dependencies (`forbid_circular_dependencies`).
    Circular(Vec<String>),
    /// `<root>` used where `root_module` forbids it.
    RootModule(String),
}

impl Stop {
    /// The message of a stop tach raises while building its module tree.
    fn module_tree_error(&self) -> Option<String> {
        match self {
            Stop::DuplicateModules(m) => Some(format!(
                "Module tree error: Failed to build module tree. The following modules were \
                 defined more than once: {m:?}"
            )),
            Stop::RootModule(message) => Some(format!(
                "Module tree error: Root module violation: {message:?}"
            )),
            Stop::Visibility(_) | Stop::Circular(_) => None,
        }
    }

    /// tach's JSON for it (`tach check --output json`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Stop::Visibility(v) => {
                serde_json::json!({"error": "Visibility error", "visibility_errors": v})
            }
            Stop::Circular(m) => {
                serde_json::json!({"error": "Circular dependency", "dependencies": m})
            }
            _ => serde_json::json!({ "error": self.module_tree_error() }),
        }
    }

    /// The one line `tach check-external` prints for it.
    pub fn external_message(&self) -> String {
        match self {
            Stop::Visibility(_) => "Visibility error".to_owned(),
            Stop::Circular(_) => "Circular dependency error".to_owned(),
            _ => self.module_tree_error().unwrap_or_default(),
        }
    }

    /// What `tach check` prints for it (`[FAIL]` for tach's cross mark, lines unwrapped).
    pub fn text(&self) -> String {
        if let Some(message) = self.module_tree_error() {
            return message + "\n";
        }
        let mut out = String::new();
        for line in self.lines() {
            out.push_str(&format!("[FAIL] {line}\n"));
        }
        if let Stop::Circular(_) = self {
            out.push_str(
                "\nResolve circular dependencies.\nRemove or unset 'forbid_circular_dependencies' \
                 from 'tach.toml' to allow circular dependencies.\n",
            );
        }
        out
    }

    /// One message per problem (a finding each in the CI formats).
    pub fn lines(&self) -> Vec<String> {
        match self {
            Stop::Visibility(v) => v
                .iter()
                .map(|(dependent, dependency, visibility)| {
                    let quoted: Vec<String> = visibility.iter().map(|p| format!("'{p}'")).collect();
                    format!(
                        "Module configuration error: '{dependent}' cannot depend on '{dependency}' \
                         because '{dependent}' does not match its visibility: [{}].\nAdjust \
                         'visibility' for '{dependency}' to include '{dependent}', or remove the \
                         dependency.",
                        quoted.join(", ")
                    )
                })
                .collect(),
            Stop::Circular(m) => m
                .iter()
                .map(|module| format!("Circular dependency detected for module '{module}'"))
                .collect(),
            _ => self.module_tree_error().into_iter().collect(),
        }
    }
}

/// One file to check and its facts.
pub struct CheckedFile<'a> {
    pub file: &'a TachFile,
    pub facts: &'a ModuleFacts,
}

/// The outcome of `tach check`.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    /// Set when tach would stop before checking any file.
    pub stop: Option<Stop>,
}

impl Outcome {
    /// tach stopped before checking any file.
    pub fn stopped(stop: Stop) -> Outcome {
        Outcome {
            diagnostics: Vec::new(),
            stop: Some(stop),
        }
    }

    /// tach's exit status: 1 with any error (or a stop), else 0.
    pub fn failed(&self) -> bool {
        self.stop.is_some() || self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A module as placed in the tree: its configuration, the glob it came from.
#[derive(Debug, Clone)]
struct Placed {
    config: ModuleConfig,
    glob: Option<String>,
}

/// Configured modules by path, with tach's nearest-ancestor lookup.
pub(crate) struct Tree {
    by_path: FxHashMap<String, ModuleConfig>,
    root: ModuleConfig,
}

impl Tree {
    /// The configured modules, placed as tach places them (globs expanded, missing ones
    /// reported into `diagnostics`), or why tach stops before checking any file.
    pub(crate) fn build(
        config: &TachConfig,
        layout: &Layout,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Result<Tree, Stop>, ConfigError> {
        let placed = match place_modules(config, layout, diagnostics)? {
            Ok(placed) => placed,
            Err(stop) => return Ok(Err(stop)),
        };
        let mut by_path = FxHashMap::default();
        let mut root = root_config();
        for p in placed {
            if p.config.path == ROOT_MODULE {
                root = p.config;
            } else {
                by_path.insert(p.config.path.clone(), p.config);
            }
        }
        Ok(Ok(Tree { by_path, root }))
    }

    /// The configured module that owns a module path: the nearest configured ancestor, else
    /// `<root>`.
    pub(crate) fn nearest(&self, path: &str) -> &ModuleConfig {
        // Each dotted prefix, longest first: the first configured one is the nearest.
        let mut prefix = path;
        loop {
            if let Some(found) = self.by_path.get(prefix) {
                return found;
            }
            match prefix.rfind('.') {
                Some(end) => prefix = &prefix[..end],
                None => return &self.root,
            }
        }
    }
}

fn root_config() -> ModuleConfig {
    ModuleConfig {
        depends_on: Some(Vec::new()),
        ..ModuleConfig::new(ROOT_MODULE, 0)
    }
}

/// A dependency pattern: literal or tach's module glob.
fn dep_matches(
    dep: &DependencyConfig,
    path: &str,
    globs: &HashMap<String, globset::GlobMatcher>,
) -> bool {
    if globs.is_empty() || !has_glob_syntax(&dep.path) {
        return dep.path == path;
    }
    match globs.get(&dep.path) {
        Some(matcher) => matcher.is_match(path.replace('.', "/")),
        None => dep.path == path,
    }
}

/// Check the configuration against the project before reading files: module paths that do
/// not exist (tach warns), `depends_on` naming no module (archlint refuses: tach passes it
/// silently), and the stops.
fn place_modules(
    config: &TachConfig,
    layout: &Layout,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Result<Vec<Placed>, Stop>, ConfigError> {
    let mut placed = Vec::new();
    for module in &config.modules {
        if module.path == ROOT_MODULE || module.path == "." {
            placed.push(Placed {
                config: ModuleConfig {
                    path: ROOT_MODULE.to_owned(),
                    ..module.clone()
                },
                glob: None,
            });
        } else if has_glob_syntax(&module.path) {
            let expanded = layout.expand_glob(&module.path).map_err(|e| ConfigError {
                file: module.file.clone(),
                line: Some(module.line),
                message: format!("invalid module pattern '{}': {e}", module.path),
            })?;
            for path in expanded {
                placed.push(Placed {
                    config: ModuleConfig {
                        path,
                        ..module.clone()
                    },
                    glob: Some(module.path.clone()),
                });
            }
        } else if layout.module_exists(&module.path) {
            placed.push(Placed {
                config: module.clone(),
                glob: None,
            });
        } else {
            diagnostics.push(Diagnostic::Global {
                severity: Severity::Warning,
                details: DiagnosticDetails::Configuration(
                    ConfigurationDiagnostic::ModuleNotFound {
                        file_mod_path: module.path.clone(),
                    },
                ),
            });
        }
    }

    // Stricter than tach: a declared dependency must name something.
    for module in &config.modules {
        for dep in module
            .depends_on
            .iter()
            .chain(module.cannot_depend_on.iter())
            .flatten()
        {
            if dep.path == ROOT_MODULE
                || has_glob_syntax(&dep.path)
                || layout.module_exists(&dep.path)
            {
                continue;
            }
            return Err(ConfigError {
                file: module.file.clone(),
                line: Some(dep.line),
                message: format!(
                    "module '{}' names '{}' as a dependency, but there is no such module in the \
                     source roots (tach accepts this silently; archlint does not)",
                    module.path, dep.path
                ),
            });
        }
    }

    // Duplicates: the same path twice, unless a glob's module is redefined by a later,
    // concrete entry.
    let mut seen: HashMap<&str, &Placed> = HashMap::new();
    let mut duplicates = Vec::new();
    for p in &placed {
        match seen.get(p.config.path.as_str()) {
            Some(earlier) => {
                let overwritable = earlier
                    .glob
                    .as_ref()
                    .is_some_and(|g| Some(g) != p.glob.as_ref());
                if !overwritable {
                    duplicates.push(p.config.path.clone());
                }
            }
            None => {
                seen.insert(&p.config.path, p);
            }
        }
    }
    if !duplicates.is_empty() {
        return Ok(Err(Stop::DuplicateModules(duplicates)));
    }

    // Visibility of declared dependencies.
    let mut visibility: HashMap<String, Vec<(String, globset::GlobMatcher)>> = HashMap::new();
    for p in &placed {
        if let Some(patterns) = &p.config.visibility {
            let mut matchers = Vec::new();
            for pattern in patterns {
                let m = build_matcher(pattern).map_err(|e| ConfigError {
                    file: p.config.file.clone(),
                    line: Some(p.config.line),
                    message: format!("invalid visibility pattern '{pattern}': {e}"),
                })?;
                matchers.push((pattern.clone(), m));
            }
            visibility.insert(mod_path(&p.config.path), matchers);
        }
    }
    let mut violations = Vec::new();
    for p in &placed {
        let path = mod_path(&p.config.path);
        for dep in p.config.depends_on.iter().flatten() {
            if let Some(patterns) = visibility.get(&dep.path)
                && !patterns.iter().any(|(_, m)| m.is_match(&path))
            {
                violations.push((
                    path.clone(),
                    dep.path.clone(),
                    patterns.iter().map(|(p, _)| p.clone()).collect(),
                ));
            }
        }
    }
    if !violations.is_empty() {
        return Ok(Err(Stop::Visibility(violations)));
    }

    // The root module's treatment.
    match config.root_module {
        RootModule::Allow | RootModule::Ignore => {}
        RootModule::Forbid => {
            let bad = naming_root(&placed, true);
            if !bad.is_empty() {
                return Ok(Err(Stop::RootModule(format!(
                    "The root module ('{ROOT_MODULE}') is forbidden, but was found in module \
                     configuration for modules: {}.",
                    bad.join(", ")
                ))));
            }
        }
        RootModule::DependenciesOnly => {
            let bad = naming_root(&placed, false);
            if !bad.is_empty() {
                return Ok(Err(Stop::RootModule(format!(
                    "The root module ('{ROOT_MODULE}') is set to allow dependencies only, but was \
                     found as a dependency in: {}.",
                    bad.join(", ")
                ))));
            }
        }
    }

    // Cycles among declared dependencies.
    if config.forbid_circular_dependencies {
        let cyclic = modules_in_cycles(&placed);
        if !cyclic.is_empty() {
            return Ok(Err(Stop::Circular(cyclic)));
        }
    }
    Ok(Ok(placed))
}

/// The modules (quoted) that depend on `<root>`, or with `itself`, also `<root>` itself.
fn naming_root(placed: &[Placed], itself: bool) -> Vec<String> {
    placed
        .iter()
        .filter(|p| {
            (itself && p.config.path == ROOT_MODULE)
                || p.config
                    .depends_on
                    .iter()
                    .flatten()
                    .any(|d| d.path == ROOT_MODULE)
        })
        .map(|p| format!("'{}'", p.config.path))
        .collect()
}

/// `<root>` is `.` in the tree (tach's `mod_path`).
fn mod_path(path: &str) -> String {
    if path == ROOT_MODULE {
        ".".to_owned()
    } else {
        path.to_owned()
    }
}

/// Modules in a strongly connected component of more than one module (Tarjan).
fn modules_in_cycles(placed: &[Placed]) -> Vec<String> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    for p in placed {
        let next = names.len();
        if ids.insert(&p.config.path, next).is_none() {
            names.push(&p.config.path);
        }
    }
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for p in placed {
        for dep in p.config.depends_on.iter().flatten() {
            let next = names.len();
            let to = *ids.entry(&dep.path).or_insert(next);
            if to == names.len() {
                names.push(&dep.path);
                edges.push(Vec::new());
            }
            edges[ids[p.config.path.as_str()]].push(to);
        }
    }
    let n = names.len();
    let (mut index, mut low, mut on) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut counter, mut out) = (Vec::new(), 0, Vec::new());
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        // Iterative Tarjan: (node, next edge).
        let mut work = vec![(start, 0usize)];
        index[start] = counter;
        low[start] = counter;
        counter += 1;
        stack.push(start);
        on[start] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i < edges[v].len() {
                let w = edges[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on[w] = true;
                    work.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    while let Some(w) = stack.pop() {
                        on[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if component.len() > 1 {
                        component.sort();
                        out.extend(component.into_iter().map(|c| names[c].to_owned()));
                    }
                }
            }
        }
    }
    out
}

/// One import of a file, as tach normalises it.
pub(crate) struct Dependency<'a> {
    /// The absolute dotted path (`a.b.c` for `from a.b import c`); borrowed from the facts
    /// for `import a.b`.
    pub path: std::borrow::Cow<'a, str>,
    /// The line of the imported name.
    pub line: u32,
    /// The line of the import statement.
    pub statement_line: u32,
    /// At module level (not in a function).
    pub global: bool,
}

/// tach's `ImportVisitor`: absolute paths for every name imported (`from a import b` is
/// `a.b`), relative imports resolved against the file's module path.
pub(crate) fn normalised_imports<'a>(
    file: &TachFile,
    facts: &'a ModuleFacts,
    ignore_type_checking: bool,
) -> Vec<Dependency<'a>> {
    let mut out = Vec::new();
    for fact in &facts.imports {
        if fact.kind == ImportKind::Dynamic {
            continue;
        }
        if ignore_type_checking && (fact.type_checking || fact.type_checking_else) {
            continue;
        }
        let path = match fact.kind {
            ImportKind::Import => std::borrow::Cow::Borrowed(fact.module.as_str()),
            _ => {
                let name = fact.name.as_deref().unwrap_or("*");
                let level = fact.level as usize;
                if level == 0 {
                    let mut path = String::with_capacity(fact.module.len() + 1 + name.len());
                    path.push_str(&fact.module);
                    path.push('.');
                    path.push_str(name);
                    path
                } else {
                    let strip = if file.is_package { level - 1 } else { level };
                    let mod_path = file.module.as_str();
                    let parts: Vec<&str> = mod_path.split('.').collect();
                    if strip > parts.len() {
                        continue;
                    }
                    let base: Vec<&str> = parts[..parts.len() - strip].to_vec();
                    let base = if fact.module.is_empty() {
                        if base.is_empty() {
                            continue;
                        }
                        base.join(".")
                    } else if base.is_empty() {
                        fact.module.clone()
                    } else {
                        format!("{}.{}", base.join("."), fact.module)
                    };
                    format!("{base}.{name}")
                }
                .into()
            }
        };
        out.push(Dependency {
            path,
            line: fact.name_line,
            statement_line: fact.line,
            global: !fact.nested,
        });
    }
    out
}

/// Interfaces compiled once.
struct Interface {
    from: Vec<Regex>,
    expose: Vec<Regex>,
    visibility: Option<Vec<String>>,
    exclusive: bool,
}

fn compile(pattern: &str) -> Regex {
    Regex::new(&format!("^{pattern}$")).unwrap_or_else(|_| Regex::new("^$").expect("valid"))
}

struct Checker<'a> {
    config: &'a TachConfig,
    tree: Tree,
    globs: HashMap<String, globset::GlobMatcher>,
    interfaces: Vec<Interface>,
    dependencies: bool,
    check_interfaces: bool,
}

enum Layers {
    Ok,
    Same,
    Unspecified,
    Violation(String, String),
    Closed(String, String, String),
    Unknown(String),
}

impl Checker<'_> {
    fn layers(&self, source: &ModuleConfig, target: &ModuleConfig) -> Layers {
        let (Some(sl), Some(tl)) = (&source.layer, &target.layer) else {
            return Layers::Unspecified;
        };
        let layers = &self.config.layers;
        let si = layers.iter().position(|l| &l.name == sl);
        let ti = layers.iter().position(|l| &l.name == tl);
        match (si, ti) {
            (Some(s), Some(t)) if s == t => Layers::Same,
            (Some(s), Some(t)) if s < t => {
                for layer in &layers[s + 1..t] {
                    if layer.closed {
                        return Layers::Closed(sl.clone(), tl.clone(), layer.name.clone());
                    }
                }
                Layers::Ok
            }
            (Some(_), Some(_)) => Layers::Violation(sl.clone(), tl.clone()),
            (Some(_), None) => Layers::Unknown(tl.clone()),
            _ => Layers::Unknown(sl.clone()),
        }
    }

    /// The severity for a finding about this import: errors, or per `local_imports` for an
    /// import not at module level (`None`: not reported).
    fn severity(&self, dep: &Dependency, base: Severity) -> Option<Severity> {
        if dep.global {
            return Some(base);
        }
        match self.config.rules.local_imports {
            RuleSetting::Off => None,
            RuleSetting::Warn => Some(if base == Severity::Warning {
                base
            } else {
                Severity::Warning
            }),
            RuleSetting::Error => Some(base),
        }
    }

    fn located(
        &self,
        file: &TachFile,
        dep: &Dependency,
        base: Severity,
        code: CodeDiagnostic,
    ) -> Option<Diagnostic> {
        let severity = self.severity(dep, base)?;
        Some(Diagnostic::Located {
            file_path: file.relative.clone(),
            line_number: dep.line,
            original_line_number: Some(dep.statement_line),
            severity,
            details: DiagnosticDetails::Code(code),
        })
    }

    fn check_dependency(
        &self,
        file: &TachFile,
        own: &ModuleConfig,
        dep: &Dependency,
        out: &mut Vec<Diagnostic>,
    ) {
        let target = self.tree.nearest(&dep.path);
        if target.path == ROOT_MODULE && self.config.root_module == RootModule::Ignore {
            return;
        }
        if self.dependencies {
            self.check_rules(file, own, target, dep, out);
        }
        if self.check_interfaces {
            self.check_interface(file, own, target, dep, out);
        }
    }

    fn check_rules(
        &self,
        file: &TachFile,
        own: &ModuleConfig,
        target: &ModuleConfig,
        dep: &Dependency,
        out: &mut Vec<Diagnostic>,
    ) {
        if target.path == own.path {
            return;
        }
        let dependency = || dep.path.to_string();
        let usage_module = || own.path.clone();
        let definition_module = || target.path.clone();
        match self.layers(own, target) {
            Layers::Ok => {
                if !self.config.layers_explicit_depends_on || target.utility {
                    return;
                }
            }
            Layers::Violation(usage_layer, definition_layer) => {
                out.extend(self.located(
                    file,
                    dep,
                    Severity::Error,
                    CodeDiagnostic::LayerViolation {
                        dependency: dependency(),
                        usage_module: usage_module(),
                        usage_layer,
                        definition_module: definition_module(),
                        definition_layer,
                    },
                ));
                return;
            }
            Layers::Closed(usage_layer, definition_layer, closed_layer) => {
                out.extend(self.located(
                    file,
                    dep,
                    Severity::Error,
                    CodeDiagnostic::ClosedLayerViolation {
                        dependency: dependency(),
                        usage_module: usage_module(),
                        usage_layer,
                        definition_module: definition_module(),
                        definition_layer,
                        closed_layer,
                    },
                ));
                return;
            }
            Layers::Unknown(layer) => {
                let severity = if dep.global {
                    Some(Severity::Error)
                } else {
                    match self.config.rules.local_imports {
                        RuleSetting::Off => None,
                        RuleSetting::Warn => Some(Severity::Warning),
                        RuleSetting::Error => Some(Severity::Error),
                    }
                };
                if let Some(severity) = severity {
                    out.push(Diagnostic::Global {
                        severity,
                        details: DiagnosticDetails::Configuration(
                            ConfigurationDiagnostic::UnknownLayer { layer },
                        ),
                    });
                }
                return;
            }
            Layers::Same | Layers::Unspecified => {}
        }
        if own
            .cannot_depend_on
            .iter()
            .flatten()
            .any(|d| dep_matches(d, &target.path, &self.globs))
        {
            out.extend(self.located(
                file,
                dep,
                Severity::Error,
                CodeDiagnostic::ForbiddenDependency {
                    dependency: dependency(),
                    usage_module: usage_module(),
                    definition_module: definition_module(),
                },
            ));
            return;
        }
        let Some(depends_on) = &own.depends_on else {
            return;
        };
        if target.utility {
            return;
        }
        match depends_on
            .iter()
            .find(|d| dep_matches(d, &target.path, &self.globs))
        {
            Some(d) if d.deprecated => {
                if dep.global || self.config.rules.local_imports != RuleSetting::Off {
                    out.push(Diagnostic::Located {
                        file_path: file.relative.clone(),
                        line_number: dep.line,
                        original_line_number: Some(dep.statement_line),
                        severity: Severity::Warning,
                        details: DiagnosticDetails::Code(CodeDiagnostic::DeprecatedDependency {
                            dependency: dependency(),
                            usage_module: usage_module(),
                            definition_module: definition_module(),
                        }),
                    });
                }
            }
            Some(_) => {}
            None => out.extend(self.located(
                file,
                dep,
                Severity::Error,
                CodeDiagnostic::UndeclaredDependency {
                    dependency: dependency(),
                    usage_module: usage_module(),
                    definition_module: definition_module(),
                },
            )),
        }
    }

    fn check_interface(
        &self,
        file: &TachFile,
        own: &ModuleConfig,
        target: &ModuleConfig,
        dep: &Dependency,
        out: &mut Vec<Diagnostic>,
    ) {
        if target.path == own.path {
            return;
        }
        let member = dep
            .path
            .strip_prefix(target.path.as_str())
            .and_then(|s| s.strip_prefix('.'))
            .unwrap_or("");
        if member.is_empty() {
            return;
        }
        let mut visible: Vec<&Interface> = Vec::new();
        for interface in &self.interfaces {
            if !interface.from.iter().any(|r| r.is_match(&target.path)) {
                continue;
            }
            if !interface
                .visibility
                .as_ref()
                .is_none_or(|v| v.iter().any(|m| m == &own.path))
            {
                continue;
            }
            if interface.exclusive {
                visible = vec![interface];
                break;
            }
            visible.push(interface);
        }
        if visible.is_empty() {
            return;
        }
        let exposed = visible.iter().any(|i| {
            i.expose.iter().any(|r| r.is_match(member))
                && i.visibility
                    .as_ref()
                    .is_none_or(|v| v.iter().any(|m| m == &own.path))
        });
        if !exposed {
            out.extend(self.located(
                file,
                dep,
                Severity::Error,
                CodeDiagnostic::PrivateDependency {
                    dependency: dep.path.to_string(),
                    definition_module: target.path.clone(),
                    usage_module: own.path.clone(),
                },
            ));
        }
    }
}

/// What to check (`tach check --dependencies/--interfaces`; both by default).
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    pub dependencies: bool,
    pub interfaces: bool,
}

impl Default for Checks {
    fn default() -> Self {
        Checks {
            dependencies: true,
            interfaces: true,
        }
    }
}

/// Run `tach check` over the files and their facts (in the order of `layout.files`).
pub fn check(
    config: &TachConfig,
    layout: &Layout,
    facts: &[&ModuleFacts],
    checks: Checks,
) -> Result<Outcome, ConfigError> {
    let prepared = match Prepared::new(config, layout, checks)? {
        Ok(prepared) => prepared,
        Err(stopped) => return Ok(stopped),
    };
    // Each file on its own (in parallel), gathered in file order.
    let per_file: Vec<FileOutcome> = (0..layout.files.len())
        .into_par_iter()
        .zip(facts.par_iter())
        .map(|(index, facts)| prepared.check_file(index, facts))
        .collect();
    Ok(prepared.finish(per_file))
}

/// One file's findings, and whether it has a first-party import.
pub type FileOutcome = (Vec<Diagnostic>, bool);

/// `tach check` ready to take files one at a time (in any order, from any thread): the module
/// tree placed, dependency globs and interfaces compiled. For a caller that parses each file
/// just before checking it and keeps nothing of it after.
pub struct Prepared<'a> {
    config: &'a TachConfig,
    layout: &'a Layout,
    checker: Checker<'a>,
    /// Found while placing the modules (reported before any file's).
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Prepared<'a> {
    /// Place the modules and compile the patterns; `Err` holds the outcome of a check that
    /// stops before reading any file (as tach stops on a contradictory module tree).
    pub fn new(
        config: &'a TachConfig,
        layout: &'a Layout,
        checks: Checks,
    ) -> Result<Result<Prepared<'a>, Outcome>, ConfigError> {
        let mut diagnostics = Vec::new();
        let tree = match Tree::build(config, layout, &mut diagnostics)? {
            Ok(tree) => tree,
            Err(stop) => return Ok(Err(Outcome::stopped(stop))),
        };
        let mut globs = HashMap::new();
        for module in config.modules.iter() {
            for dep in module
                .depends_on
                .iter()
                .chain(module.cannot_depend_on.iter())
                .flatten()
            {
                if has_glob_syntax(&dep.path) && !globs.contains_key(&dep.path) {
                    let matcher = module_glob_matcher(&dep.path).map_err(|e| ConfigError {
                        file: module.file.clone(),
                        line: Some(dep.line),
                        message: format!("invalid dependency pattern '{}': {e}", dep.path),
                    })?;
                    globs.insert(dep.path.clone(), matcher);
                }
            }
        }
        let checker = Checker {
            config,
            tree,
            globs,
            interfaces: config
                .interfaces
                .iter()
                .map(|i| Interface {
                    from: i.from.iter().map(|p| compile(p)).collect(),
                    expose: i.expose.iter().map(|p| compile(p)).collect(),
                    visibility: i.visibility.clone(),
                    exclusive: i.exclusive,
                })
                .collect(),
            dependencies: checks.dependencies,
            check_interfaces: checks.interfaces,
        };
        Ok(Ok(Prepared {
            config,
            layout,
            checker,
            diagnostics,
        }))
    }

    /// Check the file at `index` of `layout.files`, with its facts.
    pub fn check_file(&self, index: usize, facts: &ModuleFacts) -> FileOutcome {
        check_file(
            self.config,
            self.layout,
            &self.checker,
            &self.layout.files[index],
            facts,
        )
    }

    /// The outcome, from every file's (in file order).
    pub fn finish(self, per_file: impl IntoIterator<Item = FileOutcome>) -> Outcome {
        let mut diagnostics = self.diagnostics;
        let mut found_imports = false;
        for (found, imports) in per_file {
            diagnostics.extend(found);
            found_imports |= imports;
        }
        if !found_imports {
            diagnostics.push(Diagnostic::Global {
                severity: Severity::Warning,
                details: DiagnosticDetails::Configuration(
                    ConfigurationDiagnostic::NoFirstPartyImportsFound(),
                ),
            });
        }
        Outcome {
            diagnostics,
            stop: None,
        }
    }
}

/// Why tach skips a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// It could not be read (an I/O error, not UTF-8): a warning.
    Unreadable,
    /// It does not parse: an error.
    Syntax,
}

/// Whether tach skips this file, and why.
pub(crate) fn read_problem(facts: &ModuleFacts) -> Option<Problem> {
    let problem = facts
        .diagnostics
        .iter()
        .find(|d| d.severity == archlint_facts::Severity::Error)?;
    Some(
        if matches!(
            problem.code.as_str(),
            "syntax-error" | "unsupported-syntax" | "too-deep"
        ) {
            Problem::Syntax
        } else {
            Problem::Unreadable
        },
    )
}

/// tach's diagnostic for a skipped file (named relative to its source root).
pub(crate) fn skipped(layout: &Layout, file: &TachFile, problem: Problem) -> Diagnostic {
    let file_path = file
        .path
        .strip_prefix(&layout.source_roots[file.source_root])
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| file.relative.clone());
    let (severity, details) = match problem {
        Problem::Syntax => (
            Severity::Error,
            ConfigurationDiagnostic::SkippedFileSyntaxError { file_path },
        ),
        Problem::Unreadable => (
            Severity::Warning,
            ConfigurationDiagnostic::SkippedFileIoError { file_path },
        ),
    };
    Diagnostic::Global {
        severity,
        details: DiagnosticDetails::Configuration(details),
    }
}

/// One file: its findings, and whether it has a first-party import.
fn check_file(
    config: &TachConfig,
    layout: &Layout,
    checker: &Checker<'_>,
    file: &TachFile,
    facts: &ModuleFacts,
) -> (Vec<Diagnostic>, bool) {
    let problem = read_problem(facts);
    // A file tach cannot read is skipped before anything else.
    if problem == Some(Problem::Unreadable) {
        return (vec![skipped(layout, file, Problem::Unreadable)], false);
    }
    let mut directives = Directives::read(&facts.tach_ignores);
    let mut found = Vec::new();
    // Files of unchecked modules (and of `<root>` when ignored) are not parsed: no import
    // is checked, so every directive in them is unused.
    let own = checker.tree.nearest(&file.module);
    if own.unchecked || (own.path == ROOT_MODULE && config.root_module == RootModule::Ignore) {
        if !directives.is_empty() {
            directives.apply(&config.rules, &file.relative, &mut found);
        }
        return (found, false);
    }
    if problem == Some(Problem::Syntax) {
        return (vec![skipped(layout, file, Problem::Syntax)], false);
    }
    let mut deps: Vec<Dependency> = Vec::new();
    for d in normalised_imports(file, facts, config.ignore_type_checking_imports) {
        match layout.resolve(&d.path) {
            Resolution::Found(root) if layout.same_package(root, file.source_root) => deps.push(d),
            _ => {
                directives.forget_line(d.statement_line);
                directives.forget_line(d.line);
            }
        }
    }
    let imports = !deps.is_empty();
    for dep in &deps {
        checker.check_dependency(file, own, dep, &mut found);
    }
    directives.apply(&config.rules, &file.relative, &mut found);
    (found, imports)
}

/// Modules a set of diagnostics names, for tests and summaries.
pub fn modules_named(diagnostics: &[Diagnostic]) -> BTreeSet<String> {
    diagnostics
        .iter()
        .filter_map(|d| d.modules())
        .flat_map(|(a, b)| [a.to_owned(), b.to_owned()])
        .collect()
}

/// `exact`: each configured module's declared dependencies that no import uses, as tach finds
/// them — the check run again with every `depends_on` emptied, the modules each module was
/// then refused (undeclared, forbidden, layer) counting as used. In configuration order;
/// modules written as globs are skipped, as tach skips them.
pub fn unused_dependencies(
    config: &TachConfig,
    layout: &Layout,
    facts: &[&ModuleFacts],
) -> Result<Vec<(String, Vec<String>)>, ConfigError> {
    let mut cleared = config.clone();
    for module in &mut cleared.modules {
        module.depends_on = Some(Vec::new());
    }
    let checks = Checks {
        dependencies: true,
        interfaces: false,
    };
    let outcome = check(&cleared, layout, facts, checks)?;
    let mut detected: HashMap<&str, Vec<&str>> = HashMap::new();
    for d in &outcome.diagnostics {
        // tach's `is_dependency_error`: undeclared, deprecated, forbidden, layer.
        let counts = matches!(
            d.kind(),
            "UndeclaredDependency"
                | "DeprecatedDependency"
                | "ForbiddenDependency"
                | "LayerViolation"
        );
        if counts && let Some((usage, definition)) = d.modules() {
            detected.entry(usage).or_default().push(definition);
        }
    }
    let mut out = Vec::new();
    for module in config.modules.iter().filter(|m| !has_glob_syntax(&m.path)) {
        let current = config
            .modules
            .iter()
            .find(|m| m.path == module.path)
            .and_then(|m| m.depends_on.as_ref());
        let Some(current) = current else {
            continue;
        };
        let used = detected.get(module.path.as_str());
        let mut unused = Vec::new();
        for dep in current {
            let matcher = if has_glob_syntax(&dep.path) {
                module_glob_matcher(&dep.path).ok()
            } else {
                None
            };
            let is_used = used.is_some_and(|used| {
                used.iter().any(|u| match &matcher {
                    Some(m) => m.is_match(u.replace('.', "/")),
                    None => dep.path == *u,
                })
            });
            if !is_used {
                unused.push(dep.path.clone());
            }
        }
        if !unused.is_empty() {
            out.push((module.path.clone(), unused));
        }
    }
    Ok(out)
}
