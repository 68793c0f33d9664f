//! Reading archlint's configuration: import-linter's files exactly as it reads them, and
//! archlint's own `[tool.archlint]` / `archlint.toml` form.
//!
//! Configuration is data: this crate owns the file formats and turns a file into a
//! [`ProjectConfig`] — typed session settings, raw per-contract options, and the raw tables of
//! the other parts of archlint (cache, dependencies, licenses, vulnerabilities, rules). Each
//! owner validates its own part: the contract types their options, the cache, dependency and
//! rules crates their tables. The file is read once per run.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A raw option value: one string or a list of strings (INI multi-line values, TOML arrays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    /// A single value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

/// Which file format a configuration came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigFormat {
    /// `.importlinter` or `setup.cfg` (`[importlinter]` sections).
    ImportLinterIni,
    /// `pyproject.toml` `[tool.importlinter]`.
    ImportLinterToml,
    /// `pyproject.toml` `[tool.archlint]`.
    ArchlintPyproject,
    /// `archlint.toml`.
    ArchlintToml,
}

/// A configuration problem, with the file and (where known) the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file at fault.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// How to react when an expression (an `ignore_imports` entry, a wildcard) matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertLevel {
    /// Say nothing.
    None,
    /// Add a warning.
    Warn,
    /// Fail the contract check with an error.
    Error,
}

/// Settings for the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Root packages to analyse.
    pub root_packages: Vec<String>,
    /// Add external packages to the graph.
    pub include_external_packages: bool,
    /// Leave out `if TYPE_CHECKING:` imports.
    pub exclude_type_checking_imports: bool,
    /// Count string-literal `importlib.import_module()` calls as imports (archlint only).
    pub include_dynamic_imports: bool,
    /// Directories to look for root packages in, relative to the project (archlint only).
    pub source_dirs: Vec<String>,
    /// Globs of files to include (archlint only).
    pub include: Vec<String>,
    /// Globs of files to exclude (archlint only).
    pub exclude: Vec<String>,
    /// Cache directory, relative to the project (archlint only).
    pub cache_dir: Option<String>,
    /// Python version whose syntax files are checked against, as (major, minor) (archlint only).
    pub target_version: Option<(u8, u8)>,
    /// What to do when a wildcard in a forbidden, protected or independence contract matches
    /// no module (archlint only; read from import-linter files too, which import-linter
    /// ignores). `None`: warn.
    pub unmatched_modules_alerting: Option<AlertLevel>,
    /// import-linter's custom contract types (`contract_types = name: package.module.Class`),
    /// Python classes run by the project's interpreter when the user allows it.
    pub contract_types: Vec<ContractType>,
}

/// A custom contract type: the name contracts give as their `type`, and the class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractType {
    pub name: String,
    /// The class, as a dotted path (`package.module.ClassName`).
    pub class: String,
}

impl Settings {
    /// [`Settings::unmatched_modules_alerting`], warn by default.
    pub fn unmatched_modules_alerting(&self) -> AlertLevel {
        self.unmatched_modules_alerting.unwrap_or(AlertLevel::Warn)
    }
}

/// One contract as configured, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractConfig {
    /// Section id (`importlinter:contract:<id>`) or TOML `id`.
    pub id: Option<String>,
    /// Line where the contract starts, when known.
    pub line: Option<u32>,
    /// Every option, including `name` and `type`.
    pub options: BTreeMap<String, RawValue>,
}

/// A loaded configuration.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    /// The file read.
    pub path: PathBuf,
    /// Its format.
    pub format: ConfigFormat,
    /// Session settings.
    pub settings: Settings,
    /// Contracts, in file order.
    pub contracts: Vec<ContractConfig>,
    /// Ignored or deprecated settings worth telling the user about.
    pub warnings: Vec<String>,
    /// The `[tool.archlint.cache]` table (or `[cache]` in archlint.toml), read by the cache setup.
    pub cache_table: Option<toml::Table>,
    /// `[tool.archlint.dependencies]` (or `[dependencies]`), read by the dependency checks.
    pub dependencies_table: Option<toml::Table>,
    /// `[tool.archlint.licenses]` (or `[licenses]`).
    pub licenses_table: Option<toml::Table>,
    /// `[tool.archlint.vulnerabilities]` (or `[vulnerabilities]`).
    pub vulnerabilities_table: Option<toml::Table>,
    /// `[tool.archlint.rules]` (or `[rules]`), the code-structure rules.
    pub rules_table: Option<toml::Table>,
    /// The file the archlint-only tables came from, when contracts came from elsewhere.
    pub tables_path: Option<PathBuf>,
}

/// Sub-tables of `[tool.archlint]` that belong to other parts of archlint.
const ARCHLINT_TABLES: &[&str] = &[
    "cache",
    "dependencies",
    "licenses",
    "vulnerabilities",
    "rules",
];

/// Find and read the configuration for a project root.
///
/// Order: `archlint.toml`; `pyproject.toml` with `[tool.archlint]`; then import-linter's own
/// order: `setup.cfg` and `.importlinter` with an `[importlinter]` section, then
/// `pyproject.toml` with `[tool.importlinter]`. Returns `Ok(None)` when there is none.
pub fn discover_config(root: &Path) -> Result<Option<ProjectConfig>, ConfigError> {
    let archlint = root.join("archlint.toml");
    if archlint.is_file() {
        return load_config(&archlint).map(Some);
    }
    let pyproject = root.join("pyproject.toml");
    // Read once: [tool.archlint] comes first, [tool.importlinter] after import-linter's INI files.
    let pyproject_doc = if pyproject.is_file() {
        let text = read(&pyproject)?;
        let doc = parse_toml(&pyproject, &text)?;
        Some((text, doc))
    } else {
        None
    };
    let mut archlint_only = None;
    if let Some((text, doc)) = &pyproject_doc
        && let Some(section) = tool_section(doc, "archlint")
    {
        let config = from_toml_table(&pyproject, text, section, ConfigFormat::ArchlintPyproject)?;
        // `[tool.archlint]` with only archlint's own tables (dependencies, licenses, cache) keeps
        // the contracts where they are: an existing import-linter configuration, unchanged.
        let only_tables = config.contracts.is_empty()
            && section
                .keys()
                .all(|k| ARCHLINT_TABLES.contains(&k.as_str()) || k == "pytest");
        if !only_tables {
            return Ok(Some(config));
        }
        archlint_only = Some(config);
    }
    let with_tables = |mut found: ProjectConfig| {
        if let Some(tables) = &archlint_only {
            found.cache_table = tables.cache_table.clone();
            found.dependencies_table = tables.dependencies_table.clone();
            found.licenses_table = tables.licenses_table.clone();
            found.vulnerabilities_table = tables.vulnerabilities_table.clone();
            found.rules_table = tables.rules_table.clone();
            found.tables_path = Some(tables.path.clone());
        }
        found
    };
    // A `.importlinter` that is there but cannot be a configuration file (a directory, a
    // dangling link) is an error: passing silently with no contracts would hide it.
    let dot = root.join(".importlinter");
    if fs_is_present(&dot) && !dot.is_file() {
        return Err(ConfigError {
            file: dot,
            line: None,
            message: "is not a readable file (a directory, or a link to nothing)".into(),
        });
    }
    for name in ["setup.cfg", ".importlinter"] {
        let path = root.join(name);
        if path.is_file() {
            let text = read(&path)?;
            if let Some(config) = from_ini(&path, &text)? {
                return Ok(Some(with_tables(config)));
            }
        }
    }
    if let Some((text, doc)) = &pyproject_doc
        && let Some(section) = tool_section(doc, "importlinter")
    {
        return from_toml_table(&pyproject, text, section, ConfigFormat::ImportLinterToml)
            .map(|c| Some(with_tables(c)));
    }
    Ok(archlint_only)
}

/// Whether anything (even a dangling link) is at `path`.
fn fs_is_present(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Read a configuration file named by the user (`--config`).
pub fn load_config(path: &Path) -> Result<ProjectConfig, ConfigError> {
    let text = read(path)?;
    let is_toml = path.extension().is_some_and(|e| e == "toml");
    if !is_toml {
        return from_ini(path, &text)?.ok_or_else(|| ConfigError {
            file: path.to_owned(),
            line: None,
            message: "no [importlinter] section found".into(),
        });
    }
    let doc = parse_toml(path, &text)?;
    if path.file_name().is_some_and(|n| n == "archlint.toml") {
        return from_toml_table(path, &text, &doc, ConfigFormat::ArchlintToml);
    }
    if let Some(section) = tool_section(&doc, "archlint") {
        return from_toml_table(path, &text, section, ConfigFormat::ArchlintPyproject);
    }
    if let Some(section) = tool_section(&doc, "importlinter") {
        return from_toml_table(path, &text, section, ConfigFormat::ImportLinterToml);
    }
    // Any other TOML file: the archlint.toml form.
    from_toml_table(path, &text, &doc, ConfigFormat::ArchlintToml)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError {
        file: path.to_owned(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    String::from_utf8(bytes).map_err(|e| ConfigError {
        file: path.to_owned(),
        line: None,
        message: format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
    })
}

fn parse_toml(path: &Path, text: &str) -> Result<toml::Table, ConfigError> {
    text.parse::<toml::Table>().map_err(|e| ConfigError {
        file: path.to_owned(),
        line: e.span().map(|s| line_of(text, s.start)),
        message: format!("invalid TOML: {}", e.message()),
    })
}

fn line_of(text: &str, offset: usize) -> u32 {
    1 + text[..offset.min(text.len())].matches('\n').count() as u32
}

fn tool_section<'a>(doc: &'a toml::Table, name: &str) -> Option<&'a toml::Table> {
    doc.get("tool")?
        .as_table()?
        .get(name)?
        .as_table()
        .filter(|t| !t.is_empty())
}

fn toml_to_raw(value: &toml::Value) -> Option<RawValue> {
    let scalar = |v: &toml::Value| -> Option<String> {
        match v {
            toml::Value::String(s) => Some(s.clone()),
            // import-linter turns booleans into "True"/"False" before reading them.
            toml::Value::Boolean(b) => Some(if *b { "True" } else { "False" }.into()),
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Float(f) => Some(f.to_string()),
            _ => None,
        }
    };
    match value {
        toml::Value::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<_>>>()
            .map(RawValue::Many),
        other => scalar(other).map(RawValue::One),
    }
}

/// Find the line of the n-th `[[...contracts]]` header, for messages.
fn contract_lines(text: &str) -> Vec<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            t.starts_with("[[") && t.trim_end_matches(']').ends_with("contracts")
        })
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

fn from_toml_table(
    path: &Path,
    text: &str,
    table: &toml::Table,
    format: ConfigFormat,
) -> Result<ProjectConfig, ConfigError> {
    let err = |line: Option<u32>, message: String| ConfigError {
        file: path.to_owned(),
        line,
        message,
    };
    let mut session: BTreeMap<String, RawValue> = BTreeMap::new();
    let mut contracts = Vec::new();
    let mut cache_table = None;
    let mut dependencies_table = None;
    let mut licenses_table = None;
    let mut vulnerabilities_table = None;
    let mut rules_table = None;
    let lines = contract_lines(text);
    for (key, value) in table {
        if key == "contracts" {
            let items = value.as_array().ok_or_else(|| {
                err(
                    None,
                    "'contracts' must be an array of tables ([[...contracts]])".into(),
                )
            })?;
            for (i, item) in items.iter().enumerate() {
                let line = lines.get(i).copied();
                let table = item
                    .as_table()
                    .ok_or_else(|| err(line, format!("contract #{} is not a table", i + 1)))?;
                let mut options = BTreeMap::new();
                for (k, v) in table {
                    let raw = toml_to_raw(v).ok_or_else(|| {
                        err(
                            line,
                            format!(
                                "option '{k}' must be a string, boolean, number or list of them"
                            ),
                        )
                    })?;
                    options.insert(k.clone(), raw);
                }
                let id = match options.get("id") {
                    Some(RawValue::One(s)) => Some(s.clone()),
                    _ => None,
                };
                contracts.push(ContractConfig { id, line, options });
            }
        } else if matches!(
            format,
            ConfigFormat::ArchlintPyproject | ConfigFormat::ArchlintToml
        ) && value.is_table()
        {
            match key.as_str() {
                "cache" => cache_table = value.as_table().cloned(),
                "dependencies" => dependencies_table = value.as_table().cloned(),
                "licenses" => licenses_table = value.as_table().cloned(),
                "vulnerabilities" => vulnerabilities_table = value.as_table().cloned(),
                "rules" => rules_table = value.as_table().cloned(),
                other => {
                    return Err(err(
                        None,
                        format!(
                            "unknown table '{other}' (archlint's tables are: {})",
                            ARCHLINT_TABLES.join(", ")
                        ),
                    ));
                }
            }
            continue;
        } else {
            let raw = toml_to_raw(value).ok_or_else(|| {
                err(
                    None,
                    format!("setting '{key}' must be a string, boolean or list"),
                )
            })?;
            session.insert(key.clone(), raw);
        }
    }
    check_contract_ids(path, &contracts)?;
    let (settings, warnings) = settings_from(path, session, format)?;
    Ok(ProjectConfig {
        path: path.to_owned(),
        format,
        settings,
        contracts,
        warnings,
        cache_table,
        dependencies_table,
        licenses_table,
        vulnerabilities_table,
        rules_table,
        tables_path: None,
    })
}

/// A parsed INI section: name, line and (key, value, line) entries.
struct IniSection {
    name: String,
    line: u32,
    entries: Vec<(String, String, u32)>,
}

/// Parse INI the way Python's `configparser` does for these files: `key = value` or
/// `key: value`, indented continuation lines, full-line `#`/`;` comments, keys lower-cased.
fn parse_ini(path: &Path, text: &str) -> Result<Vec<IniSection>, ConfigError> {
    let mut sections: Vec<IniSection> = Vec::new();
    let err = |line: u32, message: String| ConfigError {
        file: path.to_owned(),
        line: Some(line),
        message,
    };
    for (i, raw) in text.lines().enumerate() {
        let lineno = i as u32 + 1;
        let trimmed = raw.trim();
        let indented = raw.starts_with([' ', '\t']);
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.is_empty() {
            // Blank lines inside a multi-line value are kept (and skipped by list fields).
            if let Some(section) = sections.last_mut()
                && let Some(entry) = section.entries.last_mut()
            {
                entry.1.push('\n');
            }
            continue;
        }
        if indented {
            if let Some(section) = sections.last_mut()
                && let Some(entry) = section.entries.last_mut()
            {
                entry.1.push('\n');
                entry.1.push_str(trimmed);
                continue;
            }
            return Err(err(lineno, format!("unexpected indented line: {trimmed}")));
        }
        if trimmed.starts_with('[') {
            let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
                return Err(err(lineno, format!("malformed section header: {trimmed}")));
            };
            if sections.iter().any(|s| s.name == name) {
                return Err(err(lineno, format!("section '{name}' appears twice")));
            }
            sections.push(IniSection {
                name: name.to_owned(),
                line: lineno,
                entries: Vec::new(),
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            return Err(err(lineno, "option outside of any [section]".into()));
        };
        let split = trimmed.find(['=', ':']);
        let (key, value) = match split {
            Some(at) if !trimmed[..at].trim().is_empty() => {
                (trimmed[..at].trim(), trimmed[at + 1..].trim())
            }
            _ => {
                return Err(err(
                    lineno,
                    format!("expected 'key = value', found: {trimmed}"),
                ));
            }
        };
        let key = key.to_lowercase();
        if section.entries.iter().any(|(k, _, _)| *k == key) {
            return Err(err(
                lineno,
                format!("option '{key}' appears twice in [{}]", section.name),
            ));
        }
        section.entries.push((key, value.to_owned(), lineno));
    }
    Ok(sections)
}

fn ini_value(value: &str) -> RawValue {
    let v = value.trim_end_matches('\n');
    if v.contains('\n') {
        RawValue::Many(v.trim().split('\n').map(str::to_owned).collect())
    } else {
        RawValue::One(v.to_owned())
    }
}

/// Contract ids are unique within a file and have no colon (import-linter 2.17 qualifies ids
/// with their file as `path:id`, so a colon would make that ambiguous).
fn check_contract_ids(path: &Path, contracts: &[ContractConfig]) -> Result<(), ConfigError> {
    let mut seen: BTreeMap<&str, Option<u32>> = BTreeMap::new();
    for contract in contracts {
        let Some(id) = contract.id.as_deref() else {
            continue;
        };
        if id.contains(':') {
            return Err(ConfigError {
                file: path.to_owned(),
                line: contract.line,
                message: format!(
                    "the contract id '{id}' is invalid: contract ids may not contain a colon"
                ),
            });
        }
        if let Some(first) = seen.insert(id, contract.line) {
            let first = first.map_or(String::new(), |l| format!(" (first at line {l})"));
            return Err(ConfigError {
                file: path.to_owned(),
                line: contract.line,
                message: format!(
                    "more than one contract has the id '{id}'{first}; contract ids must be \
                     unique within a file"
                ),
            });
        }
    }
    Ok(())
}

fn from_ini(path: &Path, text: &str) -> Result<Option<ProjectConfig>, ConfigError> {
    let sections = parse_ini(path, text)?;
    let Some(main) = sections.iter().find(|s| s.name == "importlinter") else {
        return Ok(None);
    };
    let session = main
        .entries
        .iter()
        .map(|(k, v, _)| (k.clone(), ini_value(v)))
        .collect();
    let mut contracts = Vec::new();
    for section in &sections {
        if let Some(rest) = section.name.strip_prefix("importlinter:") {
            let options: BTreeMap<String, RawValue> = section
                .entries
                .iter()
                .map(|(k, v, _)| (k.clone(), ini_value(v)))
                .collect();
            // The section name's last part, unless the section sets `id` itself (import-linter
            // reads the section's options over it).
            let id = match options.get("id") {
                Some(RawValue::One(id)) => id.clone(),
                _ => rest.rsplit(':').next().unwrap_or(rest).to_owned(),
            };
            contracts.push(ContractConfig {
                id: Some(id),
                line: Some(section.line),
                options,
            });
        }
    }
    check_contract_ids(path, &contracts)?;
    let (settings, warnings) = settings_from(path, session, ConfigFormat::ImportLinterIni)?;
    Ok(Some(ProjectConfig {
        path: path.to_owned(),
        format: ConfigFormat::ImportLinterIni,
        settings,
        contracts,
        warnings,
        cache_table: None,
        dependencies_table: None,
        licenses_table: None,
        vulnerabilities_table: None,
        rules_table: None,
        tables_path: None,
    }))
}

fn as_list(v: &RawValue) -> Vec<String> {
    match v {
        RawValue::One(s) => vec![s.clone()],
        RawValue::Many(items) => items
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_owned())
            .collect(),
    }
}

/// `"3.12"` or `"py312"` → (3, 12); Python 3.7 to 3.14 only.
fn parse_python_version(text: &str) -> Option<(u8, u8)> {
    let t = text.trim();
    let minor: u8 = if let Some(rest) = t.strip_prefix("py3") {
        rest.parse().ok()?
    } else {
        t.strip_prefix("3.")?.parse().ok()?
    };
    (7..=14).contains(&minor).then_some((3, minor))
}

fn as_bool(path: &Path, key: &str, v: &RawValue) -> Result<bool, ConfigError> {
    match v {
        RawValue::One(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        RawValue::One(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ConfigError {
            file: path.to_owned(),
            line: None,
            message: format!("setting '{key}': expected true or false"),
        }),
    }
}

fn settings_from(
    path: &Path,
    mut session: BTreeMap<String, RawValue>,
    format: ConfigFormat,
) -> Result<(Settings, Vec<String>), ConfigError> {
    let mut s = Settings::default();
    let mut warnings = Vec::new();
    let archlint_form = matches!(
        format,
        ConfigFormat::ArchlintPyproject | ConfigFormat::ArchlintToml
    );
    if let Some(v) = session.remove("root_packages") {
        s.root_packages = as_list(&v);
    }
    if let Some(v) = session.remove("root_package")
        && s.root_packages.is_empty()
    {
        s.root_packages = as_list(&v);
    }
    if let Some(v) = session.remove("include_external_packages") {
        s.include_external_packages = as_bool(path, "include_external_packages", &v)?;
    }
    if let Some(v) = session.remove("exclude_type_checking_imports") {
        s.exclude_type_checking_imports = as_bool(path, "exclude_type_checking_imports", &v)?;
    }
    if let Some(v) = session.remove("unmatched_modules_alerting") {
        let text = as_list(&v).into_iter().next().unwrap_or_default();
        s.unmatched_modules_alerting = Some(match text.to_ascii_lowercase().as_str() {
            "error" => AlertLevel::Error,
            "warn" => AlertLevel::Warn,
            "none" => AlertLevel::None,
            _ => {
                return Err(ConfigError {
                    file: path.to_owned(),
                    line: None,
                    message: format!(
                        "setting 'unmatched_modules_alerting': '{text}' is not one of error, \
                         warn, none"
                    ),
                });
            }
        });
    }
    // import-linter options that do not change results here.
    for key in ["show_timings", "cache_dir", "no_cache", "verbose"] {
        session.remove(key);
    }
    if let Some(v) = session.remove("contract_types") {
        for entry in as_list(&v) {
            // import-linter splits each entry on ": " into exactly two parts.
            let parts: Vec<&str> = entry.split(": ").collect();
            let [name, class] = parts[..] else {
                return Err(ConfigError {
                    file: path.to_owned(),
                    line: None,
                    message: format!(
                        "setting 'contract_types': '{entry}' is not 'name: package.module.Class'"
                    ),
                });
            };
            if !class.contains('.') || class.split('.').any(|p| p.is_empty()) {
                return Err(ConfigError {
                    file: path.to_owned(),
                    line: None,
                    message: format!(
                        "setting 'contract_types': '{class}' is not a dotted path to a class \
                         (package.module.Class)"
                    ),
                });
            }
            s.contract_types.push(ContractType {
                name: name.trim().to_owned(),
                class: class.trim().to_owned(),
            });
        }
    }
    if archlint_form {
        if let Some(v) = session.remove("include_dynamic_imports") {
            s.include_dynamic_imports = as_bool(path, "include_dynamic_imports", &v)?;
        }
        if let Some(v) = session.remove("source_dirs") {
            s.source_dirs = as_list(&v);
        }
        if let Some(v) = session.remove("include") {
            s.include = as_list(&v);
        }
        if let Some(v) = session.remove("exclude") {
            s.exclude = as_list(&v);
        }
        if let Some(v) = session.remove("cache_dir") {
            s.cache_dir = as_list(&v).into_iter().next();
        }
        if let Some(v) = session.remove("target_version") {
            let text = as_list(&v).into_iter().next().unwrap_or_default();
            s.target_version = Some(parse_python_version(&text).ok_or_else(|| ConfigError {
                file: path.to_owned(),
                line: None,
                message: format!(
                    "setting 'target_version': '{text}' is not a Python 3 version such as \"3.12\""
                ),
            })?);
        }
        // Read by the pytest plugin, not here.
        session.remove("pytest");
        if let Some(key) = session.keys().next() {
            return Err(ConfigError {
                file: path.to_owned(),
                line: None,
                message: format!("unknown setting '{key}'"),
            });
        }
    } else {
        for key in session.keys() {
            warnings.push(format!(
                "{}: ignoring unknown setting '{key}'",
                path.display()
            ));
        }
    }
    for name in &s.root_packages {
        let valid = !name.is_empty()
            && name.split('.').all(|p| {
                !p.is_empty()
                    && p.chars().all(|c| c == '_' || c.is_alphanumeric())
                    && !p.starts_with(|c: char| c.is_ascii_digit())
            });
        if !valid {
            return Err(ConfigError {
                file: path.to_owned(),
                line: None,
                message: format!("'{name}' is not a valid root package name"),
            });
        }
    }
    Ok((s, warnings))
}

#[cfg(test)]
mod tests;
