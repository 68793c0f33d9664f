//! Reading tach's configuration exactly as tach 0.35 reads it: `tach.toml`, or
//! `[tool.tach]` in `pyproject.toml`. Every key tach accepts is read; a key archlint cannot
//! honour yet is an error naming it, never skipped; an unknown key, a wrong type or a bad value
//! is an error with the file and line.

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;

use crate::diagnostic::Severity;
use toml::de::{DeTable, DeValue};

/// A configuration problem at a line of a file: archlint's own, so every front end reports
/// tach files as it reports the others.
pub use archlint_config::ConfigError;

/// The `<root>` module: code in a source root that no configured module contains.
pub const ROOT_MODULE: &str = "<root>";

/// How code outside every configured module is treated (`root_module`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RootModule {
    #[default]
    Ignore,
    Allow,
    DependenciesOnly,
    Forbid,
}

/// `respect_gitignore`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RespectGitignore {
    #[default]
    True,
    False,
    IfGitRepo,
}

/// A `rules` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSetting {
    Error,
    Warn,
    Off,
}

impl RuleSetting {
    /// The severity of a finding under this setting (`None`: not reported).
    pub fn severity(self) -> Option<Severity> {
        match self {
            RuleSetting::Error => Some(Severity::Error),
            RuleSetting::Warn => Some(Severity::Warning),
            RuleSetting::Off => None,
        }
    }
}

/// `[rules]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub unused_ignore_directives: RuleSetting,
    pub require_ignore_directive_reasons: RuleSetting,
    pub unused_external_dependencies: RuleSetting,
    pub local_imports: RuleSetting,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            unused_ignore_directives: RuleSetting::Warn,
            require_ignore_directive_reasons: RuleSetting::Off,
            unused_external_dependencies: RuleSetting::Error,
            local_imports: RuleSetting::Error,
        }
    }
}

/// One entry of `depends_on` / `cannot_depend_on`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyConfig {
    pub path: String,
    pub deprecated: bool,
    pub line: u32,
}

/// One `[[modules]]` entry (an entry with `paths` becomes one per path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleConfig {
    /// Dotted path, a glob (`libs.*`), or `<root>`.
    pub path: String,
    /// The file it is configured in (`tach.toml`, or a `tach.domain.toml`) and the line.
    pub file: PathBuf,
    pub line: u32,
    /// `None`: may import anything (still subject to interfaces and layers).
    pub depends_on: Option<Vec<DependencyConfig>>,
    pub cannot_depend_on: Option<Vec<DependencyConfig>>,
    pub depends_on_external: Option<Vec<String>>,
    pub cannot_depend_on_external: Option<Vec<String>>,
    pub layer: Option<String>,
    pub visibility: Option<Vec<String>>,
    pub utility: bool,
    pub unchecked: bool,
}

impl ModuleConfig {
    /// A module with nothing set: `depends_on` omitted (anything allowed).
    pub fn new(path: &str, line: u32) -> ModuleConfig {
        ModuleConfig {
            path: path.to_owned(),
            file: PathBuf::new(),
            line,
            depends_on: None,
            cannot_depend_on: None,
            depends_on_external: None,
            cannot_depend_on_external: None,
            layer: None,
            visibility: None,
            utility: false,
            unchecked: false,
        }
    }
}

/// One `[[interfaces]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceConfig {
    /// Regexes, matched whole, of the members exposed.
    pub expose: Vec<String>,
    /// Regexes, matched whole, of the modules adopting it (default: every module).
    pub from: Vec<String>,
    pub visibility: Option<Vec<String>>,
    pub exclusive: bool,
    pub line: u32,
}

/// One entry of `layers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerConfig {
    pub name: String,
    pub closed: bool,
}

/// `[external]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalConfig {
    pub exclude: Vec<String>,
    /// `module:distribution` pairs.
    pub rename: Vec<(String, String)>,
}

/// A whole tach configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TachConfig {
    /// The file it was read from.
    pub file: PathBuf,
    pub modules: Vec<ModuleConfig>,
    pub interfaces: Vec<InterfaceConfig>,
    pub layers: Vec<LayerConfig>,
    pub exclude: Vec<String>,
    /// Relative to the project root (globs allowed, as tach allows them).
    pub source_roots: Vec<String>,
    pub exact: bool,
    pub ignore_type_checking_imports: bool,
    pub forbid_circular_dependencies: bool,
    pub layers_explicit_depends_on: bool,
    pub respect_gitignore: RespectGitignore,
    pub root_module: RootModule,
    pub rules: Rules,
    pub external: ExternalConfig,
    /// Keys read that do not change what `tach check` finds (`cache`, `map`), to say so.
    pub without_effect: Vec<String>,
}

impl TachConfig {
    /// Whether `<root>` is named (as a module or a dependency) while `root_module = "ignore"`
    /// leaves it out of every check: tach warns about it before checking.
    pub fn ignored_root_is_named(&self) -> bool {
        self.root_module == RootModule::Ignore
            && self.modules.iter().any(|m| {
                m.path == ROOT_MODULE
                    || m.depends_on
                        .iter()
                        .chain(m.cannot_depend_on.iter())
                        .flatten()
                        .any(|d| d.path == ROOT_MODULE)
            })
    }

    fn new(file: &Path) -> TachConfig {
        TachConfig {
            file: file.to_path_buf(),
            modules: Vec::new(),
            interfaces: Vec::new(),
            layers: Vec::new(),
            exclude: Vec::new(),
            source_roots: vec![".".to_owned()],
            exact: false,
            ignore_type_checking_imports: true,
            forbid_circular_dependencies: false,
            layers_explicit_depends_on: false,
            respect_gitignore: RespectGitignore::True,
            root_module: RootModule::Ignore,
            rules: Rules::default(),
            external: ExternalConfig::default(),
            without_effect: Vec::new(),
        }
    }
}

/// Whether a file is one tach reads: `tach.toml`, or a `pyproject.toml` with `[tool.tach]`.
pub fn is_tach_file(path: &Path, text: &str) -> bool {
    match path.file_name().and_then(|n| n.to_str()) {
        Some("tach.toml") => true,
        Some("pyproject.toml") => DeTable::parse(text).is_ok_and(|doc| {
            table_get(doc.get_ref(), "tool")
                .and_then(|t| t.get_ref().as_table())
                .is_some_and(|tool| table_get(tool, "tach").is_some())
        }),
        _ => false,
    }
}

/// Find tach's configuration in a project root: `tach.toml`, then `[tool.tach]` in
/// `pyproject.toml` (tach's order).
pub fn discover(root: &Path) -> Result<Option<TachConfig>, ConfigError> {
    let tach = root.join("tach.toml");
    if tach.is_file() {
        return load(&tach).map(Some);
    }
    let pyproject = root.join("pyproject.toml");
    if pyproject.is_file() {
        let text = read(&pyproject)?;
        if is_tach_file(&pyproject, &text) {
            return parse(&pyproject, &text).map(Some);
        }
    }
    Ok(None)
}

/// Read a `tach.toml` or the `[tool.tach]` table of a `pyproject.toml`.
pub fn load(path: &Path) -> Result<TachConfig, ConfigError> {
    let text = read(path)?;
    parse(path, &text)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: None,
        message: format!("cannot read: {e}"),
    })
}

/// Parse configuration text; `path` says which file it is (and so where the table is).
pub fn parse(path: &Path, text: &str) -> Result<TachConfig, ConfigError> {
    let reader = Reader::new(path, text);
    let doc = DeTable::parse(text).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: e.span().map(|s| reader.line(s.start)),
        message: format!("invalid TOML: {}", e.message().trim()),
    })?;
    let is_pyproject = path.file_name().and_then(|n| n.to_str()) == Some("pyproject.toml");
    if is_pyproject {
        let tool = table_get(doc.get_ref(), "tool")
            .ok_or_else(|| reader.err(None, "no [tool.tach] table"))?;
        let tool = reader.table(tool, "tool")?;
        let tach =
            table_get(tool, "tach").ok_or_else(|| reader.err(None, "no [tool.tach] table"))?;
        let table = reader.table(tach, "tool.tach")?;
        reader.config(table)
    } else {
        reader.config(doc.get_ref())
    }
}

/// The modules and interfaces of a `tach.domain.toml` whose directory is module `mod_path`,
/// with every path resolved as tach resolves it: relative to the domain, `//` for an absolute
/// path, `<domain_root>` for the domain's own module.
pub fn parse_domain(
    path: &Path,
    text: &str,
    mod_path: &str,
) -> Result<(Vec<ModuleConfig>, Vec<InterfaceConfig>), ConfigError> {
    let reader = Reader::new(path, text);
    let doc = DeTable::parse(text).map_err(|e| ConfigError {
        file: path.to_path_buf(),
        line: e.span().map(|s| reader.line(s.start)),
        message: format!("invalid TOML: {}", e.message().trim()),
    })?;
    let table = doc.get_ref();
    reader.known_keys(
        table,
        &["root", "modules", "interfaces"],
        "a tach.domain.toml",
    )?;
    let resolve = |p: &str| -> String {
        if let Some(absolute) = p.strip_prefix("//") {
            absolute.to_owned()
        } else if p == DOMAIN_ROOT {
            mod_path.to_owned()
        } else {
            format!("{mod_path}.{p}")
        }
    };
    let resolve_module = |mut m: ModuleConfig, own: String| {
        m.path = own;
        for deps in [&mut m.depends_on, &mut m.cannot_depend_on]
            .into_iter()
            .flatten()
        {
            for d in deps.iter_mut() {
                d.path = resolve(&d.path);
            }
        }
        if let Some(v) = &mut m.visibility {
            for entry in v.iter_mut() {
                *entry = resolve(entry);
            }
        }
        m
    };
    let mut modules = Vec::new();
    let mut interfaces = Vec::new();
    for (key, value) in table.iter() {
        match key.get_ref().as_ref() {
            "root" => {
                for m in reader.module_entry(value, false)? {
                    modules.insert(0, resolve_module(m, mod_path.to_owned()));
                }
            }
            "modules" => {
                for (group, entry) in reader.array(value, "modules")?.into_iter().enumerate() {
                    for m in reader.modules(entry, group)? {
                        let own = format!("{mod_path}.{}", m.path);
                        modules.push(resolve_module(m, own));
                    }
                }
            }
            _ => {
                for entry in reader.array(value, "interfaces")? {
                    let mut interface = reader.interface(entry)?;
                    for f in interface.from.iter_mut() {
                        *f = if f == DOMAIN_ROOT {
                            mod_path.to_owned()
                        } else {
                            format!("{mod_path}.{f}")
                        };
                    }
                    if let Some(v) = &mut interface.visibility {
                        for entry in v.iter_mut() {
                            *entry = resolve(entry);
                        }
                    }
                    interfaces.push(interface);
                }
            }
        }
    }
    Ok((modules, interfaces))
}

/// A domain's own module in its paths.
pub const DOMAIN_ROOT: &str = "<domain_root>";

fn table_get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

struct Reader<'a> {
    file: &'a Path,
    /// Offsets of the newlines, to turn a span into a line (a tach.toml declaring every module
    /// of a 50k-module tree has tens of thousands of entries).
    newlines: Vec<usize>,
}

impl<'a> Reader<'a> {
    fn new(file: &'a Path, text: &str) -> Reader<'a> {
        Reader {
            file,
            newlines: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
        }
    }
}

type Value<'i> = Spanned<DeValue<'i>>;

const TOP_KEYS: &[&str] = &[
    "modules",
    "interfaces",
    "layers",
    "cache",
    "external",
    "map",
    "exclude",
    "source_roots",
    "exact",
    "ignore_type_checking_imports",
    "include_string_imports",
    "forbid_circular_dependencies",
    "layers_explicit_depends_on",
    "respect_gitignore",
    "root_module",
    "rules",
    "plugins",
];

const MODULE_KEYS: &[&str] = &[
    "path",
    "paths",
    "depends_on",
    "cannot_depend_on",
    "depends_on_external",
    "cannot_depend_on_external",
    "layer",
    "visibility",
    "utility",
    "strict",
    "unchecked",
];

const ROOT_KEYS: &[&str] = &[
    "depends_on",
    "cannot_depend_on",
    "depends_on_external",
    "cannot_depend_on_external",
    "layer",
    "visibility",
    "utility",
    "unchecked",
];

const INTERFACE_KEYS: &[&str] = &["expose", "from", "visibility", "data_types", "exclusive"];

impl<'a> Reader<'a> {
    fn line(&self, offset: usize) -> u32 {
        self.newlines.partition_point(|&n| n < offset) as u32 + 1
    }

    fn err(&self, span: Option<Range<usize>>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            line: span.map(|s| self.line(s.start)),
            message: message.into(),
        }
    }

    fn at(&self, value: &Value<'_>, message: impl Into<String>) -> ConfigError {
        self.err(Some(value.span()), message)
    }

    fn table<'v, 'i>(
        &self,
        value: &'v Value<'i>,
        key: &str,
    ) -> Result<&'v DeTable<'i>, ConfigError> {
        value.get_ref().as_table().ok_or_else(|| {
            self.at(
                value,
                format!(
                    "`{key}` must be a table, not {}",
                    value.get_ref().type_str()
                ),
            )
        })
    }

    fn boolean(&self, value: &Value<'_>, key: &str) -> Result<bool, ConfigError> {
        value.get_ref().as_bool().ok_or_else(|| {
            self.at(
                value,
                format!(
                    "`{key}` must be true or false, not {}",
                    value.get_ref().type_str()
                ),
            )
        })
    }

    fn string(&self, value: &Value<'_>, key: &str) -> Result<String, ConfigError> {
        value.get_ref().as_str().map(str::to_owned).ok_or_else(|| {
            self.at(
                value,
                format!(
                    "`{key}` must be a string, not {}",
                    value.get_ref().type_str()
                ),
            )
        })
    }

    fn array<'v, 'i>(
        &self,
        value: &'v Value<'i>,
        key: &str,
    ) -> Result<Vec<&'v Value<'i>>, ConfigError> {
        value
            .get_ref()
            .as_array()
            .map(|a| a.iter().collect())
            .ok_or_else(|| {
                self.at(
                    value,
                    format!("`{key}` must be a list, not {}", value.get_ref().type_str()),
                )
            })
    }

    fn strings(&self, value: &Value<'_>, key: &str) -> Result<Vec<String>, ConfigError> {
        self.array(value, key)?
            .into_iter()
            .map(|v| self.string(v, key))
            .collect()
    }

    /// Reject keys tach does not know (tach denies unknown fields too).
    fn known_keys(
        &self,
        table: &DeTable<'_>,
        known: &[&str],
        what: &str,
    ) -> Result<(), ConfigError> {
        for (key, _) in table.iter() {
            let name = key.get_ref().as_ref();
            if !known.contains(&name) {
                return Err(self.err(
                    Some(key.span()),
                    format!(
                        "unknown key `{name}` in {what} (tach accepts: {})",
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn rule(&self, value: &Value<'_>, key: &str) -> Result<RuleSetting, ConfigError> {
        match self.string(value, key)?.as_str() {
            "error" => Ok(RuleSetting::Error),
            "warn" => Ok(RuleSetting::Warn),
            "off" => Ok(RuleSetting::Off),
            other => Err(self.at(
                value,
                format!("`{key}` must be \"error\", \"warn\" or \"off\", not \"{other}\""),
            )),
        }
    }

    fn config(&self, table: &DeTable<'_>) -> Result<TachConfig, ConfigError> {
        self.known_keys(table, TOP_KEYS, "the tach configuration")?;
        let mut config = TachConfig::new(self.file);
        for (key, value) in table.iter() {
            let key = key.get_ref().as_ref();
            match key {
                "modules" => {
                    for (group, entry) in self.array(value, key)?.into_iter().enumerate() {
                        config.modules.extend(self.modules(entry, group)?);
                    }
                }
                "interfaces" => {
                    for entry in self.array(value, key)? {
                        config.interfaces.push(self.interface(entry)?);
                    }
                }
                "layers" => {
                    for entry in self.array(value, key)? {
                        config.layers.push(self.layer(entry)?);
                    }
                }
                "exclude" => config.exclude = self.strings(value, key)?,
                "source_roots" => config.source_roots = self.strings(value, key)?,
                "exact" => config.exact = self.boolean(value, key)?,
                "ignore_type_checking_imports" => {
                    config.ignore_type_checking_imports = self.boolean(value, key)?
                }
                "include_string_imports" => {
                    if self.boolean(value, key)? {
                        return Err(self.at(
                            value,
                            "`include_string_imports = true` is not supported by archlint yet \
                             (string literals are not read as imports); remove it or set it to false",
                        ));
                    }
                }
                "forbid_circular_dependencies" => {
                    config.forbid_circular_dependencies = self.boolean(value, key)?
                }
                "layers_explicit_depends_on" => {
                    config.layers_explicit_depends_on = self.boolean(value, key)?
                }
                "respect_gitignore" => {
                    config.respect_gitignore = match value.get_ref() {
                        DeValue::Boolean(true) => RespectGitignore::True,
                        DeValue::Boolean(false) => RespectGitignore::False,
                        DeValue::String(s) if s.as_ref() == "if_git_repo" => {
                            RespectGitignore::IfGitRepo
                        }
                        _ => {
                            return Err(self.at(
                                value,
                                "`respect_gitignore` must be true, false or \"if_git_repo\"",
                            ));
                        }
                    }
                }
                "root_module" => {
                    config.root_module = match self.string(value, key)?.as_str() {
                        "ignore" => RootModule::Ignore,
                        "allow" => RootModule::Allow,
                        "dependenciesonly" => RootModule::DependenciesOnly,
                        "forbid" => RootModule::Forbid,
                        other => {
                            return Err(self.at(
                                value,
                                format!(
                                    "`root_module` must be \"ignore\", \"allow\", \
                                     \"dependenciesonly\" or \"forbid\", not \"{other}\""
                                ),
                            ));
                        }
                    }
                }
                "rules" => config.rules = self.rules(value)?,
                "external" => config.external = self.external(value)?,
                "cache" | "map" => {
                    self.table(value, key)?;
                    config.without_effect.push(key.to_owned());
                }
                "plugins" => {
                    let plugins = self.table(value, key)?;
                    if let Some((name, _)) = plugins.iter().next() {
                        return Err(self.err(
                            Some(name.span()),
                            format!(
                                "`plugins.{}` is not supported by archlint yet (tach's Django \
                                 plugin reads foreign-key strings as dependencies)",
                                name.get_ref().as_ref()
                            ),
                        ));
                    }
                }
                _ => unreachable!("checked by known_keys"),
            }
        }
        Ok(config)
    }

    fn modules(&self, entry: &Value<'_>, _group: usize) -> Result<Vec<ModuleConfig>, ConfigError> {
        self.module_entry(entry, true)
    }

    /// A `[[modules]]` entry (`with_path`), or a domain's `[root]` (no path: the domain's own
    /// module).
    fn module_entry(
        &self,
        entry: &Value<'_>,
        with_path: bool,
    ) -> Result<Vec<ModuleConfig>, ConfigError> {
        let table = self.table(entry, "modules")?;
        if with_path {
            self.known_keys(table, MODULE_KEYS, "a [[modules]] entry")?;
        } else {
            self.known_keys(table, ROOT_KEYS, "a domain's [root]")?;
        }
        let line = self.line(entry.span().start);
        let mut paths: Vec<(String, u32)> = Vec::new();
        let mut module = ModuleConfig::new("", line);
        module.file = self.file.to_path_buf();
        let mut has_path = false;
        let mut has_paths = false;
        for (key, value) in table.iter() {
            let key = key.get_ref().as_ref();
            match key {
                "path" => {
                    has_path = true;
                    paths.push((self.string(value, key)?, self.line(value.span().start)));
                }
                "paths" => {
                    has_paths = true;
                    for v in self.array(value, key)? {
                        paths.push((self.string(v, key)?, self.line(v.span().start)));
                    }
                }
                "depends_on" => module.depends_on = Some(self.dependencies(value, key)?),
                "cannot_depend_on" => {
                    module.cannot_depend_on = Some(self.dependencies(value, key)?)
                }
                "depends_on_external" => {
                    module.depends_on_external = Some(self.strings(value, key)?)
                }
                "cannot_depend_on_external" => {
                    module.cannot_depend_on_external = Some(self.strings(value, key)?)
                }
                "layer" => module.layer = Some(self.string(value, key)?),
                "visibility" => module.visibility = Some(self.strings(value, key)?),
                "utility" => module.utility = self.boolean(value, key)?,
                "strict" => {
                    if self.boolean(value, key)? {
                        return Err(self.at(
                            value,
                            "`strict = true` was removed from tach (use [[interfaces]]); \
                             archlint does not read it",
                        ));
                    }
                }
                "unchecked" => module.unchecked = self.boolean(value, key)?,
                _ => unreachable!("checked by known_keys"),
            }
        }
        if !with_path {
            return Ok(vec![module]);
        }
        if has_path == has_paths {
            return Err(self.at(
                entry,
                "a [[modules]] entry needs exactly one of `path` or `paths`",
            ));
        }
        Ok(paths
            .into_iter()
            .map(|(path, line)| ModuleConfig {
                path,
                line,
                ..module.clone()
            })
            .collect())
    }

    fn dependencies(
        &self,
        value: &Value<'_>,
        key: &str,
    ) -> Result<Vec<DependencyConfig>, ConfigError> {
        let mut out = Vec::new();
        for v in self.array(value, key)? {
            let line = self.line(v.span().start);
            match v.get_ref() {
                DeValue::String(s) => out.push(DependencyConfig {
                    path: s.to_string(),
                    deprecated: false,
                    line,
                }),
                DeValue::Table(t) => {
                    self.known_keys(t, &["path", "deprecated"], &format!("a `{key}` entry"))?;
                    let path = table_get(t, "path")
                        .ok_or_else(|| self.at(v, format!("a `{key}` entry needs `path`")))?;
                    let deprecated = match table_get(t, "deprecated") {
                        Some(d) => self.boolean(d, "deprecated")?,
                        None => false,
                    };
                    out.push(DependencyConfig {
                        path: self.string(path, "path")?,
                        deprecated,
                        line,
                    });
                }
                other => {
                    return Err(self.at(
                        v,
                        format!(
                            "a `{key}` entry must be a string or a table, not {}",
                            other.type_str()
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn interface(&self, entry: &Value<'_>) -> Result<InterfaceConfig, ConfigError> {
        let table = self.table(entry, "interfaces")?;
        self.known_keys(table, INTERFACE_KEYS, "an [[interfaces]] entry")?;
        let mut interface = InterfaceConfig {
            expose: Vec::new(),
            from: vec![".*".to_owned()],
            visibility: None,
            exclusive: false,
            line: self.line(entry.span().start),
        };
        let mut has_expose = false;
        for (key, value) in table.iter() {
            let key = key.get_ref().as_ref();
            match key {
                "expose" => {
                    has_expose = true;
                    interface.expose = self.strings(value, key)?;
                    for (pattern, v) in interface.expose.iter().zip(self.array(value, key)?) {
                        self.regex(pattern, v)?;
                    }
                }
                "from" => {
                    interface.from = self.strings(value, key)?;
                    for (pattern, v) in interface.from.iter().zip(self.array(value, key)?) {
                        self.regex(pattern, v)?;
                    }
                }
                "visibility" => interface.visibility = Some(self.strings(value, key)?),
                "data_types" => match self.string(value, key)?.as_str() {
                    "all" => {}
                    "primitive" => {
                        return Err(self.at(
                            value,
                            "`data_types = \"primitive\"` is not supported by archlint yet \
                             (it needs the types of each exposed function's signature)",
                        ));
                    }
                    other => {
                        return Err(self.at(
                            value,
                            format!(
                                "`data_types` must be \"all\" or \"primitive\", not \"{other}\""
                            ),
                        ));
                    }
                },
                "exclusive" => interface.exclusive = self.boolean(value, key)?,
                _ => unreachable!("checked by known_keys"),
            }
        }
        if !has_expose {
            return Err(self.at(entry, "an [[interfaces]] entry needs `expose`"));
        }
        Ok(interface)
    }

    fn regex(&self, pattern: &str, value: &Value<'_>) -> Result<(), ConfigError> {
        regex::Regex::new(&format!("^{pattern}$"))
            .map(|_| ())
            .map_err(|e| {
                self.at(
                    value,
                    format!("invalid regular expression '{pattern}': {e}"),
                )
            })
    }

    fn layer(&self, entry: &Value<'_>) -> Result<LayerConfig, ConfigError> {
        match entry.get_ref() {
            DeValue::String(s) => Ok(LayerConfig {
                name: s.to_string(),
                closed: false,
            }),
            DeValue::Table(t) => {
                self.known_keys(t, &["name", "closed"], "a layer")?;
                let name =
                    table_get(t, "name").ok_or_else(|| self.at(entry, "a layer needs `name`"))?;
                let closed = match table_get(t, "closed") {
                    Some(c) => self.boolean(c, "closed")?,
                    None => false,
                };
                Ok(LayerConfig {
                    name: self.string(name, "name")?,
                    closed,
                })
            }
            other => Err(self.at(
                entry,
                format!(
                    "a layer must be a string or a table, not {}",
                    other.type_str()
                ),
            )),
        }
    }

    fn rules(&self, value: &Value<'_>) -> Result<Rules, ConfigError> {
        let table = self.table(value, "rules")?;
        let known = [
            "unused_ignore_directives",
            "require_ignore_directive_reasons",
            "unused_external_dependencies",
            "local_imports",
        ];
        self.known_keys(table, &known, "[rules]")?;
        let mut rules = Rules::default();
        for (key, value) in table.iter() {
            let key = key.get_ref().as_ref();
            let setting = self.rule(value, key)?;
            match key {
                "unused_ignore_directives" => rules.unused_ignore_directives = setting,
                "require_ignore_directive_reasons" => {
                    rules.require_ignore_directive_reasons = setting
                }
                "unused_external_dependencies" => rules.unused_external_dependencies = setting,
                _ => rules.local_imports = setting,
            }
        }
        Ok(rules)
    }

    fn external(&self, value: &Value<'_>) -> Result<ExternalConfig, ConfigError> {
        let table = self.table(value, "external")?;
        self.known_keys(table, &["exclude", "rename"], "[external]")?;
        let mut external = ExternalConfig::default();
        for (key, value) in table.iter() {
            let key = key.get_ref().as_ref();
            if key == "exclude" {
                external.exclude = self.strings(value, key)?;
                continue;
            }
            for v in self.array(value, key)? {
                let pair = self.string(v, key)?;
                let Some((module, dist)) = pair.split_once(':') else {
                    return Err(self.at(
                        v,
                        format!("`rename` entries are \"module:distribution\", not \"{pair}\""),
                    ));
                };
                external.rename.push((module.to_owned(), dist.to_owned()));
            }
        }
        Ok(external)
    }
}
